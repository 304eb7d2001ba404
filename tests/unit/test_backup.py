"""Backups: made while the book is in use, checked, private, restored, recovered."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from tests.unit.unit_helpers import FIXTURES, file_hash, sidecars

from crmdesk.store import migrations
from crmdesk.store.backup import (
    BackupError,
    auto_backup,
    backup_to,
    inspect_backup,
    is_damaged,
    list_backups,
    newest_good_backup,
    recover,
    restore,
)
from crmdesk.store.db import open_database

NOW = dt.datetime(2026, 3, 10, 10, 30, 0)


def _names(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT display_name FROM customer ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def filled(db_path, add, db):
    """A book with three customers (one in Trash); the app's connection stays open."""
    add("Ada", "Lovelace")
    add("Grace", "Hopper")
    gone = add("Tom", "Trash")
    db.execute_sql("UPDATE customer SET deleted_at = '2026-01-01 00:00:00' WHERE id = ?", (gone,))
    return db_path


def _damage(path) -> None:
    """Overwrite pages in the middle of a database file with garbage."""
    data = bytearray(path.read_bytes())
    assert len(data) > 8192
    data[4096:8192] = b"\xde\xad\xbe\xef" * 1024
    path.write_bytes(bytes(data))


def _v1_book(path):
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


# --- backup_to ------------------------------------------------------------------------------


def test_backup_while_another_connection_writes_is_the_last_committed_state(filled, tmp_path, db):
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    writer = sqlite3.connect(filled, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE customer SET display_name = 'half written'")
    try:
        info = backup_to(filled, tmp_path / "copy.db", now=NOW)
    finally:
        writer.rollback()
        writer.close()
    assert info.customers == 2
    assert info.schema_version == migrations.LATEST_VERSION
    assert info.created_at == NOW
    assert info.size == (tmp_path / "copy.db").stat().st_size
    assert _names(info.path) == ["Ada Lovelace", "Grace Hopper", "Tom Trash"]
    conn = sqlite3.connect(info.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
    finally:
        conn.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_backup_is_readable_by_the_owner_only(filled, tmp_path):
    info = backup_to(filled, tmp_path / "copy.db")
    assert info.path.stat().st_mode & 0o777 == 0o600


def test_a_backup_sees_writes_still_in_the_write_ahead_log(filled, tmp_path, add):
    add("Late", "Comer")
    assert (filled.parent / (filled.name + "-wal")).exists()
    assert "Late Comer" in _names(backup_to(filled, tmp_path / "copy.db").path)


def test_a_failed_backup_leaves_the_old_file_and_nothing_partial(filled, tmp_path):
    target = tmp_path / "out" / "copy.db"
    target.parent.mkdir()
    target.write_bytes(b"previous backup")
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(BackupError, match="not a crmdesk customer book"):
        backup_to(foreign, target)
    assert target.read_bytes() == b"previous backup"
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.db"]


def test_backup_refuses_to_write_over_the_book_itself(filled):
    before = file_hash(filled)
    with pytest.raises(BackupError, match="itself"):
        backup_to(filled, filled)
    assert file_hash(filled) == before


def test_backup_of_a_missing_book_creates_nothing(tmp_path):
    with pytest.raises(BackupError, match="no customer book"):
        backup_to(tmp_path / "nothing.db", tmp_path / "copy.db")
    assert list(tmp_path.iterdir()) == []


# --- inspect_backup -------------------------------------------------------------------------


def test_inspect_reads_without_writing(filled, tmp_path):
    info = backup_to(filled, tmp_path / "copy.db", now=NOW)
    before = file_hash(info.path)
    seen = inspect_backup(info.path)
    assert (seen.customers, seen.schema_version) == (2, migrations.LATEST_VERSION)
    assert seen.created_at == NOW  # from the modification time backup_to set
    assert file_hash(info.path) == before
    assert sidecars(info.path) == []


@pytest.mark.parametrize("kind", ["damaged", "foreign", "newer", "empty", "text"])
def test_inspect_refuses_what_is_not_a_good_backup(filled, tmp_path, kind):
    path = tmp_path / "bad.db"
    if kind == "damaged":
        backup_to(filled, path)
        _damage(path)
    elif kind == "foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE photos (x)")
        conn.close()
    elif kind == "newer":
        backup_to(filled, path)
        conn = sqlite3.connect(path)
        conn.execute("INSERT INTO schema_migration VALUES (99, 'future', '2030-01-01')")
        conn.commit()
        conn.close()
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        path.write_text("name,phone\nAda,123\n")
    before = file_hash(path)
    with pytest.raises(BackupError) as raised:
        inspect_backup(path)
    message = str(raised.value)
    assert str(path) in message
    expected = {"damaged": "damaged", "foreign": "not a crmdesk", "newer": "newer version",
                "empty": "empty", "text": "not a database"}[kind]
    assert expected in message
    assert file_hash(path) == before
    assert sidecars(path) == []


# --- automatic backups ----------------------------------------------------------------------


def test_auto_backup_once_a_day(filled):
    first = auto_backup(filled, now=NOW)
    assert first is not None and first.path.name == "crmdesk-20260310-103000.db"
    folder = filled.parent / "backups"
    if os.name == "posix":
        assert folder.stat().st_mode & 0o777 == 0o700
    assert auto_backup(filled, now=NOW + dt.timedelta(hours=5)) is None  # same day
    assert auto_backup(filled, now=NOW + dt.timedelta(days=1)) is not None  # a new day
    assert auto_backup(filled, now=NOW + dt.timedelta(days=1, seconds=1), force=True)
    # rotation keeps the newest of each day
    assert [p.name for _, p in list_backups(filled)] == [
        "crmdesk-20260310-103000.db", "crmdesk-20260311-103001.db"]


def test_quitting_after_a_change_backs_up_however_recent_the_last_backup(filled, add):
    assert auto_backup(filled, now=NOW) is not None
    # Nothing written since: quitting makes no backup, minutes or hours later.
    assert auto_backup(filled, now=NOW + dt.timedelta(minutes=2), on_quit=True) is None
    assert auto_backup(filled, now=NOW + dt.timedelta(hours=3), on_quit=True) is None
    add("Alan", "Turing")  # two minutes after the last backup
    quit_copy = auto_backup(filled, now=NOW + dt.timedelta(minutes=4), on_quit=True)
    assert quit_copy is not None
    assert "Alan Turing" in _names(quit_copy.path)
    assert auto_backup(filled, now=NOW + dt.timedelta(minutes=5), on_quit=True) is None


def test_quitting_after_the_book_was_closed_backs_up_only_a_change(db_path, add, opened):
    """As the app does: the book is closed (its write-ahead log folded into the file), then
    the quit backup decides."""
    add("Ada", "Lovelace")
    assert auto_backup(db_path, now=NOW) is not None  # the start backup, book open
    opened.db.close()
    assert auto_backup(db_path, now=NOW + dt.timedelta(minutes=30), on_quit=True) is None
    opened.db.connect()
    add("Grace", "Hopper")
    opened.db.close()
    made = auto_backup(db_path, now=NOW + dt.timedelta(minutes=40), on_quit=True)
    assert made is not None and "Grace Hopper" in _names(made.path)


def test_a_change_by_another_program_counts(filled):
    auto_backup(filled, now=NOW)
    other = sqlite3.connect(filled)
    other.execute("UPDATE customer SET notes = 'likes tea' WHERE display_name = 'Ada Lovelace'")
    other.commit()
    other.close()
    assert auto_backup(filled, now=NOW + dt.timedelta(minutes=1), on_quit=True) is not None


def test_quitting_backs_up_when_it_cannot_tell(filled):
    auto_backup(filled, now=NOW)
    (filled.parent / "backups" / ".crmdesk.db.backed-up.json").unlink()
    assert auto_backup(filled, now=NOW + dt.timedelta(minutes=1), on_quit=True) is not None


def test_quitting_with_no_backup_at_all_backs_up(filled):
    assert auto_backup(filled, now=NOW, on_quit=True) is not None


def test_auto_backup_rotation_keeps_days_weeks_months(filled):
    start = dt.datetime(2025, 1, 1, 9, 0, 0)
    for day in range(400):
        auto_backup(filled, now=start + dt.timedelta(days=day))
    kept = [t for t, _ in list_backups(filled)]
    assert len(kept) <= 7 + 4 + 12
    last = start + dt.timedelta(days=399)
    assert kept[-1] == last
    assert [last - dt.timedelta(days=n) for n in range(6, -1, -1)] == kept[-7:]
    months = {(t.year, t.month) for t in kept}
    assert len(months) == 12


def test_a_failing_auto_backup_deletes_no_older_backup(filled, opened):
    start = dt.datetime(2026, 1, 1, 9, 0, 0)
    for day in range(10):
        auto_backup(filled, now=start + dt.timedelta(days=day))
    before = list_backups(filled)
    opened.db.close()
    _damage(filled)  # the book itself can no longer be backed up
    with pytest.raises(BackupError):
        auto_backup(filled, now=start + dt.timedelta(days=30))
    assert list_backups(filled) == before
    assert not [p for p in (filled.parent / "backups").iterdir() if p.suffix == ".tmp"]


# --- restore --------------------------------------------------------------------------------


def test_restore_saves_the_current_book_aside_then_replaces_it(filled, tmp_path, add, opened):
    backup = backup_to(filled, tmp_path / "monday.db")
    add("After", "Backup")  # only in the current book (partly in its write-ahead log)
    opened.db.close()
    current = _names(filled)

    aside = restore(backup.path, filled, now=NOW)

    assert aside.name == "crmdesk.before-restore-20260310-103000.db"
    assert _names(aside) == current  # everything, write-ahead log included
    assert _names(filled) == ["Ada Lovelace", "Grace Hopper", "Tom Trash"]
    assert sidecars(filled) == []
    if os.name == "posix":
        assert aside.stat().st_mode & 0o777 == 0o600
        assert filled.stat().st_mode & 0o777 == 0o600
    for path in (aside, filled):  # both open as customer books
        result = open_database(path)
        try:
            count = result.db.execute_sql("SELECT count(*) FROM customer").fetchone()[0]
            assert count == len(_names(path))
        finally:
            result.db.close()


def test_restore_refuses_while_the_book_is_still_open(filled, tmp_path):
    backup = backup_to(filled, tmp_path / "copy.db")
    before = file_hash(filled)
    with pytest.raises(BackupError, match="still open"):
        restore(backup.path, filled, now=NOW)
    assert file_hash(filled) == before
    assert not list(filled.parent.glob("crmdesk.before-restore-*"))


def test_restoring_a_version_1_backup_is_migrated_when_opened(filled, tmp_path, opened):
    opened.db.close()
    old = _v1_book(tmp_path / "old-backup.db")
    assert inspect_backup(old).schema_version == 1

    restore(old, filled, now=NOW)

    result = open_database(filled)
    try:
        assert result.migrated == list(range(2, migrations.LATEST_VERSION + 1))
        assert result.backup is not None and result.backup.exists()
        names = [r[0] for r in result.db.execute_sql(
            "SELECT display_name FROM customer ORDER BY id")]
        assert names == _names(old)
    finally:
        result.db.close()


@pytest.mark.parametrize("kind", ["damaged", "newer"])
def test_a_bad_backup_is_refused_and_nothing_changes(filled, tmp_path, opened, kind):
    bad = backup_to(filled, tmp_path / "bad.db").path
    if kind == "damaged":
        _damage(bad)
    else:
        conn = sqlite3.connect(bad)
        conn.execute("INSERT INTO schema_migration VALUES (99, 'future', '2030-01-01')")
        conn.commit()
        conn.close()
    opened.db.close()
    before = file_hash(filled), sorted(p.name for p in filled.parent.iterdir())
    with pytest.raises(BackupError):
        restore(bad, filled, now=NOW)
    assert (file_hash(filled), sorted(p.name for p in filled.parent.iterdir())) == before


def test_restore_into_a_place_with_no_book(filled, tmp_path):
    backup = backup_to(filled, tmp_path / "copy.db")
    target = tmp_path / "new" / "crmdesk.db"
    assert restore(backup.path, target) is None
    assert _names(target) == _names(backup.path)


# --- a damaged book at start ----------------------------------------------------------------


def test_recovery_puts_the_damaged_book_aside_and_restores_the_newest_good_backup(
        filled, opened):
    auto_backup(filled, now=NOW - dt.timedelta(days=2))
    good = auto_backup(filled, now=NOW - dt.timedelta(days=1))
    newest = auto_backup(filled, now=NOW)
    _damage(newest.path)  # the newest backup is damaged too: skipped
    opened.db.close()
    _damage(filled)
    damaged_bytes = filled.read_bytes()
    assert is_damaged(filled)

    found = newest_good_backup(filled)
    assert found is not None and found.path == good.path

    moved = recover(filled, found, now=NOW)

    assert moved.name == "crmdesk.damaged-20260310-103000.db"
    assert moved.read_bytes() == damaged_bytes  # never overwritten
    assert not is_damaged(filled)
    assert _names(filled) == ["Ada Lovelace", "Grace Hopper", "Tom Trash"]
    open_database(filled).db.close()


def test_recovery_never_overwrites_an_earlier_damaged_copy(filled, tmp_path, opened):
    good = backup_to(filled, tmp_path / "good.db")
    opened.db.close()
    _damage(filled)
    first = recover(filled, good, now=NOW)
    first_bytes = first.read_bytes()
    _damage(filled)
    second = recover(filled, good.path, now=NOW)  # the same second
    assert second != first
    assert first.read_bytes() == first_bytes


def test_no_good_backup_means_none(filled):
    assert newest_good_backup(filled) is None
    info = auto_backup(filled, now=NOW)
    _damage(info.path)
    assert newest_good_backup(filled) is None


def test_a_sound_book_is_not_damaged(filled, tmp_path):
    assert not is_damaged(filled)
    assert not is_damaged(tmp_path / "missing.db")


def test_restore_over_a_damaged_book_moves_it_aside_untouched(filled, tmp_path, opened):
    backup = backup_to(filled, tmp_path / "copy.db")
    opened.db.close()
    _damage(filled)
    damaged_bytes = filled.read_bytes()
    aside = restore(backup.path, filled, now=NOW)
    assert aside.read_bytes() == damaged_bytes
    assert _names(filled) == _names(backup.path)


def test_copies_left_by_a_killed_backup_or_restore_are_cleaned_at_the_next_start(filled):
    """kill -9 during a backup or restore leaves a hidden temporary copy, as big as the book,
    in the backups folder or beside the book. The next start (its automatic backup check, due
    or not) removes those left untouched for a while; one being written now stays."""
    import time

    from crmdesk.store.backup import LEFTOVER_AGE

    assert auto_backup(filled, now=NOW) is not None
    folder = filled.parent / "backups"
    old_backup = folder / ".crmdesk-20260310-110000.db.k3j2a1.tmp"
    old_restore = filled.parent / ".crmdesk.db.z9y8x7.tmp"
    old_journal = filled.parent / ".crmdesk.db.z9y8x7.tmp-journal"
    fresh = folder / ".crmdesk-20260310-120000.db.q1w2e3.tmp"
    for path in (old_backup, old_restore, old_journal, fresh):
        path.write_bytes(b"x" * 4096)
    long_ago = time.time() - LEFTOVER_AGE - 60
    for path in (old_backup, old_restore, old_journal):
        os.utime(path, (long_ago, long_ago))

    assert auto_backup(filled, now=NOW + dt.timedelta(hours=1)) is None  # none due today
    assert not old_backup.exists() and not old_restore.exists() and not old_journal.exists()
    assert fresh.exists()  # another crmdesk may be writing it right now
    assert filled.exists() and [p.name for _, p in list_backups(filled)] == [
        "crmdesk-20260310-103000.db"]
