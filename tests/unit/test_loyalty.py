"""The loyalty program: points with rewards at thresholds, stamp cards, redeeming, undo."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.core import loyalty as rules
from crmdesk.core.loyalty import Loyalty, Reward, parse_rewards
from crmdesk.core.sales import ItemInput, SaleInput, Sales
from crmdesk.core.settings import BusinessSettings, load, save
from crmdesk.core.validation import ValidationError

D = dt.date(2026, 3, 9)
POINTS = BusinessSettings(currency="GBP", loyalty_mode="points", loyalty_points_per_unit=1,
                          loyalty_rewards="100 = £5 off\n250 = £15 off")


class Shop:
    def __init__(self, db, clock, book, settings):
        self.settings = settings
        self.loyalty = Loyalty(db, now=clock, settings=lambda: self.settings, book=book)
        self.sales = Sales(db, now=clock, settings=lambda: self.settings, loyalty=self.loyalty)

    def sell(self, customer, minor, *items):
        return self.sales.record(SaleInput(customer, D, minor, tuple(items)))


@pytest.fixture
def shop(db, clock, book):
    return Shop(db, clock, book, POINTS)


@pytest.fixture
def anna(add):
    return add("Anna", "Schmidt")


def test_parse_rewards_reads_lines_and_sorts_them():
    assert parse_rewards("250 points = £15 off\n\n 100=£5 off ") == (
        Reward(100, "£5 off"), Reward(250, "£15 off"))
    assert parse_rewards("") == ()
    for bad in ("£5 off", "100 =", "0 = nothing", "100 = a\n100 = b"):
        with pytest.raises(ValueError):
            parse_rewards(bad)


def test_points_are_whole_units_rounded_down_per_sale():
    assert rules.points_for(1299, "GBP", 1) == 12
    assert rules.points_for(1299, "GBP", 10) == 120
    assert rules.points_for(99, "GBP", 1) == 0
    assert rules.points_for(1500, "JPY", 1) == 1500  # no minor unit
    assert rules.points_for(-500, "GBP", 1) == 0  # a refund earns nothing


def test_a_sale_earns_points_and_its_undo_takes_them_back(shop, anna):
    first = shop.sell(anna, 1299)
    shop.sell(anna, 9050)
    assert shop.loyalty.balance(anna) == 12 + 90
    assert shop.loyalty.rewards_for(anna) == [Reward(100, "£5 off")]
    shop.sales.remove(first)
    assert shop.loyalty.balance(anna) == 90
    assert shop.loyalty.rewards_for(anna) == []


def test_changing_a_sale_earns_again_for_the_new_amount(shop, anna):
    sale = shop.sell(anna, 1000)
    shop.sales.update(sale, SaleInput(anna, D, 4000))
    assert shop.loyalty.balance(anna) == 40


def test_several_thresholds_best_first(shop, anna):
    shop.sell(anna, 30000)
    assert shop.loyalty.rewards_for(anna) == [Reward(250, "£15 off"), Reward(100, "£5 off")]


def test_redeem_takes_the_points_writes_the_ledger_and_logs_a_visit(shop, book, anna):
    shop.sell(anna, 12000)
    done = shop.loyalty.redeem(anna)
    assert done.reward == Reward(100, "£5 off")
    assert shop.loyalty.balance(anna) == 20
    line = shop.loyalty.ledger(anna)[0]
    assert (line.kind, line.points, line.reward) == ("redeem", -100, "£5 off")
    card = book.card(anna)
    assert (card.interactions[0].channel, card.interactions[0].summary) == (
        "visit", "Redeemed: £5 off")
    with pytest.raises(ValidationError) as error:
        shop.loyalty.redeem(anna)
    assert "Not enough points yet: 20 of 100" in error.value.errors["reward"]
    shop.loyalty.undo_redeem(done)
    assert shop.loyalty.balance(anna) == 120
    assert book.card(anna).interaction_count == 0


def test_stamps_one_per_sale(db, clock, book, anna):
    shop = Shop(db, clock, book, BusinessSettings(
        loyalty_mode="stamps", loyalty_stamps_needed=3, loyalty_stamp_reward="a free coffee"))
    for _ in range(2):
        shop.sell(anna, 250)
    assert shop.loyalty.rewards_for(anna) == []
    shop.sell(anna, 50)
    assert shop.loyalty.rewards_for(anna) == [Reward(3, "a free coffee")]
    shop.loyalty.redeem(anna)
    assert shop.loyalty.balance(anna) == 0


def test_stamps_only_for_sales_with_the_chosen_category(db, clock, book, anna):
    shop = Shop(db, clock, book, BusinessSettings())
    coffee = shop.sales.catalogue.add_category("Coffee")
    flat_white = shop.sales.catalogue.add_product("Flat white", coffee, 320)
    cake = shop.sales.catalogue.add_category("Cake")
    shop.settings = BusinessSettings(loyalty_mode="stamps", loyalty_stamps_needed=10,
                                     loyalty_stamp_category=coffee)
    shop.sell(anna, None, ItemInput(product_id=flat_white))  # through its product
    shop.sell(anna, 300, ItemInput(category_id=coffee), ItemInput(category_id=cake))
    shop.sell(anna, 300, ItemInput(category_id=cake))
    shop.sell(anna, 300, ItemInput(description="coffee beans"))
    assert shop.loyalty.balance(anna) == 2


def test_off_earns_nothing_and_cannot_redeem(db, clock, book, anna):
    shop = Shop(db, clock, book, BusinessSettings())
    shop.sell(anna, 100000)
    assert shop.loyalty.balance(anna) == 0
    with pytest.raises(ValidationError):
        shop.loyalty.redeem(anna)


def test_unreadable_settings_turn_the_program_off():
    assert not rules.program(BusinessSettings(loyalty_mode="points",
                                              loyalty_rewards="lots = free")).active
    assert not rules.program(BusinessSettings(loyalty_mode="stamps",
                                              loyalty_stamps_needed=0)).active
    assert not rules.program(BusinessSettings(loyalty_mode="weird")).active


def test_settings_round_trip_with_types(db):
    value = BusinessSettings(loyalty_mode="stamps", loyalty_stamps_needed=8,
                             loyalty_stamp_category=3, loyalty_rewards="100 = £5 off\n200 = x")
    save(db, value)
    assert load(db) == value


def test_due_lists_customers_who_can_have_a_reward(shop, book, anna, add):
    bob, cleo = add("Bob", "Baker"), add("Cleo", "Cole")
    shop.sell(anna, 10000)
    shop.sell(bob, 9999)
    shop.sell(cleo, 20000)
    book.trash([cleo])
    assert [(d.customer_id, d.balance) for d in shop.loyalty.due()] == [(anna, 100)]
    shop.loyalty.redeem(anna)
    assert shop.loyalty.due() == []
