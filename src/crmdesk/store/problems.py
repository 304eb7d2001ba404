"""What went wrong with the customer book, in words for the user.

The one place that maps SQLite's errors (and the operating system's) to the few things a user
can act on: the book is damaged, the disk is full, the book is read-only, it is in use, the disk
could not be read. `explain(exc, path)` turns any exception (a peewee or sqlite3 error, an
OSError, or one whose cause or context is such an error) into one of the exceptions below, or
None when it is none of these. Every exception here is a `DatabaseOpenError`, so whoever already
catches that (the command line, the window at start) tells the user in one message.

Pure Python and sqlite3, no Qt.
"""

from __future__ import annotations

import errno
from pathlib import Path

DAMAGED = "damaged"
FULL = "full"
READ_ONLY = "read-only"
IN_USE = "in use"
IO = "io"

# When a chain of exceptions holds more than one kind, the first of these is told.
_PRIORITY = (DAMAGED, FULL, READ_ONLY, IO, IN_USE)


class DatabaseOpenError(Exception):
    """The customer book could not be opened or used; `str()` is a message for the user."""

    kind = "unreadable"

    def __init__(self, path: Path, problem: str, advice: str, *, opening: bool = True):
        self.path = path
        self.problem = problem
        self.advice = advice
        lead = f"Cannot open the customer book {path}: " if opening else ""
        super().__init__(f"{lead}{problem} {advice}".strip())


class BookDamaged(DatabaseOpenError):
    """The file is damaged (SQLite found it malformed, not a database, or undecodable text)."""

    kind = DAMAGED


class DiskFull(DatabaseOpenError):
    kind = FULL


class BookReadOnly(DatabaseOpenError):
    """The file, its folder or the disk it is on does not allow writing."""

    kind = READ_ONLY


class BookInUse(DatabaseOpenError):
    kind = IN_USE


class DiskError(DatabaseOpenError):
    """The disk reported an error reading or writing (a removed drive, a failing disk)."""

    kind = IO


def _about(exc: OSError, path: Path | None) -> bool:
    """The OS error is about the book's folder (the book, its -wal, its backups, its logs), not
    about some other file (an export's target): only then is it the book's problem."""
    if path is None or exc.filename is None:
        return True
    try:
        return Path(str(exc.filename)).resolve().is_relative_to(path.resolve().parent)
    except (OSError, ValueError):
        return False


def _kind_of_one(exc: BaseException, path: Path | None = None) -> str | None:
    if isinstance(exc, DatabaseOpenError):
        return exc.kind if exc.kind in _PRIORITY else None
    if isinstance(exc, OSError) and not _is_sqlite_error(exc):
        if not _about(exc, path):
            return None
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return FULL
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return READ_ONLY
        if exc.errno == errno.EIO:
            return IO
        return None
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc).lower()
    if (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text
            or "not a database" in text or "could not decode to utf-8" in text):
        return DAMAGED
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return FULL
    if name.startswith("SQLITE_READONLY") or "readonly database" in text \
            or "read-only" in text:
        return READ_ONLY
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return IO
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return IN_USE
    return None


def _is_sqlite_error(exc: BaseException) -> bool:
    return type(exc).__module__ in ("sqlite3", "peewee")


def kind_of(exc: BaseException, path: Path | None = None) -> str | None:
    """DAMAGED, FULL, READ_ONLY, IO or IN_USE if `exc` (or what caused it: its cause, context
    or arguments, as peewee wraps sqlite3's errors) is such a problem; None otherwise. With
    the book's `path`, an OS error about a file elsewhere is not counted."""
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        kind = _kind_of_one(current, path)
        if kind:
            found.add(kind)
        stack.extend([current.__cause__, current.__context__])
        stack.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
    return next((kind for kind in _PRIORITY if kind in found), None)


def _detail(exc: BaseException) -> str:
    """SQLite's own words for a damage, for the message (one line, short)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _kind_of_one(current) == DAMAGED and not isinstance(current, DatabaseOpenError):
            return " ".join(str(current).split())[:120]
        current = current.__cause__ or current.__context__
    return " ".join(str(exc).split())[:120]


def damage_advice(path: Path | None, *, opening: bool = False) -> str:
    """What to do about a damaged book, naming the newest backup beside it if there is one."""
    from crmdesk.store.backup_auto import list_backups

    kept = "It was left untouched." if opening else "Nothing more was written to it."
    backups = list_backups(path) if path is not None else []
    rescue = ("rescue what can still be read with `crmdesk export --format json --out FILE` "
              "(it writes what it can and says what was lost).")
    if backups:
        return (f"{kept} Restore a backup with `crmdesk restore FILE` "
                f"(the newest is {backups[-1][1]}), or {rescue}")
    return f"{kept} There is no backup beside it; {rescue}"


def _subject(path: Path | None, opening: bool) -> str:
    if opening:
        return "it"
    return f"the customer book {path}" if path is not None else "the customer book"


def damaged(path: Path | None, detail: str, *, opening: bool = True) -> BookDamaged:
    path = Path(path) if path is not None else None
    # A file damaged at its first page cannot be told from one that is no database at all.
    what = "is damaged or is not a database" if "not a database" in detail else "is damaged"
    return BookDamaged(path, f"{_subject(path, opening)} {what} ({detail}).",
                       damage_advice(path, opening=opening), opening=opening)


def explain(exc: BaseException, path: Path | str | None, *, opening: bool = False
            ) -> DatabaseOpenError | None:
    """The user's words for `exc` happening to the book at `path` (None: a book not named),
    or None if it is not a problem with the book or the disk (a bug, a wrong argument: those
    keep their traceback)."""
    if isinstance(exc, DatabaseOpenError):
        return exc
    path = Path(path) if path is not None else None
    kind = kind_of(exc, path)
    if kind == DAMAGED:
        return damaged(path, _detail(exc), opening=opening)
    if kind == FULL:
        return DiskFull(path, "the disk is full: nothing was changed.",
                        "Free some space on the disk"
                        + (f" that holds {path.parent}" if path is not None else "")
                        + " and try again.",
                        opening=opening)
    if kind == READ_ONLY:
        return BookReadOnly(
            path, f"{_subject(path, opening)} is read-only (the file, its folder or its disk "
                  "does not allow writing): nothing was changed.",
            "Copy it to a folder you may write to, or ask for write permission.", opening=opening)
    if kind == IO:
        return DiskError(path, "the disk reported an error reading or writing "
                               f"{_subject(path, False)} (disk I/O error): nothing more was "
                               "written.",
                         "Check that the drive is connected and healthy, then try again.",
                         opening=opening)
    if kind == IN_USE:
        return BookInUse(path, f"{_subject(path, opening)} is in use by another program.",
                         "Close the other program (or the other crmdesk window) and try again.",
                         opening=opening)
    return None
