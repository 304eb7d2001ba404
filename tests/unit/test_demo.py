"""Sample customers: deterministic, plausible, valid, searchable, and kind to an existing book."""

from __future__ import annotations

import datetime as dt
import random

import phonenumbers
import pytest

from crmdesk.core import demo, validation
from crmdesk.core.model import CustomerInput, DateInput, ListQuery
from crmdesk.core.text import fold
from crmdesk.store.db import open_database

TABLES = {
    "customer": "id",
    "important_date": "id",
    "interaction": "id",
    "follow_up": "id",
    "consent": "id",
    "customer_tag": "customer_id, tag_id",
    "tag": "id",
}


def dump(db) -> dict[str, list[tuple]]:
    return {table: db.execute_sql(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
            for table, order in TABLES.items()}


def count(db, table: str) -> int:
    return db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def other_db(tmp_path):
    opened = open_database(tmp_path / "other.db")
    yield opened.db
    opened.db.close()


def test_same_seed_and_now_give_the_same_book(db, other_db, clock, monkeypatch):
    assert demo.generate(db, 300, seed=7, now=clock()) == 300
    monkeypatch.setattr(demo, "CHUNK", 37)  # chunking does not change what is drawn
    assert demo.generate(other_db, 300, seed=7, now=clock()) == 300
    assert dump(db) == dump(other_db)


def test_another_seed_gives_other_customers(db, other_db, clock):
    demo.generate(db, 50, seed=1, now=clock())
    demo.generate(other_db, 50, seed=2, now=clock())
    names = "SELECT display_name FROM customer ORDER BY id"
    assert db.execute_sql(names).fetchall() != other_db.execute_sql(names).fetchall()


def test_counts_and_mix_are_plausible(db, clock):
    assert demo.generate(db, 600, seed=3, now=clock()) == 600
    assert count(db, "customer") == 600
    assert 2.2 <= count(db, "important_date") / 600 <= 2.8
    assert 2.6 <= count(db, "interaction") / 600 <= 3.4
    businesses = count_where(db, "customer", "kind = 'business'")
    assert 0.05 <= businesses / 600 <= 0.16
    statuses = dict(db.execute_sql("SELECT status, count(*) FROM customer GROUP BY status"))
    assert statuses["customer"] > statuses["prospect"] > 0 and statuses["former"] > 0
    assert count_where(db, "follow_up", "done_at IS NULL") > 0
    assert count_where(db, "follow_up", "done_at IS NOT NULL") > 0
    assert count_where(db, "important_date", "kind = 'birthday' AND year IS NULL") > 0
    assert count_where(db, "important_date", "kind = 'birthday' AND year IS NOT NULL") > 0
    assert count_where(db, "important_date", "kind = 'custom' AND label != ''") > 0
    assert count_where(db, "customer", "keep_in_touch_days IS NOT NULL") > 0
    assert count(db, "consent") > 0 and count(db, "customer_tag") > 0
    accented = [n for (n,) in db.execute_sql("SELECT display_name FROM customer")
                if fold(n) != n.casefold()]
    assert len(accented) > 30


def count_where(db, table: str, condition: str) -> int:
    return db.execute_sql(f"SELECT count(*) FROM {table} WHERE {condition}").fetchone()[0]


def test_conversations_lie_in_the_last_two_years(db, clock):
    demo.generate(db, 200, now=clock())
    now = clock().replace(tzinfo=None)
    oldest, newest = db.execute_sql(
        "SELECT min(occurred_at), max(occurred_at) FROM interaction").fetchone()
    assert now - dt.timedelta(days=731) <= dt.datetime.fromisoformat(oldest)
    assert dt.datetime.fromisoformat(newest) <= now
    assert count_where(db, "interaction i JOIN customer c ON c.id = i.customer_id",
                       "i.occurred_at < c.created_at") == 0


def test_every_sampled_customer_passes_validation_unchanged(db, book, clock):
    demo.generate(db, 500, seed=5, now=clock())
    ids = [i for (i,) in db.execute_sql("SELECT id FROM customer")]
    for customer_id in random.Random(0).sample(ids, 50):
        data = book.load_input(customer_id)
        checked = book.validate(data)  # raises ValidationError if anything is wrong
        assert checked == data, customer_id  # already stored in normalised form
        name, sort_name = db.execute_sql(
            "SELECT display_name, sort_name FROM customer WHERE id = ?", (customer_id,)).fetchone()
        assert name == validation.display_name(data)
        assert sort_name == fold(name)


def test_phone_numbers_are_valid_and_emails_reserved(db, clock):
    demo.generate(db, 300, now=clock())
    numbers = [n for (n,) in db.execute_sql(
        "SELECT phone FROM customer WHERE phone != '' UNION SELECT phone_alt FROM customer "
        "WHERE phone_alt != '' UNION SELECT whatsapp FROM customer WHERE whatsapp != ''")]
    assert len(numbers) > 200
    for number in numbers:
        assert phonenumbers.is_valid_number(phonenumbers.parse(number, None)), number
    reserved = ("example.com", "example.org", "example.net")
    for (email,) in db.execute_sql("SELECT email FROM customer WHERE email != ''"):
        domain = email.split("@")[1]
        assert domain in reserved or domain.endswith(tuple("." + d for d in reserved)), email


def test_last_contact_is_the_latest_conversation(db, clock):
    demo.generate(db, 300, now=clock())
    mismatched = count_where(
        db, "customer c",
        "c.last_contact_at IS NOT (SELECT max(occurred_at) FROM interaction i "
        "WHERE i.customer_id = c.id)")
    assert mismatched == 0
    assert count_where(db, "customer", "last_contact_at IS NOT NULL") > 250


def test_search_finds_a_sample_customer_by_phone_digits_and_name(db, customer_list, clock):
    demo.generate(db, 300, now=clock())
    rows = db.execute_sql(
        "SELECT id, phone, first_name, last_name FROM customer WHERE kind = 'person' "
        "AND phone != '' AND substr(phone, -4, 1) != '0' ORDER BY id LIMIT 25").fetchall()
    assert len(rows) == 25
    for customer_id, phone, first, last in rows:
        assert customer_id in customer_list.find_ids(ListQuery(text=phone[-4:]))
        assert customer_id in customer_list.find_ids(ListQuery(text=f"{first} {last}"))
        # typed without accents, in lower case
        assert customer_id in customer_list.find_ids(ListQuery(text=fold(last)))


def test_search_finds_last_four_digits_that_start_with_two_zeros(db, customer_list, clock):
    demo.generate(db, 300, now=clock())
    customer_id, phone = db.execute_sql(
        "SELECT id, phone FROM customer WHERE substr(phone, -4, 2) = '00' "
        "AND substr(phone, -2) != '00' ORDER BY id").fetchone()
    assert customer_id in customer_list.find_ids(ListQuery(text=phone[-4:]))


def test_existing_customers_are_kept(db, book, customer_list, clock):
    mine = book.create(CustomerInput(
        first_name="Ada", last_name="Lovelace", phone="+441134960123", tags=["VIP"],
        dates=[DateInput(kind="birthday", day=10, month=12, year=1915)]))
    before = book.card(mine)
    assert demo.generate(db, 120, now=clock()) == 120
    assert count(db, "customer") == 121
    assert book.card(mine) == before
    assert customer_list.find_ids(ListQuery(text="lovelace")) == [mine]
    assert count(db, "customer_search") == 121
    # the user's tag "VIP" is reused (tags are case-insensitive), not duplicated
    assert count_where(db, "tag", "name = 'vip'") == 1


def test_progress_is_reported_per_chunk_and_cancel_keeps_whole_chunks(db, clock, monkeypatch):
    monkeypatch.setattr(demo, "CHUNK", 10)
    seen = []

    def record(done, total):
        seen.append((done, total))
        return True

    assert demo.generate(db, 35, now=clock(), progress=record) == 35
    assert seen == [(10, 35), (20, 35), (30, 35), (35, 35)]

    calls = []

    def cancel_after_two(done, total):
        calls.append(done)
        return len(calls) < 2

    assert demo.generate(db, 50, now=clock(), progress=cancel_after_two) == 20
    assert count(db, "customer") == 55
    assert count(db, "customer_search") == 55
    assert count_where(db, "important_date", "customer_id > 55") == 0


def test_demo_waits_its_turn_while_another_crmdesk_writes(tmp_path):
    """Another program holds the book's write lock (an import): the demo says it is waiting,
    waits, and writes every customer once the lock is free (it used to write them and then exit
    'in use' at its last step)."""
    import sqlite3
    import threading

    path = tmp_path / "book.db"
    open_database(path).db.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another crmdesk writing
    waited = threading.Event()
    result: list = []

    def run() -> None:
        opened = open_database(path)
        try:
            result.append(demo.generate(opened.db, 30, seed=3, patience=120,
                                        waiting=waited.set))
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            result.append(exc)
        finally:
            opened.db.close()

    worker = threading.Thread(target=run)
    worker.start()
    assert waited.wait(60), "the demo never said it was waiting"
    other.execute("COMMIT")  # the other writer is done
    other.close()
    worker.join(120)
    assert result == [30]
    opened = open_database(path)
    try:
        assert count(opened.db, "customer") == 30
    finally:
        opened.db.close()
