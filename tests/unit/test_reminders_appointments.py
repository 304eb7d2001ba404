"""Appointments and get-togethers: local time in, UTC stored, plain checks, undo, reminders."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from crmdesk.core import reminders
from crmdesk.core.appointments import AppointmentInput, Appointments
from crmdesk.core.customers import NotFound
from crmdesk.core.validation import ValidationError

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def diary(db, clock):
    return Appointments(db, now=clock, tz=LONDON)


@pytest.fixture
def anna(add):
    return add("Anna", "Schmidt")


def stored_start(db, appointment_id: int) -> str:
    return db.execute_sql("SELECT starts_at FROM appointment WHERE id = ?",
                          (appointment_id,)).fetchone()[0]


def test_local_day_and_time_are_stored_as_utc_and_read_back_local(db, diary, anna):
    winter = diary.add(anna, AppointmentInput(dt.date(2026, 3, 12), dt.time(14, 30), "The shop",
                                              "Fitting for the blue dress"))
    summer = diary.add(anna, AppointmentInput(dt.date(2026, 7, 1), dt.time(14, 30, 59)))
    assert stored_start(db, winter) == "2026-03-12 14:30:00"
    assert stored_start(db, summer) == "2026-07-01 13:30:00"  # BST: an hour ahead of UTC
    view = diary.get(summer)
    assert view.starts_at == dt.datetime(2026, 7, 1, 14, 30, tzinfo=LONDON)
    assert view.as_input() == AppointmentInput(dt.date(2026, 7, 1), dt.time(14, 30))
    assert diary.get(winter).note == "Fitting for the blue dress"


def test_plain_messages_for_what_is_wrong(diary, anna):
    with pytest.raises(ValidationError) as caught:
        diary.add(anna, AppointmentInput(None, None, "x" * 201, lead_minutes=-1))
    assert caught.value.errors == {
        "on": "Choose the day.", "at": "Choose the time.",
        "place": "Keep the place under 200 characters.",
        "lead_minutes": "Remind between 0 minutes and 7 days before."}
    with pytest.raises(ValidationError) as caught:
        diary.add(anna, AppointmentInput(dt.date(2026, 3, 9), dt.time(10)))
    assert caught.value.errors == {"on": "This day has passed. Choose today or a later day."}


def test_text_is_tidied_and_a_customer_in_trash_or_missing_cannot_get_one(diary, book, anna):
    added = diary.add(anna, AppointmentInput(dt.date(2026, 3, 10), dt.time(18),
                                             "  The   pub ", "  Bring the catalogue \n\n"))
    view = diary.get(added)
    assert (view.place, view.note) == ("The pub", "Bring the catalogue")
    book.trash([anna])
    with pytest.raises(NotFound):
        diary.add(anna, AppointmentInput(dt.date(2026, 3, 11), dt.time(10)))
    with pytest.raises(NotFound):
        diary.add(999, AppointmentInput(dt.date(2026, 3, 11), dt.time(10)))


def test_a_customers_upcoming_appointments_in_order(diary, clock, anna, add):
    bob = add("Bob")
    later = diary.add(anna, AppointmentInput(dt.date(2026, 4, 2), dt.time(9)))
    sooner = diary.add(anna, AppointmentInput(dt.date(2026, 3, 10), dt.time(8)))  # earlier today
    diary.add(bob, AppointmentInput(dt.date(2026, 3, 11), dt.time(9)))
    clock.advance(days=2)
    gone = diary.add(anna, AppointmentInput(dt.date(2026, 3, 12), dt.time(9)))
    assert [a.id for a in diary.for_customer(anna)] == [gone, later]
    assert [a.id for a in diary.for_customer(anna, upcoming_only=False)] == [later, gone, sooner]


def test_update_and_done(db, diary, anna):
    added = diary.add(anna, AppointmentInput(dt.date(2026, 3, 12), dt.time(14, 30)))
    diary.update(added, AppointmentInput(dt.date(2026, 3, 13), dt.time(9, 15), "Café",
                                         lead_minutes=120))
    view = diary.get(added)
    assert (view.starts_at.hour, view.place, view.lead_minutes) == (9, "Café", 120)
    diary.set_done(added)
    assert diary.get(added).done_at == dt.datetime(2026, 3, 10, 10, 30)
    diary.set_done(added, False)
    assert diary.get(added).done_at is None
    with pytest.raises(NotFound):
        diary.update(12345, AppointmentInput(dt.date(2026, 3, 13), dt.time(9)))


def test_remove_returns_what_restore_needs_with_the_same_id(db, diary, anna):
    added = diary.add(anna, AppointmentInput(dt.date(2026, 3, 12), dt.time(14, 30), "Shop",
                                             "Bring samples", 45))
    before = diary.get(added)
    removed = diary.remove(added)
    assert diary.for_customer(anna) == []
    with pytest.raises(NotFound):
        diary.remove(added)
    assert diary.restore(removed) == added
    assert diary.get(added) == before


# --- reminding -------------------------------------------------------------------------------


def test_an_appointment_reminds_its_lead_time_before_it_starts(db, diary, anna):
    added = diary.add(anna, AppointmentInput(dt.date(2026, 3, 12), dt.time(14, 30), "The shop"))
    now = dt.datetime(2026, 3, 12, 13, 29, tzinfo=LONDON)
    assert reminders.due(db, now) == []
    (found,) = reminders.due(db, now + dt.timedelta(minutes=1))
    assert found.key == f"appointment:{added}:2026-03-12T1430:lead60"
    assert found.title == "Appointment with Anna Schmidt today at 14:30, The shop"
    assert found.starts_at == dt.datetime(2026, 3, 12, 14, 30, tzinfo=LONDON)
    assert (found.occurs_on, found.label, found.lead) == (dt.date(2026, 3, 12), "The shop", 60)


def test_moving_an_appointment_reminds_again_and_undoing_a_removal_does_not(db, diary, anna):
    added = diary.add(anna, AppointmentInput(dt.date(2026, 3, 12), dt.time(14, 30),
                                             lead_minutes=30))
    now = dt.datetime(2026, 3, 12, 14, 0, tzinfo=LONDON)
    (found,) = reminders.due(db, now)
    reminders.record(db, found, "shown", now)
    diary.restore(diary.remove(added))
    assert reminders.due(db, now) == []
    diary.update(added, AppointmentInput(dt.date(2026, 3, 12), dt.time(14, 45), lead_minutes=30))
    (moved,) = reminders.due(db, now + dt.timedelta(minutes=15))
    assert moved.key == f"appointment:{added}:2026-03-12T1445:lead30"


def test_done_appointments_and_long_past_ones_do_not_remind(db, diary, anna):
    first = diary.add(anna, AppointmentInput(dt.date(2026, 3, 12), dt.time(10)))
    diary.add(anna, AppointmentInput(dt.date(2026, 3, 12), dt.time(16)))
    now = dt.datetime(2026, 3, 12, 17, tzinfo=LONDON)
    (found, _) = reminders.due(db, now)
    reminders.mark_done(db, found, now)
    assert diary.get(first).done_at is not None
    assert len(reminders.due(db, now)) == 1
    assert len(reminders.due(db, dt.datetime(2026, 3, 19, 15, tzinfo=LONDON))) == 1
    assert reminders.due(db, dt.datetime(2026, 3, 19, 16, 1, tzinfo=LONDON)) == []


def test_an_appointment_reminder_across_the_dst_change_comes_once(db, diary, anna):
    # Clocks go forward at 01:00 UTC on 29 March 2026; an appointment at 02:30 local that night
    # does not exist on the wall clock, and one at 09:00 has a different UTC offset.
    nine = diary.add(anna, AppointmentInput(dt.date(2026, 3, 29), dt.time(9)))
    assert stored_start(db, nine) == "2026-03-29 08:00:00"
    shown, now = [], dt.datetime(2026, 3, 28, 20, tzinfo=UTC)
    while now < dt.datetime(2026, 3, 29, 12, tzinfo=UTC):
        found = reminders.due(db, now.astimezone(LONDON))
        reminders.record_all(db, found, "shown", now)
        shown += [(o.key, now) for o in found]
        now += dt.timedelta(minutes=5)
    assert shown == [(f"appointment:{nine}:2026-03-29T0800:lead60",
                      dt.datetime(2026, 3, 29, 7, tzinfo=UTC))]
