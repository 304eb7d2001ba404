"""A book damaged past its first page, an empty book beside its backups, a full disk: noticed,
told in one line (exit 2), and the book is never written."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import shutil
import sqlite3

import pytest
from unit_helpers import file_hash, sidecars

from crmdesk.cli import main
from crmdesk.core import demo
from crmdesk.store import backup
from crmdesk.store import db as store_db
from crmdesk.store.db import BookDamaged, DiskFull, open_database
from crmdesk.store.problems import DAMAGED, FULL, explain, kind_of
from crmdesk.store.rescue import rescue_copy

NOW = dt.datetime(2026, 3, 10, 12, 0)
PAGE = 4096
OFFSETS = (0.3, 0.6, 0.9)


@pytest.fixture(scope="module")
def sound_book(tmp_path_factory):
    """A book of 300 sample customers (with their dates, conversations and purchases)."""
    path = tmp_path_factory.mktemp("sound") / "crmdesk.db"
    opened = open_database(path)
    demo.generate(opened.db, 300, seed=3, now=NOW)
    opened.db.close()
    assert sidecars(path) == []
    return path


def damage(source, target, fraction: float):
    """A copy of `source` with one page, at `fraction` of the file, overwritten (a failing disk,
    a half-copied file)."""
    shutil.copy(source, target)
    size = target.stat().st_size
    offset = int(size * fraction) // PAGE * PAGE
    noise = random.Random(fraction).randbytes(PAGE)
    with open(target, "r+b") as handle:
        handle.seek(offset)
        handle.write(noise)
    return target


def row_counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("customer", "important_date", "interaction", "purchase")}


# --- noticed when opening --------------------------------------------------------------------


@pytest.mark.parametrize("fraction", OFFSETS)
def test_damage_in_the_middle_is_found_when_opening_and_the_file_is_left_alone(
        sound_book, tmp_path, fraction):
    path = damage(sound_book, tmp_path / "crmdesk.db", fraction)
    before = file_hash(path)
    with pytest.raises(BookDamaged) as refused:
        open_database(path)
    assert "damaged" in str(refused.value) and "left untouched" in str(refused.value)
    assert "found: )" not in str(refused.value)  # SQLite's own words are told
    assert file_hash(path) == before and sidecars(path) == []


def test_an_empty_book_beside_its_backups_is_not_taken_for_a_new_one(sound_book, tmp_path):
    path = tmp_path / "crmdesk.db"
    shutil.copy(sound_book, path)
    backup.auto_backup(path, force=True)
    path.write_bytes(b"")  # a failed copy, a disk that lost it
    with pytest.raises(BookDamaged) as refused:
        open_database(path)
    assert "empty" in str(refused.value)
    assert str(backup.list_backups(path)[-1][1]) in str(refused.value)  # the backup to restore
    assert path.stat().st_size == 0 and sidecars(path) == []


# --- every command: exit 2, one line, the book unchanged -------------------------------------


COMMANDS = {
    "export": lambda tmp: ["export", "--out", str(tmp / "out.csv")],
    "report": lambda tmp: ["report", "--to", "2026-03-10"],
    "reminders": lambda tmp: ["reminders", "--today", "2026-03-10"],
    "backup": lambda tmp: ["backup", "--out", str(tmp / "copy.db")],
    "import": lambda tmp: ["import", str(tmp / "new.csv")],
    "demo": lambda tmp: ["demo", "--customers", "3"],
}


@pytest.mark.parametrize("fraction", OFFSETS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_on_a_damaged_book_exits_2_naming_the_damage_and_writes_nothing(
        sound_book, tmp_path, capsys, fraction, command):
    path = damage(sound_book, tmp_path / "crmdesk.db", fraction)
    (tmp_path / "new.csv").write_text("first_name,last_name\nAda,Lovelace\n", encoding="utf-8")
    before = file_hash(path)
    code = main([*COMMANDS[command](tmp_path), "--db", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "damaged" in err and "Traceback" not in err + out
    assert file_hash(path) == before and sidecars(path) == []
    assert not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize("fraction", OFFSETS)
def test_export_of_a_damaged_book_writes_what_can_still_be_read_and_says_so(
        sound_book, tmp_path, capsys, fraction):
    path = damage(sound_book, tmp_path / "crmdesk.db", fraction)
    before = file_hash(path)
    out = tmp_path / "rescued.csv"
    code = main(["export", "--out", str(out), "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "damaged" in err and "exported what could still be read" in err
    assert "customers could still be read" in err
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) > 200  # most of the 300 customers, and a heading
    assert file_hash(path) == before


@pytest.mark.parametrize("fraction", OFFSETS)
def test_a_rescued_copy_is_a_sound_book_with_every_row_that_could_be_read(
        sound_book, tmp_path, fraction):
    path = damage(sound_book, tmp_path / "crmdesk.db", fraction)
    before = file_hash(path)
    report = rescue_copy(path, tmp_path / "rescued.db")
    sound, rescued = row_counts(sound_book), row_counts(report.path)
    for table, count in rescued.items():
        assert count + report.lost.get(table, 0) >= sound[table] or table in report.unreadable
        assert count <= sound[table]
    assert sum(rescued.values()) > 0.8 * sum(sound.values())
    opened = open_database(report.path, check=True)  # sound: it passes SQLite's check
    try:
        names = opened.db.execute_sql("SELECT count(*) FROM customer_search").fetchone()[0]
        assert names == rescued["customer"]  # the search index was rebuilt
    finally:
        opened.db.close()
    assert file_hash(path) == before


def test_a_rescue_counts_the_rows_a_damaged_page_hid(sound_book, tmp_path):
    """Overwrite a page of the conversations table itself: the rows on it are counted lost."""
    path = tmp_path / "crmdesk.db"
    shutil.copy(sound_book, path)
    with sqlite3.connect(path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'interaction'"
                            ).fetchone()[0]
        rowids = [row[0] for row in conn.execute("SELECT rowid FROM interaction")]
    # A leaf of the table's b-tree: follow the root's first child pointer.
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * PAGE)
        head = handle.read(PAGE)
        assert head[0] == 0x05  # an interior table page: the table spans several leaves
        first_cell = int.from_bytes(head[12:14], "big")
        leaf = int.from_bytes(head[first_cell:first_cell + 4], "big")
        handle.seek((leaf - 1) * PAGE)
        handle.write(b"\xff" * PAGE)
    report = rescue_copy(path, tmp_path / "rescued.db")
    copied = row_counts(report.path)["interaction"]
    assert 0 < copied < len(rowids)
    assert copied + report.lost["interaction"] == len(rowids)
    assert "interaction" in report.summary()


# --- damage found while working: from then on nothing is written -----------------------------


def test_once_damage_is_found_the_book_refuses_every_write(sound_book, tmp_path):
    path = tmp_path / "crmdesk.db"
    shutil.copy(sound_book, path)
    opened = open_database(path)
    db = opened.db
    db.mark_damaged(store_db.damaged(path, "found while working"))
    assert store_db.is_read_only(db)
    with pytest.raises(Exception) as refused:
        db.execute_sql("UPDATE customer SET first_name = 'X'")
    assert explain(refused.value, path) is not None
    db.close()
    assert row_counts(path) == row_counts(sound_book)


def test_sqlite_errors_are_told_by_what_they_mean(tmp_path):
    path = tmp_path / "crmdesk.db"
    malformed = sqlite3.DatabaseError("database disk image is malformed")
    assert kind_of(malformed) == DAMAGED
    assert kind_of(sqlite3.OperationalError("Could not decode to UTF-8 column 'x'")) == DAMAGED
    # peewee's rollback after SQLite already rolled back hides the real cause in the context
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.OperationalError:
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")  # noqa: B904
    except sqlite3.OperationalError as hidden:
        assert kind_of(hidden) == FULL
        assert str(explain(hidden, path)).startswith("the disk is full: nothing was changed")
    assert explain(ValueError("a bug"), path) is None
    # a full disk elsewhere (an export's target) is not the book's problem
    elsewhere = PermissionError(13, "Permission denied", "/somewhere/else/out.csv")
    assert explain(elsewhere, path) is None


# --- a full disk ----------------------------------------------------------------------------


def _fill_disk(monkeypatch, pages: int) -> None:
    """SQLite may not grow the book past `pages` pages: as on a full disk."""
    monkeypatch.setitem(store_db.PRAGMAS, "max_page_count", pages)


def _pages(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA page_count").fetchone()[0]


@pytest.mark.parametrize("command", ["demo", "import"])
def test_a_full_disk_is_told_and_the_book_is_unchanged(sound_book, tmp_path, capsys,
                                                       monkeypatch, command):
    path = tmp_path / "crmdesk.db"
    shutil.copy(sound_book, path)
    rows = "".join(f"Person{n},Surname{n},person{n}@example.com\n" for n in range(400))
    (tmp_path / "new.csv").write_text("first_name,last_name,email\n" + rows, encoding="utf-8")
    before = row_counts(path)
    _fill_disk(monkeypatch, _pages(path))
    args = ["demo", "--customers", "200"] if command == "demo" else ["import",
                                                                     str(tmp_path / "new.csv")]
    code = main([*args, "--db", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "the disk is full: nothing was changed" in err
    assert "rollback" not in err and "Traceback" not in err + out
    assert row_counts(path) == before
    opened = open_database(path, check=True)  # still sound
    opened.db.close()


def test_a_new_book_on_a_full_disk_is_not_left_half_made(tmp_path, capsys, monkeypatch):
    path = tmp_path / "crmdesk.db"
    _fill_disk(monkeypatch, 4)
    with pytest.raises(DiskFull):
        open_database(path)
    assert not path.exists() and sidecars(path) == []
    code = main(["demo", "--customers", "5", "--db", str(path)])
    assert code == 2 and "the disk is full" in capsys.readouterr().err
    assert not path.exists()


def test_the_report_on_a_full_disk_still_prints_and_changes_nothing(sound_book, tmp_path,
                                                                  capsys, monkeypatch):
    """The report keeps its figures in the book to be faster next time; on a full disk it
    does without."""
    path = tmp_path / "crmdesk.db"
    shutil.copy(sound_book, path)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM setting WHERE key IN ('insight_cache', 'rfm_state')")
        conn.execute("UPDATE customer_sales SET r_score = NULL, rfm_segment = NULL")
    conn.close()
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("VACUUM")  # no free page left to write into
    conn.close()
    before = file_hash(path)
    _fill_disk(monkeypatch, _pages(path))
    code = main(["report", "--to", "2026-03-10", "--db", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Revenue" in out
    assert file_hash(path) == before


def test_a_backup_of_a_damaged_book_is_refused_and_the_good_ones_are_kept(sound_book,
                                                                          tmp_path):
    path = tmp_path / "crmdesk.db"
    shutil.copy(sound_book, path)
    good = backup.auto_backup(path, force=True, now=NOW)
    damage(sound_book, path, 0.6)
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.auto_backup(path, force=True, now=NOW + dt.timedelta(days=1))
    assert [p for _t, p in backup.list_backups(path)] == [good.path]
    assert backup.newest_good_backup(path).path == good.path
    copies = [p.name for p in good.path.parent.iterdir() if p.name.endswith((".db", ".tmp"))]
    assert copies == [good.path.name]  # no half-made copy left behind


@pytest.mark.parametrize("fraction", OFFSETS)
def test_a_book_cut_short_is_refused_and_export_rescues_what_it_holds(sound_book, tmp_path,
                                                                      capsys, fraction):
    """A half-copied file: the end is missing."""
    path = tmp_path / "crmdesk.db"
    shutil.copy(sound_book, path)
    with open(path, "r+b") as handle:
        handle.truncate(int(path.stat().st_size * fraction))
    before = file_hash(path)
    with pytest.raises(BookDamaged):
        open_database(path)
    out = tmp_path / "rescued.json"
    code = main(["export", "--out", str(out), "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "exported what could still be read" in err
    assert "customers could still be read" in err and out.stat().st_size > 0
    assert file_hash(path) == before and sidecars(path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crmdesk.db", "rescued.json"]


def test_a_rescue_of_a_sound_book_loses_nothing(sound_book, tmp_path):
    report = rescue_copy(sound_book, tmp_path / "rescued.db")
    assert report.complete and "nothing else was found missing" in report.summary()
    with contextlib.closing(sqlite3.connect(sound_book)) as was, \
            contextlib.closing(sqlite3.connect(report.path)) as now:
        for table in ("customer", "important_date", "interaction", "purchase", "tag",
                      "customer_tag", "follow_up", "consent"):
            query = f"SELECT * FROM {table} ORDER BY 1, 2"
            assert was.execute(query).fetchall() == now.execute(query).fetchall(), table
        query = ("SELECT customer_id, purchases, total_minor, last_purchase_on "
                 "FROM customer_sales ORDER BY 1")  # worked out again by the triggers
        assert was.execute(query).fetchall() == now.execute(query).fetchall()
