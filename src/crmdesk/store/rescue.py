"""Rescuing what can still be read from a damaged customer book.

`rescue_copy(damaged, target)` makes a new book at `target` (latest schema) and copies into it,
table by table and row by row in rowid order, every row SQLite can still read from the damaged
file, which is opened read-only and never written. Where a damaged page hides some rows, the
copy skips ahead (1, 2, 4, ... rowids) until it can read again; the rowids skipped are counted
as lost (an estimate: ids are handed out in order, so a gap is mostly rows that were there).
Text that is no longer valid UTF-8 is kept with the undecodable bytes replaced.

Figures kept by triggers (a customer's sales and loyalty totals, the last contact) are not
copied but worked out again from the rows rescued, and the search index is rebuilt, so the
rescued book agrees with itself. Rows whose customer was lost are kept all the same: nothing
readable is dropped.

`read_or_rescue(path, work)` runs `work(db)` on the book, or, if the book is damaged, on a
rescued copy in a temporary folder (what `crmdesk export` does).

Pure Python and sqlite3, no Qt.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

from crmdesk.store import migrations, search
from crmdesk.store.db import BookDamaged, DatabaseOpenError, open_database
from crmdesk.store.problems import DAMAGED, kind_of

T = TypeVar("T")

_BATCH = 500
#: Keys of the `setting` table that only keep figures worked out from the rest (core.rfm's
#: STATE_KEY, core.insight_cache's SETTING_KEY): not copied, so they are worked out again.
_KEPT = ("rfm_state", "insight_cache")
_WRITTEN_BY_TRIGGER = re.compile(r"\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+[\"'`]?(\w+)", re.I)


@dataclass
class RescueReport:
    path: Path  # the rescued book
    copied: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    lost: dict[str, int] = field(default_factory=dict)  # table -> rows that could not be read
    unreadable: list[str] = field(default_factory=list)  # tables nothing could be read from

    @property
    def customers(self) -> int:
        return self.copied.get("customer", 0)

    @property
    def complete(self) -> bool:
        return not self.unreadable and not any(self.lost.values())

    def summary(self) -> str:
        """One line for the user: what was rescued and what was lost."""
        text = f"{self.customers:,} customers could still be read"
        losses = [f"about {count:,} rows of {name}" if count > 1 else f"some rows of {name}"
                  for name, count in self.lost.items() if count]
        losses += [f"all of {name}" for name in self.unreadable]
        if losses:
            text += "; lost: " + ", ".join(losses)
        else:
            text += "; nothing else was found missing"
        return text


def _source(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri()
    wal = path.with_name(path.name + "-wal")
    conn = sqlite3.connect(uri + ("?mode=ro" if wal.exists() else "?mode=ro&immutable=1"),
                           uri=True, timeout=3)
    conn.execute("PRAGMA query_only = 1")
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    return conn


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _tables_to_copy(target: sqlite3.Connection) -> list[str]:
    """The target's ordinary tables in the order they were made (parents before children),
    without the schema's own table, the search index and the tables triggers fill in."""
    rows = target.execute("SELECT type, name, sql FROM sqlite_master "
                          "WHERE type IN ('table', 'trigger') ORDER BY rowid").fetchall()
    virtual = [name for kind, name, sql in rows
               if kind == "table" and (sql or "").upper().startswith("CREATE VIRTUAL")]
    derived = {match.group(1) for kind, _name, sql in rows if kind == "trigger"
               for match in _WRITTEN_BY_TRIGGER.finditer(sql or "")}
    skip = {"schema_migration", *virtual, *derived}
    return [name for kind, name, _sql in rows
            if kind == "table" and name not in skip and not name.startswith("sqlite_")
            and not any(name.startswith(v + "_") for v in virtual)]


def _read_from(source: sqlite3.Connection, table: str, columns: str, after: int | None,
               limit: int) -> list[tuple]:
    where = "" if after is None else "WHERE rowid > ?"
    params = () if after is None else (after,)
    return source.execute(f'SELECT rowid, {columns} FROM "{table}" {where} '
                          f"ORDER BY rowid LIMIT {limit}", params).fetchall()


def _copy_table(source: sqlite3.Connection, target: sqlite3.Connection, table: str,
                report: RescueReport) -> None:
    try:
        have = set(_columns(source, table))
    except sqlite3.DatabaseError:
        report.unreadable.append(table)
        return
    if not have:  # the damaged book has no such table (an older schema): nothing to copy
        return
    declared = {row[1]: (row[2] or "").upper() for row in
                target.execute(f'PRAGMA table_info("{table}")')}
    names = [name for name in _columns(target, table) if name in have]
    kinds = [declared.get(name, "") for name in names]
    quoted = ", ".join(f'"{name}"' for name in names)
    insert = (f'INSERT OR REPLACE INTO "{table}" ({quoted}) '
              f"VALUES ({', '.join('?' for _ in names)})")
    if _without_rowid(source, table):
        _copy_in_key_order(source, target, table, quoted, insert, kinds, report)
        return
    copied = lost = last_good = 0
    after: int | None = None  # the last rowid read (None: start at the first)
    limit, jump = _BATCH, 0
    while True:
        try:
            rows = _read_from(source, table, quoted, after, limit)
            if rows and after is not None and rows[0][0] <= after:
                # a garbled page gives rowids out of order: skip it as an unreadable one
                raise sqlite3.DatabaseError("rowids out of order")
            rows = [row for row in rows if row[0] is not None]
        except sqlite3.DatabaseError:
            if limit > 1:  # read one row at a time up to the damaged page
                limit = 1
                continue
            jump = jump * 2 or 1  # then skip ahead until rows can be read again
            if jump > 2 ** 40:  # nothing readable after this: the rest is lost
                lost += 1
                break
            after = (after or 0) + jump
            continue
        if not rows:
            break
        if any(later[0] <= earlier[0] for earlier, later in pairwise(rows)):
            rows = rows[:1]  # out of order inside the batch: take them one at a time
            limit = 1
        if jump:
            lost += max(0, rows[0][0] - last_good - 1)
            jump = 0
        sound = [row[1:] for row in rows if _plausible(row[1:], kinds)]
        refused = len(rows) - len(sound) + _insert(target, insert, sound)
        copied += len(rows) - refused
        lost += refused
        after = last_good = rows[-1][0]
        limit = min(_BATCH, limit * 2)
    if copied == 0 and lost:
        report.unreadable.append(table)
        lost = 0
    report.copied[table] = copied
    report.lost[table] = lost


def _is_date(value, parse) -> bool:
    try:
        parse(value)
    except (TypeError, ValueError):
        return False
    return True


def _plausible(row: tuple, kinds: list[str]) -> bool:
    """False for a row the damage garbled: a NUL in a text (crmdesk never writes one), a date
    that is no date, text where a number belongs. Such a row counts as lost."""
    for value, kind in zip(row, kinds, strict=True):
        if value is None:
            continue
        if isinstance(value, str) and "\0" in value:
            return False
        if kind == "INTEGER" and not isinstance(value, int):
            return False
        if kind == "DATE" and not _is_date(value, dt.date.fromisoformat):
            return False
        if kind == "DATETIME" and not _is_date(value, dt.datetime.fromisoformat):
            return False
    return True


def _insert(target: sqlite3.Connection, insert: str, rows: list[tuple]) -> int:
    """Insert the rows; a row the damage garbled so that the book refuses it (a missing
    customer id, say) is left out. Returns how many were left out."""
    try:
        target.executemany(insert, rows)
        return 0
    except sqlite3.IntegrityError:
        refused = 0
        for row in rows:  # the rows before the refused one are in; OR REPLACE makes it a no-op
            try:
                target.execute(insert, row)
            except sqlite3.IntegrityError:
                refused += 1
        return refused


def _without_rowid(source: sqlite3.Connection, table: str) -> bool:
    row = source.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                         (table,)).fetchone()
    return bool(row and re.search(r"WITHOUT\s+ROWID\s*$", row[0] or "", re.I))


def _copy_in_key_order(source: sqlite3.Connection, target: sqlite3.Connection, table: str,
                       quoted: str, insert: str, kinds: list[str], report: RescueReport) -> None:
    """A table without rowids (a link table) is read in key order up to the first damage."""
    copied = lost = 0
    try:
        cursor = source.execute(f'SELECT {quoted} FROM "{table}"')
        while rows := cursor.fetchmany(_BATCH):
            sound = [row for row in rows if _plausible(row, kinds)]
            refused = len(rows) - len(sound) + _insert(target, insert, sound)
            copied += len(rows) - refused
            lost += refused
    except sqlite3.DatabaseError:
        lost = 1  # how many is not known
    if copied == 0 and lost:
        report.unreadable.append(table)
        lost = 0
    report.copied[table] = copied
    report.lost[table] = lost


def _short_by(path: Path) -> int:
    """How many bytes the file lacks to hold the pages its header counts (a cut-off copy);
    SQLite cannot even read the list of tables of a file cut short, but can once the missing
    pages read as zeros."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
        page = int.from_bytes(head[16:18], "big")
        page = 65536 if page == 1 else page
        pages = int.from_bytes(head[28:32], "big")
        if not head.startswith(b"SQLite format 3\0") or page < 512 or not pages:
            return 0
        return max(0, page * pages - path.stat().st_size)
    except (OSError, ValueError):
        return 0


def rescue_copy(damaged: Path | str, target: Path | str) -> RescueReport:
    """Copy what can be read from the book at `damaged` into a new book at `target` (which must
    not exist). The damaged file is only read (a file cut short is read from a copy padded to
    its length, made beside `target` and removed). Raises DatabaseOpenError when nothing at all
    can be read from it, or when it is from a newer crmdesk."""
    damaged, target = Path(damaged).expanduser(), Path(target).expanduser()
    if _short_by(damaged):
        padded = target.with_name(f".{target.name}.padded")
        try:
            shutil.copyfile(damaged, padded)
            with open(padded, "r+b") as handle:
                handle.truncate(padded.stat().st_size + _short_by(damaged))
            return _rescue(padded, target, damaged)
        finally:
            padded.unlink(missing_ok=True)
    return _rescue(damaged, target, damaged)


def _rescue(damaged: Path, target: Path, named: Path) -> RescueReport:
    source = None
    try:
        source = _source(damaged)
        tables = {row[0] for row in
                  source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if source is not None:
            source.close()
        raise BookDamaged(named, "it is damaged beyond rescue: SQLite cannot read its list "
                                 f"of tables ({exc}).", "Restore a backup.") from exc
    try:
        version = migrations.current_version(source)
    except sqlite3.DatabaseError:  # its list of versions was lost: its tables tell
        version = migrations.LATEST_VERSION if "customer" in tables else None
    if version is None or version > migrations.LATEST_VERSION:
        source.close()
        raise DatabaseOpenError(named, "it is not a customer book this version of crmdesk "
                                         "can rescue.", "Install the newest crmdesk.")
    report = RescueReport(path=target)
    opened = open_database(target, check=False)
    try:
        conn = opened.db.connection()
        conn.execute("PRAGMA foreign_keys = OFF")  # rows whose customer was lost are kept
        with opened.db.atomic():
            for table in _tables_to_copy(conn):
                _copy_table(source, conn, table, report)
            search.rebuild(opened.db)
            # Figures kept to save time (core.rfm's scores, the dashboard's) are worked out
            # again from the rows rescued when next needed.
            conn.execute(f"DELETE FROM setting WHERE key IN ({', '.join('?' * len(_KEPT))})",
                         _KEPT)
    finally:
        opened.db.close()
        source.close()
    return report


def read_or_rescue(path: Path | str, work: Callable[..., T]) -> tuple[T, RescueReport | None]:
    """`work(db)` on the book at `path` (quick-checked first); if the book is damaged (found
    then or while working), `work(db)` on a copy of what can still be read, made in a temporary
    folder and removed afterwards. Returns what `work` returned and the rescue's report (None
    when the book was sound). Other problems (a missing or read-only book, a full disk) raise
    DatabaseOpenError as opening does."""
    path = Path(path).expanduser()
    try:
        opened = open_database(path, check=True, create=False)
    except BookDamaged:
        opened = None
    if opened is not None:
        try:
            return work(opened.db), None
        except Exception as exc:
            if kind_of(exc, path) != DAMAGED:
                raise
        finally:
            opened.db.close()
    with tempfile.TemporaryDirectory(prefix="crmdesk-rescue-") as folder:
        report = rescue_copy(path, Path(folder) / "rescued.db")
        rescued = open_database(report.path, check=False)
        try:
            return work(rescued.db), report
        finally:
            rescued.db.close()
