"""One question at a time on a worker thread, the newest winning.

`request(work)` runs `work()` in a BackgroundJob on that thread's own database connection
(closed when it ends: peewee connections are per thread). Asked again while one runs, the new
question waits; asked a third time, the second is dropped for the third. Only the answer to the
newest question is reported (`succeeded(tag, result)` / `failed(tag, reason)`), so a slow
answer to an old question never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from crmdesk.ui.workers import BackgroundJob


class LatestJob(QObject):
    succeeded = Signal(object, object)  # tag, result
    failed = Signal(object, str)  # tag, reason
    busyChanged = Signal(bool)

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.db = db
        self.job: BackgroundJob | None = None
        self._pending: tuple[int, Callable[[], object], object] | None = None
        self._serial = 0
        self._newest = 0

    def request(self, work: Callable[[], object], tag=None) -> None:
        self._serial += 1
        self._newest = self._serial
        self._pending = (self._serial, work, tag)
        if self.job is None:
            self._start_next()
            self.busyChanged.emit(True)

    def is_busy(self) -> bool:
        return self.job is not None

    def shut_down(self) -> None:
        """Before the window goes: let a running question finish, forget waiting ones."""
        self._pending = None
        self._newest = -1  # whatever answer is still on its way is not wanted
        if self.job is not None and self.job.is_running():
            self.job.stop()

    def _start_next(self) -> None:
        serial, work, tag = self._pending
        self._pending = None
        db = self.db

        def run(_progress):
            try:
                return work()
            finally:
                db.close()  # this thread's connection

        job = BackgroundJob(run, self)
        job.succeeded.connect(lambda result: self._answer(serial, tag, result, None))
        job.failed.connect(lambda reason: self._answer(serial, tag, None, reason))
        job.finished.connect(self._finished)
        job.finished.connect(job.deleteLater)  # one per keystroke in the builder: none kept
        self.job = job
        job.start()

    def _answer(self, serial: int, tag, result, reason: str | None) -> None:
        if serial != self._newest:
            return  # overtaken by a newer question
        if reason is None:
            self.succeeded.emit(tag, result)
        else:
            self.failed.emit(tag, reason)

    def _finished(self) -> None:
        self.job = None
        if self._pending is not None:
            self._start_next()
        else:
            self.busyChanged.emit(False)
