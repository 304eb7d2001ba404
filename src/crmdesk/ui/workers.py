"""Running slow work off the UI thread, with progress and a result back on the UI thread."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)


class _Worker(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, job: Callable[[Callable[[int, int], bool]], object]):
        super().__init__()
        self._job = job
        self.cancelled = False

    @Slot()
    def run(self) -> None:
        try:
            result = self._job(self._report)
        except Exception as exc:  # reported to the UI thread, never swallowed
            log.error("background job failed:\n%s", traceback.format_exc())
            from crmdesk.core.book_health import explain

            told = explain(exc, None)  # a full disk, a damaged or read-only book: in words
            self.failed.emit(str(told) if told is not None else str(exc))
            return
        finally:
            # The thread ends with the job, not when the UI thread hears of it: a UI thread
            # waiting for the job (quitting, cancelling) must not wait for itself.
            QThread.currentThread().quit()
        self.done.emit(result)

    def _report(self, done: int, total: int) -> bool:
        self.progress.emit(done, total)
        return not self.cancelled


class BackgroundJob(QObject):
    """One job in its own QThread. Keep a reference until `finished` is emitted."""

    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, job, parent=None):
        super().__init__(parent)
        self._thread = QThread()
        self._worker = _Worker(job)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self.progress)
        self._worker.done.connect(self._finish_ok)
        self._worker.failed.connect(self._finish_failed)
        app = QCoreApplication.instance()
        if app is not None:  # quitting mid-job: let it stop cleanly, never tear it down running
            app.aboutToQuit.connect(self._stop_for_quit)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._worker.cancelled = True

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, ms: int = 30000) -> bool:
        return self._thread.wait(ms)

    def stop(self, ms: int = 15000) -> bool:
        """Ask the job to stop at its next progress report and wait for its thread to end.
        Its result (or failure) still arrives through the signals afterwards."""
        self._worker.cancelled = True
        return self._thread.wait(ms)

    def _stop_for_quit(self) -> None:
        if self._thread.isRunning() and not self.stop(15000):
            log.error("a background job did not stop within 15 s of quitting")

    def _finish_ok(self, result) -> None:
        self._stop()
        self.succeeded.emit(result)
        self.finished.emit()

    def _finish_failed(self, message: str) -> None:
        self._stop()
        self.failed.emit(message)
        self.finished.emit()

    def _stop(self) -> None:
        self._thread.quit()
        self._thread.wait()
