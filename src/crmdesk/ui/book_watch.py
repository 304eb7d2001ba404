"""Watching the open book for damage, a full disk or a read-only disk, from the window's side.

A book too big to check when it opened is checked in a worker thread (through
core.book_health). Damage found then, or by any error SQLite reports while the window works,
stops every write to the book (the database's `mark_damaged`), shows a banner and asks whether to
close the book now to restore a good backup or rescue what can still be read (done by
`safety.offer_recovery` once the window has closed). A read-only book shows a banner from the
start. A full or read-only disk met while working is told in those words, not as a crash.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QToolBar

from crmdesk.core.book_health import (
    BookDamaged,
    DatabaseOpenError,
    OpenResult,
    explain,
    problem_found_by_check,
)

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("BookWatch", text)


class BookWatch(QObject):
    """One per open book; lives on the UI thread, told of problems from any thread."""

    problemFound = Signal(object)  # a DatabaseOpenError (core.book_health), on the UI thread

    def __init__(self, opened: OpenResult, window: QMainWindow):
        super().__init__(window)
        self.db = opened.db
        self.path = opened.path
        self.window = window
        self.read_only = opened.read_only
        self.problem: DatabaseOpenError | None = None  # the damage found, if any
        self.repair_requested = False  # the user chose to close the book and repair it
        self.banner: QToolBar | None = None
        self._job = None
        self._told: set[str] = set()  # the kinds of problem told already
        self.problemFound.connect(self._on_problem, Qt.ConnectionType.QueuedConnection)
        if hasattr(self.db, "on_damage"):  # damage met by any query, on any thread
            self.db.on_damage = self.problemFound.emit
        if opened.read_only:
            self.show_banner(tr("This customer book is read-only (its file, folder or disk does "
                                "not allow writing): you can look, search and export, but "
                                "nothing can be changed or saved."))

    # --- from any thread ----------------------------------------------------------------

    def exception_seen(self, exc: BaseException) -> bool:
        """For the exception hook: True if `exc` is a problem of the book or its disk (then
        told here, in its own words), False for anything else."""
        problem = explain(exc, self.path)
        if problem is None:
            return False
        self.problemFound.emit(problem)
        return True

    # --- on the UI thread ---------------------------------------------------------------

    def start(self) -> None:
        """Check a book that was too big to check when it opened, in a worker thread."""
        if getattr(self.db, "checked", True) or self.read_only:
            return
        from crmdesk.ui.workers import BackgroundJob

        path = self.path
        self._job = BackgroundJob(lambda _progress: problem_found_by_check(path), self)
        self._job.succeeded.connect(self._checked)
        self._job.start()

    def _checked(self, problem) -> None:
        if problem is None:
            self.db.checked = True
            log.info("quick check of %s: ok", self.path)
        else:
            self._on_problem(problem)

    def backups_allowed(self) -> bool:
        """Automatic backups are made only of a sound book that can change."""
        return not self.read_only and self.problem is None

    def show_banner(self, text: str) -> None:
        if self.banner is None:
            self.banner = QToolBar(self.window)
            self.banner.setObjectName("bookBanner")
            self.banner.setMovable(False)
            self.banner.setFloatable(False)
            label = QLabel(self.banner)
            label.setObjectName("bookBannerText")
            label.setWordWrap(True)
            label.setStyleSheet("QLabel { background: #fff4ce; color: #3b2f00; padding: 6px; }")
            self.banner.addWidget(label)
            self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.banner)
        self.banner.findChild(QLabel, "bookBannerText").setText(text)
        self.banner.show()

    def _on_problem(self, problem: DatabaseOpenError) -> None:
        if isinstance(problem, BookDamaged):
            self._damaged(problem)
            return
        log.warning("%s", problem)
        if problem.kind in self._told:  # once each (a reminder tick on a read-only book...)
            return
        self._told.add(problem.kind)
        QMessageBox.warning(self.window, "crmdesk", str(problem))

    def _damaged(self, problem: BookDamaged) -> None:
        if self.problem is not None:
            return
        self.problem = problem
        self.db.mark_damaged(problem)
        log.error("the customer book is damaged: %s", problem)
        self.show_banner(tr("Your customer book is damaged: nothing more is written to it. "
                            "Quit crmdesk and start it again to restore a good backup or rescue "
                            "what can still be read."))
        answer = QMessageBox.question(
            self.window, "crmdesk",
            tr("Your customer book is damaged, so crmdesk will not write to it any more.\n\n"
               "%1\n\nClose it now and choose between the newest good backup and a rescue of "
               "what can still be read? (The damaged file is kept.)").replace("%1", str(problem)))
        if answer == QMessageBox.StandardButton.Yes:
            self.repair_requested = True
            self.window.request_quit()
