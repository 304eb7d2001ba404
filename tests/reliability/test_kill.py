"""kill -9 of `crmdesk import`, `backup`, `restore` and `demo` at random (seeded) moments.

After each kill the book (and the backup being written) passes PRAGMA integrity_check and holds
either what it held before or everything the command meant to write: an import is one
transaction (5,000 rows, 20,000 in the long run: before or after); a backup replaces its file only once the copy is
whole (the older backup or the new one); a restore replaces the book in one rename (the book
before or the backup); demo writes whole chunks of demo.CHUNK customers, each one transaction
(its documented unit), so its count is the one before plus whole chunks.

The kill comes after a random part (seeded) of the time one whole run took, measured first in
the same test: the perturbation, not a synchronisation; the checks hold wherever it lands.
"""

from __future__ import annotations

import shutil

import pytest
from reliability_helpers import (
    checked,
    demo_book,
    report,
    rounds,
    run_killed,
    timed,
    write_customers_csv,
)

pytestmark = pytest.mark.reliability

KILLS = rounds(3, 25)
ROWS = rounds(5000, 20000)  # the import
BIG = rounds(2000, 5000)  # the book backed up and restored


def test_kill_import(tmp_path, rng):
    book = demo_book(tmp_path / "book.db")
    csv = write_customers_csv(tmp_path / "new.csv", ROWS, "Killed")
    before = checked(book)[1]
    trial = tmp_path / "trial.db"
    shutil.copy(book, trial)
    result, duration = timed(["import", "--db", trial, csv])
    assert result.returncode == 0, result.stderr
    after = checked(trial)[1]
    assert after == before + ROWS
    tried = survived = mid = 0
    bad = []
    for _ in range(KILLS):
        shutil.copy(book, trial)
        mid += run_killed(["import", "--db", trial, csv], rng, duration)
        verdict, count = checked(trial)
        tried += 1
        if verdict == "ok" and count in (before, after):
            survived += 1
        else:
            bad.append((verdict, count))
        for extra in ("-wal", "-shm", "-journal"):
            (tmp_path / f"trial.db{extra}").unlink(missing_ok=True)
    report(f"kill -9 import: tried {tried}, survived {survived} ({mid} killed mid-run; "
           f"a whole run {duration:.1f} s)")
    assert not bad, f"{before} or {after} customers and 'ok' wanted, found {bad}"


def test_kill_backup(tmp_path, rng):
    book = demo_book(tmp_path / "book.db", BIG)
    old = demo_book(tmp_path / "old.db", 300)  # an older, smaller backup already there
    out = tmp_path / "out.db"
    shutil.copy(old, out)
    result, duration = timed(["backup", "--db", book, "--out", out])
    assert result.returncode == 0, result.stderr
    tried = survived = mid = 0
    bad = []
    for _ in range(KILLS):
        shutil.copy(old, out)
        mid += run_killed(["backup", "--db", book, "--out", out], rng, duration)
        tried += 1
        got = [checked(book), checked(out)]
        if got[0] == ("ok", BIG) and got[1] in (("ok", 300), ("ok", BIG)):
            survived += 1
        else:
            bad.append(got)
    report(f"kill -9 backup: tried {tried}, survived {survived} ({mid} killed mid-run; "
           f"a whole run {duration:.1f} s)")
    assert not bad, f"the book whole and the backup old or new wanted, found {bad}"


def test_kill_restore(tmp_path, rng):
    backup = demo_book(tmp_path / "backup.db", BIG)
    book = tmp_path / "book.db"
    demo_book(book, 300)
    result, duration = timed(["restore", "--db", book, "--yes", backup])
    assert result.returncode == 0, result.stderr
    assert checked(book) == ("ok", BIG)
    tried = survived = mid = 0
    bad = []
    for _ in range(KILLS):
        for leftover in tmp_path.glob("book*"):
            leftover.unlink()
        demo_book(book, 300)
        mid += run_killed(["restore", "--db", book, "--yes", backup], rng, duration)
        tried += 1
        got = [checked(book), checked(backup)]
        if got[0] in (("ok", 300), ("ok", BIG)) and got[1] == ("ok", BIG):
            survived += 1
        else:
            bad.append(got)
    report(f"kill -9 restore: tried {tried}, survived {survived} ({mid} killed mid-run; "
           f"a whole run {duration:.1f} s)")
    assert not bad, f"the book before or the backup wanted, found {bad}"


def test_kill_demo(tmp_path, rng):
    from crmdesk.core.demo import CHUNK

    book = demo_book(tmp_path / "book.db", 300)
    adding = CHUNK + CHUNK // 2
    trial = tmp_path / "trial.db"
    shutil.copy(book, trial)
    result, duration = timed(["demo", "--customers", adding, "--db", trial])
    assert result.returncode == 0, result.stderr
    assert checked(trial) == ("ok", 300 + adding)
    tried = survived = mid = 0
    bad = []
    for _ in range(KILLS):
        for leftover in tmp_path.glob("trial.db*"):
            leftover.unlink()
        shutil.copy(book, trial)
        mid += run_killed(["demo", "--customers", adding, "--db", trial], rng, duration)
        tried += 1
        verdict, count = checked(trial)
        added = count - 300
        if verdict == "ok" and (added == adding or (added >= 0 and added % CHUNK == 0)):
            survived += 1
        else:
            bad.append((verdict, count))
    report(f"kill -9 demo: tried {tried}, survived {survived} ({mid} killed mid-run; "
           f"a whole run {duration:.1f} s)")
    assert not bad, f"whole chunks of {CHUNK} wanted, found {bad}"
