"""`crmdesk import FILE --kind purchases`: summary, exit codes, dry run, rows saved to fix."""

from __future__ import annotations

import csv

import pytest
from unit_helpers import FIXTURES

from crmdesk import cli
from crmdesk.core.customers import CustomerBook
from crmdesk.core.model import CustomerInput
from crmdesk.store.db import open_database

TILL = FIXTURES / "purchases" / "till_semicolon_cp1252.csv"


@pytest.fixture
def book_path(db_path, clock):
    opened = open_database(db_path)
    book = CustomerBook(opened.db, now=clock, default_country=lambda: "GB")
    book.create(CustomerInput(first_name="Zoë", last_name="Müller", phone="020 7946 0111"))
    book.create(CustomerInput(first_name="Bob", last_name="Baker", email="bob@example.com"))
    for city in ("Leeds", "York"):
        book.create(CustomerInput(first_name="Anna", last_name="Smith", city=city))
    opened.db.close()
    return db_path


def count(path, table: str) -> int:
    opened = open_database(path)
    try:
        return opened.db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        opened.db.close()


def run(*args) -> int:
    return cli.main(["import", *map(str, args)])


def test_summary_lists_counts_reasons_and_no_loyalty(book_path, capsys):
    assert run(TILL, "--kind", "purchases", "--db", book_path, "--country", "GB") == 0
    out = capsys.readouterr().out
    assert "7 rows read from the file" in out
    assert "imported: 1 purchase (2 rows, 2 items, 8.00)" in out
    assert "unmatched: 3 rows" in out and "rejected: 2 rows" in out
    assert "earns no loyalty points" in out
    assert "Row 6: Not matched: 2 customers are called “Anna Smith”" in out
    assert "import batch: " in out
    assert count(book_path, "purchase") == 1 and count(book_path, "purchase_item") == 2


def test_second_run_skips_what_was_imported(book_path, capsys):
    assert run(TILL, "--kind", "purchases", "--db", book_path, "--country", "GB") == 0
    capsys.readouterr()
    assert run(TILL, "--kind", "purchases", "--db", book_path, "--country", "GB") == 0
    out = capsys.readouterr().out
    assert "imported: 0 purchases" in out
    assert "already imported: 2 rows (1 purchase already in the book, skipped)" in out
    assert count(book_path, "purchase") == 1


def test_dry_run_writes_nothing_and_rejected_file_has_every_row(book_path, tmp_path, capsys):
    out_csv = tmp_path / "fix.csv"
    assert run(TILL, "--kind", "purchases", "--db", book_path, "--country", "GB", "--dry-run",
               "--rejected", out_csv) == 0
    out = capsys.readouterr().out
    assert "to import: 1 purchase" in out and "dry run: nothing written" in out
    assert "5 rows not imported saved to" in out
    assert count(book_path, "purchase") == 0 and count(book_path, "category") == 0
    with open(out_csv, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 6 and rows[0][0] == "reason"


def test_exit_codes(book_path, tmp_path, capsys):
    ambiguous = tmp_path / "dates.csv"
    ambiguous.write_text("Date,Name,Amount\n03/04/2025,Bob Baker,1\n", encoding="utf-8")
    assert run(ambiguous, "--kind", "purchases", "--db", book_path) == 1
    assert "--date-order" in capsys.readouterr().err
    assert run(ambiguous, "--kind", "purchases", "--db", book_path, "--date-order", "dmy") == 0
    no_money = tmp_path / "no-money.csv"
    no_money.write_text("Date,Name\n2025-01-01,Bob Baker\n", encoding="utf-8")
    assert run(no_money, "--kind", "purchases", "--db", book_path) == 1
    assert "amount paid" in capsys.readouterr().err
    assert run(FIXTURES / "import" / "empty.csv", "--kind", "purchases", "--db", book_path) == 1
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    assert run(TILL, "--kind", "purchases", "--db", bad) == 2
    assert count(book_path, "purchase") == 1  # only the dmy run wrote


def test_a_till_export_is_not_taken_for_customers_without_asking(book_path, capsys):
    assert run(TILL, "--db", book_path) == 1
    err = capsys.readouterr().err
    assert "--kind purchases" in err and "Nothing was changed" in err
    assert count(book_path, "customer") == 4
    # Asked for as customers, it goes to the customer import (which finds no name column).
    assert run(TILL, "--db", book_path, "--kind", "customers") == 1
    assert "None of the columns holds names" in capsys.readouterr().err


def test_undo_by_batch_and_usage_errors(book_path, capsys):
    assert run(TILL, "--kind", "purchases", "--db", book_path, "--country", "GB") == 0
    out = capsys.readouterr().out
    batch = out.split("import batch: ")[1].split()[0]
    assert f"crmdesk import --undo {batch}" in out
    assert run("--undo", batch, "--db", book_path) == 0
    assert "1 imported sale removed" in capsys.readouterr().out
    assert count(book_path, "purchase") == 0 and count(book_path, "purchase_item") == 0
    assert run("--undo", batch, "--db", book_path) == 1
    assert "Nothing was changed" in capsys.readouterr().err
    assert cli.main(["import", "--db", str(book_path)]) == 2
    assert "FILE" in capsys.readouterr().err
