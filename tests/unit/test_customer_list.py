"""The customer list: sorting, filtering, and the rows on screen."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.core.customer_list import CustomerList
from crmdesk.core.dates import FEB29_ON_MAR1
from crmdesk.core.model import CustomerRow, DateInput, ListQuery

UTC = dt.UTC


def _names(customer_list, **query) -> list[str]:
    ids = customer_list.find_ids(ListQuery(**query))
    rows = customer_list.rows(ids)
    return [rows[i].name for i in ids]


def test_names_sort_with_accents_and_case_folded(add, customer_list):
    for first, last in (("zoë", "Zane"), ("Émile", "Roux"), ("Anna", "Berg"),
                        ("Élodie", "Blanc"), ("bob", "Dyer")):
        add(first, last)
    add(kind="business", business_name="Café Übersee")
    assert _names(customer_list) == ["Anna Berg", "bob Dyer", "Café Übersee", "Élodie Blanc",
                                     "Émile Roux", "zoë Zane"]
    assert _names(customer_list, descending=True) == [
        "zoë Zane", "Émile Roux", "Élodie Blanc", "Café Übersee", "bob Dyer", "Anna Berg"]


def test_city_sort_ignores_case_and_puts_no_city_last(add, customer_list):
    add("A", city="york")
    add("B", city="")
    add("C", city="Bath")
    add("D", city="Leeds")
    add("E", city="bath")
    assert _names(customer_list, sort="city") == ["C", "E", "D", "A", "B"]
    assert _names(customer_list, sort="city", descending=True) == ["A", "D", "C", "E", "B"]


def test_last_contact_sort_puts_never_contacted_last(book, add, customer_list):
    people = {name: add(name) for name in ("Never", "Recent", "Long ago", "Also never")}
    book.log_interaction(people["Recent"], "call", "Hi", when=dt.datetime(2026, 3, 1, tzinfo=UTC))
    book.log_interaction(people["Long ago"], "call", "Hi",
                         when=dt.datetime(2025, 1, 1, tzinfo=UTC))
    assert _names(customer_list, sort="last_contact") == [
        "Long ago", "Recent", "Also never", "Never"]
    assert _names(customer_list, sort="last_contact", descending=True) == [
        "Recent", "Long ago", "Also never", "Never"]


@pytest.fixture
def birthdays(add):
    """Customers with dates around the clock's today (2026-03-10)."""
    on = {
        "Today": [(10, 3)], "Tomorrow": [(11, 3)], "Yesterday": [(9, 3)],
        "New Year's Eve": [(31, 12)], "New Year": [(1, 1)], "Two dates": [(30, 6), (12, 3)],
        "No dates": [],
    }
    return {name: add(name, dates=[DateInput(day=d, month=m) for d, m in days])
            for name, days in on.items()}


def test_next_date_sort_wraps_round_the_year_end(birthdays, customer_list):
    assert _names(customer_list, sort="next_date") == [
        "Today", "Tomorrow", "Two dates", "New Year's Eve", "New Year", "Yesterday", "No dates"]
    assert _names(customer_list, sort="next_date", descending=True) == [
        "Yesterday", "New Year", "New Year's Eve", "Two dates", "Tomorrow", "Today", "No dates"]


def test_next_date_sort_follows_the_clock(birthdays, db, clock):
    clock.advance(days=300)  # 2027-01-04
    listing = CustomerList(db, today=clock.today)
    assert _names(listing, sort="next_date") == [
        "Yesterday", "Today", "Tomorrow", "Two dates", "New Year's Eve", "New Year", "No dates"]


def test_rows_show_the_next_date(birthdays, customer_list):
    rows = customer_list.rows(list(birthdays.values()))
    next_dates = {rows[i].name: rows[i].next_date for i in birthdays.values()}
    assert next_dates == {
        "Today": dt.date(2026, 3, 10), "Tomorrow": dt.date(2026, 3, 11),
        "Yesterday": dt.date(2027, 3, 9), "New Year's Eve": dt.date(2026, 12, 31),
        "New Year": dt.date(2027, 1, 1), "Two dates": dt.date(2026, 3, 12), "No dates": None}


def test_next_date_sort_agrees_with_the_shown_date_for_feb_29(add, db):
    leapling = add("Leapling", dates=[DateInput(day=29, month=2)])
    add("Day after", dates=[DateInput(day=2, month=3)])
    listing = CustomerList(db, today=lambda: dt.date(2026, 3, 1), feb29=FEB29_ON_MAR1)
    assert listing.rows([leapling])[leapling].next_date == dt.date(2026, 3, 1)
    assert _names(listing, sort="next_date") == ["Leapling", "Day after"]


def test_created_sort_is_newest_last_or_first(add, clock, customer_list):
    for name in ("First", "Second", "Third"):
        add(name)
        clock.advance(minutes=1)
    assert _names(customer_list, sort="created") == ["First", "Second", "Third"]
    assert _names(customer_list, sort="created", descending=True) == ["Third", "Second", "First"]


def test_filters_by_status_and_tag(add, customer_list):
    add("Pia", status="prospect", tags=["VIP"])
    add("Carl", status="customer", tags=["vip", "Wholesale"])
    add("Fred", status="former", tags=["Wholesale"])
    add("Cora", status="customer")
    assert _names(customer_list, status="prospect") == ["Pia"]
    assert _names(customer_list, status="customer") == ["Carl", "Cora"]
    assert _names(customer_list, tag="VIP") == ["Carl", "Pia"]
    assert _names(customer_list, tag="Wholesale", status="former") == ["Fred"]
    assert _names(customer_list, tag="Nobody") == []


def test_filters_apply_to_the_trash_view(book, add, customer_list):
    pia = add("Pia", tags=["VIP"])
    add("Carl", tags=["VIP"])
    book.trash([pia])
    assert _names(customer_list, tag="VIP") == ["Carl"]
    assert _names(customer_list, tag="VIP", trash=True) == ["Pia"]


def test_rows_hold_what_the_list_shows(book, add, customer_list):
    anna = add("Anna", "Berg", phone="07400 123456", city="Leeds", status="prospect",
               tags=["wholesale", "VIP", "Knitting"], dates=[DateInput(kind="anniversary",
                                                                         day=20, month=3)])
    book.log_interaction(anna, "call", "Hi", when=dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    shop = add(kind="business", business_name="Café Übersee")
    rows = customer_list.rows([anna, shop])
    assert rows[anna] == CustomerRow(
        id=anna, kind="person", name="Anna Berg", phone="+447400123456", city="Leeds",
        tags="Knitting, VIP, wholesale", status="prospect",
        last_contact=dt.datetime(2026, 3, 1, 9, 0), next_date=dt.date(2026, 3, 20),
        next_date_kind="anniversary", next_date_label="", deleted_at=None)
    assert (rows[shop].kind, rows[shop].name, rows[shop].tags, rows[shop].next_date) == (
        "business", "Café Übersee", "", None)
    book.trash([shop])
    assert customer_list.rows([shop])[shop].deleted_at == dt.datetime(2026, 3, 10, 10, 30)
    assert customer_list.rows([]) == {}


def test_count_and_tags(book, add, customer_list):
    assert customer_list.count() == 0 and customer_list.tags() == []
    anna = add("Anna", tags=["zebra", "Apple"])
    add("Bob", tags=["mango", "apple"])
    add("Cora")
    assert customer_list.count() == 3
    assert customer_list.tags() == ["Apple", "mango", "zebra"]
    book.trash([anna])
    assert customer_list.count() == 2 and customer_list.count(trash=True) == 1
    assert customer_list.tags() == ["Apple", "mango"]
