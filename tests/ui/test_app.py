"""Start-up and failure handling of the whole application."""

from __future__ import annotations

import hashlib
import logging

import pytest

from crmdesk.errors import install_exception_hook, setup_logging


def test_unreadable_database_exits_2_and_is_left_untouched(tmp_path, qapp, capsys):
    from crmdesk.app import run_gui

    bad = tmp_path / "customers.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    before = hashlib.sha256(bad.read_bytes()).hexdigest()
    assert run_gui(bad, ready_and_exit=True) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "damaged" in err
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == before
    assert not (tmp_path / "customers.db-wal").exists()


def test_ready_and_exit_prints_ready_after_painting(tmp_path, qapp, capsys, monkeypatch):
    from crmdesk.app import run_gui
    from crmdesk.core.customers import CustomerBook
    from crmdesk.core.model import CustomerInput
    from crmdesk.store.db import open_database

    monkeypatch.setenv("HOME", str(tmp_path))  # keep QSettings away from the real profile
    path = tmp_path / "book.db"
    opened = open_database(path)
    CustomerBook(opened.db).create(CustomerInput(first_name="Ada", last_name="Lovelace"))
    opened.db.close()
    assert run_gui(path, ready_and_exit=True) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("ready ") and float(out[-1].split()[1]) > 0


def test_unexpected_error_is_logged_and_reported_in_plain_words(tmp_path, monkeypatch):
    import sys
    import threading

    log_path = setup_logging(tmp_path / "logs")
    shown = []
    install_exception_hook(lambda summary, details: shown.append((summary, details)), log_path)
    try:
        raise RuntimeError("the printer caught fire")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert shown and "the printer caught fire" in shown[0][0]
    assert "Traceback" in shown[0][1]
    assert "the printer caught fire" in log_path.read_text(encoding="utf-8")

    worker = threading.Thread(target=lambda: 1 / 0)
    worker.start()
    worker.join()
    assert any("ZeroDivisionError" in summary for summary, _ in shown)


@pytest.fixture(autouse=True)
def _restore_logging(monkeypatch):
    import sys
    import threading

    # run_gui installs process-wide hooks; put back whatever was there before the test.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "crmdesk", False)]:
        root.removeHandler(handler)
        handler.close()


def test_a_new_data_folder_and_its_logs_are_private(tmp_path):
    import stat

    folder = tmp_path / "crmdesk" / "logs"
    log_path = setup_logging(folder)
    for path in (folder.parent, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600


def test_quitting_waits_for_a_background_job_to_finish(qtbot, qapp):
    import threading

    from crmdesk.ui.workers import BackgroundJob

    release = threading.Event()
    finished = []

    def job(progress):
        release.wait(5)  # a slow job that does not look at cancel
        finished.append(True)
        return 1

    background = BackgroundJob(job)
    background.start()
    qtbot.waitUntil(background.is_running)
    # The job is released from another thread a moment later, while quitting waits for it.
    threading.Timer(0.2, release.set).start()
    qapp.aboutToQuit.emit()  # what QApplication does when the event loop ends
    assert finished and not background.is_running()
