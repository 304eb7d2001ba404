"""`crmdesk backup` and `crmdesk restore`, end to end."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys

import pytest
from tests.unit.unit_helpers import file_hash

from crmdesk.cli import main


def _names(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT display_name FROM customer ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def book_file(db_path, add, opened):
    add("Ada", "Lovelace")
    add("Grace", "Hopper")
    opened.db.close()
    return db_path


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def test_backup_prints_the_count_and_writes_a_checked_copy(book_file, tmp_path, capsys):
    out = tmp_path / "usb" / "shop.db"
    out.parent.mkdir()
    assert main(["backup", "--out", str(out), "--db", str(book_file)]) == 0
    assert capsys.readouterr().out == f"backed up 2 customers to {out}\n"
    assert _names(out) == ["Ada Lovelace", "Grace Hopper"]
    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o600


def test_backup_of_a_book_that_cannot_be_opened_exits_2(tmp_path, capsys):
    foreign = tmp_path / "photos.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE photo (x)")
    conn.close()
    out = tmp_path / "copy.db"
    assert main(["backup", "--out", str(out), "--db", str(foreign)]) == 2
    assert "not a crmdesk customer book" in capsys.readouterr().err
    assert main(["backup", "--out", str(out), "--db", str(tmp_path / "none.db")]) == 2
    assert "no customer book" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "none.db").exists()


def test_backup_to_a_place_that_cannot_be_written_exits_1_leaving_nothing(
        book_file, tmp_path, capsys):
    out = tmp_path / "missing-folder" / "copy.db"
    assert main(["backup", "--out", str(out), "--db", str(book_file)]) == 1
    err = capsys.readouterr().err
    assert "Cannot write" in err and "Nothing was written" in err
    assert not out.parent.exists()
    if os.name == "posix" and os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert main(["backup", "--out", str(locked / "c.db"), "--db", str(book_file)]) == 1
        assert list(locked.iterdir()) == []


def test_restore_shows_the_backup_then_needs_yes_without_a_terminal(
        book_file, tmp_path, capsys, no_terminal):
    backup = tmp_path / "copy.db"
    main(["backup", "--out", str(backup), "--db", str(book_file)])
    capsys.readouterr()
    before = file_hash(book_file)

    assert main(["restore", str(backup), "--db", str(book_file)]) == 1
    captured = capsys.readouterr()
    assert "2 customers" in captured.out
    assert "--yes" in captured.err
    assert file_hash(book_file) == before


def test_restore_with_yes_replaces_the_book_and_says_where_the_old_one_is(
        book_file, tmp_path, capsys, no_terminal):
    backup = tmp_path / "copy.db"
    main(["backup", "--out", str(backup), "--db", str(book_file)])
    conn = sqlite3.connect(book_file)
    conn.execute("UPDATE customer SET display_name = 'Changed since'")
    conn.commit()
    conn.close()
    capsys.readouterr()

    assert main(["restore", str(backup), "--db", str(book_file), "--yes"]) == 0
    out = capsys.readouterr().out
    first, second = out.splitlines()
    assert first.startswith("backup of ") and "2 customers" in first
    saved = second.rsplit(" ", 1)[1]
    assert "previous customer book was saved as" in second
    assert _names(saved) == ["Changed since", "Changed since"]
    assert _names(book_file) == ["Ada Lovelace", "Grace Hopper"]


@pytest.mark.parametrize("kind", ["damaged", "foreign", "newer"])
def test_restore_of_a_bad_backup_exits_1_and_changes_nothing(
        book_file, tmp_path, capsys, kind):
    bad = tmp_path / "bad.db"
    if kind == "damaged":
        bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)
    else:
        conn = sqlite3.connect(bad)
        if kind == "foreign":
            conn.execute("CREATE TABLE photo (x)")
        else:
            conn.execute("CREATE TABLE schema_migration (version, name, applied_at)")
            conn.execute("INSERT INTO schema_migration VALUES (99, 'future', '2030-01-01')")
        conn.commit()
        conn.close()
    before = file_hash(book_file), sorted(p.name for p in tmp_path.iterdir())
    assert main(["restore", str(bad), "--db", str(book_file), "--yes"]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "Nothing was changed" in err
    assert (file_hash(book_file), sorted(p.name for p in tmp_path.iterdir())) == before


def test_python_m_crmdesk_backup(book_file, tmp_path):
    out = tmp_path / "copy.db"
    done = subprocess.run(
        [sys.executable, "-m", "crmdesk", "backup", "--out", str(out), "--db", str(book_file)],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"backed up 2 customers to {out}\n"
    assert _names(out) == ["Ada Lovelace", "Grace Hopper"]
