"""Segments: every rule on a small book, saved segments, and the customer list filtered by a
segment or by the customers behind a chart (today is 2026-03-10)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from tests.unit.insight_helpers import buy, category, product

from crmdesk.core import segments
from crmdesk.core.model import ConsentInput, DateInput, ListQuery
from crmdesk.core.segments import SegmentRules, SegmentStore

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def shop(db, add, book):
    veg, wine = category(db, "Vegetarian"), category(db, "Wine")
    rioja = product(db, "Rioja", wine)
    ids = {
        "ann": add("Ann", "Able", city="Leeds", tags=["VIP", "regular"],
                   consents=[ConsentInput("email", True, dt.date(2025, 1, 1))],
                   dates=[DateInput(kind="birthday", day=3, month=7)]),
        "ben": add("Ben", "Best", city="leeds", status="prospect", do_not_contact=True,
                   consents=[ConsentInput("email", False, dt.date(2025, 1, 1))],
                   dates=[DateInput(kind="anniversary", day=3, month=7)]),
        "cat": add("Cat", "Cole", city="York", status="former", tags=["regular"],
                   consents=[ConsentInput("sms", True, dt.date(2025, 1, 1))]),
        "dan": add("Dan", "Dale", city="Leeds", dates=[DateInput(kind="birthday", day=9,
                                                                  month=12)]),
        "eve": add("Eve", "Eden", tags=["vip"]),
    }
    # Ann: vegetarian 10 days ago and Rioja 100 days ago; 3 sales, 60.00 in all
    buy(db, ids["ann"], "2026-02-28", 1000, ((veg, 1000),))
    buy(db, ids["ann"], "2025-11-30", 3000, ((wine, 3000),), product_id=rioja)
    buy(db, ids["ann"], "2025-06-01", 2000)
    # Cat: vegetarian 200 days ago, one sale of 15.00
    buy(db, ids["cat"], "2025-08-22", 1500, ((veg, 1500),))
    # Dan: one sale of 5.00 today
    buy(db, ids["dan"], "2026-03-10", 500)
    # conversations: Ann 5 days ago, Dan 40 days ago; the others never
    book.log_interaction(ids["ann"], "visit", "Came in",
                         when=dt.datetime(2026, 3, 5, 10))
    book.log_interaction(ids["dan"], "call", "Rang", when=dt.datetime(2026, 1, 29, 10))
    ids["trashed"] = add("Tom", "Trash", city="Leeds", tags=["VIP"])
    buy(db, ids["trashed"], "2026-03-01", 9000, ((veg, 9000),))
    book.trash([ids["trashed"]])
    ids["veg"], ids["wine"], ids["rioja"] = veg, wine, rioja
    return ids


CASES = [
    (SegmentRules(), ["ann", "ben", "cat", "dan", "eve"]),
    (SegmentRules(statuses=("prospect", "former")), ["ben", "cat"]),
    (SegmentRules(tags=("vip",)), ["ann", "eve"]),
    (SegmentRules(tags=("Regular", "nonesuch")), ["ann", "cat"]),
    (SegmentRules(city="LEEDS"), ["ann", "ben", "dan"]),
    (SegmentRules(consent="email"), ["ann"]),  # Ben said no
    (SegmentRules(consent="sms"), ["cat"]),
    (SegmentRules(do_not_contact="exclude"), ["ann", "cat", "dan", "eve"]),
    (SegmentRules(do_not_contact="only"), ["ben"]),
    (SegmentRules(birthday_month=7), ["ann"]),  # Ben's 3 July is an anniversary
    (SegmentRules(birthday_month=12), ["dan"]),
    (SegmentRules(bought_category="vegetarian"), ["ann", "cat"]),
    (SegmentRules(bought_category="Vegetarian", bought_within_days=90), ["ann"]),
    (SegmentRules(bought_category="Vegetarian", bought_within_days=11), ["ann"]),
    (SegmentRules(bought_category="Vegetarian", bought_within_days=10), []),
    (SegmentRules(bought_category="Cheese"), []),
    (SegmentRules(bought_product="rioja"), ["ann"]),
    (SegmentRules(bought_product="Rioja", bought_within_days=90), []),
    (SegmentRules(spent_min_minor=1500), ["ann", "cat"]),
    (SegmentRules(spent_max_minor=1500), ["ben", "cat", "dan", "eve"]),
    (SegmentRules(spent_min_minor=0, spent_max_minor=0), ["ben", "eve"]),
    (SegmentRules(visits_min=2), ["ann"]),
    (SegmentRules(visits_max=1), ["ben", "cat", "dan", "eve"]),
    (SegmentRules(visits_min=1, visits_max=1), ["cat", "dan"]),
    (SegmentRules(last_purchase_older_days=90), ["cat"]),
    (SegmentRules(last_purchase_older_days=10), ["ann", "cat"]),
    (SegmentRules(last_purchase_older_days=0), ["ann", "cat", "dan"]),
    (SegmentRules(last_contact_older_days=30), ["ben", "cat", "dan", "eve"]),
    (SegmentRules(last_contact_older_days=5), ["ann", "ben", "cat", "dan", "eve"]),
    (SegmentRules(last_contact_older_days=6), ["ben", "cat", "dan", "eve"]),
    (SegmentRules(last_contact_older_days=60), ["ben", "cat", "eve"]),
    (SegmentRules(city="Leeds", tags=("vip",), bought_category="Vegetarian",
                  bought_within_days=30, visits_min=3), ["ann"]),
    (SegmentRules(city="Leeds", spent_min_minor=10000), []),
]


@pytest.mark.parametrize(("rules", "names"), CASES)
def test_each_rule(db, shop, rules, names):
    expected = [shop[n] for n in names]
    assert segments.customer_ids(db, rules, TODAY) == expected
    assert segments.count(db, rules, TODAY) == len(expected)


def test_last_contact_counts_whole_days(db, shop):
    # "the last N days" are today and the N-1 days before. Ann talked on 5 March: not in the
    # last 5 days (6-10 March), but in the last 6 (5-10 March); Dan on 29 January, 40 days ago.
    assert shop["ann"] in segments.customer_ids(
        db, SegmentRules(last_contact_older_days=5), TODAY)
    assert shop["ann"] not in segments.customer_ids(
        db, SegmentRules(last_contact_older_days=6), TODAY)
    assert shop["dan"] in segments.customer_ids(
        db, SegmentRules(last_contact_older_days=40), TODAY)
    assert shop["dan"] not in segments.customer_ids(
        db, SegmentRules(last_contact_older_days=41), TODAY)


def test_rfm_segment_rule_refreshes_scores_first(db, shop):
    # Recency: Cat (Aug) < Ann (Feb 28; Tom in Trash bought Mar 1) < Dan (today).
    rules = SegmentRules(rfm_segments=("champions", "loyal", "potential_loyalists", "new",
                                       "promising", "need_attention"))
    found = segments.customer_ids(db, rules, TODAY)
    assert shop["dan"] in found and shop["cat"] not in found
    assert segments.count(db, SegmentRules(rfm_segments=("nonesuch",)), TODAY) == 0
    every = tuple(key for key, _label, _text in segments.rfm.SEGMENTS)
    assert segments.customer_ids(db, SegmentRules(rfm_segments=every), TODAY) == [
        shop["ann"], shop["cat"], shop["dan"]]


def test_values_are_bound_never_pasted(db, shop):
    nasty = "x' OR 1=1 --"
    for rules in (SegmentRules(city=nasty), SegmentRules(tags=(nasty,)),
                  SegmentRules(bought_category=nasty), SegmentRules(statuses=(nasty,)),
                  SegmentRules(rfm_segments=(nasty,))):
        sql, params = segments.query(rules, TODAY)
        assert nasty not in sql and nasty in params
        assert segments.count(db, rules, TODAY) == 0


def test_json_round_trip_and_defaults():
    rules = SegmentRules(statuses=("customer",), tags=("vip", "regular"), city="Leeds",
                         birthday_month=7, bought_category="Wine", bought_within_days=30,
                         spent_min_minor=0, visits_max=4, rfm_segments=("at_risk",))
    assert SegmentRules.from_json(rules.to_json()) == rules
    assert SegmentRules().to_json() == "{}"
    assert SegmentRules.from_json("not json") == SegmentRules()
    assert SegmentRules.from_json('{"city": 3, "tags": "vip", "visits_min": true, "x": 1}') \
        == SegmentRules()


def test_describe_in_plain_words():
    rules = SegmentRules(bought_category="Vegetarian", bought_within_days=90,
                         spent_min_minor=5000, rfm_segments=("at_risk", "cant_lose"),
                         birthday_month=3, do_not_contact="exclude")
    assert rules.describe("EUR") == [
        "Not marked do-not-contact", "Birthday in March",
        "Bought something from “Vegetarian” in the last 90 days",
        "Spent at least 50.00 EUR", "Customer group: At risk or Can't lose them"]
    assert SegmentRules().describe() == ["Every customer"]


def test_store_saves_renames_and_deletes(db, clock):
    store = SegmentStore(db, now=clock)
    rules = SegmentRules(tags=("vip",))
    first = store.save("  VIPs  ", rules)
    second = store.save("Leeds", SegmentRules(city="Leeds"))
    assert [s.name for s in store.all()] == ["Leeds", "VIPs"]
    assert store.get(first).rules == rules
    with pytest.raises(ValueError, match="already"):
        store.save("vips", SegmentRules())
    with pytest.raises(ValueError, match="name"):
        store.save("   ", SegmentRules())
    assert store.save("VIPs", SegmentRules(tags=("vip",), city="York"), first) == first
    assert store.get(first).rules.city == "York"
    with pytest.raises(ValueError, match="already"):
        store.save("Leeds", rules, first)
    store.delete(second)
    assert [s.name for s in store.all()] == ["VIPs"] and store.get(second) is None


def test_customer_list_shows_a_segment(db, shop, clock):
    from crmdesk.core.customer_list import CustomerList

    customers = CustomerList(db, today=lambda: TODAY)
    query = ListQuery(segment=SegmentRules(city="Leeds"))
    assert customers.find_ids(query) == [shop["ann"], shop["ben"], shop["dan"]]
    assert customers.count_matching(query) == 3
    assert customers.find_ids(dataclasses.replace(query, descending=True)) == [
        shop["dan"], shop["ben"], shop["ann"]]
    assert customers.find_ids(dataclasses.replace(query, text="dan")) == [shop["dan"]]
    assert customers.find_ids(dataclasses.replace(query, status="prospect")) == [shop["ben"]]
    assert customers.find_ids(dataclasses.replace(query, tag="VIP")) == [shop["ann"]]
    assert customers.find_ids(query, limit=2) == [shop["ann"], shop["ben"]]
    # the list follows the book: Dan moves away, Eve moves in
    db.execute_sql("UPDATE customer SET city = 'York' WHERE id = ?", (shop["dan"],))
    db.execute_sql("UPDATE customer SET city = 'Leeds' WHERE id = ?", (shop["eve"],))
    assert customers.find_ids(query) == [shop["ann"], shop["ben"], shop["eve"]]
    assert customers.count_matching(query) == 3


def test_customer_list_shows_only_given_customers(db, shop):
    from crmdesk.core.customer_list import CustomerList

    customers = CustomerList(db, today=lambda: TODAY)
    chosen = (shop["eve"], shop["ann"], shop["trashed"])
    query = ListQuery(only_ids=chosen)
    assert customers.find_ids(query) == [shop["ann"], shop["eve"]]  # by name; Trash left out
    assert customers.count_matching(query) == 2
    assert customers.find_ids(dataclasses.replace(query, text="eden")) == [shop["eve"]]
    assert customers.find_ids(dataclasses.replace(query, sort="city")) == [shop["ann"],
                                                                           shop["eve"]]
    assert customers.find_ids(ListQuery(only_ids=())) == []
    both = ListQuery(only_ids=chosen, segment=SegmentRules(tags=("vip",), city="Leeds"))
    assert customers.find_ids(both) == [shop["ann"]]
    assert customers.find_ids(ListQuery()) == [shop[n] for n in ("ann", "ben", "cat", "dan",
                                                                  "eve")]
