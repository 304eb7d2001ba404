"""Taking turns to write: several crmdesk programs (an import on the command line, the window,
another import) may write to one book; SQLite lets one write at a time.

    with write_turn(db, patience=600, waiting=say_so):   # BookBusy when the turn never came
        ...                                              # one transaction, the lock held

The turn is taken at the start (`BEGIN IMMEDIATE`), so what is checked inside the block (the
duplicates of an import) is what the book holds while this block writes. The first try does not
wait; when another program is writing, `waiting()` is called once (the command line prints
"waiting for another crmdesk to finish…") and the turn is then waited for up to `patience`
seconds. `patience=None` keeps the connection's own short wait (the window's: it must never
freeze on a lock).
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from peewee import OperationalError, SqliteDatabase


class BookBusy(Exception):
    """Another program kept the book busy for longer than we could wait; nothing was written."""

    def __init__(self, message: str = "another crmdesk is writing to this book; try again in a "
                                      "moment. Nothing was changed."):
        super().__init__(message)


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" / "database is busy" (another writer)."""
    text = str(exc).lower()
    return isinstance(exc, OperationalError | sqlite3.OperationalError) and (
        "locked" in text or "busy" in text)


def busy_error(exc: BaseException | None) -> bool:
    """True when `exc`, or an error it was raised from, is another program holding the book
    (SQLite's "database is locked"/"busy", BookBusy), also when a Qt override wrapped it in a
    RuntimeError that keeps only its text (QUndoCommand.redo)."""
    seen = 0
    while exc is not None and seen < 10:
        text = str(exc).lower()
        if isinstance(exc, BookBusy) or is_busy(exc) or \
                "database is locked" in text or "database is busy" in text:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _wait_for_turn(db: SqliteDatabase, patience: float, still_waiting):
    """Begin once the other writer is done, within `patience` seconds (one SQLite wait, or
    slices of a second when `still_waiting` is asked between them); BookBusy otherwise."""
    give_up = time.monotonic() + patience
    while True:
        left = give_up - time.monotonic()
        slice_ = left if still_waiting is None else min(left, 1.0)
        try:
            return _begin(db, max(0.0, slice_) * 1000)
        except OperationalError as exc:
            if not is_busy(exc):
                raise
            if time.monotonic() >= give_up or (
                    still_waiting is not None and still_waiting() is False):
                raise BookBusy() from exc


def _begin(db: SqliteDatabase, wait_ms: int):
    """Enter a new `BEGIN IMMEDIATE` transaction, waiting up to `wait_ms` for the lock."""
    conn = db.connection()
    before = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        transaction = db.atomic("IMMEDIATE")
        transaction.__enter__()
        return transaction
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(before)}")


@contextmanager
def write_turn(db: SqliteDatabase, patience: float | None = None,
               waiting: Callable[[], None] | None = None,
               still_waiting: Callable[[], bool | None] | None = None) -> Iterator[None]:
    """One transaction holding the book's write lock from its start (see the module's text).
    Raises BookBusy when another program held the lock too long. `still_waiting()`, when
    given, is asked about once a second while waiting: False stops waiting (BookBusy), so a
    Stop button works while another program writes."""
    if db.in_transaction():  # inside a transaction already: it holds the turn, a savepoint
        with db.atomic():
            yield
        return
    own = db.connection().execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        transaction = _begin(db, own if patience is None else 0)
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        if patience is None:
            raise BookBusy() from exc
        if waiting is not None:
            waiting()
        transaction = _wait_for_turn(db, max(0.0, patience), still_waiting)
    try:
        yield
    except BaseException:
        transaction.__exit__(*sys.exc_info())
        raise
    transaction.__exit__(None, None, None)
