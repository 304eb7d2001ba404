"""Import speed (goal: 100,000 CSV rows in under 10 s). Not part of the test suite, which
never asserts times; run it as a script:

    .venv/bin/python -m bench.import_speed 100000              # one run
    .venv/bin/python -m bench.import_speed 100000 --runs 5     # best and worst of 5 runs
    .venv/bin/python -m bench.import_speed 100000 --distinct   # every phone number different

Each phase (read the file, check = `importing.plan`, write = `importing.apply` with the search
index) is timed by the wall clock and by this process's CPU time: on a shared machine the wall
clock also counts the time other programs held the cores, the CPU time does not. Each run writes
a fresh file and imports it into a new, empty customer book.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from crmdesk.core import importing
from crmdesk.formats import import_file, import_mapping

FIRST = ("Anna", "Ben", "Chloé", "Dev", "Emil", "Fatima", "Göran", "Hana", "Ines", "Jonas")
LAST = ("Berg", "Cole", "Dubois", "Ek", "Fischer", "Grant", "Hughes", "Ito", "Jansen", "Kaur")
PHASES = ("read", "check", "write")


def phone_for(i: int, distinct: bool) -> str:
    if distinct:
        # UK mobile numbers (07400 000000 to 07409 999999), all valid and all different.
        return f"074{i // 1_000_000 % 10:02d} {i % 1_000_000:06d}"
    # Fictional ranges phonenumbers accepts: 21,000 different numbers, so numbers repeat after
    # that (as they do when several customers share a shop's or a family's landline).
    return (f"+44 20 7946 {i % 1000:04d}", f"+33 1 99 00 {i % 10000:04d}",
            f"+61 2 5550 {i % 10000:04d}")[i % 3]


def write_csv(path: Path, rows: int, distinct: bool = False) -> None:
    lines = ["First Name,Last Name,Mobile Phone,E-mail,City,Birthday,Tags"]
    for i in range(rows):
        first, last = FIRST[i % 10], LAST[(i // 10) % 10]
        lines.append(f"{first},{last} {i},{phone_for(i, distinct)},{first.lower()}.{i}@"
                     f"example.com,London,{1950 + i % 60}-{1 + i % 12:02d}-{1 + i % 28:02d},"
                     f"{'VIP' if i % 7 == 0 else ''}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(rows: int, folder: Path, distinct: bool = False) -> dict[str, tuple[float, float]]:
    """{phase: (wall seconds, CPU seconds)} for one import of `rows` rows into a new book."""
    from crmdesk.store.db import open_database

    path = folder / "big.csv"
    write_csv(path, rows, distinct)
    book = folder / "speed.db"
    for leftover in folder.glob("speed.db*"):
        leftover.unlink()
    opened = open_database(book)
    try:
        times = {}
        clocks = (time.perf_counter(), time.process_time())
        table = import_file.read_file(path)
        clocks = _lap(times, "read", clocks)
        mapping = import_mapping.build_mapping(table.headers)
        plan = importing.plan(table, mapping, opened.db, "GB", on_duplicate="create")
        clocks = _lap(times, "check", clocks)
        result = importing.apply(plan, opened.db)
        _lap(times, "write", clocks)
        assert len(result.created_ids) == rows
        times["total"] = tuple(sum(times[p][k] for p in PHASES) for k in (0, 1))
        return times
    finally:
        opened.db.close()


def _lap(times: dict, phase: str, clocks: tuple[float, float]) -> tuple[float, float]:
    now = (time.perf_counter(), time.process_time())
    times[phase] = (now[0] - clocks[0], now[1] - clocks[1])
    return now


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--distinct", action="store_true",
                        help="give every row a different phone number")
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for number in range(1, args.runs + 1):
            figures = measure(args.rows, Path(folder), args.distinct)
            runs.append(figures)
            print(f"run {number}: {args.rows} rows: " + ", ".join(
                f"{k} {wall:.2f} s (cpu {cpu:.2f})" for k, (wall, cpu) in figures.items()),
                flush=True)
    if len(runs) > 1:
        for phase in (*PHASES, "total"):
            walls = [r[phase][0] for r in runs]
            cpus = [r[phase][1] for r in runs]
            print(f"{phase:>5}: wall {min(walls):.2f}-{max(walls):.2f} s, "
                  f"cpu {min(cpus):.2f}-{max(cpus):.2f} s")


if __name__ == "__main__":
    main()
