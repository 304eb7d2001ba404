"""The duplicate finder, merge and undo of a merge."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.core import duplicates
from crmdesk.core import merge as merge_rules
from crmdesk.core.customers import CustomerBook
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.store.models import Appointment, ReminderDelivery

NOW = dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC)


def pair_for(pairs, a, b):
    wanted = {a, b}
    return next((p for p in pairs if {p.a_id, p.b_id} == wanted), None)


def test_pairs_by_phone_email_and_name_are_found_and_ranked(db, add):
    p1 = add("Anna", "Schmidt", phone="020 7946 0123", city="Leeds")
    p2 = add("Annie", "S", phone_alt="+44 20 7946 0123")
    e1 = add("Carl", "Jones", email="Carl@Example.com")
    e2 = add("C", "Jones", email="carl@example.COM")
    n1 = add("Dora", "Lee")
    n2 = add("dora", "LEE")
    s1 = add("Ethan", "Hunt")
    s2 = add("Hunt", "Ethan")
    t1 = add("Margaret", "Olsen", city="York")
    t2 = add("Margret", "Olsen", city="york")
    far = add("Margret", "Olsen", city="Bath")
    add("Someone", "Else", phone="020 7946 9999", email="else@example.com")

    pairs = duplicates.find_pairs(db)
    phone = pair_for(pairs, p1, p2)
    email = pair_for(pairs, e1, e2)
    name = pair_for(pairs, n1, n2)
    assert phone.reasons == ("same phone number",)
    assert email.reasons == ("same email",)
    assert name.reasons == ("same name",)
    assert pair_for(pairs, s1, s2).reasons == ("first and last name swapped",)
    assert pair_for(pairs, t1, t2).reasons == ("similar name in the same town",)
    assert pair_for(pairs, t1, far) is None  # a different town: not alike enough
    assert phone.score > name.score and email.score > name.score
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    assert (phone.a_id, phone.a_name, phone.b_name) == (p1, "Anna Schmidt", "Annie S")
    assert len(pairs) == 6  # t2/far are "same name" too
    assert pair_for(pairs, t2, far).reasons == ("same name",)


def test_reasons_add_up(db, add):
    a = add("Dora", "Lee", phone="020 7946 0123", email="d@example.com")
    b = add("Dora", "Lee", phone="020 7946 0123", email="D@example.com")
    (pair,) = duplicates.find_pairs(db)
    assert (pair.a_id, pair.b_id) == (a, b)
    assert pair.reasons == ("same phone number", "same email", "same name")
    assert pair.score == 100


def test_customers_in_trash_are_ignored(db, add, book):
    a = add("Dora", "Lee", phone="020 7946 0123")
    b = add("Dora", "Lee", phone="020 7946 0123")
    book.trash([b])
    assert duplicates.find_pairs(db) == []
    book.restore([b])
    assert [(p.a_id, p.b_id) for p in duplicates.find_pairs(db)] == [(a, b)]


def test_limit(db, add):
    for _ in range(5):
        add("Dora", "Lee")
    assert len(duplicates.find_pairs(db)) == 10
    assert len(duplicates.find_pairs(db, limit=3)) == 3


def make_pair(book: CustomerBook, clock):
    survivor = book.create(CustomerInput(
        first_name="Anna", last_name="Schmidt", phone="020 7946 0123", city="",
        notes="likes tea", tags=["vip", "shoes"],
        dates=[DateInput("birthday", 12, 3, 1990)],
        consents=[ConsentInput("email", True, dt.date(2025, 1, 1), "shop")]))
    other = book.create(CustomerInput(
        first_name="Anne", last_name="Schmidt", email="anna@example.com", city="Leeds",
        tags=["shoes", "newsletter"],
        dates=[DateInput("anniversary", 5, 6, 2010), DateInput("custom", 1, 2, label="Shop day")],
        consents=[ConsentInput("email", False, dt.date(2025, 2, 2), "form"),
                  ConsentInput("sms", True, dt.date(2025, 2, 2), "form")]))
    book.log_interaction(survivor, "visit", "Bought boots")
    for text in ("Called about sizes", "Sent the catalogue"):
        book.log_interaction(other, "call", text)
    book.add_follow_up(other, "Ring back", dt.date(2026, 3, 20))
    Appointment.create(customer=other, starts_at=dt.datetime(2026, 3, 15, 10), created_at=NOW)
    ReminderDelivery.create(occurrence_key=f"date:x:{other}", kind="date", customer_id=other,
                            occurs_on=dt.date(2026, 6, 5), state="shown", updated_at=NOW)
    return survivor, other


def counts(db, customer_id):
    return {table: db.execute_sql(f"SELECT count(*) FROM {table} WHERE customer_id = ?",
                                  (customer_id,)).fetchone()[0]
            for table in ("important_date", "interaction", "follow_up", "appointment",
                          "reminder_delivery", "customer_tag", "consent")}


def row(db, customer_id):
    cursor = db.execute_sql("SELECT * FROM customer WHERE id = ?", (customer_id,))
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


def test_merge_moves_everything_and_trashes_the_other(db, book, clock, customer_list):
    survivor, other = make_pair(book, clock)
    total = db.execute_sql("SELECT count(*) FROM interaction").fetchone()[0]
    record = duplicates.merge(db, survivor, other,
                              {"first_name": "other", "email": "other", "city": "other"}, NOW)

    merged = book.load_input(survivor)
    assert (merged.first_name, merged.email, merged.city, merged.notes) == \
        ("Anne", "anna@example.com", "Leeds", "likes tea")
    assert merged.tags == ["newsletter", "shoes", "vip"]
    assert {d.kind for d in merged.dates} == {"birthday", "anniversary", "custom"}
    consents = {c.channel: c for c in merged.consents}
    assert consents["email"].granted is False  # the other's "no" is the more recent decision
    assert consents["sms"].granted is True
    card = book.card(survivor)
    assert card.name == "Anne Schmidt"
    assert card.interaction_count == 3
    assert len(card.follow_ups) == 1
    got = counts(db, survivor)
    assert (got["appointment"], got["reminder_delivery"]) == (1, 1)
    assert counts(db, other)["interaction"] == 0
    assert db.execute_sql("SELECT count(*) FROM interaction").fetchone()[0] == total
    assert book.card(other).deleted_at is not None
    assert set(record.moved["interaction"]) and len(record.moved["important_date"]) == 2
    # the search finds the survivor by the other's e-mail, and the other no longer
    from crmdesk.core.model import ListQuery
    assert customer_list.find_ids(ListQuery(text="anna@example")) == [survivor]
    assert duplicates.find_pairs(db) == []


def test_consents_of_the_other_win_when_chosen(db, book, clock):
    survivor, other = make_pair(book, clock)
    duplicates.merge(db, survivor, other, {"consents": "other"}, NOW)
    consents = {c.channel: c for c in book.load_input(survivor).consents}
    assert (consents["email"].granted, consents["email"].source) == (False, "form")


def test_undo_gives_back_both_exactly(db, book, clock):
    survivor, other = make_pair(book, clock)
    before = {cid: (book.load_input(cid), counts(db, cid), row(db, cid))
              for cid in (survivor, other)}
    tags_before = db.execute_sql("SELECT id, name FROM tag ORDER BY id").fetchall()
    record = duplicates.merge(db, survivor, other,
                              {name: "other" for name in duplicates.FIELDS} |
                              {"consents": "other"}, NOW)
    assert book.load_input(survivor) != before[survivor][0]

    duplicates.undo_merge(db, record)
    for cid in (survivor, other):
        assert book.load_input(cid) == before[cid][0]
        assert counts(db, cid) == before[cid][1]
        assert row(db, cid) == before[cid][2]
    assert db.execute_sql("SELECT id, name FROM tag ORDER BY id").fetchall() == tags_before
    # and again: redo then undo
    record = duplicates.merge(db, survivor, other, {"email": "other"}, NOW)
    duplicates.undo_merge(db, record)
    assert book.load_input(survivor) == before[survivor][0]
    assert counts(db, other) == before[other][1]


def test_merge_with_itself_or_trash_is_refused(db, book, clock, add):
    survivor, other = make_pair(book, clock)
    with pytest.raises(duplicates.MergeError):
        duplicates.merge(db, survivor, survivor, {}, NOW)
    book.trash([other])
    with pytest.raises(duplicates.MergeError):
        duplicates.merge(db, survivor, other, {}, NOW)
    with pytest.raises(ValueError):
        duplicates.merge(db, survivor, add("X", "Y"), {"nope": "other"}, NOW)
    assert book.card(survivor).interaction_count == 1


def test_merge_is_one_transaction(db, book, clock, monkeypatch):
    survivor, other = make_pair(book, clock)
    before = (book.load_input(survivor), counts(db, survivor), counts(db, other))

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(merge_rules.search, "index_customers", broken)
    with pytest.raises(RuntimeError):
        duplicates.merge(db, survivor, other, {"email": "other"}, NOW)
    assert (book.load_input(survivor), counts(db, survivor), counts(db, other)) == before
    assert book.card(other).deleted_at is None


def test_a_very_common_name_alone_is_not_a_duplicate(db, add):
    for _ in range(duplicates._MAX_NAME_GROUP + 1):
        add("John", "Smith", city="Leeds")
    a = add("Jon", "Smith", city="Leeds", phone="020 7946 0123")
    b = add("Jonny", "Smith", phone="020 7946 0123")
    assert [(p.a_id, p.b_id, p.reasons) for p in duplicates.find_pairs(db)] == \
        [(a, b, ("same phone number",))]
