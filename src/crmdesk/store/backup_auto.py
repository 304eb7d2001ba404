"""Automatic backups of the customer book and their rotation.

Automatic backups live in a `backups` folder beside the book, named `<book>-YYYYMMDD-HHMMSS.db`
(`crmdesk-...` for the default `crmdesk.db`), in local time. Which of them are kept is decided
by `choose_to_keep` (pure); `auto_backup` makes one when it is due, then rotates.

`crmdesk.store.backup` re-exports every name here; it is where the rest of the code imports
them from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crmdesk.store.backup import BackupInfo

STAMP = "%Y%m%d-%H%M%S"

#: `auto_backup(..., on_quit=True)` makes a backup if the newest one is older than this.
QUIT_INTERVAL = dt.timedelta(hours=1)


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


def auto_backup(db_path: Path | str, folder: Path | str | None = None, *,
                now: dt.datetime | None = None, on_quit: bool = False, force: bool = False,
                retention: Retention = Retention()) -> BackupInfo | None:
    """Make an automatic backup if one is due, then rotate; None when none was due.

    Due: at start and on the daily timer, when no backup was made today (local calendar day);
    on quit (`on_quit=True`), when the newest is older than QUIT_INTERVAL (one hour); always when
    `force`. Rotation (`choose_to_keep`) runs only after a new backup was made and checked, so a
    failing backup (BackupError) never deletes older ones."""
    # Imported here: crmdesk.store.backup imports this module (to re-export it).
    from crmdesk.store.backup import BackupError, _local, backup_to

    db_path = Path(db_path).expanduser()
    folder = Path(folder) if folder is not None else backup_folder(db_path)
    when = _local(now)
    existing = list_backups(db_path, folder)
    if existing and not force:
        last = existing[-1][0]
        if on_quit:
            if dt.timedelta(0) <= when - last < QUIT_INTERVAL:
                return None
        elif last.date() == when.date():
            return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(f"Cannot make the backups folder {folder}: {exc.strerror or exc}.") \
            from exc
    target = folder / f"{db_path.stem}-{when.strftime(STAMP)}{db_path.suffix}"
    info = backup_to(db_path, target, now=when)
    backups = list_backups(db_path, folder)
    keep = choose_to_keep([t for t, _ in backups], when, retention)
    for t, path in backups:
        if t not in keep and path != target:
            with contextlib.suppress(OSError):
                path.unlink()
    return info
