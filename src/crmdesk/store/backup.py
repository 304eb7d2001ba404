"""Backups of the customer book: made, checked, rotated, restored; recovery of a damaged book.

Pure Python and sqlite3 (no Qt). Every copy is made with SQLite's online backup API, so it is
consistent even while the app has the book open in WAL mode, and is written to a temporary file
beside its destination, checked (`PRAGMA integrity_check` and the crmdesk schema table), and only
then moved into place with `os.replace`: a failed or interrupted backup leaves nothing partial
and never replaces or deletes an older backup. Copies are readable by the owner only.

Automatic backups live in a `backups` folder beside the book, named `<book>-YYYYMMDD-HHMMSS.db`
(`crmdesk-...` for the default `crmdesk.db`), in local time. A backup's date is read from that
name, otherwise from the file's modification time (which `backup_to` sets to the backup time).
Making and rotating the automatic backups is in `backup_auto`, re-exported here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from crmdesk.store import migrations
from crmdesk.store.backup_auto import (  # re-exported: automatic backups and their rotation
    STAMP,
    Retention,
    auto_backup,
    backup_folder,
    changed_since_backup,
    choose_to_keep,
    list_backups,
)

__all__ = [
    "STAMP", "BackupError", "BackupInfo", "FileDamaged", "Retention", "auto_backup",
    "backup_folder", "backup_to", "changed_since_backup", "choose_to_keep", "inspect_backup", "is_damaged",
    "list_backups", "newest_good_backup", "recover", "restore",
]

_STAMP_RE = re.compile(r"-(\d{8}-\d{6})$")


class BackupError(Exception):
    """A backup could not be made, read or restored; `str()` is a message for the user.

    Whenever it is raised, the customer book and the existing backups are as they were."""


class FileDamaged(BackupError):
    """The file at `path` (the book being copied, or a backup being read) is damaged."""

    def __init__(self, path: Path, message: str):
        self.path = path
        super().__init__(message)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: dt.datetime  # local time, naive
    customers: int  # customers not in Trash
    schema_version: int
    size: int  # bytes


# --- small helpers --------------------------------------------------------------------------

def _local(now: dt.datetime | None) -> dt.datetime:
    """`now` as naive local time (an aware time is converted; None is the present)."""
    if now is None:
        return dt.datetime.now().replace(microsecond=0)
    if now.tzinfo is not None:
        now = now.astimezone().replace(tzinfo=None)
    return now.replace(microsecond=0)


def _free_name(path: Path) -> Path:
    """`path`, or `path` with -2, -3, ... before the suffix if that name is taken."""
    candidate, n = path, 1
    while candidate.exists() or _sidecar(candidate, "-wal").exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_only_uri(path: Path) -> str:
    # As store/db.py does: read-only, and "immutable" while no write-ahead log exists, so no
    # -wal or -shm file is created beside a file we only look at.
    wal = _sidecar(path, "-wal")
    return path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?mode=ro&immutable=1")


def _check(conn: sqlite3.Connection, path: Path, *, full: bool = True) -> tuple[int, int]:
    """(schema version, customers not in Trash) of a crmdesk book; raises BackupError."""
    try:
        if full:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise FileDamaged(path, f"{path} is damaged (SQLite's integrity check found: "
                                  f"{'; '.join(map(str, result[:3]))}).")
        version = migrations.current_version(conn)
        if not version:
            raise BackupError(f"{path} is not a crmdesk customer book.")
        if version > migrations.LATEST_VERSION:
            raise BackupError(
                f"{path} was saved by a newer version of crmdesk (schema {version}; this version "
                f"knows up to {migrations.LATEST_VERSION}). Install the newest crmdesk to use it.")
        row = conn.execute("SELECT count(*) FROM customer WHERE deleted_at IS NULL").fetchone()
        return version, int(row[0])
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise BackupError(f"{path} is in use by another program; close it and try again.") \
                from exc
        raise BackupError(f"{path} is damaged or is not a crmdesk customer book ({exc}).") \
            from exc
    except sqlite3.DatabaseError as exc:
        raise FileDamaged(path, f"{path} is damaged or is not a database ({exc}).") from exc


def _created_at(path: Path) -> dt.datetime:
    match = _STAMP_RE.search(path.stem)
    if match:
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(match.group(1), STAMP)
    return dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)


class _SourceDamaged(FileDamaged):
    """The file being copied cannot be read as a database."""


#: a temporary copy untouched for this long (seconds) was left by an interrupted backup or
#: restore (a copy being made is written to all the time); it is removed
LEFTOVER_AGE = 15 * 60


def clean_leftovers(folder: Path | str, now: float | None = None) -> int:
    """Remove from `folder` the temporary copies (".NAME.xxxx.tmp" and their -journal, -wal,
    -shm) that a backup or restore killed half-way left behind, each as big as the book; only
    those untouched for LEFTOVER_AGE, so a copy another crmdesk is making now stays. Returns
    how many were removed; a folder that cannot be read removes nothing."""
    now = time.time() if now is None else now
    removed = 0
    try:
        candidates = list(Path(folder).glob(".*.tmp*"))
    except OSError:
        return 0
    for path in candidates:
        name = path.name
        if not (name.endswith(".tmp") or name.endswith((".tmp-journal", ".tmp-wal", ".tmp-shm"))):
            continue
        try:
            if now - path.stat().st_mtime < LEFTOVER_AGE:
                continue
            path.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def _copy_verified(source: sqlite3.Connection, target: Path, source_name: Path, *,
                   when: dt.datetime | None = None, check: bool = True) -> tuple[int, int]:
    """Online-backup `source` into a temporary file beside `target`, check it (unless `check` is
    False), then move it to `target` (mode 0o600). Returns (schema version, customers), (0, 0)
    unchecked. Nothing is left behind on failure."""
    folder = target.parent
    clean_leftovers(folder)  # what an interrupted copy into this folder left
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise BackupError(f"Cannot write to {folder}: {exc.strerror or exc}.") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        dest = sqlite3.connect(tmp)
        try:
            try:
                source.backup(dest)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise BackupError(f"{source_name} is in use by another program; "
                                      "close it and try again.") from exc
                raise BackupError(f"Cannot copy {source_name}: {exc}.") from exc
            except sqlite3.DatabaseError as exc:
                raise _SourceDamaged(source_name,
                                     f"{source_name} is damaged or is not a database ({exc}).") \
                    from exc
            # One self-contained file, whatever journal mode the book uses.
            dest.execute("PRAGMA journal_mode=DELETE").fetchone()
            version, customers = _check(dest, source_name) if check else (0, 0)
        finally:
            dest.close()
        for extra in ("-journal", "-wal", "-shm"):
            _sidecar(tmp, extra).unlink(missing_ok=True)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        tmp.chmod(0o600)
        if when is not None:
            stamp = when.timestamp()
            os.utime(tmp, (stamp, stamp))
        os.replace(tmp, target)
    except OSError as exc:
        raise BackupError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    finally:
        for leftover in (tmp, _sidecar(tmp, "-journal"), _sidecar(tmp, "-wal"),
                         _sidecar(tmp, "-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
    _fsync_dir(folder)
    return version, customers


def _connect_book(db_path: Path) -> sqlite3.Connection:
    """A connection to an existing book (never creates one); raises BackupError."""
    if not db_path.is_file():
        raise BackupError(f"There is no customer book at {db_path}.")
    # A book on a read-only disk or folder is copied read-only (SQLite could not make its
    # -shm file beside it to read it in place).
    writable = os.access(db_path, os.W_OK) and os.access(db_path.parent, os.W_OK)
    uri = db_path.resolve().as_uri() + "?mode=rw" if writable else _read_only_uri(db_path)
    try:
        return sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot open {db_path}: {exc}.") from exc


# --- backing up -----------------------------------------------------------------------------

def backup_to(db_path: Path | str, target: Path | str, *,
              now: dt.datetime | None = None) -> BackupInfo:
    """Copy the book at `db_path` to `target` (replacing it only once the copy is checked).

    Works while the app has the book open (in WAL mode, even during a write transaction: the
    copy is the last committed state). Raises BackupError with a message for the user."""
    db_path, target = Path(db_path).expanduser(), Path(target).expanduser()
    if target.exists() and db_path.exists() and target.resolve() == db_path.resolve():
        raise BackupError("A backup cannot be written over the customer book itself; "
                          "choose another file.")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; choose a file name for the backup.")
    when = _local(now)
    source = _connect_book(db_path)
    try:
        version, customers = _copy_verified(source, target, db_path, when=when)
    finally:
        source.close()
    return BackupInfo(path=target, created_at=when, customers=customers,
                      schema_version=version, size=target.stat().st_size)


def inspect_backup(path: Path | str) -> BackupInfo:
    """Check a backup file without writing anything; raises BackupError for a missing, damaged,
    foreign or newer file."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    if path.stat().st_size == 0:
        raise BackupError(f"{path} is empty: it is not a crmdesk backup.")
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=3)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be read ({exc}).") from exc
    try:
        version, customers = _check(conn, path)
    finally:
        conn.close()
    return BackupInfo(path=path, created_at=_created_at(path), customers=customers,
                      schema_version=version, size=path.stat().st_size)


# --- automatic backups (made and rotated in backup_auto) ------------------------------------

def newest_good_backup(db_path: Path | str, folder: Path | str | None = None
                       ) -> BackupInfo | None:
    """The newest automatic backup that passes `inspect_backup` (damaged ones are skipped)."""
    for _, path in reversed(list_backups(db_path, folder)):
        try:
            return inspect_backup(path)
        except BackupError:
            continue
    return None


# --- restoring and recovering ---------------------------------------------------------------

def _install(backup: Path, db_path: Path) -> None:
    """Copy a checked backup into place at `db_path` (temporary file, then os.replace)."""
    try:
        source = sqlite3.connect(_read_only_uri(backup), uri=True, timeout=3)
    except sqlite3.Error as exc:
        raise BackupError(f"{backup} cannot be read ({exc}).") from exc
    try:
        _copy_verified(source, db_path, backup)
    finally:
        source.close()


def _move_aside(db_path: Path, aside: Path) -> None:
    """Rename the book and its -wal/-shm files to `aside` (never copies over anything)."""
    try:
        os.replace(db_path, aside)
    except OSError as exc:
        raise BackupError(f"Cannot move {db_path} aside: {exc.strerror or exc}. "
                          "Nothing was changed.") from exc
    for extra in ("-wal", "-shm"):
        side = _sidecar(db_path, extra)
        if side.exists():
            with contextlib.suppress(OSError):
                os.replace(side, _sidecar(aside, extra))
    _fsync_dir(db_path.parent)


def _stamped(db_path: Path, label: str, now: dt.datetime | None) -> Path:
    stamp = _local(now).strftime(STAMP)
    return _free_name(db_path.with_name(f"{db_path.stem}.{label}-{stamp}{db_path.suffix}"))


def restore(backup_path: Path | str, db_path: Path | str, *,
            now: dt.datetime | None = None) -> Path | None:
    """Replace the book at `db_path` by the backup; returns where the previous book was saved
    (`<book>.before-restore-YYYYMMDD-HHMMSS.db`), or None if there was no book.

    The caller must have closed every connection to `db_path` first (a book still open
    elsewhere is refused with BackupError and left as it was). The backup is checked first
    (integrity, crmdesk, not newer); then the current book, with what its write-ahead log
    holds, is copied aside with the online backup API (a damaged one is renamed aside
    instead, byte for byte); only then is it replaced. An older-schema backup is migrated, with the
    migration's own copy, when the book is next opened."""
    backup_path, db_path = Path(backup_path).expanduser(), Path(db_path).expanduser()
    inspect_backup(backup_path)
    if db_path.exists() and backup_path.resolve() == db_path.resolve():
        raise BackupError("That file is the customer book itself; choose a backup file.")
    aside = None
    if db_path.exists():
        aside = _stamped(db_path, "before-restore", now)
        if is_damaged(db_path):  # kept byte for byte, as recover() does
            _move_aside(db_path, aside)
        else:
            source = _connect_book(db_path)
            try:
                _copy_verified(source, aside, db_path, check=False)
            except _SourceDamaged:
                source.close()
                _move_aside(db_path, aside)
            finally:
                source.close()
        if _sidecar(db_path, "-wal").exists():
            aside.unlink(missing_ok=True)
            raise BackupError(f"{db_path} is still open in crmdesk or another program; close it "
                              "and try again. Nothing was changed.")
        _sidecar(db_path, "-shm").unlink(missing_ok=True)
    else:
        db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _install(backup_path, db_path)
    return aside


def is_damaged(db_path: Path | str) -> bool:
    """True if the file exists, is not empty, and SQLite cannot read it or its integrity check
    fails. Read-only; a sound file that is not a crmdesk book is not "damaged"."""
    db_path = Path(db_path).expanduser()
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(_read_only_uri(db_path), uri=True, timeout=3)
    except sqlite3.Error:
        return True
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")] != ["ok"]
    except sqlite3.OperationalError as exc:
        return "locked" not in str(exc)
    except sqlite3.DatabaseError:
        return True
    finally:
        conn.close()


def recover(db_path: Path | str, backup: BackupInfo | Path | str, *,
            now: dt.datetime | None = None) -> Path:
    """Put a damaged book aside (`<book>.damaged-YYYYMMDD-HHMMSS.db`, renamed with its -wal and
    -shm, never overwritten) and restore `backup` in its place; returns the damaged file's new
    path. If the backup cannot be installed, the damaged file is put back and BackupError
    raised. No connection to `db_path` may be open."""
    db_path = Path(db_path).expanduser()
    backup_path = backup.path if isinstance(backup, BackupInfo) else Path(backup).expanduser()
    inspect_backup(backup_path)
    damaged = _stamped(db_path, "damaged", now)
    _move_aside(db_path, damaged)
    try:
        _install(backup_path, db_path)
    except BackupError:
        if not db_path.exists():
            with contextlib.suppress(OSError):
                os.replace(damaged, db_path)
                for extra in ("-wal", "-shm"):
                    if _sidecar(damaged, extra).exists():
                        os.replace(_sidecar(damaged, extra), _sidecar(db_path, extra))
        raise
    return damaged
