"""A book on a read-only disk (or folder): opened for reading, reading never writes, writing
commands say so in one line."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import shutil
import sqlite3
import subprocess

import pytest
from unit_helpers import file_hash, sidecars

from crmdesk.cli import main
from crmdesk.core import demo
from crmdesk.store.db import open_database

NOW = dt.datetime(2026, 3, 10, 12, 0)


def _mount_read_only(folder) -> bool:
    """A small tmpfs at `folder`, to be made read-only with `_remount_ro` (root only)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def read_only_book(tmp_path):
    """A book of 50 customers with purchases, without the dashboard's kept figures, in a folder
    that cannot be written: a read-only mount where we may mount (root), else (not root) a
    folder and file without write permission. Root without mount is skipped: root writes
    whatever the permissions say."""
    source = tmp_path / "source.db"
    opened = open_database(source)
    demo.generate(opened.db, 50, seed=5, now=NOW)
    opened.db.execute_sql("DELETE FROM setting WHERE key LIKE '%figures%' OR key LIKE '%insight%'")
    opened.db.close()
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = _mount_read_only(folder)
    if mounted:
        shutil.copy(source, folder / "crmdesk.db")
        if subprocess.run(["mount", "-o", "remount,ro", str(folder)]).returncode != 0:
            subprocess.run(["umount", str(folder)])
            pytest.skip("cannot make a read-only mount here")
    elif hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("running as root without mount: nothing here is read-only for root")
    else:
        shutil.copy(source, folder / "crmdesk.db")
        (folder / "crmdesk.db").chmod(0o444)
        folder.chmod(0o555)
    yield folder / "crmdesk.db"
    if mounted:
        gc.collect()  # a connection a failed command left to the collector holds the file
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(folder)])
    else:
        folder.chmod(0o755)


def test_a_read_only_book_opens_for_reading(read_only_book):
    before = file_hash(read_only_book)
    opened = open_database(read_only_book)
    try:
        assert opened.read_only
        count = opened.db.execute_sql("SELECT count(*) FROM customer").fetchone()[0]
        assert count == 50
        with pytest.raises(Exception, match="readonly|read-only"):
            opened.db.execute_sql("UPDATE customer SET first_name = 'X'")
    finally:
        opened.db.close()
    assert file_hash(read_only_book) == before and sidecars(read_only_book) == []


@pytest.mark.parametrize("args", [["report", "--to", "2026-03-10"],
                                  ["reminders", "--today", "2026-03-10"],
                                  ["export", "--out", "{tmp}/out.csv"],
                                  ["backup", "--out", "{tmp}/copy.db"]])
def test_reading_commands_work_and_write_nothing(read_only_book, tmp_path, capsys, args):
    before = file_hash(read_only_book)
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    code = main([*args, "--db", str(read_only_book)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip()
    assert file_hash(read_only_book) == before and sidecars(read_only_book) == []


@pytest.mark.parametrize("command", ["demo", "import"])
def test_writing_commands_say_the_book_is_read_only(read_only_book, tmp_path, capsys, command):
    (tmp_path / "new.csv").write_text("first_name,last_name\nAda,Lovelace\n", encoding="utf-8")
    before = file_hash(read_only_book)
    args = ["demo", "--customers", "3"] if command == "demo" else ["import",
                                                                   str(tmp_path / "new.csv")]
    code = main([*args, "--db", str(read_only_book)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "read-only" in err and "nothing was changed" in err
    assert "Traceback" not in out + err
    assert file_hash(read_only_book) == before


def test_the_report_on_a_read_only_book_keeps_no_figures_in_it(read_only_book, capsys):
    """report works its figures out and would keep them in the book: not in a read-only one."""
    uri = read_only_book.as_uri() + "?mode=ro&immutable=1"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        kept_before = conn.execute("SELECT count(*) FROM setting").fetchone()[0]
    assert main(["report", "--to", "2026-03-10", "--db", str(read_only_book)]) == 0
    assert "Revenue" in capsys.readouterr().out
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        assert conn.execute("SELECT count(*) FROM setting").fetchone()[0] == kept_before
