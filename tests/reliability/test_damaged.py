"""Damaged books: pages overwritten with (seeded) random bytes at several offsets, and the file
header itself. Every command on such a book exits 2 with a message and no traceback, and leaves
the file byte for byte as it was (no repair attempted behind the user's back, nothing written).

Only damage SQLite can tell is taken (a page overwritten where the quick check still passes, an
unused page, is drawn again): the book must notice what can be noticed.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from reliability_helpers import (
    crmdesk,
    demo_book,
    no_traceback,
    report,
    rounds,
    sha256,
    write_customers_csv,
)

pytestmark = pytest.mark.reliability

DAMAGES = rounds(3, 12)


def quick_check(path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()


def damage(book, rng, where: str) -> str:
    """Overwrite part of `book`; returns what was done, for the report."""
    data = bytearray(book.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    pages = len(data) // page
    if where == "header":
        data[0:100] = rng.randbytes(100)
        done = "the 100-byte file header"
    elif where == "schema":
        data[100:page] = rng.randbytes(page - 100)
        done = "page 1 after the header (the schema)"
    else:
        first = {"start": 2, "middle": pages // 2, "end": pages - 1}.get(where)
        number = first if first is not None else rng.randrange(2, pages + 1)
        data[(number - 1) * page:number * page] = rng.randbytes(page)
        done = f"page {number} of {pages}"
    book.write_bytes(bytes(data))
    return done


def commands(tmp_path):
    csv = write_customers_csv(tmp_path / "new.csv", 20, "Damaged")
    found = [["reminders", "--today", "2026-06-01", "--days", "30"], ["report"],
             ["import", csv], ["demo", "--customers", "5"],
             ["backup", "--out", tmp_path / "backup-of-damaged.db"]]
    return found if rounds(0, 1) else found[::2]


def test_damaged_books(tmp_path, rng):
    source = demo_book(tmp_path / "source.db", 300)
    places = ["header", "schema", "middle"] + (
        ["start", "end"] + ["random"] * (DAMAGES - 5) if DAMAGES > 3 else [])
    tried = survived = 0
    problems = []
    for n, where in enumerate(places):
        book = tmp_path / f"damaged{n}.db"
        for _attempt in range(20):
            shutil.copy(source, book)
            done = damage(book, rng, where)
            if quick_check(book) != "ok":
                break
        else:
            pytest.fail(f"no damage SQLite can see at {where} in 20 tries")
        digest = sha256(book)
        for command in commands(tmp_path):
            result = crmdesk(command[0], "--db", book, *command[1:])
            tried += 1
            ok = (result.returncode == 2 and result.stderr.strip() != ""
                  and no_traceback(result) and sha256(book) == digest)
            survived += ok
            if not ok:
                problems.append((done, command[0], result.returncode,
                                 result.stderr[-400:], sha256(book) == digest))
    report(f"damaged books: tried {tried} commands on {len(places)} damaged books, "
           f"survived {survived}")
    assert not problems, problems
