"""`crmdesk import` small things: the rejected rows file is private, and a reader that goes
away (`crmdesk import … | head`) ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crmdesk.store.db import open_database

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions, pipes")


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))


@pytest.fixture
def files(tmp_path):
    book = tmp_path / "book.db"
    open_database(book).db.close()
    people = tmp_path / "people.csv"
    people.write_text("Name,Phone,E-mail\nAnn Lee,07400 123456,\n,,\n" +
                      "".join(f",,not-an-address-{i}\n" for i in range(30)), encoding="utf-8")
    return book, people


def test_the_rejected_rows_file_is_readable_by_its_owner_only(files, tmp_path):
    book, people = files
    rejected = tmp_path / "rejected.csv"
    old_mask = os.umask(0o022)
    try:
        done = subprocess.run([sys.executable, "-m", "crmdesk", "import", str(people), "--db",
                               str(book), "--country", "GB", "--rejected", str(rejected)],
                              capture_output=True, text=True, env=_env())
    finally:
        os.umask(old_mask)
    assert done.returncode == 0, done.stderr
    assert "rejected rows saved to" in done.stdout
    assert rejected.stat().st_mode & 0o777 == 0o600
    assert "not-an-address-29" in rejected.read_text(encoding="utf-8-sig")


def test_a_reader_that_went_away_ends_the_command_quietly(files):
    book, people = files
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` that has all it wanted: every write now fails
    try:
        done = subprocess.run([sys.executable, "-m", "crmdesk", "import", str(people), "--db",
                               str(book), "--country", "GB"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env=_env())
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 0
    with open_database(book).db as db:
        assert db.execute_sql("SELECT COUNT(*) FROM customer").fetchone()[0] == 1
