"""Reward reminders: a customer whose loyalty balance reaches a reward is reminded once."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.core import reminders
from crmdesk.core.loyalty import Loyalty
from crmdesk.core.sales import SaleInput, Sales
from crmdesk.core.settings import BusinessSettings

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 10, 10, 30, tzinfo=UTC)
STAMPS = BusinessSettings(loyalty_mode="stamps", loyalty_stamps_needed=3,
                          loyalty_stamp_reward="a free coffee")


@pytest.fixture
def shop(db, clock, book):
    loyalty = Loyalty(db, now=clock, settings=lambda: STAMPS, book=book)
    return Sales(db, now=clock, settings=lambda: STAMPS, loyalty=loyalty), loyalty


def sell(sales, customer_id, times=1):
    return [sales.record(SaleInput(customer_id, dt.date(2026, 3, 10), 300))
            for _ in range(times)]


def rewards(found):
    return [o for o in found if o.kind == "reward"]


def test_a_reward_comes_due_when_the_balance_reaches_it(db, shop, add):
    sales, _ = shop
    anna = add("Anna", "Schmidt")
    sell(sales, anna, 2)
    assert rewards(reminders.due(db, NOW, STAMPS)) == []
    sell(sales, anna)
    (found,) = rewards(reminders.due(db, NOW, STAMPS))
    assert found.key == f"reward:{anna}:0-3"
    assert found.title == "Anna Schmidt has earned a free coffee (3 stamps, 3 needed)"
    assert (found.customer_id, found.label, found.lead, found.occurs_on) == (
        anna, "a free coffee", 3, NOW.date())
    assert rewards(reminders.due(db, NOW, BusinessSettings())) == []  # program off


def test_shown_or_dismissed_it_does_not_come_again(db, shop, add):
    sales, _ = shop
    anna = add("Anna", "Schmidt")
    sell(sales, anna, 3)
    (found,) = rewards(reminders.due(db, NOW, STAMPS))
    reminders.record_all(db, [found], "shown", NOW)
    assert rewards(reminders.due(db, NOW + dt.timedelta(days=1), STAMPS)) == []
    sell(sales, anna)  # a fourth stamp: still the same reward, not repeated
    assert rewards(reminders.due(db, NOW + dt.timedelta(days=1), STAMPS)) == []
    # ...but Today still lists it until it is redeemed
    assert [o.key for o in rewards(reminders.upcoming(db, NOW.date(), 14, STAMPS))] == [
        found.key]


def test_redeemed_it_goes_and_the_next_one_is_new(db, shop, add):
    sales, loyalty = shop
    anna = add("Anna", "Schmidt")
    sell(sales, anna, 3)
    (first,) = rewards(reminders.due(db, NOW, STAMPS))
    reminders.record_all(db, [first], "shown", NOW)
    loyalty.redeem(anna)
    assert rewards(reminders.upcoming(db, NOW.date(), 14, STAMPS)) == []
    sell(sales, anna, 3)
    (second,) = rewards(reminders.due(db, NOW, STAMPS))
    assert second.key != first.key


def test_undoing_the_sale_that_earned_it_takes_it_away(db, shop, add):
    sales, _ = shop
    anna = add("Anna", "Schmidt")
    last = sell(sales, anna, 3)[-1]
    assert rewards(reminders.due(db, NOW, STAMPS))
    sales.remove(last)
    assert rewards(reminders.due(db, NOW, STAMPS)) == []


def test_one_occurrence_per_reward_reached(db, clock, book, add):
    points = BusinessSettings(loyalty_mode="points", loyalty_rewards="100 = £5 off\n"
                              "200 = £12 off\n500 = a hamper")
    sales = Sales(db, now=clock, settings=lambda: points,
                  loyalty=Loyalty(db, now=clock, settings=lambda: points))
    anna, bob = add("Anna", "Schmidt"), add("Bob", "Baker")
    sales.record(SaleInput(anna, dt.date(2026, 3, 10), 25000))
    sales.record(SaleInput(bob, dt.date(2026, 3, 10), 9999))
    assert sorted(o.label for o in rewards(reminders.due(db, NOW, points))) == [
        "£12 off", "£5 off"]


def test_no_reward_reminder_for_someone_in_trash_and_before_the_hour(db, shop, add, book):
    sales, _ = shop
    anna = add("Anna", "Schmidt")
    sell(sales, anna, 3)
    assert rewards(reminders.due(db, dt.datetime(2026, 3, 10, 8, 59, tzinfo=UTC), STAMPS)) == []
    book.trash([anna])
    assert rewards(reminders.due(db, NOW, STAMPS)) == []


def test_the_cached_check_sees_a_new_sale(db, shop, add):
    sales, _ = shop
    anna = add("Anna", "Schmidt")
    check = reminders.DueCheck(db, lambda: STAMPS)
    sell(sales, anna, 2)
    assert rewards(check(NOW)) == []
    sell(sales, anna)
    assert len(rewards(check(NOW + dt.timedelta(seconds=1)))) == 1


def test_the_today_badge_counts_customers_with_a_reward(db, opened, clock, add):
    from crmdesk.core.session import Session

    session = Session(db, opened.path, now=lambda: NOW)
    anna = add("Anna", "Schmidt")
    session.save_settings(STAMPS)
    before = session.due_today_count()
    sell(session.sales, anna, 3)
    assert session.due_today_count() == before + 1
    session.loyalty.redeem(anna)
    assert session.due_today_count() == before


def test_a_reward_earned_long_ago_waits_on_today_without_a_notification(db, clock, book, add):
    loyalty = Loyalty(db, now=clock, settings=lambda: STAMPS, book=book)
    sales = Sales(db, now=clock, settings=lambda: STAMPS, loyalty=loyalty)
    anna = add("Anna", "Schmidt")
    for _ in range(3):
        sales.record(SaleInput(anna, dt.date(2026, 2, 20), 300))
    assert rewards(reminders.due(db, NOW, STAMPS)) == []  # 18 days since she last bought
    assert [o.customer_id for o in rewards(reminders.upcoming(db, NOW.date(), 14, STAMPS))] == [
        anna]
