"""The customer list keeps the full list of a query without a search while the book does not
change, and answers a search by filtering it: the same ids in the same order as the sorted
query, a count that agrees, and nothing stale once the book changes."""

from __future__ import annotations

import dataclasses
import random

import pytest

from crmdesk.core import demo
from crmdesk.core.customer_list import SORTS, CustomerList
from crmdesk.core.dates import FEB29_ON_MAR1
from crmdesk.core.model import CustomerInput, DateInput, ListQuery
from crmdesk.core.segments import SegmentRules

TEXTS = ("a", "m", "e", "an", "ma", "zq", "1", "!")


def direct(db, clock, query: ListQuery, feb29: str | None = None) -> list[int]:
    """The sorted query itself, on a list that keeps nothing."""
    listing = CustomerList(db, today=clock.today)
    if feb29 is not None:
        listing.feb29 = feb29
    return listing._query_ids(query, None)


@pytest.fixture
def big(db, book, clock):
    """2,000 sample customers (more than one first page match one letter), 120 in Trash."""
    demo.generate(db, 2000, seed=3, now=clock())
    ids = [i for (i,) in db.execute_sql("SELECT id FROM customer ORDER BY id")]
    book.trash(random.Random(5).sample(ids, 120))
    return ids


def _queries(db):
    tag = db.execute_sql("SELECT name FROM tag ORDER BY name LIMIT 1").fetchone()[0]
    some = tuple(i for (i,) in db.execute_sql("SELECT id FROM customer WHERE id % 3 = 0"))
    for sort in SORTS:
        for descending in (False, True):
            yield ListQuery(sort=sort, descending=descending)
    yield ListQuery(status="customer")
    yield ListQuery(tag=tag)
    yield ListQuery(trash=True)
    yield ListQuery(only_ids=some)
    yield ListQuery(segment=SegmentRules(statuses=("prospect", "former")))


def test_a_search_filters_the_kept_list_into_the_order_of_the_sorted_query(big, db, clock):
    listing = CustomerList(db, today=clock.today)
    checked = 0
    for base in _queries(db):
        everyone = listing.find_ids(base)  # as the list on screen fetches its rest
        assert everyone == direct(db, clock, base)
        for text in TEXTS:
            query = dataclasses.replace(base, text=text)
            expected = direct(db, clock, query)
            assert listing.find_ids(query) == expected, query
            assert listing.find_ids(query, limit=30) == expected[:30], query
            ids, total = listing.first_ids(query, 300)
            assert total == len(expected) and ids == expected[:len(ids)], query
            checked += bool(expected)
    assert checked > 100  # most searches found someone


def test_one_letter_shows_the_count_at_once_and_the_same_list_once_the_rest_is_in(big, db,
                                                                                    clock):
    for query in (ListQuery(text="a"), ListQuery(text="a", sort="city"),
                  ListQuery(text="a", sort="next_date", descending=True), ListQuery()):
        expected = direct(db, clock, query)
        assert len(expected) > 300
        listing = CustomerList(db, today=clock.today)  # nothing kept, as after a change
        ids, total = listing.first_ids(query, 300)
        assert total == len(expected) == listing.count_matching(query)
        assert ids == expected[:len(ids)] and len(ids) >= 300
        assert listing.find_ids(query) == expected  # the rest, fetched after painting


def test_the_count_of_a_search_leaves_out_the_trash_and_counts_the_trash_on_its_own(big, db,
                                                                                    clock):
    listing = CustomerList(db, today=clock.today)
    for text in ("a", "an", "e"):
        live, trash = ListQuery(text=text), ListQuery(text=text, trash=True)
        assert listing.count_matching(live) == len(direct(db, clock, live))
        assert listing.count_matching(trash) == len(direct(db, clock, trash)) > 0


def test_a_change_to_the_book_is_seen_at_once(big, db, book, clock):
    listing = CustomerList(db, today=clock.today)
    listing.find_ids(ListQuery())
    aaron = book.create(CustomerInput(first_name="Aaron", last_name="Aardvark"))
    assert listing.find_ids(ListQuery(text="a"))[0] == aaron
    assert listing.find_ids(ListQuery())[0] == aaron
    book.update(aaron, CustomerInput(first_name="Zed", last_name="Zzyzx"))
    assert aaron not in listing.find_ids(ListQuery(text="a"))
    assert listing.find_ids(ListQuery()) == direct(db, clock, ListQuery())
    assert listing.find_ids(ListQuery(text="z")) == direct(db, clock, ListQuery(text="z"))
    book.trash([aaron])
    assert aaron not in listing.find_ids(ListQuery(text="z"))
    assert aaron in listing.find_ids(ListQuery(text="z", trash=True))
    assert listing.find_ids(ListQuery(text="m")) == direct(db, clock, ListQuery(text="m"))


def test_a_change_made_through_another_connection_is_seen(big, db, db_path, clock):
    from crmdesk.core.customers import CustomerBook
    from crmdesk.store.db import open_database

    listing = CustomerList(db, today=clock.today)
    before = listing.find_ids(ListQuery(text="a"))
    other = open_database(db_path).db
    try:
        aaron = CustomerBook(other, now=clock, default_country=lambda: "GB").create(
            CustomerInput(first_name="Aaron", last_name="Aardvark"))
    finally:
        other.close()
    assert listing.find_ids(ListQuery(text="a")) == [aaron, *before]
    assert listing.first_ids(ListQuery(), 300)[1] == len(direct(db, clock, ListQuery()))


def test_the_next_date_order_follows_the_day_and_the_feb_29_rule(db, book, clock):
    for name, day, month in (("Ana Leap", 29, 2), ("Ada March", 1, 3), ("Alma", 11, 3)):
        first, _, last = name.partition(" ")
        book.create(CustomerInput(first_name=first, last_name=last,
                                  dates=[DateInput(day=day, month=month)]))
    listing = CustomerList(db, today=clock.today)  # today: 2026-03-10
    query = ListQuery(text="a", sort="next_date")

    def names():
        ids = listing.find_ids(query)
        rows = listing.rows(ids)
        return [rows[i].name for i in ids]

    listing.find_ids(ListQuery(sort="next_date"))  # kept
    assert names() == ["Alma", "Ana Leap", "Ada March"]
    clock.advance(days=355)  # 2027-02-28: 29 February falls today, or on 1 March
    assert names() == ["Ana Leap", "Ada March", "Alma"]
    listing.feb29 = FEB29_ON_MAR1
    assert names() == ["Ada March", "Ana Leap", "Alma"]
    assert listing.find_ids(query) == direct(db, clock, query, FEB29_ON_MAR1)


def test_changing_an_answer_does_not_change_the_kept_list(big, db, clock):
    listing = CustomerList(db, today=clock.today)
    first = listing.find_ids(ListQuery())
    expected = list(first)
    first.clear()
    assert listing.find_ids(ListQuery()) == expected
    assert listing.find_ids(ListQuery(text="a")) == direct(db, clock, ListQuery(text="a"))


def test_a_search_with_a_status_starts_from_the_search_index(big, db, clock, monkeypatch):
    """With a status filter SQLite preferred walking that status's customers and running the
    search once for each: 25 s for "an" on 100,000 customers, with the window frozen."""
    statements = []
    run = db.execute_sql

    def recording(sql, params=()):
        statements.append((sql, params))
        return run(sql, params)

    monkeypatch.setattr(db, "execute_sql", recording)
    listing = CustomerList(db, today=clock.today)
    for query in (ListQuery(text="an", status="customer"), ListQuery(text="a", tag="vip"),
                  ListQuery(text="an", status="prospect", sort="city")):
        listing.find_ids(query)
        listing.count_matching(query)
    joined = [(sql, params) for sql, params in statements if "customer_search s" in sql]
    assert len(joined) >= 4
    for sql, params in joined:
        plan = [row[3] for row in run("EXPLAIN QUERY PLAN " + sql, params).fetchall()
                if row[3].startswith(("SCAN", "SEARCH"))]
        assert "VIRTUAL TABLE" in plan[0], (sql, plan)
