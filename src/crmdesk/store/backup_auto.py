"""Automatic backups of the customer book and their rotation.

Automatic backups live in a `backups` folder beside the book, named `<book>-YYYYMMDD-HHMMSS.db`
(`crmdesk-...` for the default `crmdesk.db`), in local time. Which of them are kept is decided
by `choose_to_keep` (pure); `auto_backup` makes one when it is due, then rotates.

Whether the book changed since the last automatic backup: each automatic backup records, in
`backups/.<book>.backed-up.json`, the state of the book's file just before it was copied (its
size and modification time, taken right after a passive WAL checkpoint has moved every committed
change into the file). Any later commit reaches the file at the next checkpoint (at the latest
when the book is closed, or by the checkpoint `changed_since_backup` runs itself) and so changes
that state. A record that is missing, unreadable or taken while a reader held back the checkpoint
counts as "changed": the doubt costs one backup too many, never one too few.

`crmdesk.store.backup` re-exports every name here; it is where the rest of the code imports
them from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crmdesk.store.backup import BackupInfo

STAMP = "%Y%m%d-%H%M%S"

#: A file's modification time moves in steps (a clock tick: up to ~16 ms on Windows, a few ms
#: on Linux). A state is recorded only once its time is at least this far in the past, so a
#: later write cannot carry the very same time.
_TICK_NS = 40_000_000


@dataclass(frozen=True)
class Retention:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def choose_to_keep(backups: Iterable[dt.datetime], now: dt.datetime,
                   retention: Retention = Retention()) -> set[dt.datetime]:
    """Which backups (by their times) to keep: the newest in each of the last `daily` days,
    `weekly` ISO weeks and `monthly` months that have a backup, and always the newest of all.

    Pure. Times later than `now` (a clock that was wrong) count as made `now`, so they neither
    stay for ever nor push out the real ones. All times must be naive, or all aware."""
    order = sorted(set(backups), key=lambda t: (min(t, now), t), reverse=True)
    if not order:
        return set()
    keep = {order[0]}
    rules = (
        (retention.daily, lambda t: t.date()),
        (retention.weekly, lambda t: tuple(t.isocalendar())[:2]),
        (retention.monthly, lambda t: (t.year, t.month)),
    )
    for count, bucket in rules:
        seen: set = set()
        for t in order:
            key = bucket(min(t, now))
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            keep.add(t)
    return keep


def backup_folder(db_path: Path | str) -> Path:
    """Where automatic backups of the book at `db_path` go (not created here)."""
    return Path(db_path).expanduser().parent / "backups"


def list_backups(db_path: Path | str, folder: Path | str | None = None
                 ) -> list[tuple[dt.datetime, Path]]:
    """The automatic backups of the book at `db_path`, oldest first."""
    db_path = Path(db_path).expanduser()
    folder = Path(folder) if folder is not None else backup_folder(db_path)
    pattern = re.compile(re.escape(db_path.stem) + r"-(\d{8}-\d{6})" + re.escape(db_path.suffix))
    found = []
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            match = pattern.fullmatch(path.name)
            if match and path.is_file():
                with contextlib.suppress(ValueError):
                    found.append((dt.datetime.strptime(match.group(1), STAMP), path))
    return sorted(found)


def _state_file(db_path: Path, folder: Path) -> Path:
    return folder / f".{db_path.name}.backed-up.json"


def _book_state(db_path: Path) -> dict | None:
    """The book file's size and modification time once every committed change is in the file
    (a passive checkpoint: it never waits for, nor blocks, the app); None when that cannot be
    known (a reader held back the checkpoint, the file cannot be opened)."""
    if not db_path.is_file():
        return None
    try:
        conn = sqlite3.connect(db_path.resolve().as_uri() + "?mode=rw", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        for _attempt in range(2):
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if busy or frames != copied:
                return None
            stat = db_path.stat()
            wait_ns = stat.st_mtime_ns + _TICK_NS - time.time_ns()
            if wait_ns <= 0 or wait_ns > _TICK_NS:  # (a time in the future: a clock change)
                return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
            time.sleep(wait_ns / 1e9)  # the file was just written: let its clock tick pass
        return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    except (sqlite3.Error, OSError):
        return None
    finally:
        conn.close()


def _record_state(db_path: Path, folder: Path, state: dict | None) -> None:
    target = _state_file(db_path, folder)
    with contextlib.suppress(OSError):
        if state is None:
            target.unlink(missing_ok=True)
            return
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, target)


def changed_since_backup(db_path: Path | str, folder: Path | str | None = None) -> bool:
    """Whether anything was written to the book since its newest automatic backup was taken
    (True when that cannot be told for sure, or when there is no automatic backup)."""
    db_path = Path(db_path).expanduser()
    folder = Path(folder) if folder is not None else backup_folder(db_path)
    if not list_backups(db_path, folder):
        return True
    try:
        recorded = json.loads(_state_file(db_path, folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    state = _book_state(db_path)
    return state is None or state != recorded


def auto_backup(db_path: Path | str, folder: Path | str | None = None, *,
                now: dt.datetime | None = None, on_quit: bool = False, force: bool = False,
                retention: Retention = Retention()) -> BackupInfo | None:
    """Make an automatic backup if one is due, then rotate; None when none was due.

    Due: at start and on the daily timer, when no backup was made today (local calendar day);
    on quit (`on_quit=True`), when anything was written to the book since the newest backup was
    taken (`changed_since_backup`), however recent that backup; always when `force`. Rotation
    (`choose_to_keep`) runs only after a new backup was made and checked, so a failing backup
    (BackupError) never deletes older ones."""
    # Imported here: crmdesk.store.backup imports this module (to re-export it).
    from crmdesk.store.backup import BackupError, _local, backup_to, clean_leftovers

    db_path = Path(db_path).expanduser()
    folder = Path(folder) if folder is not None else backup_folder(db_path)
    # At every start and quit: the temporary copies a killed backup or restore left behind.
    clean_leftovers(folder)
    clean_leftovers(db_path.parent)
    when = _local(now)
    existing = list_backups(db_path, folder)
    if existing and not force:
        if on_quit:
            if not changed_since_backup(db_path, folder):
                return None
        elif existing[-1][0].date() == when.date():
            return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(f"Cannot make the backups folder {folder}: {exc.strerror or exc}.") \
            from exc
    target = folder / f"{db_path.stem}-{when.strftime(STAMP)}{db_path.suffix}"
    state = _book_state(db_path)  # before the copy: a write during it counts as a change
    info = backup_to(db_path, target, now=when)
    _record_state(db_path, folder, state)
    backups = list_backups(db_path, folder)
    keep = choose_to_keep([t for t, _ in backups], when, retention)
    for t, path in backups:
        if t not in keep and path != target:
            with contextlib.suppress(OSError):
                path.unlink()
    return info
