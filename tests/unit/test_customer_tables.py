"""No table that belongs to a customer can be forgotten by merge, "forget this person", the JSON
export or the person export: the tables are read from the schema itself (a foreign key to
customer, or a column named customer_id), and each module's declaration must name every one.

A module declares what it handles (MERGE_TABLES, FORGET_TABLES, CUSTOMER_TABLES) and, where it
deliberately leaves a table out, why (NOT_EXPORTED): a new table makes these tests fail until
someone decides what each of them does with it.
"""

from __future__ import annotations

import pytest

from crmdesk.core import merge, privacy
from crmdesk.formats import export_json, export_person


def customer_tables(db) -> set[str]:
    """Every table (but customer itself) with a foreign key to customer or a customer_id."""
    found = set()
    names = [name for (name,) in db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in names:
        if table == "customer":
            continue
        keys = db.execute_sql(f'PRAGMA foreign_key_list("{table}")').fetchall()
        columns = [row[1] for row in db.execute_sql(f'PRAGMA table_info("{table}")')]
        if any(key[2] == "customer" for key in keys) or "customer_id" in columns:
            found.add(table)
    return found


def test_the_schema_reading_finds_the_known_tables(db):
    # the reader itself: if this fails, the tests below prove nothing
    assert {"purchase", "purchase_item", "loyalty_entry", "consent", "customer_tag",
            "important_date", "interaction", "follow_up", "appointment", "reminder_delivery",
            "customer_sales"} <= customer_tables(db)
    assert "tag" not in customer_tables(db) and "product" not in customer_tables(db)


def missing(db, handled, left_out=()) -> list[str]:
    return sorted(customer_tables(db) - set(handled) - set(left_out))


def test_merge_handles_every_customer_table(db):
    assert missing(db, merge.MERGE_TABLES) == []


def test_forget_handles_every_customer_table(db):
    assert missing(db, privacy.FORGET_TABLES) == []


def declared(module, name: str) -> dict:
    value = getattr(module, name, None)
    if value is None:
        pytest.fail(f"{module.__name__} does not declare {name}")
    return value


def test_the_json_export_handles_every_customer_table(db):
    handled = declared(export_json, "CUSTOMER_TABLES")
    left_out = getattr(export_json, "NOT_EXPORTED", {})
    assert missing(db, handled, left_out) == []
    assert all(reason.strip() for reason in left_out.values())


def test_the_person_export_handles_every_customer_table(db):
    handled = declared(export_person, "CUSTOMER_TABLES")
    left_out = getattr(export_person, "NOT_EXPORTED", {})
    assert missing(db, handled, left_out) == []
    assert all(reason.strip() for reason in left_out.values())


def test_a_new_customer_table_is_noticed(db):
    db.execute_sql("CREATE TABLE wish (id INTEGER PRIMARY KEY, "
                   "customer_id INTEGER REFERENCES customer (id), text TEXT)")
    db.execute_sql("CREATE TABLE visit_note (id INTEGER PRIMARY KEY, "
                   "who INTEGER REFERENCES customer (id))")
    assert missing(db, merge.MERGE_TABLES) == ["visit_note", "wish"]
    assert missing(db, privacy.FORGET_TABLES) == ["visit_note", "wish"]


# --- the export declarations tell the truth: a row in every table shows where they say ------

def everything(db, book) -> int:
    """One customer with at least one row in every table that belongs to a customer."""
    import datetime as dt

    from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
    from crmdesk.core.sales import ItemInput, SaleInput, Sales
    from crmdesk.store.models import Appointment, ReminderDelivery

    now = dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC)
    anna = book.create(CustomerInput(
        first_name="Anna", last_name="Schmidt", tags=["vip"],
        dates=[DateInput("birthday", 12, 3, 1990)],
        consents=[ConsentInput("email", True, dt.date(2025, 1, 1), "shop")]))
    book.log_interaction(anna, "call", "Asked about boots")
    book.add_follow_up(anna, "Ring back", dt.date(2026, 3, 20))
    Appointment.create(customer=anna, starts_at=dt.datetime(2026, 3, 15, 10), created_at=now)
    ReminderDelivery.create(occurrence_key=f"birthday:{anna}:2026-03-12", kind="birthday",
                            customer_id=anna, occurs_on=dt.date(2026, 3, 12), state="shown",
                            updated_at=now)
    Sales(db, now=lambda: now).record(
        SaleInput(anna, dt.date(2026, 3, 1), 1200, (ItemInput(description="tea"),)))
    db.execute_sql("INSERT INTO loyalty_entry (customer_id, kind, points, created_at) "
                   "VALUES (?, 'adjust', 5, '2026-03-02 10:00:00')", (anna,))
    empty = [t for t in customer_tables(db) if not db.execute_sql(
        f'SELECT 1 FROM "{t}" WHERE customer_id = ?', (anna,)).fetchone()]
    assert empty == []  # a new table: add a row for it here
    return anna


def resolve(document, path: str) -> list:
    """The values at a path such as "customers[].purchases[].items" (each "[]" opens a list)."""
    values = [document]
    for part in path.strip().split("."):
        name, opens = part.removesuffix("[]"), part.endswith("[]")
        values = [v[name] for v in values if isinstance(v, dict) and name in v]
        if opens:
            values = [item for v in values for item in v]
    return values


def shown(document, where: str) -> bool:
    """Whether one of the places named (comma-separated) holds something."""
    return any(any(v not in (None, [], {}, "") for v in resolve(document, path))
               for path in where.split(","))


def test_the_exports_carry_every_table_where_they_say(db, book, tmp_path):
    import json

    from crmdesk.formats import export

    anna = everything(db, book)
    export.export_json(db, tmp_path / "book.json")
    document = json.loads((tmp_path / "book.json").read_text(encoding="utf-8"))
    assert [t for t, where in export_json.CUSTOMER_TABLES.items()
            if not shown(document, where)] == []
    person = export_person.export_person(db, anna, tmp_path)
    document = json.loads(person.json_path.read_text(encoding="utf-8"))
    assert [t for t, where in declared(export_person, "CUSTOMER_TABLES").items()
            if not shown(document, where)] == []
    assert not shown(document, "customers[].nothing_here")  # the check itself can fail


def rows_per_table(db, customer_id: int) -> dict[str, int]:
    return {t: db.execute_sql(f'SELECT count(*) FROM "{t}" WHERE customer_id = ?',
                              (customer_id,)).fetchone()[0] for t in sorted(customer_tables(db))}


def test_merge_does_what_it_declares_for_every_table_and_undo_takes_it_back(db, book, add):
    import datetime as dt

    other = everything(db, book)
    keep = add("Anne", "Schmidt")
    before = {cid: rows_per_table(db, cid) for cid in (keep, other)}
    record = merge.merge(db, keep, other, {}, dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC))
    kept, left = rows_per_table(db, keep), rows_per_table(db, other)
    assert [t for t, n in kept.items() if n == 0] == []  # the survivor has a row of each
    assert [t for t, fate in merge.MERGE_TABLES.items()
            if fate == merge.MOVED and left[t] != 0] == []  # nothing moved is left behind
    merge.undo_merge(db, record)
    assert {cid: rows_per_table(db, cid) for cid in (keep, other)} == before


def test_forget_does_what_it_declares_for_every_table(db, book):
    import datetime as dt

    anna = everything(db, book)
    privacy.forget(db, anna, dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC))
    left = rows_per_table(db, anna)
    erased = {t for t, fate in privacy.FORGET_TABLES.items()
              if fate.startswith(("erased", "unlinked"))}
    assert {t for t, n in left.items() if n == 0} == erased
