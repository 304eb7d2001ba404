"""Opening the database: checks first, then pragmas, then migrations.

A file is inspected read-only before anything is written to it, so a database from a newer
version of crmdesk, a file that is not a crmdesk database, or a damaged file is refused untouched.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.store import migrations
from crmdesk.store.models import MODELS

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 3000,
    "cache_size": -16000,
}


def change_mark(db: SqliteDatabase) -> tuple:
    """Changes whenever anything is written to the book: by this thread's connection (its
    `total_changes`) or by any other connection, thread or program (`PRAGMA data_version`).
    Cheap (microseconds): for answers kept until the book changes."""
    conn = db.connection()
    return (conn, conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)


class DatabaseOpenError(Exception):
    """The database could not be opened; `str()` is a message for the user."""

    def __init__(self, path: Path, problem: str, advice: str):
        self.path = path
        self.problem = problem
        self.advice = advice
        super().__init__(f"Cannot open the customer book {path}: {problem} {advice}")


@dataclass(frozen=True)
class OpenResult:
    db: SqliteDatabase
    path: Path
    migrated: list[int]
    backup: Path | None


def _inspect(path: Path) -> int | None:
    """Read the schema version without writing anything; raises DatabaseOpenError."""
    # Read-only; and while no write-ahead log exists, "immutable" so SQLite creates no -wal or
    # -shm file beside a file we are about to refuse.
    wal = path.with_name(path.name + "-wal")
    uri = path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?mode=ro&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=3)
    except sqlite3.Error as exc:
        raise DatabaseOpenError(path, f"the file cannot be read ({exc}).",
                                "Check that it exists and that you may read it.") from exc
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        return migrations.current_version(conn)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise DatabaseOpenError(
                path, "it is in use by another program.",
                "Close the other program (or the other crmdesk window) and try again.") from exc
        raise DatabaseOpenError(path, f"it cannot be read ({exc}).",
                                "Restore it from a backup.") from exc
    except sqlite3.DatabaseError as exc:
        raise DatabaseOpenError(
            path, "the file is damaged or is not a database.",
            "It was left untouched. Restore a backup, or choose another file with --db.") from exc
    finally:
        conn.close()


def open_database(path: Path | str, *, migrate: bool = True) -> OpenResult:
    """Open (creating if needed) the customer book at `path`, migrated to the latest schema."""
    path = Path(path).expanduser()
    backup = None
    version = 0
    if path.exists() and path.stat().st_size > 0:
        version = _inspect(path)
        if version is None:
            raise DatabaseOpenError(
                path, "it is not a crmdesk customer book.",
                "It was left untouched. Choose a crmdesk database, or a new file name, with --db.")
        if version > migrations.LATEST_VERSION:
            raise DatabaseOpenError(
                path,
                f"it was saved by a newer version of crmdesk (schema {version}; "
                f"this version knows up to {migrations.LATEST_VERSION}).",
                "It was left untouched. Install the newest crmdesk to open it.")
        if migrate and 0 < version < migrations.LATEST_VERSION:
            backup = migrations.backup_copy(path, version)
    else:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600, exist_ok=True)

    db = SqliteDatabase(str(path), pragmas=PRAGMAS)
    try:
        db.connect()
        db.bind(MODELS)
        applied = migrations.migrate(db) if migrate else []
    except Exception as exc:
        db.close()
        if "locked" in str(exc):
            raise DatabaseOpenError(path, "it is in use by another program.",
                                    "Close the other program and try again.") from exc
        raise
    return OpenResult(db=db, path=path, migrated=applied, backup=backup)
