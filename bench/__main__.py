"""python -m bench [--customers N]: measure the performance budget and print the table."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys

from bench import queries, reminders, sales, startup
from bench.database import RESULTS, demo_database
from bench.report import Row, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000, metavar="N",
                        help="customers in the measured book (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="demo seed (default 1)")
    parser.add_argument("--runs", type=int, default=5, metavar="R",
                        help="start-up runs of each program (default 5)")
    parser.add_argument("--python", metavar="PATH",
                        help="interpreter (virtualenv) for the start-up children (default: this)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument("--only", default="build,startup,search,model,card,reminders,sales",
                        help="comma-separated parts to run (default: all)")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))

    db_path, build_seconds = demo_database(args.customers, args.seed, args.rebuild)
    rows: list[Row] = []
    if "build" in parts:
        if build_seconds is None:
            rows.append(Row(f"crmdesk demo --customers {args.customers}", unit="s",
                            note=f"cached: {db_path.name} (--rebuild to time it)"))
        else:
            rows.append(Row(f"crmdesk demo --customers {args.customers}", build_seconds,
                            unit="s", goal_value=90 * args.customers / 100_000,
                            note="with ~10 sales each; goal scaled from 90 s for 100,000"))
    if "startup" in parts:
        rows.extend(startup.measure(db_path, args.runs, args.python))
    db = queries.open_book(db_path)
    try:
        if "search" in parts:
            rows.extend(queries.search_rows(db))
        if "model" in parts:
            rows.extend(queries.model_rows(db))
        if "card" in parts:
            rows.extend(queries.card_rows(db))
        if "reminders" in parts:
            rows.extend(reminders.reminder_rows(db_path))
        if "sales" in parts:
            rows.extend(sales.sales_rows(db_path))
        counts = {table: db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("customer", "important_date", "interaction", "purchase",
                                "purchase_item")}
    finally:
        db.close()

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"crmdesk bench, {dt.datetime.now():%Y-%m-%d %H:%M}, {machine}")
    print("book: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    print()
    print(render(rows))
    report = {"when": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine,
              "customers": args.customers, "counts": counts,
              "rows": [row.as_dict() for row in rows]}
    (RESULTS / f"last-{args.customers}.json").write_text(json.dumps(report, indent=2))
    return 1 if any(row.result.startswith("FAIL") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
