"""Keeping the book safe from the window's side: automatic backups, and at start a damaged
book's recovery (the newest good backup, or a rescue of what can still be read)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDateTime, QEventLoop, QLocale
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from crmdesk.core import book_health
from crmdesk.core.book_health import BackupError, BookDamaged, DatabaseOpenError, FileDamaged

log = logging.getLogger(__name__)


def _when(moment) -> str:
    """A backup's time the way this computer writes dates (the shop's own format is kept inside
    the book, which cannot be read when it is damaged)."""
    return QLocale.system().toString(QDateTime(moment), QLocale.FormatType.ShortFormat)


def tr(text: str) -> str:
    return QCoreApplication.translate("Safety", text)


def _in_background(text: str, work: Callable[[], object], parent=None) -> object:
    """Run `work` in a worker thread while a busy dialog shows `text` (the window keeps
    painting); returns what it returned, or raises what it raised."""
    from crmdesk.ui.workers import BackgroundJob

    outcome: list = []

    def job(_progress):
        try:
            return ("ok", work())
        except Exception as exc:  # handed back to the UI thread below
            return ("error", exc)

    busy = QProgressDialog(text, "", 0, 0, parent)
    busy.setCancelButton(None)
    busy.setWindowTitle("crmdesk")
    busy.setMinimumDuration(500)
    loop = QEventLoop()
    task = BackgroundJob(job)
    task.succeeded.connect(outcome.append)
    task.failed.connect(lambda message: outcome.append(("error", RuntimeError(message))))
    task.finished.connect(loop.quit)
    task.start()
    if task.is_running() or not outcome:
        loop.exec()
    task.wait()
    busy.close()
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value


def _choose(text: str, info: str, choices: list[str]) -> int | None:
    """A question with one button per choice (the first is the default) and a Quit button;
    the index of the choice, or None for Quit."""
    box = QMessageBox(QMessageBox.Icon.Warning, "crmdesk", text)
    box.setInformativeText(info)
    buttons = [box.addButton(choice, QMessageBox.ButtonRole.AcceptRole) for choice in choices]
    leave = box.addButton(tr("Leave it and quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(buttons[0] if buttons else leave)
    box.setEscapeButton(leave)
    box.exec()
    clicked = box.clickedButton()
    return buttons.index(clicked) if clicked in buttons else None


def offer_recovery(db_path: Path, error: Exception | None = None) -> bool:
    """The book could not be opened (`error`, when known). If it is damaged, say what happened
    and offer the newest good backup and a rescue of what can still be read; the damaged file
    is kept beside, never overwritten. True if a sound book is now in its place."""
    problem = str(error.problem) if isinstance(error, DatabaseOpenError) else ""
    try:
        if isinstance(error, BookDamaged):
            damaged = True
        else:
            damaged = bool(_in_background(tr("Checking your customer book…"),
                                          lambda: book_health.is_damaged(db_path)))
        if not damaged:
            return False
        good = _in_background(tr("Looking for a good backup…"),
                              lambda: book_health.newest_good_backup(db_path))
    except (OSError, BackupError):
        log.exception("looking for a backup to recover from failed")
        return False
    text = tr("Your customer book is damaged, so crmdesk will not write to it.")
    if problem:
        text += "\n\n" + problem
    empty = db_path.is_file() and db_path.stat().st_size == 0
    choices, actions = [], []
    if good is not None:
        when = _when(good.created_at)
        info = (tr("The newest good backup is from %1 (%2 customers).")
                .replace("%1", when).replace("%2", str(good.customers)))
        choices.append(tr("Restore that backup"))
        actions.append("backup")
    else:
        info = tr("There is no good backup of it.")
    if not empty:
        info += " " + tr("crmdesk can also rescue what can still be read into a new book.")
        choices.append(tr("Rescue what can be read"))
        actions.append("rescue")
    info += "\n\n" + tr("Either way the damaged file is kept beside it:\n%1").replace(
        "%1", str(db_path))
    chosen = _choose(text, info, choices)
    if chosen is None:
        return False
    try:
        if actions[chosen] == "backup":
            moved = book_health.recover(db_path, good)
            done = (tr("Your customer book was restored from the backup of %1.")
                    .replace("%1", _when(good.created_at)))
            log.warning("recovered %s from %s; the damaged file is %s", db_path, good.path,
                        moved)
        else:
            report, moved = _in_background(tr("Rescuing what can still be read…"),
                                           lambda: book_health.rescue_in_place(db_path))
            done = (tr("What could still be read was rescued: %1.")
                    .replace("%1", report.summary()))
            log.warning("rescued %s (%s); the damaged file is %s", db_path, report.summary(),
                        moved)
    except (OSError, BackupError, DatabaseOpenError, sqlite3.Error) as exc:
        QMessageBox.critical(None, "crmdesk", str(exc))
        return False
    QMessageBox.information(
        None, "crmdesk",
        done + "\n\n" + tr("The damaged file was kept as:\n%1").replace("%1", str(moved)))
    return True


def backup_in_background(db_path: Path, parent,
                         on_damage: Callable[[DatabaseOpenError], None] | None = None) -> None:
    """Today's automatic backup, in a worker thread (a big book takes a moment). If the copy
    shows the book itself is damaged, `on_damage` (called on the worker thread) is told."""
    from crmdesk.ui.workers import BackgroundJob

    def work(_progress):
        try:
            return book_health.auto_backup(db_path)
        except FileDamaged as exc:
            if on_damage is not None and Path(exc.path) == Path(db_path):
                on_damage(book_health.damaged(Path(db_path), str(exc), opening=False))
            raise

    job = BackgroundJob(work, parent)
    job.succeeded.connect(lambda info: info and log.info(
        "automatic backup: %s (%d customers)", info.path, info.customers))
    job.failed.connect(lambda message: log.error("automatic backup failed: %s", message))
    job.finished.connect(job.deleteLater)
    job.start()
    parent._backup_job = job  # keep it alive until it finishes


def backup_on_quit(db_path: Path) -> None:
    try:
        info = book_health.auto_backup(db_path, on_quit=True)
    except (OSError, BackupError):
        log.exception("the backup on quit failed")
        return
    if info is not None:
        log.info("backup on quit: %s", info.path)
