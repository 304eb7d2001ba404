"""BackgroundJob: the UI thread can wait for a job without waiting for itself."""

import threading

from crmdesk.ui.workers import BackgroundJob


def test_waiting_on_a_stopping_job_returns_at_once(qtbot):
    started = threading.Event()
    seen = []

    def work(progress):
        started.set()
        while progress(0, 1):  # runs until asked to stop
            threading.Event().wait(0.005)
        return "stopped"

    job = BackgroundJob(work)
    job.succeeded.connect(seen.append)
    job.start()
    assert started.wait(5)

    assert job.stop(5000), "the job's thread did not end"
    assert not job.is_running()
    qtbot.waitUntil(lambda: seen == ["stopped"], timeout=2000)


def test_a_finished_job_is_waited_for_without_the_event_loop(qtbot):
    job = BackgroundJob(lambda progress: 42)
    results = []
    job.succeeded.connect(results.append)
    job.start()
    assert job.wait(5000)  # the UI thread blocks here; the thread still ends on its own
    qtbot.waitUntil(lambda: results == [42], timeout=2000)
