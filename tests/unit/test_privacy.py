"""Forget this person: personal data erased everywhere, anonymous totals kept."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from crmdesk.core import privacy
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput, ListQuery
from crmdesk.core.sales import ItemInput, SaleInput
from crmdesk.store.models import Appointment, LoyaltyEntry, ReminderDelivery

# Strings that only the forgotten person's data holds.
SECRETS = ("Wilhelmina", "Quaggenbusch", "Quaggenbusch Trading", "wilhelmina.q@example.org",
           "7946 0999", "79460999", "447400123456", "Zanzibarstrasse", "ZX9 8QQ", "Obscuraville",
           "Ruritania", "persimmons", "liquorice", "pescatarian", "size forty-two",
           "flea-market", "haberdashery", "marmalade", "whisperingpines", "tangerine-scarf",
           "Grandmother's", "Lighthouse café", "umbrella-stand", "gooseberry-fool",
           "velvet-slippers", "harpsichord")

NOW = dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def people(book, db):
    secret = book.create(CustomerInput(
        first_name="Wilhelmina", last_name="Quaggenbusch", business_name="Quaggenbusch Trading",
        phone="+44 20 7946 0999", phone_alt="020 7946 0999", email="wilhelmina.q@example.org",
        whatsapp="+44 7400 123456", address="12 Zanzibarstrasse", postcode="ZX9 8QQ",
        city="Obscuraville", country="Ruritania", notes="Loves persimmons",
        likes="liquorice", dislikes="loud music", diet="pescatarian", sizes="size forty-two",
        source="flea-market", keep_in_touch_days=30, tags=["haberdashery"],
        dates=[DateInput("birthday", 12, 3, 1970), DateInput("custom", 1, 6, None,
                                                              label="Grandmother's day")],
        consents=[ConsentInput("email", True, source="whisperingpines form")]))
    other = book.create(CustomerInput(first_name="Otto", last_name="Normal", phone="0113 496 0000",
                                      email="otto@example.com", notes="likes tea", tags=["vip"]))
    book.log_interaction(secret, "visit", "Bought marmalade and a tangerine-scarf")
    book.log_interaction(secret, "call", "Asked about the umbrella-stand")
    book.log_interaction(other, "visit", "Bought tea")
    book.add_follow_up(secret, "Call back about marmalade", dt.date(2026, 3, 20))
    Appointment.create(customer=secret, starts_at=dt.datetime(2026, 3, 15, 9), place="Lighthouse café",
                       note="bring the umbrella-stand", created_at=dt.datetime(2026, 3, 1))
    ReminderDelivery.create(occurrence_key=f"birthday:{secret}:2026-03-12", kind="birthday",
                            customer_id=secret, occurs_on=dt.date(2026, 3, 12), state="shown",
                            updated_at=dt.datetime(2026, 3, 9), last_error="")
    sales = _sales(db)
    sales.record(SaleInput(secret, dt.date(2026, 3, 1), 12000, (
        ItemInput(description="velvet-slippers for her sister", amount_minor=12000),),
        note="gooseberry-fool recipe promised"))
    LoyaltyEntry.create(customer=secret, kind="redeem", points=-100,
                        reward="harpsichord lesson", created_at=dt.datetime(2026, 3, 2))
    sales.record(SaleInput(other, dt.date(2026, 3, 1), 500, (ItemInput(description="tea"),)))
    return secret, other


def _sales(db):
    from crmdesk.core.loyalty import Loyalty
    from crmdesk.core.sales import Sales
    from crmdesk.core.settings import BusinessSettings

    settings = BusinessSettings(loyalty_mode="points", loyalty_rewards="100 = a treat")
    clock = lambda: NOW  # noqa: E731
    return Sales(db, now=clock, settings=lambda: settings,
                 loyalty=Loyalty(db, now=clock, settings=lambda: settings))


def dump(db) -> str:
    """Every row of every table (shadow tables of the search index included), as text."""
    tables = [row[0] for row in db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    out = []
    for table in tables:
        for row in db.execute_sql(f'SELECT * FROM "{table}"').fetchall():
            for value in row:
                if isinstance(value, bytes):
                    out.append(value.decode("utf-8", "replace"))
                else:
                    out.append(str(value))
    return "\n".join(out)


def found(text: str, secret: str) -> bool:
    return secret.lower() in text.lower()


def test_the_secrets_are_there_before(people, db):
    text = dump(db)
    assert all(found(text, s) for s in ("Wilhelmina", "marmalade", "Lighthouse café", "79460999"))


def test_forget_erases_every_personal_string_from_every_table(people, db, customer_list, caplog):
    secret, other = people
    caplog.set_level(logging.INFO, logger="crmdesk.core.privacy")
    report = privacy.forget(db, secret, NOW)

    text = dump(db)
    left = [s for s in SECRETS if found(text, s)]
    assert left == []
    assert report.name == f"Forgotten customer {secret}"
    assert report.conversations_kept == 2 and report.follow_ups_kept == 1
    assert report.appointments_kept == 1 and report.dates_erased == 2
    assert report.consents_erased == 1 and report.tags_unlinked == 1
    assert report.reminders_erased == 1 and report.purchases_kept == 1
    # Logged, without personal data.
    assert f"forgot customer {secret}" in caplog.text
    assert "Wilhelmina" not in caplog.text


def test_nothing_personal_is_left_in_the_file_itself(people, db, db_path):
    secret, _ = people
    privacy.forget(db, secret, NOW)
    raw = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    if wal.exists():
        raw += wal.read_bytes()
    for secret_text in ("Wilhelmina", "Quaggenbusch", "wilhelmina.q@example.org", "marmalade",
                        "Obscuraville", "persimmons", "Lighthouse caf"):
        assert secret_text.encode() not in raw, secret_text


def test_search_finds_nothing_personal(people, db, customer_list):
    secret, _ = people
    privacy.forget(db, secret, NOW)
    for words in ("Wilhelmina", "Quaggenbusch", "0999", "wilhelmina", "Obscuraville",
                  "persimmons", "haberdashery"):
        assert customer_list.count_matching(ListQuery(text=words)) == 0
        assert customer_list.count_matching(ListQuery(text=words, trash=True)) == 0
        hits = db.execute_sql("SELECT rowid FROM customer_search WHERE customer_search MATCH ?",
                              (f'"{words}"*',)).fetchall()
        assert hits == []


def test_totals_are_kept_and_the_row_is_anonymous_in_trash(people, db, book, customer_list):
    secret, _ = people
    before = db.execute_sql("SELECT COUNT(*), MIN(occurred_at), MAX(occurred_at) FROM interaction "
                            "WHERE customer_id = ?", (secret,)).fetchone()
    privacy.forget(db, secret, NOW)
    after = db.execute_sql("SELECT COUNT(*), MIN(occurred_at), MAX(occurred_at) FROM interaction "
                           "WHERE customer_id = ?", (secret,)).fetchone()
    assert after == before
    assert db.execute_sql("SELECT COUNT(*) FROM follow_up WHERE customer_id = ?",
                          (secret,)).fetchone()[0] == 1
    card = book.card(secret)
    assert card.name == f"Forgotten customer {secret}"
    assert card.deleted_at is not None
    assert card.data.do_not_contact is True
    assert card.data.keep_in_touch_days is None
    assert card.data.tags == [] and card.data.dates == [] and card.data.consents == []
    assert customer_list.count() == 1
    assert customer_list.count(trash=True) == 1


def test_other_customers_are_untouched(people, db, book):
    secret, other = people
    before = book.load_input(other)
    card_before = book.card(other)
    privacy.forget(db, secret, NOW)
    assert book.load_input(other) == before
    card = book.card(other)
    assert [i.summary for i in card.interactions] == [i.summary for i in card_before.interactions]
    assert card.deleted_at is None


def test_unknown_customer_changes_nothing(people, db):
    text = dump(db)
    with pytest.raises(LookupError):
        privacy.forget(db, 9999, NOW)
    assert dump(db) == text


def test_purchases_and_points_stay_for_the_shops_figures(people, db):
    secret, other = people
    privacy.forget(db, secret, NOW)
    summary = _sales(db).summary(secret)
    assert (summary.visits, summary.total_minor, summary.loyalty_balance) == (1, 12000, 20)
    sale = summary.recent[0]
    assert (sale.on, sale.note, sale.items[0].amount_minor, sale.items[0].text) == (
        dt.date(2026, 3, 1), "", 12000, "")
    assert _sales(db).summary(other).recent[0].items_text == "tea"


def test_a_merge_record_keeps_no_copy_of_a_forgotten_person(people, db, book):
    from crmdesk.core import merge

    secret, _other = people
    twin = book.create(CustomerInput(first_name="Willa", last_name="Q"))
    merge.merge(db, secret, twin, {}, NOW)  # the record holds the secret's row as it was
    assert found(dump(db), "persimmons")
    privacy.forget(db, secret, NOW)
    text = dump(db)
    assert [s for s in SECRETS if found(text, s)] == []
    assert merge.recorded_merges(db) == []


def test_the_unchecked_phone_mark_goes_with_the_numbers(people, db):
    secret, _other = people
    db.execute_sql("UPDATE customer SET phone_check = 'phone whatsapp' WHERE id = ?", (secret,))
    privacy.forget(db, secret, NOW)
    assert db.execute_sql("SELECT phone, whatsapp, phone_check FROM customer WHERE id = ?",
                          (secret,)).fetchone() == ("", "", "")
