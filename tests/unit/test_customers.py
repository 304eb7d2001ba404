"""The customer book: add and edit, the conversation log, follow-ups, Trash and the card."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from crmdesk.core.customers import NotFound
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.core.validation import ValidationError

UTC = dt.UTC
TODAY = dt.date(2026, 3, 10)


def _full_input() -> CustomerInput:
    return CustomerInput(
        kind="person", first_name="Zoë", last_name="Ångström", business_name="Zoë's Studio",
        phone="07400 123456", phone_alt="+49 170 9876543", email="Zoe@Example.COM",
        whatsapp="07400 123456", address="12 Harbour Row\nFlat 2", city="Bristol",
        postcode="BS1 4DJ", country="GB", notes="Prefers mornings", likes="lavender",
        dislikes="strong perfume", diet="vegan", sizes="M / EU 38", status="prospect",
        source="Instagram", do_not_contact=True, keep_in_touch_days=45,
        tags=["VIP", "knitting"],
        dates=[DateInput(kind="anniversary", day=14, month=6, year=2015, lead_days=7),
               DateInput(kind="birthday", day=29, month=2, year=1988),
               DateInput(kind="custom", day=6, month=12, label="Name day")],
        consents=[ConsentInput("email", True, dt.date(2026, 1, 5), "signed form"),
                  ConsentInput("sms", False)],
    )


def _count(db, table: str) -> int:
    return db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- add and edit ----------------------------------------------------------------------------


def test_everything_entered_comes_back(book):
    zoe = book.create(_full_input())
    loaded = book.load_input(zoe)
    expected = dataclasses.replace(
        _full_input(), phone="+447400123456", phone_alt="+491709876543",
        whatsapp="+447400123456", email="zoe@example.com",
        tags=["knitting", "VIP"],  # alphabetical, whatever the case
        consents=[ConsentInput("email", True, dt.date(2026, 1, 5), "signed form"),
                  ConsentInput("sms", False, TODAY, "")],  # recorded today when no date given
    )
    ids = [d.id for d in loaded.dates]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 3
    expected.dates = [  # in calendar order
        DateInput(kind="birthday", day=29, month=2, year=1988, id=ids[0]),
        DateInput(kind="anniversary", day=14, month=6, year=2015, lead_days=7, id=ids[1]),
        DateInput(kind="custom", day=6, month=12, label="Name day", id=ids[2]),
    ]
    assert loaded == expected


def test_the_card_shows_the_name_and_stamps(book, clock):
    zoe = book.create(_full_input())
    card = book.card(zoe)
    assert card.name == "Zoë Ångström"
    assert card.created_at == card.updated_at == dt.datetime(2026, 3, 10, 10, 30)
    assert card.deleted_at is None and card.last_contact is None
    clock.advance(days=2)
    book.update(zoe, book.load_input(zoe))
    card = book.card(zoe)
    assert card.created_at == dt.datetime(2026, 3, 10, 10, 30)
    assert card.updated_at == dt.datetime(2026, 3, 12, 10, 30)


def test_a_business_is_named_by_its_business_name(book, add):
    shop = add("Anna", "Kowalska", kind="business", business_name="Café Übersee")
    assert book.card(shop).name == "Café Übersee"


def test_an_edit_keeps_the_ids_of_dates_that_stay(book, db):
    zoe = book.create(_full_input())
    data = book.load_input(zoe)
    birthday, anniversary, name_day = data.dates
    anniversary.lead_days = 14
    data.dates = [birthday, anniversary, DateInput(kind="custom", day=1, month=9, label="Shop day")]
    book.update(zoe, data)
    after = book.load_input(zoe).dates
    assert [d.id for d in after[:2]] == [birthday.id, anniversary.id]
    assert after[1].lead_days == 14
    assert after[2].id not in {birthday.id, anniversary.id, name_day.id}
    assert (after[2].label, after[2].day, after[2].month) == ("Shop day", 1, 9)
    assert _count(db, "important_date") == 3


def test_an_unchanged_save_changes_nothing_the_user_sees(book, clock):
    zoe = book.create(_full_input())
    before = book.load_input(zoe)
    clock.advance(days=30)
    book.update(zoe, before)
    assert book.load_input(zoe) == before  # same date ids, same consent dates


def test_consent_changes_are_dated_today(book, clock):
    zoe = book.create(_full_input())
    clock.advance(days=10)
    data = book.load_input(zoe)
    data.consents = [dataclasses.replace(c, granted=not c.granted) for c in data.consents]
    book.update(zoe, data)
    assert [(c.channel, c.granted, c.recorded_on) for c in book.load_input(zoe).consents] == [
        ("email", False, dt.date(2026, 3, 20)), ("sms", True, dt.date(2026, 3, 20))]


def test_tags_no_one_uses_any_more_are_removed(book, add, db):
    anna = add("Anna", tags=["VIP", "Knitting"])
    bob = add("Bob", tags=["vip"])
    assert book.load_input(bob).tags == ["VIP"]  # one tag, whatever the case typed
    data = book.load_input(anna)
    data.tags = ["VIP"]
    book.update(anna, data)
    names = [r[0] for r in db.execute_sql("SELECT name FROM tag ORDER BY name")]
    assert names == ["VIP"]


def test_editing_someone_who_is_gone_says_so(book, add):
    with pytest.raises(NotFound):
        book.update(12345, CustomerInput(first_name="Ghost"))
    anna = add("Anna")
    book.trash([anna])
    with pytest.raises(NotFound):
        book.update(anna, CustomerInput(first_name="Anna"))


# --- the conversation log --------------------------------------------------------------------


def test_last_contact_is_the_newest_conversation(book, add, customer_list):
    anna = add("Anna")
    newer = dt.datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    older = dt.datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    newest_id = book.log_interaction(anna, "call", "Asked about the new range", "in", newer)
    book.log_interaction(anna, "visit", "Bought a scarf", when=older)
    assert book.card(anna).last_contact == dt.datetime(2026, 3, 1, 15, 0)
    assert customer_list.rows([anna])[anna].last_contact == dt.datetime(2026, 3, 1, 15, 0)

    book.remove_interaction(newest_id)
    assert book.card(anna).last_contact == dt.datetime(2026, 2, 1, 9, 0)
    assert customer_list.rows([anna])[anna].last_contact == dt.datetime(2026, 2, 1, 9, 0)


def test_a_conversation_without_a_time_happened_now(book, add):
    anna = add("Anna")
    book.log_interaction(anna, "whatsapp", "  Sent photos  \n")
    card = book.card(anna)
    assert card.last_contact == dt.datetime(2026, 3, 10, 10, 30)
    assert [(i.channel, i.direction, i.summary) for i in card.interactions] == [
        ("whatsapp", "out", "Sent photos")]


def test_removing_every_conversation_clears_last_contact(book, add):
    anna = add("Anna")
    entry = book.log_interaction(anna, "sms", "Reminder sent")
    book.remove_interaction(entry)
    assert book.card(anna).last_contact is None


def test_an_edit_does_not_touch_last_contact(book, add):
    anna = add("Anna")
    book.log_interaction(anna, "call", "Hello", when=dt.datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    data = book.load_input(anna)
    data.city = "Leeds"
    book.update(anna, data)
    assert book.card(anna).last_contact == dt.datetime(2026, 1, 2, 3, 4)


@pytest.mark.parametrize(("channel", "direction", "summary", "field"), [
    ("pigeon", "out", "Hi", "channel"),
    ("call", "sideways", "Hi", "direction"),
    ("call", "out", "  \n ", "summary"),
])
def test_a_conversation_that_makes_no_sense_is_refused(book, add, db, channel, direction,
                                                       summary, field):
    anna = add("Anna")
    with pytest.raises(ValidationError) as caught:
        book.log_interaction(anna, channel, summary, direction)
    assert set(caught.value.errors) == {field}
    assert _count(db, "interaction") == 0


def test_the_card_lists_conversations_newest_first(book, add):
    anna = add("Anna")
    for day in (3, 1, 2):
        book.log_interaction(anna, "visit", f"Visit {day}",
                             when=dt.datetime(2026, 3, day, 12, 0, tzinfo=UTC))
    card = book.card(anna)
    assert [i.summary for i in card.interactions] == ["Visit 3", "Visit 2", "Visit 1"]
    assert card.interaction_count == 3


# --- follow-ups ------------------------------------------------------------------------------


def test_follow_ups_open_first_overdue_flagged(book, add, clock):
    anna = add("Anna")
    late = book.add_follow_up(anna, "Send the invoice", dt.date(2026, 3, 1))
    soon = book.add_follow_up(anna, " Call  back ", dt.date(2026, 3, 12))
    done = book.add_follow_up(anna, "Order wool", dt.date(2026, 2, 1))
    book.set_follow_up_done(done, True)
    shown = [(f.id, f.title, f.overdue, f.done_at) for f in book.card(anna).follow_ups]
    assert shown == [(late, "Send the invoice", True, None), (soon, "Call back", False, None),
                     (done, "Order wool", False, dt.datetime(2026, 3, 10, 10, 30))]
    book.set_follow_up_done(done, False)
    book.remove_follow_up(late)
    clock.advance(days=3)
    assert [(f.id, f.overdue) for f in book.card(anna).follow_ups] == [(done, True), (soon, True)]


def test_a_follow_up_needs_a_title(book, add, db):
    anna = add("Anna")
    with pytest.raises(ValidationError):
        book.add_follow_up(anna, "   ", dt.date(2026, 4, 1))
    assert _count(db, "follow_up") == 0


def test_the_card_lists_dates_soonest_first_with_ages(book, add):
    anna = add("Anna", dates=[DateInput(kind="birthday", day=1, month=3, year=1990),
                              DateInput(kind="anniversary", day=20, month=3, year=2016),
                              DateInput(kind="custom", label="Name day", day=26, month=7)])
    shown = [(d.kind, d.next_on, d.days_left, d.years) for d in book.card(anna).dates]
    assert shown == [("anniversary", dt.date(2026, 3, 20), 10, 10),
                     ("custom", dt.date(2026, 7, 26), 138, None),
                     ("birthday", dt.date(2027, 3, 1), 356, 37)]


# --- Trash -----------------------------------------------------------------------------------


@pytest.fixture
def two_customers(book, add):
    """Anna (to be trashed) and Bob (who stays), each with a full history."""
    ids = {}
    for name, tags in (("Anna", ["Only Anna", "Shared"]), ("Bob", ["Shared", "Only Bob"])):
        ids[name] = add(name, tags=tags, dates=[DateInput(day=5, month=5)],
                        consents=[ConsentInput("email", True)])
        book.log_interaction(ids[name], "visit", f"{name} came in")
        book.add_follow_up(ids[name], f"Call {name}", dt.date(2026, 4, 1))
    return ids


def _owned(db, customer_id: int) -> dict[str, int]:
    return {table: db.execute_sql(f"SELECT count(*) FROM {table} WHERE customer_id = ?",
                                  (customer_id,)).fetchone()[0]
            for table in ("important_date", "interaction", "follow_up", "consent",
                          "customer_tag")}


def test_trash_hides_but_keeps_everything(book, db, customer_list, two_customers):
    anna, bob = two_customers["Anna"], two_customers["Bob"]
    history = _owned(db, anna)
    book.trash([anna])
    assert customer_list.count() == 1 and customer_list.count(trash=True) == 1
    assert _owned(db, anna) == history
    card = book.card(anna)  # still readable from the Trash view
    assert card.deleted_at == dt.datetime(2026, 3, 10, 10, 30)
    assert card.interaction_count == 1
    assert customer_list.tags() == ["Only Bob", "Shared"]
    with pytest.raises(NotFound):
        book.log_interaction(anna, "call", "Hello")
    with pytest.raises(NotFound):
        book.add_follow_up(anna, "Hello", TODAY)
    assert book.card(bob).deleted_at is None


def test_restore_brings_a_customer_back_whole(book, db, customer_list, two_customers):
    anna = two_customers["Anna"]
    before = book.load_input(anna)
    history = _owned(db, anna)
    book.trash([anna])
    book.restore([anna])
    assert book.load_input(anna) == before
    assert _owned(db, anna) == history
    assert book.card(anna).deleted_at is None
    assert customer_list.count() == 2 and customer_list.count(trash=True) == 0
    assert customer_list.tags() == ["Only Anna", "Only Bob", "Shared"]


def test_trashing_twice_keeps_the_first_date(book, clock, two_customers):
    anna = two_customers["Anna"]
    book.trash([anna])
    clock.advance(days=1)
    book.trash([anna])
    assert book.card(anna).deleted_at == dt.datetime(2026, 3, 10, 10, 30)


def test_empty_trash_erases_only_what_is_in_trash(book, db, customer_list, two_customers):
    anna, bob = two_customers["Anna"], two_customers["Bob"]
    bob_before = book.load_input(bob)
    bob_history = _owned(db, bob)
    book.trash([anna])
    assert book.empty_trash() == 1
    assert _owned(db, anna) == dict.fromkeys(bob_history, 0)
    with pytest.raises(NotFound):
        book.card(anna)
    assert book.load_input(bob) == bob_before
    assert _owned(db, bob) == bob_history
    names = [r[0] for r in db.execute_sql("SELECT name FROM tag ORDER BY name")]
    assert names == ["Only Bob", "Shared"]
    assert customer_list.count() == 1 and customer_list.count(trash=True) == 0
    assert book.empty_trash() == 0


def test_empty_trash_erases_a_customer_with_appointments_and_reminder_records(book, db, clock):
    import datetime as dt

    from crmdesk.core import reminders
    from crmdesk.core.appointments import AppointmentInput, Appointments

    customer_id = book.create(CustomerInput(first_name="Ada", last_name="Lovelace"))
    appointments = Appointments(db, now=clock)
    appointments.add(customer_id, AppointmentInput(on=clock.today() + dt.timedelta(days=1),
                                                   at=dt.time(15, 0), place="Shop"))
    book.add_follow_up(customer_id, "Call", clock.today())
    due = reminders.due(db, clock())
    reminders.record_all(db, due, "shown", clock())
    book.trash([customer_id])
    assert book.empty_trash() == 1
    for table in ("customer", "appointment", "reminder_delivery", "follow_up"):
        assert db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_today_badge_counts_a_feb_29_birthday_on_mar_1_when_set_so(db, book, clock):
    from crmdesk.core import dates, upcoming
    from crmdesk.core.model import DateInput

    book.create(CustomerInput(first_name="Leap", dates=[DateInput("birthday", 29, 2, None)]))
    non_leap_mar_1 = dt.date(2027, 3, 1)
    assert upcoming.due_today_count(db, non_leap_mar_1, dates.FEB29_ON_MAR1) == 1
    assert upcoming.due_today_count(db, non_leap_mar_1, dates.FEB29_ON_FEB28) == 0
    assert upcoming.due_today_count(db, dt.date(2027, 2, 28), dates.FEB29_ON_FEB28) == 1
