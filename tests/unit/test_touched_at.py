"""customer.touched_at (schema 7): the later of the last conversation and the last purchase's
day, kept by triggers on every path that writes either, so keep-in-touch reminders count a
purchase as being in touch; old books get it filled, and a lapse already shown stays shown."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from peewee import SqliteDatabase
from unit_helpers import FIXTURES

from crmdesk.core import demo, merge, purchase_import, reminders
from crmdesk.core.model import CustomerInput
from crmdesk.core.sales import SaleInput, Sales
from crmdesk.formats import import_file
from crmdesk.formats import purchase_import as sales_format
from crmdesk.store import migrations
from crmdesk.store.db import open_database
from crmdesk.store.models import Customer

# What touched_at must be, worked out from the sales and the customer row themselves (NULL
# for a customer without keep in touch: nothing reads it there).
_EXPECTED = """SELECT c.id, c.touched_at, CASE WHEN c.keep_in_touch_days IS NULL THEN NULL
    WHEN (SELECT MAX(p.purchased_on) FROM purchase p WHERE p.customer_id = c.id)
        > COALESCE(c.last_contact_at, c.created_at)
    THEN (SELECT MAX(p.purchased_on) FROM purchase p WHERE p.customer_id = c.id) || ' 00:00:00'
    ELSE c.last_contact_at END AS expected
FROM customer c"""


def wrong(db) -> list[tuple]:
    """Customers whose touched_at is not what their conversations and sales make it."""
    return db.execute_sql(f"SELECT * FROM ({_EXPECTED}) WHERE touched_at IS NOT expected"
                          ).fetchall()


def touched(db, customer_id: int):
    return db.execute_sql("SELECT touched_at FROM customer WHERE id = ?",
                          (customer_id,)).fetchone()[0]


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def touch(found):
    return [o for o in found if o.kind == "keep_in_touch"]


@pytest.fixture
def sales(db, clock):
    return Sales(db, now=clock)


# --- every path that writes a conversation or a sale ------------------------------------------


def test_conversations_and_sales_move_it_and_taking_them_back_moves_it_back(
        db, add, book, sales, clock):
    anna = add("Anna", "Berg", keep_in_touch_days=30)  # added 10 March 2026, 10:30 UTC
    assert touched(db, anna) is None
    talk = book.log_interaction(anna, "call", "Asked about cheese")
    assert touched(db, anna) == "2026-03-10 10:30:00"
    clock.current = at(2026, 4, 30, 12)  # (a sale cannot be on a day still to come)
    same_day = sales.record(SaleInput(anna, dt.date(2026, 3, 10), total_minor=100))
    assert touched(db, anna) == "2026-03-10 10:30:00"  # that day's midnight is before the call
    later = sales.record(SaleInput(anna, dt.date(2026, 3, 20), total_minor=100))
    assert touched(db, anna) == "2026-03-20 00:00:00"
    book.log_interaction(anna, "visit", "Came by", when=at(2026, 3, 25, 9))
    assert touched(db, anna) == "2026-03-25 09:00:00"
    sales.update(later, SaleInput(anna, dt.date(2026, 3, 28), total_minor=100))
    assert touched(db, anna) == "2026-03-28 00:00:00"
    removed = sales.remove(later)
    assert touched(db, anna) == "2026-03-25 09:00:00"
    sales.restore(removed)
    assert touched(db, anna) == "2026-03-28 00:00:00"
    sales.remove(same_day)
    assert touched(db, anna) == "2026-03-28 00:00:00"
    book.remove_interaction(talk)
    assert wrong(db) == []


def test_setting_keep_in_touch_fills_it_and_clearing_it_empties_it(db, add, book, sales, clock):
    anna = add("Anna", "Berg")
    book.log_interaction(anna, "call", "Asked about cheese")
    clock.current = at(2026, 4, 30, 12)
    sales.record(SaleInput(anna, dt.date(2026, 4, 2), total_minor=100))
    assert touched(db, anna) is None  # no keep in touch: her sales write nothing to her row
    data = book.load_input(anna)
    data.keep_in_touch_days = 14
    book.update(anna, data)
    assert touched(db, anna) == "2026-04-02 00:00:00"
    (lapse,) = touch(reminders.due(db, at(2026, 4, 30, 12)))
    assert lapse.occurs_on == dt.date(2026, 4, 16)  # 2 April + 14 days
    data.keep_in_touch_days = None
    book.update(anna, data)
    assert touched(db, anna) is None
    assert wrong(db) == []


def test_a_sale_before_being_added_does_not_count(db, add, sales, clock):
    tom = add("Tom", "Baker", keep_in_touch_days=30)  # added 10 March 2026
    sales.record(SaleInput(tom, dt.date(2025, 12, 1), total_minor=100))
    assert touched(db, tom) is None
    (found,) = touch(reminders.due(db, at(2026, 4, 9, 9)))
    assert found.title == "You have not been in touch with Tom Baker since adding them 30 days ago"


def test_a_sale_moved_to_another_customer_moves_both(db, add, sales, clock):
    anna, ben = add("Anna", keep_in_touch_days=30), add("Ben", keep_in_touch_days=30)
    clock.current = at(2026, 4, 30, 12)
    sale = sales.record(SaleInput(anna, dt.date(2026, 4, 1), total_minor=100))
    sales.update(sale, SaleInput(ben, dt.date(2026, 4, 1), total_minor=100))
    assert (touched(db, anna), touched(db, ben)) == (None, "2026-04-01 00:00:00")
    assert wrong(db) == []


def test_an_editor_save_does_not_undo_a_sale_recorded_meanwhile(db, add, book, sales, clock):
    anna = add("Anna", "Berg", keep_in_touch_days=30)
    clock.current = at(2026, 4, 30, 12)
    data = book.load_input(anna)
    stale = Customer.get_by_id(anna)  # loaded before the sale, saved after it
    sales.record(SaleInput(anna, dt.date(2026, 4, 1), total_minor=100))
    stale.notes = "likes rye"
    stale.save()
    book.update(anna, data)
    assert touched(db, anna) == "2026-04-01 00:00:00"
    assert wrong(db) == []


def test_a_purchase_import_and_its_undo(db, book, tmp_path):
    zoe = book.create(CustomerInput(first_name="Zoë", last_name="Müller", phone="020 7946 0111",
                                    keep_in_touch_days=14))
    path = tmp_path / "sales.csv"
    path.write_text("Date,Phone,Total\n2026-03-01,020 7946 0111,12.50\n"
                    "2026-04-02,020 7946 0111,3.00\n", encoding="utf-8")
    table = import_file.read_file(path)
    plan = purchase_import.plan(table, sales_format.build_mapping(table.headers), db, "GB",
                                "EUR", today=dt.date(2026, 4, 10))
    result = purchase_import.apply(plan, db)
    assert touched(db, zoe) == "2026-04-02 00:00:00"
    assert touch(reminders.due(db, at(2026, 4, 15, 9))) == []  # 2 April + 14 days: not yet
    purchase_import.undo(db, result.batch)
    assert touched(db, zoe) is None
    (lapse,) = touch(reminders.due(db, at(2026, 4, 15, 9)))
    assert lapse.occurs_on == dt.date(2026, 3, 24)  # 10 March + 14 days
    assert wrong(db) == []


def test_a_merge_and_its_undo(db, add, book, sales, clock):
    keep = add("Anna", "Berg", keep_in_touch_days=30)
    other = add("Anna", "Berg", email="anna@example.com", keep_in_touch_days=30)
    book.log_interaction(keep, "call", "Asked about cheese")  # 10 March
    clock.current = at(2026, 5, 3, 12)
    sales.record(SaleInput(other, dt.date(2026, 5, 2), total_minor=100))
    record = merge.merge(db, keep, other, merge.fill_empty(db, keep, other), clock)
    assert touched(db, keep) == "2026-05-02 00:00:00"
    assert touched(db, other) is None
    assert touch(reminders.due(db, at(2026, 5, 20, 9))) == []  # the buyer is in touch
    merge.undo_merge(db, record, clock)
    assert touched(db, keep) == "2026-03-10 10:30:00"
    assert touched(db, other) == "2026-05-02 00:00:00"
    assert wrong(db) == []


def test_a_demo_book_is_right_for_every_customer(db):
    demo.generate(db, 300, seed=3, now=at(2026, 2, 20, 15))
    count = db.execute_sql("SELECT COUNT(*) FROM customer WHERE touched_at IS NOT NULL "
                           "AND touched_at IS NOT last_contact_at").fetchone()[0]
    assert count > 10  # customers whose last purchase is their last touch
    assert wrong(db) == []


# --- schema 6 -> 7 -----------------------------------------------------------------------------


@pytest.fixture
def v6_path(tmp_path):
    """The released version 1 fixture brought to version 6, with keep-in-touch customers whose
    last touch is a conversation, a later purchase, an older purchase, or nothing, and a lapse
    shown under schema 6's key for a purchase after the conversation-only day."""
    path = tmp_path / "shop.db"
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    db = SqliteDatabase(str(path))
    migrations.migrate(db, target=6)
    added = "2026-01-05 10:00:00"
    for cid, name in ((21, "Talker"), (22, "Buyer"), (23, "Old Buyer"), (24, "Quiet")):
        db.execute_sql("INSERT INTO customer (id, first_name, display_name, sort_name, "
                       "keep_in_touch_days, created_at, updated_at) VALUES (?, ?, ?, ?, 30, ?, ?)",
                       (cid, name, name, name.lower(), added, added))
    for cid, when in ((21, "2026-03-01 15:00:00"), (22, "2026-02-01 09:00:00"),
                      (23, "2026-03-02 08:00:00")):
        db.execute_sql("INSERT INTO interaction (customer_id, occurred_at, created_at) "
                       "VALUES (?, ?, ?)", (cid, when, when))
    for cid, day in ((21, "2026-02-20"), (22, "2026-03-10"), (23, "2026-02-25")):
        db.execute_sql("INSERT INTO purchase (customer_id, purchased_on, total_minor, "
                       "created_at) VALUES (?, ?, 100, ?)", (cid, day, day))
    # Buyer: spoken to on 1 Feb (lapse day 3 March), bought 10 March; shown on 9 April.
    db.execute_sql("INSERT INTO reminder_delivery (occurrence_key, kind, customer_id, "
                   "occurs_on, state, updated_at) VALUES ('keep_in_touch:22:2026-03-03+"
                   "2026-03-10', 'keep_in_touch', 22, '2026-03-03', 'shown', "
                   "'2026-04-09 09:00:00')")
    db.close()
    return path


def test_a_version_6_book_is_backed_up_and_migrated_to_7(v6_path):
    result = open_database(v6_path)
    try:
        assert result.migrated == [7]
        assert result.backup.name.startswith("shop.before-v7-")
        db = result.db
        rows = dict(db.execute_sql("SELECT id, touched_at FROM customer WHERE id > 20"))
        assert rows == {21: "2026-03-01 15:00:00", 22: "2026-03-10 00:00:00",
                        23: "2026-03-02 08:00:00", 24: None}
        assert wrong(db) == []
        found = {o.customer_name: o for o in touch(reminders.due(db, at(2026, 4, 10, 12)))}
        # The Buyer's lapse (10 March + 30 days) was shown: not again.
        assert set(found) >= {"Talker", "Old Buyer", "Quiet"} and "Buyer" not in found
        assert found["Talker"].occurs_on == dt.date(2026, 3, 31)
        assert found["Old Buyer"].occurs_on == dt.date(2026, 4, 1)
        assert found["Quiet"].title == ("You have not been in touch with Quiet since adding "
                                        "them 95 days ago")
        assert db.execute_sql("SELECT occurrence_key, occurs_on FROM reminder_delivery "
                              "WHERE customer_id = 22").fetchall() == [
            ("keep_in_touch:22:2026-04-09", "2026-04-09")]
        # Later sales keep it up to date.
        db.execute_sql("INSERT INTO purchase (customer_id, purchased_on, total_minor, "
                       "created_at) VALUES (21, '2026-04-05', 100, '2026-04-05')")
        assert "Talker" not in {o.customer_name for o in touch(reminders.due(
            db, at(2026, 4, 10, 12)))}
        assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        plan = db.execute_sql("EXPLAIN QUERY PLAN " + reminders._KEEP_IN_TOUCH,
                              {"until": "2026-04-11"}).fetchall()
        assert "USING INDEX customer_touch_key" in str(plan)
    finally:
        result.db.close()
    backup = sqlite3.connect(result.backup)
    try:
        assert backup.execute("SELECT MAX(version) FROM schema_migration").fetchone() == (6,)
        columns = [row[1] for row in backup.execute("PRAGMA table_info(customer)")]
        assert "touched_at" not in columns
    finally:
        backup.close()
