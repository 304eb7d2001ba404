"""The "need you today" count for the window and the tray, worked out without the UI thread
waiting: at once while the book is small (the last count took under SYNC_MS), else in a
worker thread, the last known number standing until the new one arrives.

    counter = NeedsYouCount(session, parent=window)
    counter.changed.connect(lambda needs: ...)   # core.needs_you.NeedsYou
    counter.request()                            # after any change; cheap when nothing changed
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from crmdesk.ui.workers import BackgroundJob

log = logging.getLogger(__name__)

#: a count that took less than this (ms) last time is worked out again on the UI thread
SYNC_MS = 10.0
#: a book with fewer customers than this is counted on the UI thread the first time too
SMALL_BOOK = 2000


class NeedsYouCount(QObject):
    changed = Signal(object)  # NeedsYou

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.value = None  # the last NeedsYou known
        self._job: BackgroundJob | None = None
        self._again = False
        #: customers in the book, when the window knows (a small book is counted at once)
        self.customers: int | None = None

    def request(self) -> None:
        """Make `value` current: at once when it is known or cheap, else in the background
        (`changed` follows)."""
        session = self.session
        known = session.needs_you_known()
        cheap = (session.needs_you_ms < SYNC_MS if session.needs_you_ms is not None
                 else self.customers is not None and self.customers < SMALL_BOOK)
        if known is None and cheap and self._job is None:
            known = session.needs_you()
        if known is not None:
            self._set(known)
            return
        if self._job is not None:
            self._again = True  # the book changed while counting: count once more after
            return
        stamp = session.needs_you_stamp()
        now = session.now()
        job = BackgroundJob(lambda _progress: session.needs_you_in_worker(now), self)
        job.succeeded.connect(lambda value: self._counted(stamp, value))
        job.failed.connect(lambda message: log.error("counting what needs you failed: %s",
                                                     message))
        job.finished.connect(self._finished)
        self._job = job
        job.start()

    def total(self) -> int:
        """The last known total (asks for a fresh one without waiting)."""
        self.request()
        return self.value.total if self.value is not None else 0

    def is_counting(self) -> bool:
        return self._job is not None

    def stop(self) -> None:
        if self._job is not None:
            self._job.stop()

    def _counted(self, stamp: tuple, value) -> None:
        self.session.remember_needs_you(stamp, value)
        self._set(value)

    def _finished(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        if self._again:
            self._again = False
            self.request()

    def _set(self, value) -> None:
        if value != self.value:
            self.value = value
            self.changed.emit(value)
