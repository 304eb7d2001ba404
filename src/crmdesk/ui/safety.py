"""Keeping the book safe from the window's side: automatic backups and recovery at start."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from crmdesk.store import backup

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("Safety", text)


def offer_recovery(db_path: Path) -> bool:
    """The book could not be opened. If it is damaged and a good backup exists, offer to
    restore it (the damaged file is moved aside, never overwritten). True if restored."""
    try:
        if not backup.is_damaged(db_path):
            return False
        good = backup.newest_good_backup(db_path)
    except (OSError, backup.BackupError):
        log.exception("looking for a backup to recover from failed")
        return False
    if good is None:
        QMessageBox.critical(
            None, "crmdesk",
            tr("Your customer book is damaged and there is no backup to restore it from.\n\n"
               "The file was left as it is:\n%1").replace("%1", str(db_path)))
        return False
    when = good.created_at.strftime("%Y-%m-%d %H:%M")
    answer = QMessageBox.question(
        None, "crmdesk",
        tr("Your customer book is damaged and cannot be opened.\n\n"
           "Restore the backup from %1 (%2 customers)? The damaged file is kept beside it.")
        .replace("%1", when).replace("%2", str(good.customers)))
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        moved = backup.recover(db_path, good)
    except (OSError, backup.BackupError) as exc:
        QMessageBox.critical(None, "crmdesk", str(exc))
        return False
    log.warning("recovered %s from %s; the damaged file is %s", db_path, good.path, moved)
    QMessageBox.information(
        None, "crmdesk",
        tr("Your customer book was restored from the backup of %1.\n\nThe damaged file was "
           "kept as:\n%2").replace("%1", when).replace("%2", str(moved)))
    return True


def backup_in_background(db_path: Path, parent) -> None:
    """Today's automatic backup, in a worker thread (a big book takes a moment)."""
    from crmdesk.ui.workers import BackgroundJob

    job = BackgroundJob(lambda _progress: backup.auto_backup(db_path), parent)
    job.succeeded.connect(lambda info: info and log.info(
        "automatic backup: %s (%d customers)", info.path, info.customers))
    job.failed.connect(lambda message: log.error("automatic backup failed: %s", message))
    job.finished.connect(job.deleteLater)
    job.start()
    parent._backup_job = job  # keep it alive until it finishes


def backup_on_quit(db_path: Path) -> None:
    try:
        info = backup.auto_backup(db_path, on_quit=True)
    except (OSError, backup.BackupError):
        log.exception("the backup on quit failed")
        return
    if info is not None:
        log.info("backup on quit: %s", info.path)
