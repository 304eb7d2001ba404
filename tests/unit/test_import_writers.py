"""Several crmdesk programs writing to one book at once: each waits its turn, and the duplicate
check is taken again inside the transaction that writes (real processes, synchronised by files
and by what they print, never by sleeping)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crmdesk.core import importing, write_turn
from crmdesk.formats import import_file, import_mapping
from crmdesk.store.db import open_database

# Runs `crmdesk import`, stopping after the check (before writing) until the test says go:
# it creates <sync>/planned-<tag> and waits for <sync>/go.
_PAUSED_IMPORT = """
import sys, time
from pathlib import Path
from crmdesk import cli
from crmdesk.core import importing, purchase_import

sync, tag = Path(sys.argv[1]), sys.argv[2]
module = purchase_import if "purchases" in sys.argv else importing
real_apply = module.apply

def paused_apply(*args, **kwargs):
    (sync / f"planned-{tag}").touch()
    give_up = time.monotonic() + 120
    while not (sync / "go").exists():
        if time.monotonic() > give_up:
            raise SystemExit("never told to go")
        time.sleep(0.01)  # sleep-ok: poll interval of a wait on a file, with a deadline
    return real_apply(*args, **kwargs)

module.apply = paused_apply
raise SystemExit(cli.main(sys.argv[3:]))
"""


def _people(path: Path, count: int, first: int = 0) -> Path:
    lines = ["First name,Last name,Mobile,E-mail"]
    lines += [f"Person{i},Family{i},07400 {100000 + i},p{i}@example.com"
              for i in range(first, first + count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _env() -> dict:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _count(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM customer WHERE deleted_at IS NULL").fetchone()[0]


def _wait_for(paths: list[Path], processes: list[subprocess.Popen]) -> None:
    give_up = time.monotonic() + 120
    while not all(p.exists() for p in paths):
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"an import ended before its check was done: "
                            f"{process.communicate()}")
        assert time.monotonic() < give_up, "the imports never finished their check"
        time.sleep(0.01)  # sleep-ok: poll interval of a wait on files, with a deadline


@pytest.fixture
def book_path(tmp_path):
    path = tmp_path / "book.db"
    open_database(path).db.close()
    return path


def test_the_same_file_imported_twice_at_once_adds_its_people_once(tmp_path, book_path):
    people = _people(tmp_path / "people.csv", 300)
    sync = tmp_path / "sync"
    sync.mkdir()
    processes = [subprocess.Popen(
        [sys.executable, "-c", _PAUSED_IMPORT, str(sync), tag, "import", str(people),
         "--db", str(book_path), "--country", "GB"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        for tag in ("a", "b")]
    # Both have checked the file against the empty book before either writes.
    _wait_for([sync / "planned-a", sync / "planned-b"], processes)
    (sync / "go").touch()
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert _count(book_path) == 300
    summaries = sorted(out for out, _err in outputs)
    assert "imported: 0" in summaries[0] and "skipped:  300" in summaries[0]
    assert "imported: 300" in summaries[1]
    assert "Traceback" not in "".join(err for _out, err in outputs)


def test_the_same_sales_imported_twice_at_once_are_written_once(tmp_path, book_path):
    from crmdesk.core.customers import CustomerBook
    from crmdesk.core.model import CustomerInput

    opened = open_database(book_path)
    book = CustomerBook(opened.db, default_country=lambda: "GB")
    for i in range(20):
        book.create(CustomerInput(first_name=f"Person{i}", last_name="Family",
                                  phone=f"07400 {100000 + i}"))
    opened.db.close()
    sales = tmp_path / "till.csv"
    sales.write_text("Date,Phone,Product,Amount\n" + "".join(
        f"2026-02-{1 + i % 20:02d},07400 {100000 + i % 20},Coffee,3.50\n" for i in range(60)),
        encoding="utf-8")
    sync = tmp_path / "sync"
    sync.mkdir()
    processes = [subprocess.Popen(
        [sys.executable, "-c", _PAUSED_IMPORT, str(sync), tag, "import", str(sales),
         "--kind", "purchases", "--db", str(book_path), "--country", "GB"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        for tag in ("a", "b")]
    _wait_for([sync / "planned-a", sync / "planned-b"], processes)
    (sync / "go").touch()
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    with sqlite3.connect(book_path) as conn:
        # Three coffees a customer on one day: three sales, once each (not six).
        assert conn.execute("SELECT COUNT(*) FROM purchase").fetchone()[0] == 60
    assert sorted("imported: 0 purchases" in out for out, _err in outputs) == [False, True]


def test_three_imports_wait_for_a_writer_and_all_succeed(tmp_path, book_path):
    files = [_people(tmp_path / f"list{n}.csv", 200, first=n * 1000) for n in range(3)]
    holder = sqlite3.connect(book_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another crmdesk is writing
    processes = [subprocess.Popen(
        [sys.executable, "-m", "crmdesk", "import", str(f), "--db", str(book_path),
         "--country", "GB"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        for f in files]
    try:
        for process in processes:  # each says it waits (and does not fail)
            said = []
            for line in process.stderr:
                said.append(line)
                if "waiting for another crmdesk to finish" in line:
                    break
            assert said and "waiting for another crmdesk to finish" in said[-1], said
    finally:
        holder.execute("COMMIT")
        holder.close()
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    assert all("imported: 200" in out for out, _err in outputs)
    assert _count(book_path) == 600


def test_a_short_wait_gives_up_plainly_and_writes_nothing(tmp_path, book_path, clock):
    people = _people(tmp_path / "people.csv", 5)
    opened = open_database(book_path)
    table = import_file.read_file(people)
    plan = importing.plan(table, import_mapping.build_mapping(table.headers), opened.db, "GB",
                          today=clock.today())
    holder = sqlite3.connect(book_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    told = []
    try:
        with pytest.raises(write_turn.BookBusy, match="another crmdesk is writing"):
            importing.apply(plan, opened.db, now=clock, patience=0, waiting=lambda: told.append(1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert told == [1]
    assert _count(book_path) == 0
    # Its turn comes once the other writer is done; the busy wait it had is back as it was.
    assert opened.db.connection().execute("PRAGMA busy_timeout").fetchone()[0] == 3000
    assert len(importing.apply(plan, opened.db, now=clock, patience=0).created_ids) == 5
    opened.db.close()


def test_a_row_added_meanwhile_is_merged_not_doubled(tmp_path, db, book, clock):
    people = _people(tmp_path / "people.csv", 3)
    table = import_file.read_file(people)
    plan = importing.plan(table, import_mapping.build_mapping(table.headers), db, "GB",
                          on_duplicate="merge", today=clock.today())
    assert len(plan.to_create) == 3
    # Meanwhile, someone types in Person1 with the same mobile.
    from crmdesk.core.model import CustomerInput
    cid = book.create(CustomerInput(first_name="P.", last_name="One", phone="07400 100001"))
    result = importing.apply(plan, db, now=clock)
    assert len(result.created_ids) == 2
    assert [m[0] for m in result.merged] == [cid]
    assert book.load_input(cid).email == "p1@example.com"


def test_a_writer_in_a_thread_waits_instead_of_failing(tmp_path, book_path, clock):
    """The lock is released by another connection while the import waits for it."""
    people = _people(tmp_path / "people.csv", 4)
    opened = open_database(book_path)
    table = import_file.read_file(people)
    plan = importing.plan(table, import_mapping.build_mapping(table.headers), opened.db, "GB",
                          today=clock.today())
    holder = sqlite3.connect(book_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    waiting = threading.Event()

    def release() -> None:
        waiting.wait(120)
        holder.execute("COMMIT")

    releaser = threading.Thread(target=release)
    releaser.start()
    try:
        result = importing.apply(plan, opened.db, now=clock, patience=120, waiting=waiting.set)
    finally:
        releaser.join()
        holder.close()
    assert waiting.is_set()
    assert len(result.created_ids) == 4
    opened.db.close()
