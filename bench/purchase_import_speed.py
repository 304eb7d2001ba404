"""Purchase-history import speed (goal: 100,000 till rows against 100,000 customers well under a
minute). Not part of the test suite, which never asserts times; run it as a script:

    .venv/bin/python -m bench.purchase_import_speed [ROWS] [--customers N] [--book PATH]

It makes a book with core/demo.generate in a temporary folder (or copies `--book`, such as a
`crmdesk demo --customers 100000 --db X` file, leaving the original untouched), writes a till
export from its customers (semicolons, comma decimals, receipts of one to three rows naming the
customer by a phone written nationally, an e-mail in capitals or a name, whichever is theirs
alone; 2% walk-ins nobody has and 1% of amounts unreadable), then times reading, the check, the
import, the check of the same file again (everything already imported) and undo.

Measured 2026-11-23 on the shared 2-core build machine (load average 5-6 from other work, so
absolute times are about 2-3x a quiet PC's), against a `crmdesk demo --customers 100000` book
already holding 1,031,034 purchases, 100,000 rows (94,000 matched, 53,831 sales, 93,931 items):
read 0.9 s, check 7.1 s, write 6.0 s, total 14.0 s; the same file again 4.1 s (all 53,831
found already imported); undo 1.2 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path

from crmdesk.core import demo, phones, purchase_import
from crmdesk.formats import import_file
from crmdesk.formats import purchase_import as sales_format

PRODUCTS = (("Espresso", "Drinks", "2,20"), ("Croissant", "Bakery", "1,80"),
            ("Sourdough loaf", "Bakery", "5,50"), ("Cheesecake", "Cakes", "4,20"),
            ("Gift card", "Gifts", "25,00"), ("Tea", "Drinks", "2,60"))


def write_till_csv(db_file: Path, path: Path, rows: int, seed: int = 7) -> int:
    """A till export of `rows` rows from the book's customers; returns the receipts written.
    Each receipt names its customer the way a till would know them: by a phone, e-mail or name
    that is theirs alone (demo books share many phones and names, as families and common names
    do: customers with nothing of their own are not picked), and 2% are walk-ins."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db_file)
    people = conn.execute("SELECT first_name, last_name, phone, email, sort_name FROM customer "
                          "WHERE deleted_at IS NULL ORDER BY id").fetchall()
    conn.close()
    phone_count = Counter(p[2] for p in people if p[2])
    email_count = Counter(p[3].casefold() for p in people if p[3])
    name_count = Counter(p[4] for p in people)
    known = [p for p in people if (p[2] and phone_count[p[2]] == 1) or name_count[p[4]] == 1
             or (p[3] and email_count[p[3].casefold()] == 1)]
    lines = ["Date;Receipt No;Customer;Phone;Email;Item;Category;Qty;Amount"]
    receipt = 0
    while len(lines) <= rows:
        receipt += 1
        first, last, phone, email, sort_name = known[rng.randrange(len(known))]
        day = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.choice((2024, 2025))}"
        own = []
        if phone and phone_count[phone] == 1:
            own.append(("", phones.display(phone, "GB"), ""))
        if email and email_count[email.casefold()] == 1:
            own.append(("", "", email.upper()))
        if name_count[sort_name] == 1:
            own.append((f"{first} {last}".strip(), "", ""))
        who = own[receipt % len(own)] if own and rng.random() > 0.02 else \
            (f"Walk-in {receipt}", "", "")
        for _ in range(min(rng.choice((1, 1, 2, 3)), rows + 1 - len(lines))):
            item, category, price = rng.choice(PRODUCTS)
            amount = price if rng.random() > 0.01 else "n/a"
            lines.append(";".join((day, str(receipt), *who, item, category, "1", amount)))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252", errors="replace")
    return receipt


def measure(rows: int, customers: int, folder: Path, book: Path | None = None) -> dict:
    from crmdesk.store.db import open_database

    db_file = folder / "speed.db"
    figures: dict[str, float | int] = {}
    if book is not None:
        shutil.copyfile(book, db_file)
        opened = open_database(db_file)
    else:
        opened = open_database(db_file)
        start = time.perf_counter()
        demo.generate(opened.db, customers, seed=1)
        figures["demo book"] = time.perf_counter() - start
    db = opened.db
    try:
        figures["customers"] = db.execute_sql(
            "SELECT count(*) FROM customer WHERE deleted_at IS NULL").fetchone()[0]
        figures["purchases before"] = db.execute_sql("SELECT count(*) FROM purchase").fetchone()[0]
        path = folder / "till.csv"
        write_till_csv(db_file, path, rows)
        start = time.perf_counter()
        table = import_file.read_file(path)
        figures["read"] = time.perf_counter() - start
        mapping = sales_format.build_mapping(table.headers)
        start = time.perf_counter()
        plan = purchase_import.plan(table, mapping, db, "GB", "EUR")
        figures["check"] = time.perf_counter() - start
        start = time.perf_counter()
        result = purchase_import.apply(plan, db)
        figures["write"] = time.perf_counter() - start
        figures["total"] = figures["read"] + figures["check"] + figures["write"]
        figures["rows"] = len(table.rows)
        figures["matched rows"] = len(plan.matched)
        figures["unmatched rows"] = len(plan.unmatched)
        figures["rejected rows"] = len(plan.rejected)
        figures["purchases written"] = len(result.purchase_ids)
        figures["items written"] = result.items
        start = time.perf_counter()
        again = purchase_import.plan(table, mapping, db, "GB", "EUR")
        figures["check again"] = time.perf_counter() - start
        figures["already imported"] = again.duplicate_purchases
        start = time.perf_counter()
        purchase_import.undo(db, result.batch, result.new_category_ids, result.new_product_ids)
        figures["undo"] = time.perf_counter() - start
        return figures
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--book", type=Path, default=None,
                        help="an existing book to copy instead of making one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(args.rows, args.customers, Path(folder), args.book)
    for key, value in figures.items():
        shown = f"{value:.2f} s" if isinstance(value, float) else f"{value:,}"
        print(f"{key:>18}: {shown}")


if __name__ == "__main__":
    main()
