"""The customer book's health, for the window: the one door through which widgets check the
book, learn what went wrong with it, and reach its backups and its rescue.

Widgets never import `store/` (house rule 2); what they need of it is here, as thin functions
over `store.db`, `store.problems`, `store.backup` and `store.rescue`, and the exceptions they
catch, re-exported unchanged (the same classes, so `except` clauses anywhere still match).
Pure Python, no Qt; every function may run on a worker thread (each opens its own connection).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from crmdesk.store import backup as store_backup
from crmdesk.store import db as store_db
from crmdesk.store import migrations, problems, rescue
from crmdesk.store.backup import BackupError, BackupInfo, FileDamaged
from crmdesk.store.db import OpenResult
from crmdesk.store.problems import (
    BookDamaged,
    BookInUse,
    BookReadOnly,
    DatabaseOpenError,
    DiskError,
    DiskFull,
)
from crmdesk.store.rescue import RescueReport

__all__ = [
    "BackupError",
    "BackupInfo",
    "BookDamaged",
    "BookInUse",
    "BookReadOnly",
    "DatabaseOpenError",
    "DiskError",
    "DiskFull",
    "FileDamaged",
    "OpenResult",
    "RescueReport",
    "auto_backup",
    "backup_to",
    "bring_up_to_date",
    "damaged",
    "explain",
    "inspect_backup",
    "is_damaged",
    "newest_good_backup",
    "problem_found_by_check",
    "quick_check",
    "recover",
    "rescue_in_place",
    "restore",
]


# --- what is wrong with the book --------------------------------------------------------------

def quick_check(path: Path | str) -> None:
    """SQLite's quick check of the book at `path`, read-only, on a connection of its own;
    raises BookDamaged (or another DatabaseOpenError) when the book is not sound."""
    store_db.quick_check(path)


def problem_found_by_check(path: Path | str) -> DatabaseOpenError | None:
    """The quick check's finding as a value: the problem, or None for a sound book."""
    try:
        store_db.quick_check(path)
    except DatabaseOpenError as exc:
        return exc
    return None


def explain(exc: BaseException, path: Path | str | None, *, opening: bool = False
            ) -> DatabaseOpenError | None:
    """The user's words for `exc` happening to the book at `path` (None: a book not named):
    a DatabaseOpenError (damaged, disk full, read-only, in use, disk error), or None when it is
    not a problem with the book or its disk."""
    return problems.explain(exc, path, opening=opening)


def damaged(path: Path | str | None, detail: str, *, opening: bool = True) -> BookDamaged:
    """The BookDamaged problem for the book at `path`, `detail` saying what was found; with
    `opening=False` it is told as met while working (nothing more is written to the book)."""
    return problems.damaged(path, detail, opening=opening)


def is_damaged(db_path: Path | str) -> bool:
    """True if the book at `db_path` is damaged (a full check, read-only)."""
    return store_backup.is_damaged(db_path)


# --- backups ------------------------------------------------------------------------------------

def auto_backup(db_path: Path | str, *, on_quit: bool = False) -> BackupInfo | None:
    """Today's automatic backup of the book (or, `on_quit`, one of what changed since the
    newest), then rotation; None when none was due. Raises BackupError (FileDamaged when the
    copy shows the book itself is damaged) or OSError."""
    return store_backup.auto_backup(db_path, on_quit=on_quit)


def backup_to(db_path: Path | str, target: Path | str) -> BackupInfo:
    """A checked copy of the book at `target` (Back up now)."""
    return store_backup.backup_to(db_path, target)


def inspect_backup(path: Path | str) -> BackupInfo:
    """What the backup at `path` holds; raises BackupError if it is no sound backup."""
    return store_backup.inspect_backup(path)


def newest_good_backup(db_path: Path | str) -> BackupInfo | None:
    """The newest sound backup beside the book, or None."""
    return store_backup.newest_good_backup(db_path)


def restore(backup_path: Path | str, db_path: Path | str) -> Path | None:
    """Put the backup in the book's place; the previous book is kept aside (its path is
    returned, None when there was none)."""
    return store_backup.restore(backup_path, db_path)


def recover(db_path: Path | str, backup: BackupInfo | Path | str) -> Path:
    """Put a good backup (or a rescued copy) in a damaged book's place; the damaged file is
    renamed aside, never overwritten, and its new path returned."""
    return store_backup.recover(db_path, backup)


def bring_up_to_date(db, db_path: Path | str) -> None:
    """A book just put in place from an older backup, open on `db`, brought up to the current
    schema, with the migration's own copy of it first (as at start); a current book is left
    as it is."""
    version = migrations.current_version(db.connection()) or 0
    if 0 < version < migrations.LATEST_VERSION:
        migrations.backup_copy(db_path, version)
        migrations.migrate(db)


# --- rescue -------------------------------------------------------------------------------------

def rescue_in_place(db_path: Path | str) -> tuple[RescueReport, Path]:
    """Copy what can still be read of a damaged book into a new book, then put it in the
    damaged book's place (the damaged file is renamed aside, never overwritten). Returns the
    rescue's report and where the damaged file now is."""
    db_path = Path(db_path)
    with tempfile.TemporaryDirectory(prefix="crmdesk-rescue-") as folder:
        report = rescue.rescue_copy(db_path, Path(folder) / db_path.name)
        moved = store_backup.recover(db_path, report.path)
    return report, moved
