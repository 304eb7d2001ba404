"""`crmdesk duplicates` and `crmdesk merge` end to end through main()."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from crmdesk.cli import main
from crmdesk.core.customers import CustomerBook
from crmdesk.core.model import CustomerInput
from crmdesk.store.db import open_database


@pytest.fixture
def shop(db_path, clock):
    from crmdesk.core.sales import SaleInput, Sales

    opened = open_database(db_path)
    book = CustomerBook(opened.db, now=clock, default_country=lambda: "GB")
    ids = {
        "anna": book.create(CustomerInput(first_name="Anna", last_name="Schmidt",
                                          phone="020 7946 0123", tags=["vip"])),
        "annie": book.create(CustomerInput(first_name="Annie", last_name="S",
                                           phone="+44 20 7946 0123", email="annie@example.com",
                                           tags=["shoes"], do_not_contact=True)),
        "dora": book.create(CustomerInput(first_name="Dora", last_name="Lee", city="Leeds")),
        "dora2": book.create(CustomerInput(first_name="Dora", last_name="Lee", city="York")),
        "carl": book.create(CustomerInput(first_name="Carl", last_name="Jones")),
    }
    sales = Sales(opened.db, now=clock)
    for day, total in ((dt.date(2026, 2, 1), 3000), (dt.date(2026, 3, 1), 7000)):
        sales.record(SaleInput(ids["annie"], day, total))
    book.log_interaction(ids["annie"], "call", "Asked about boots")
    opened.db.close()
    return db_path, ids


def read(db_path, sql, params=()):
    opened = open_database(db_path)
    try:
        return opened.db.execute_sql(sql, params).fetchall()
    finally:
        opened.db.close()


def test_duplicates_json_and_text(shop, capsys):
    path, ids = shop
    assert main(["duplicates", "--json", "--db", str(path)]) == 0
    groups = json.loads(capsys.readouterr().out)
    assert groups == [
        {"ids": [ids["anna"], ids["annie"]], "names": ["Anna Schmidt", "Annie S"],
         "reason": "same phone number", "reasons": ["same phone number"], "score": 60},
        {"ids": [ids["dora"], ids["dora2"]], "names": ["Dora Lee", "Dora Lee"],
         "reason": "same name", "reasons": ["same name"], "score": 35}]
    assert main(["duplicates", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 possible duplicates")
    assert f"#{ids['anna']} Anna Schmidt  and  #{ids['annie']} Annie S" in out
    assert "same phone number (score 60)" in out
    assert main(["duplicates", "--json", "--limit", "1", "--db", str(path)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_merge_moves_everything_says_what_and_undoes(shop, capsys):
    path, ids = shop
    keep, other = ids["anna"], ids["annie"]
    assert main(["merge", str(keep), f"#{other}", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert (f"moved 2 purchases, 1 conversation from #{other} (Annie S) to #{keep} "
            f"(Anna Schmidt)") in out
    assert "tags added: shoes" in out
    assert f"filled in from #{other}: do not contact, email" in out
    assert f"#{keep}'s own kept (#{other}'s stay with #{other} in Trash): first name, " \
           "last name" in out
    assert "undo with: crmdesk merge --undo" in out
    assert read(path, "SELECT purchases, total_minor FROM customer_sales WHERE customer_id = ?",
                (keep,)) == [(2, 10000)]
    assert read(path, "SELECT email, do_not_contact FROM customer WHERE id = ?", (keep,)) == \
        [("annie@example.com", 1)]
    assert read(path, "SELECT deleted_at IS NOT NULL FROM customer WHERE id = ?",
                (other,)) == [(1,)]
    assert main(["duplicates", "--json", "--db", str(path)]) == 0
    assert [g["ids"] for g in json.loads(capsys.readouterr().out)] == \
        [[ids["dora"], ids["dora2"]]]

    assert main(["merge", "--undo", "--db", str(path)]) == 0
    assert f"put back 2 purchases, 1 conversation from #{keep} to #{other}" in \
        capsys.readouterr().out
    assert read(path, "SELECT customer_id, purchases, total_minor FROM customer_sales "
                "ORDER BY customer_id") == [(other, 2, 10000)]  # as before the merge
    assert read(path, "SELECT email, do_not_contact, deleted_at FROM customer WHERE id IN "
                "(?, ?) ORDER BY id", (keep, other)) == [("", 0, None),
                                                         ("annie@example.com", 1, None)]
    assert main(["merge", "--undo", "--db", str(path)]) == 1
    assert "no merge to undo" in capsys.readouterr().err


def test_one_run_merges_several_and_undo_takes_them_all_back(shop, capsys):
    path, ids = shop
    assert main(["merge", str(ids["dora"]), str(ids["dora2"]), str(ids["carl"]),
                 "--db", str(path)]) == 0
    assert "2 customers moved to Trash" in capsys.readouterr().out
    assert read(path, "SELECT count(*) FROM customer WHERE deleted_at IS NULL") == [(3,)]
    assert main(["merge", "--undo", "--db", str(path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert read(path, "SELECT count(*) FROM customer WHERE deleted_at IS NULL") == [(5,)]


@pytest.mark.parametrize(("argv", "message"), [
    (["7"], "at least one to merge"),
    ([], "at least one to merge"),
    (["1", "x2"], "not a customer id: x2"),
    (["1", "2", "1"], "#1 is both the customer who stays"),
    (["1", "2", "2"], "named twice"),
    (["1", "999"], "no customer #999 in this book; nothing was merged"),
    (["--undo", "1"], "--undo takes no customer ids"),
])
def test_refusals_change_nothing(shop, capsys, argv, message):
    path, _ids = shop
    before = read(path, "SELECT id, deleted_at, updated_at FROM customer ORDER BY id")
    assert main(["merge", *argv, "--db", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert read(path, "SELECT id, deleted_at, updated_at FROM customer ORDER BY id") == before


def test_a_customer_in_trash_is_refused_and_nothing_merges(shop, capsys):
    path, ids = shop
    opened = open_database(path)
    opened.db.execute_sql("UPDATE customer SET deleted_at = '2026-03-01 10:00:00' WHERE id = ?",
                          (ids["carl"],))
    opened.db.close()
    assert main(["merge", str(ids["anna"]), str(ids["annie"]), str(ids["carl"]),
                 "--db", str(path)]) == 2
    assert "in Trash" in capsys.readouterr().err
    assert read(path, "SELECT customer_id FROM purchase") == [(ids["annie"],), (ids["annie"],)]
