"""Several writers at once on one book: three `crmdesk` processes started together.

Wanted: all three succeed (none fails because another holds the book: they wait their turn),
every row is written once, and nobody is written twice, also when all three import the same
file (the duplicate check of one sees what another committed).
"""

from __future__ import annotations

import subprocess

import pytest
from reliability_helpers import checked, demo_book, popen, report, rounds, write_customers_csv

pytestmark = pytest.mark.reliability

ROUNDS = rounds(1, 5)
ROWS = 1500


def run_together(commands: list[list]) -> list[tuple[int, str]]:
    procs = [popen(*command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for command in commands]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        results.append((proc.returncode, err))
    return results


def duplicates(book) -> int:
    from reliability_helpers import connect

    con = connect(book)
    try:
        return con.execute(
            "SELECT count(*) - count(DISTINCT lower(email)) FROM customer "
            "WHERE email LIKE 'kim%@example.org'").fetchone()[0]
    finally:
        con.close()


# "import, demo, import" was the gap this suite found: demo wrote its customers, then its last
# step (the dashboard's kept figures) met an import's lock and it exited 2 "in use" though it
# had not failed. demo now takes its turn like an import (core/demo.generate's patience).


@pytest.mark.parametrize("files", [
    "three files", "one file three times",
    "import, demo, import"])
def test_three_writers(tmp_path, files):
    source = demo_book(tmp_path / "source.db", 300)
    csvs = [write_customers_csv(tmp_path / f"w{n}.csv", ROWS, f"Writer{n}", n * 10000)
            for n in range(3)]
    tried = survived = 0
    problems = []
    # The mixed case depends on when demo's last step runs: three rounds at least.
    for round_ in range(max(ROUNDS, 3) if "demo" in files else ROUNDS):
        book = tmp_path / f"book{round_}.db"
        book.write_bytes(source.read_bytes())
        if files == "three files":
            commands = [["import", "--db", book, csv] for csv in csvs]
            wanted = 300 + 3 * ROWS
        elif files == "one file three times":
            commands = [["import", "--db", book, csvs[0]] for _ in range(3)]
            wanted = 300 + ROWS
        else:
            commands = [["import", "--db", book, csvs[0]],
                        ["demo", "--customers", "500", "--seed", str(round_ + 7), "--db", book],
                        ["import", "--db", book, csvs[1]]]
            wanted = 300 + 2 * ROWS + 500
        results = run_together(commands)
        verdict = checked(book)
        twice = duplicates(book)
        tried += 1
        ok = all(code == 0 for code, _ in results) and verdict == ("ok", wanted) and twice == 0
        survived += ok
        if not ok:
            problems.append(([(code, err[-300:]) for code, err in results], verdict,
                             f"wanted {wanted}", f"{twice} written twice"))
    report(f"three writers ({files}): tried {tried}, survived {survived}")
    assert not problems, problems
