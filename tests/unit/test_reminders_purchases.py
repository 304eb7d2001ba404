"""Keep in touch counts a purchase as being in touch: a customer who comes in every week to buy
is not "135 days overdue" on Today, in the notifications or in `crmdesk reminders`."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.cli import main
from crmdesk.core import reminders
from crmdesk.core.sales import SaleInput, Sales
from crmdesk.core.settings import BusinessSettings


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def sales(db, clock):
    return Sales(db, now=clock)


@pytest.fixture
def regular(add, book, clock, sales):
    """Greta: keep in touch every 30 days; last spoken to on 10 March 2026, then buying every
    week until 28 July."""
    customer_id = add("Greta", "Zimmermann", keep_in_touch_days=30)
    book.log_interaction(customer_id, "visit", "Asked about gluten-free bread")  # 10 March
    clock.current = at(2026, 7, 28, 18)
    day = dt.date(2026, 3, 17)
    while day <= dt.date(2026, 7, 28):
        sales.record(SaleInput(customer_id, day, total_minor=1250))
        day += dt.timedelta(days=7)
    return customer_id


def touch(found):
    return [o for o in found if o.kind == "keep_in_touch"]


def test_a_weekly_buyer_is_not_overdue(db, regular):
    # 140 days after the last conversation, four days after the last purchase
    assert touch(reminders.due(db, at(2026, 8, 1, 12))) == []
    assert touch(reminders.upcoming(db, dt.date(2026, 8, 1), 14, BusinessSettings())) == []


def test_the_lapse_falls_due_n_days_after_the_last_purchase(db, regular):
    assert touch(reminders.due(db, at(2026, 8, 27, 8, 59))) == []
    (found,) = touch(reminders.due(db, at(2026, 8, 27, 9)))
    assert found.occurs_on == dt.date(2026, 8, 27)  # 28 July + 30 days
    assert found.title == ("You have not been in touch with Greta Zimmermann since their last "
                           "purchase 30 days ago")
    (coming,) = touch(reminders.upcoming(db, dt.date(2026, 8, 20), 14, BusinessSettings()))
    assert (coming.key, coming.occurs_on, coming.title) == (found.key, found.occurs_on,
                                                            found.title)


def test_a_purchase_after_a_lapse_was_shown_starts_a_new_one(db, regular, clock, sales):
    (first,) = touch(reminders.due(db, at(2026, 8, 27, 9)))
    reminders.record(db, first, "shown", at(2026, 8, 27, 9))
    assert touch(reminders.due(db, at(2026, 9, 20, 9))) == []
    clock.current = at(2026, 9, 21, 17)
    sales.record(SaleInput(regular, dt.date(2026, 9, 21), total_minor=900))
    assert touch(reminders.due(db, at(2026, 10, 20, 9))) == []
    (again,) = touch(reminders.due(db, at(2026, 10, 21, 9)))
    assert again.key != first.key and again.occurs_on == dt.date(2026, 10, 21)
    reminders.record(db, again, "done", at(2026, 10, 21, 9))
    assert touch(reminders.due(db, at(2026, 12, 1, 9))) == []


def test_a_conversation_after_the_last_purchase_counts_from_the_conversation(
        db, regular, book, clock):
    clock.current = at(2026, 8, 10, 15)
    book.log_interaction(regular, "call", "Christmas order")
    assert touch(reminders.due(db, at(2026, 9, 9, 8))) == []
    (found,) = touch(reminders.due(db, at(2026, 9, 9, 9)))
    assert found.title == "You have not spoken to Greta Zimmermann for 30 days"


def test_an_old_purchase_does_not_hide_a_real_lapse(db, add, sales, clock):
    customer_id = add("Tom", "Baker", keep_in_touch_days=30)  # added 10 March 2026
    clock.current = at(2026, 3, 12, 17)
    sales.record(SaleInput(customer_id, dt.date(2026, 3, 12), total_minor=500))
    (found,) = touch(reminders.due(db, at(2026, 4, 12, 9)))  # 12 March + 30 days
    assert found.occurs_on == dt.date(2026, 4, 11)
    assert "since their last purchase 31 days ago" in found.title


def test_removing_the_purchase_brings_the_lapse_back(db, add, sales, clock):
    customer_id = add("Tom", "Baker", keep_in_touch_days=30)
    clock.current = at(2026, 4, 5, 17)
    sale = sales.record(SaleInput(customer_id, dt.date(2026, 4, 5), total_minor=500))
    assert touch(reminders.due(db, at(2026, 4, 20, 9))) == []
    sales.remove(sale)
    (found,) = touch(reminders.due(db, at(2026, 4, 20, 9)))
    assert found.occurs_on == dt.date(2026, 4, 9)  # 10 March + 30 days


def test_the_command_line_agrees(db_path, db, regular, capsys):
    db.close()
    assert main(["reminders", "--db", str(db_path), "--today", "2026-08-01", "--days", "30"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["2026-08-27\tkeep_in_touch\tGreta Zimmermann\tYou have not been in touch "
                     "with Greta Zimmermann since their last purchase 30 days ago"]
