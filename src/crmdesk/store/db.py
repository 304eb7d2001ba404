"""Opening the database: checks first, then pragmas, then migrations.

A file is inspected read-only before anything is written to it, so a database from a newer
version of crmdesk, a file that is not a crmdesk database, or a damaged file is refused untouched.
Damage past the first page is looked for with SQLite's `PRAGMA quick_check` where that is
affordable (up to QUICK_CHECK_BYTES at open; any size when the caller asks, as the command line
does; the window checks a bigger book in the background, see `quick_check`). A book on a
read-only file, folder or disk is opened for reading only. What goes wrong is told in the user's
words by the exceptions of store/problems.py (all of them DatabaseOpenError).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.store import migrations
from crmdesk.store.models import MODELS
from crmdesk.store.problems import (  # re-exported: what callers catch
    BookDamaged,
    BookInUse,
    BookReadOnly,
    DatabaseOpenError,
    DiskFull,
    damaged,
    explain,
)

__all__ = [
    "PRAGMAS", "QUICK_CHECK_BYTES", "BookDamaged", "BookDatabase", "BookInUse", "BookReadOnly",
    "DatabaseOpenError", "DiskFull", "OpenResult", "change_mark", "is_read_only",
    "open_database", "quick_check",
]

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


#: Books up to this size are quick-checked when opened (measured: about 3 ms a megabyte, so
#: some 0.2 s here; a 100,000-customer book of 485 MB takes 1.2 to 1.8 s).
QUICK_CHECK_BYTES = 64 * 1024 * 1024

_READ_ONLY_PRAGMAS = {"foreign_keys": 1, "busy_timeout": 3000, "cache_size": -16000,
                      "query_only": 1}


class BookDatabase(SqliteDatabase):
    """The customer book's connection(s). Once the book is known to be damaged (`problem` set,
    by `mark_damaged` or by an error SQLite reports while working), or when it was opened
    read-only, every connection refuses to write (`PRAGMA query_only`)."""

    def __init__(self, database, *, path: Path, read_only: bool = False, **kwargs):
        super().__init__(database, **kwargs)
        self.path = path
        self.read_only = read_only
        self.problem: DatabaseOpenError | None = None
        self.checked = False  # quick_check passed since it was opened
        #: Called (from whichever thread found it) the first time damage is found.
        self.on_damage: Callable[[DatabaseOpenError], None] | None = None
        self._refusing: set[int] = set()  # ids of the connections set to query_only

    def _initialize_connection(self, conn) -> None:
        super()._initialize_connection(conn)
        if self.read_only or self.problem is not None:
            conn.execute("PRAGMA query_only = 1")
            self._refusing.add(id(conn))

    def mark_damaged(self, problem: DatabaseOpenError) -> None:
        """From now on nothing is written to this book, on any connection."""
        first = self.problem is None
        if first:
            self.problem = problem
        self._refuse_writes()
        if first and self.on_damage is not None:
            self.on_damage(problem)

    def _refuse_writes(self) -> None:
        if self.is_closed():
            return
        conn = self.connection()
        if id(conn) not in self._refusing:
            conn.execute("PRAGMA query_only = 1")
            self._refusing.add(id(conn))

    def execute_sql(self, sql, params=None):
        if self.problem is not None:
            self._refuse_writes()
        try:
            return super().execute_sql(sql, params)
        except Exception as exc:
            found = explain(exc, self.path)
            if isinstance(found, BookDamaged):
                self.mark_damaged(found)
            raise


def is_read_only(db: SqliteDatabase) -> bool:
    """True when nothing may be written to the book: opened read-only, or found damaged.
    Whoever keeps something in the book only to save time (a cache) skips writing it then."""
    return bool(getattr(db, "read_only", False) or getattr(db, "problem", None) is not None)


@dataclass(frozen=True)
class OpenResult:
    db: SqliteDatabase
    path: Path
    migrated: list[int]
    backup: Path | None
    read_only: bool = False  # the file, its folder or its disk does not allow writing
    checked: bool = False  # SQLite's quick_check passed at open (False: not run, too big)


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _read_only_uri(path: Path) -> str:
    """Read-only; and while no write-ahead log exists, "immutable" so SQLite creates no -wal or
    -shm file beside a file we only look at (or cannot write beside)."""
    wal = _sidecar(path, "-wal")
    return path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?mode=ro&immutable=1")


def _writable(path: Path) -> bool:
    """The book and its folder (where SQLite keeps its -wal and -shm files) may be written.
    Root may write a file without write permission, but not on a read-only disk."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _run_quick_check(conn: sqlite3.Connection, path: Path) -> None:
    try:
        result = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.Error as exc:
        found = explain(exc, path, opening=True)
        raise (found or damaged(path, str(exc))) from exc
    if result != ["ok"]:
        lines = [" ".join(line.split()) for row in result for line in str(row).splitlines()]
        found = "; ".join(line for line in lines if line and not line.startswith("***"))
        raise damaged(path, "SQLite's check found: " + found[:160])


def quick_check(path: Path | str) -> None:
    """SQLite's quick check of the book at `path`, read-only, on a connection of its own (so a
    worker thread may run it for a big book); raises BookDamaged (or another DatabaseOpenError)."""
    path = Path(path).expanduser()
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=3)
    except sqlite3.Error as exc:
        raise (explain(exc, path, opening=True) or damaged(path, str(exc))) from exc
    try:
        _run_quick_check(conn, path)
    finally:
        conn.close()


def _inspect(path: Path, check: bool) -> int | None:
    """Read the schema version (and quick-check if `check`) without writing anything; raises
    DatabaseOpenError."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=3)
    except sqlite3.Error as exc:
        raise DatabaseOpenError(path, f"the file cannot be read ({exc}).",
                                "Check that it exists and that you may read it.") from exc
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        version = migrations.current_version(conn)
        if check and version:
            _run_quick_check(conn, path)
        return version
    except DatabaseOpenError:
        raise
    except sqlite3.Error as exc:
        found = explain(exc, path, opening=True)
        if found is not None:
            raise found from exc
        raise DatabaseOpenError(path, f"it cannot be read ({exc}).",
                                "Restore it from a backup.") from exc
    finally:
        conn.close()


def _refuse_empty_with_backups(path: Path) -> None:
    """A book that is empty although backups of it exist was emptied (a failed copy, a failing
    disk), not just made: it is not opened as a new book over them."""
    from crmdesk.store.backup_auto import list_backups

    if list_backups(path):
        raise damaged(path, "the file is empty, but backups of it exist")


def _create(path: Path) -> bool:
    """Make the folder and an empty file for a new book; True if the file was made here."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.exists():
            return False
        path.touch(mode=0o600, exist_ok=False)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        found = explain(exc, path, opening=True)
        if found is not None:
            raise found from exc
        raise DatabaseOpenError(path, f"it cannot be made ({exc.strerror or exc}).",
                                "Choose another folder with --db.") from exc


def _remove_new(path: Path) -> None:
    """Take away a book this call made and could not finish (a full disk), so that the next
    start does not take an empty or half-made file for a book."""
    for name in (path, _sidecar(path, "-wal"), _sidecar(path, "-shm"),
                 _sidecar(path, "-journal")):
        with contextlib.suppress(OSError):
            name.unlink(missing_ok=True)


def open_database(path: Path | str, *, migrate: bool = True,
                  check: bool | None = None, create: bool = True) -> OpenResult:
    """Open (creating if needed) the customer book at `path`, migrated to the latest schema.

    `create=False`: when there is no file at `path`, raise DatabaseOpenError and create
    nothing (no folder, no file): for whoever only reads a book.

    `check`: run SQLite's quick check first (True), never (False), or when the file is at most
    QUICK_CHECK_BYTES (None). A book that may not be written is opened read-only (OpenResult.
    read_only; its connection refuses writes). Raises DatabaseOpenError (or one of its kinds:
    BookDamaged, BookReadOnly, DiskFull, BookInUse) with words for the user; the file is left
    untouched then, and a file this call created is removed again."""
    path = Path(path).expanduser()
    backup = None
    version = 0
    created = False
    read_only = False
    size = path.stat().st_size if path.exists() else -1
    if size < 0 and not create:
        raise DatabaseOpenError(path, "there is no file there.",
                                "Check the path (--db); nothing was created.")
    if size > 0:
        do_check = check if check is not None else size <= QUICK_CHECK_BYTES
        version = _inspect(path, do_check)
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
        read_only = not _writable(path)
        if read_only and 0 < version < migrations.LATEST_VERSION and migrate:
            raise BookReadOnly(
                path, "it was saved by an older version of crmdesk and must be updated, but it "
                      "is read-only (the file, its folder or its disk does not allow writing).",
                "Copy it to a folder you may write to and open it there.")
        if read_only and not version:
            raise BookReadOnly(path, "it is empty and read-only.", "Choose another file.")
        try:
            if migrate and 0 < version < migrations.LATEST_VERSION:
                backup = migrations.backup_copy(path, version)
        except (OSError, sqlite3.Error) as exc:
            found = explain(exc, path, opening=True)
            if found is not None:
                raise found from exc
            raise
    else:
        do_check = False
        if size == 0:
            _refuse_empty_with_backups(path)
            if not _writable(path):
                raise BookReadOnly(path, "it is empty and read-only.", "Choose another file.")
        created = _create(path)

    if read_only:
        db = BookDatabase(_read_only_uri(path), path=path, read_only=True, uri=True,
                          pragmas=_READ_ONLY_PRAGMAS)
    else:
        db = BookDatabase(str(path), path=path, pragmas=PRAGMAS)
    db.checked = do_check
    try:
        db.connect()
        db.bind(MODELS)
        applied = migrations.migrate(db) if migrate and not read_only else []
    except Exception as exc:
        db.close()
        if created:
            _remove_new(path)
        found = explain(exc, path, opening=True)
        if found is not None:
            raise found from exc
        raise
    return OpenResult(db=db, path=path, migrated=applied, backup=backup, read_only=read_only,
                      checked=do_check)
