"""Import speed (goal: 100,000 CSV rows in under 10 s). Not part of the test suite, which
never asserts times; run it as a script:

    .venv/bin/python -m bench.import_speed 100000
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from crmdesk.core import importing
from crmdesk.formats import import_file, import_mapping

FIRST = ("Anna", "Ben", "Chloé", "Dev", "Emil", "Fatima", "Göran", "Hana", "Ines", "Jonas")
LAST = ("Berg", "Cole", "Dubois", "Ek", "Fischer", "Grant", "Hughes", "Ito", "Jansen", "Kaur")


def write_csv(path: Path, rows: int) -> None:
    lines = ["First Name,Last Name,Mobile Phone,E-mail,City,Birthday,Tags"]
    for i in range(rows):
        first, last = FIRST[i % 10], LAST[(i // 10) % 10]
        # Fictional ranges phonenumbers accepts: 21,000 different numbers, as distinct as a
        # real list gets (numbers repeat only past that).
        phone = (f"+44 20 7946 {i % 1000:04d}", f"+33 1 99 00 {i % 10000:04d}",
                 f"+61 2 5550 {i % 10000:04d}")[i % 3]
        lines.append(f"{first},{last} {i},{phone},{first.lower()}.{i}@"
                     f"example.com,London,{1950 + i % 60}-{1 + i % 12:02d}-{1 + i % 28:02d},"
                     f"{'VIP' if i % 7 == 0 else ''}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(rows: int, folder: Path) -> dict[str, float]:
    from crmdesk.store.db import open_database

    path = folder / "big.csv"
    write_csv(path, rows)
    opened = open_database(folder / "speed.db")
    try:
        times = {}
        start = time.perf_counter()
        table = import_file.read_file(path)
        times["read"] = time.perf_counter() - start
        mapping = import_mapping.build_mapping(table.headers)
        start = time.perf_counter()
        plan = importing.plan(table, mapping, opened.db, "GB", on_duplicate="create")
        times["check"] = time.perf_counter() - start
        start = time.perf_counter()
        result = importing.apply(plan, opened.db)
        times["write"] = time.perf_counter() - start
        assert len(result.created_ids) == rows
        times["total"] = times["read"] + times["check"] + times["write"]
        return times
    finally:
        opened.db.close()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(count, Path(folder))
    print(f"{count} rows: " + ", ".join(f"{k} {v:.2f} s" for k, v in figures.items()))
