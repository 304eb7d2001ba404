"""What is due and what is coming: lead times, Feb 29, year end, catch-up, keep in touch."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from crmdesk.core import reminders
from crmdesk.core import settings as settings_store
from crmdesk.core.model import DateInput
from crmdesk.core.settings import BusinessSettings

UTC = dt.UTC


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def keys(found) -> list[str]:
    return [o.key for o in found]


@pytest.fixture
def person(add, book):
    """Add a customer with dates; returns (customer id, [date ids])."""

    def person(first: str, last: str = "", *dates: DateInput, **fields):
        customer_id = add(first, last, dates=list(dates), **fields)
        return customer_id, [d.id for d in book.load_input(customer_id).dates]

    return person


def birthday(day: int, month: int, year: int | None = None, **more) -> DateInput:
    return DateInput("birthday", day, month, year, **more)


# --- dates and their lead steps ----------------------------------------------------------------


def test_a_birthday_reminds_a_week_before_with_the_age_and_the_day(db, person):
    customer_id, (date_id,) = person("Anna", "Schmidt", birthday(12, 3, 1990))
    (found,) = reminders.due(db, at(2026, 3, 10, 10, 30))
    assert found.key == f"birthday:{date_id}:2026-03-12:lead7"
    assert found.title == "Anna Schmidt turns 36 on Thursday 12 March"
    assert (found.kind, found.customer_id, found.customer_name) == ("birthday", customer_id,
                                                                    "Anna Schmidt")
    assert (found.occurs_on, found.years, found.source_id, found.lead) == (
        dt.date(2026, 3, 12), 36, date_id, 7)
    assert found.remind_at == at(2026, 3, 5, 9) and found.remind_on == dt.date(2026, 3, 5)


def test_each_step_comes_due_at_nine_in_the_morning(db, person):
    _, (date_id,) = person("Anna", "", birthday(12, 3, 1990))
    assert reminders.due(db, at(2026, 3, 5, 8, 59)) == []
    assert keys(reminders.due(db, at(2026, 3, 5, 9))) == [f"birthday:{date_id}:2026-03-12:lead7"]
    assert keys(reminders.due(db, at(2026, 3, 12, 8, 59))) == [
        f"birthday:{date_id}:2026-03-12:lead7"]
    (on_the_day,) = reminders.due(db, at(2026, 3, 12, 9))
    assert on_the_day.key == f"birthday:{date_id}:2026-03-12:lead0"
    assert on_the_day.title == "Anna turns 36 today"


def test_after_days_off_only_the_latest_step_is_reported_and_old_days_are_not(db, person):
    _, (date_id,) = person("Anna", "Schmidt", birthday(12, 3, 1990))
    (late,) = reminders.due(db, at(2026, 3, 15, 9, 30))  # the PC was off from the 1st
    assert late.key == f"birthday:{date_id}:2026-03-12:lead0"
    assert late.title == "Anna Schmidt turned 36 on Thursday 12 March"
    assert keys(reminders.due(db, at(2026, 3, 19, 23, 59))) == [late.key]  # 7 days after
    assert reminders.due(db, at(2026, 3, 20, 0, 0)) == []  # long gone


def test_year_end_wraps(db, person):
    _, (date_id,) = person("Janek", "", birthday(2, 1, 1980))
    assert reminders.due(db, at(2026, 12, 26, 8, 59)) == []
    (found,) = reminders.due(db, at(2026, 12, 26, 9, 0))
    assert found.key == f"birthday:{date_id}:2027-01-02:lead7"
    assert found.years == 47 and found.title == "Janek turns 47 on Saturday 2 January"
    (late,) = reminders.due(db, at(2027, 1, 5, 12))
    assert late.key == f"birthday:{date_id}:2027-01-02:lead0"


@pytest.mark.parametrize(("feb29", "non_leap_day"), [("feb28", dt.date(2027, 2, 28)),
                                                      ("mar1", dt.date(2027, 3, 1))])
def test_feb_29_falls_on_feb_28_or_mar_1_in_other_years(db, person, feb29, non_leap_day):
    _, (date_id,) = person("Leap", "", birthday(29, 2, 2000))
    chosen = BusinessSettings(feb29=feb29)
    morning = dt.datetime.combine(non_leap_day, dt.time(9), tzinfo=UTC)
    (found,) = reminders.due(db, morning, chosen)
    assert found.key == f"birthday:{date_id}:{non_leap_day.isoformat()}:lead0"
    assert found.years == 27
    week_before = morning - dt.timedelta(days=7)
    assert keys(reminders.due(db, week_before, chosen)) == [
        f"birthday:{date_id}:{non_leap_day.isoformat()}:lead7"]
    (leap,) = reminders.due(db, at(2028, 2, 29, 9), chosen)
    assert leap.key == f"birthday:{date_id}:2028-02-29:lead0"


def test_dates_without_a_year_anniversaries_and_custom_days(db, person):
    _, (bob,) = person("Bob", "", birthday(10, 3))
    _, (wedding, name_day) = person(
        "Anna", "Schmidt", DateInput("anniversary", 9, 3, 2016, label="Wedding"),
        DateInput("custom", 10, 3, None, label="Name day"))
    found = {o.source_id: o for o in reminders.due(db, at(2026, 3, 10, 10, 30))}
    assert found[bob].title == "Bob's birthday is today" and found[bob].years is None
    assert found[wedding].title == "Anna Schmidt's Wedding anniversary (10 years) was yesterday"
    assert found[wedding].years == 10 and found[wedding].kind == "anniversary"
    assert found[name_day].title == "Anna Schmidt: Name day is today"
    assert found[name_day].key.endswith(":lead0")  # custom days: on the day only by default


def test_a_date_with_its_own_lead_time_reminds_then_and_on_the_day(db, person):
    _, (date_id,) = person("Anna", "", birthday(20, 3, 1990, lead_days=3))
    assert reminders.due(db, at(2026, 3, 16, 12)) == []  # not a week before
    assert keys(reminders.due(db, at(2026, 3, 17, 9))) == [f"birthday:{date_id}:2026-03-20:lead3"]
    assert keys(reminders.due(db, at(2026, 3, 20, 9))) == [f"birthday:{date_id}:2026-03-20:lead0"]


def test_lead_times_come_from_the_settings(db, person):
    _, (own,) = person("Own", "", birthday(20, 3, 1990, lead_days=2))
    _, (plain,) = person("Plain", "", birthday(20, 3, 1991))
    quiet = BusinessSettings(remind_birthday_days="")
    assert keys(reminders.due(db, at(2026, 3, 20, 9), quiet)) == [
        f"birthday:{own}:2026-03-20:lead0"]
    three = BusinessSettings(remind_birthday_days="14, 3")
    assert keys(reminders.due(db, at(2026, 3, 7, 9), three)) == [
        f"birthday:{plain}:2026-03-20:lead14"]
    # "14, 3" has no on-the-day step: the 3-days-before one (due earlier) stays the latest.
    assert keys(reminders.due(db, at(2026, 3, 20, 9), three)) == [
        f"birthday:{plain}:2026-03-20:lead3", f"birthday:{own}:2026-03-20:lead0"]


def test_lead_time_text_is_read_and_checked():
    assert reminders.parse_leads("7,0") == (7, 0)
    assert reminders.parse_leads(" 0; 14 ,7,7") == (14, 7, 0)
    assert reminders.parse_leads("") == ()
    assert reminders.format_leads((0, 7, 14)) == "14,7,0"
    for bad in ("a week", "-1", "400", "7.5"):
        with pytest.raises(ValueError, match="days before the date"):
            reminders.parse_leads(bad)
    broken = BusinessSettings(remind_birthday_days="soon", remind_hour=25, feb29="never",
                              remind_appointment_minutes=-5)
    rules = reminders.rules(broken)
    assert rules.leads["birthday"] == (7, 0) and rules.hour == 9
    assert rules.feb29 == "feb28" and rules.appointment_minutes == 60


def test_reminder_settings_are_stored_only_when_changed_and_read_back_typed(db):
    settings_store.save(db, BusinessSettings())
    assert db.execute_sql("SELECT count(*) FROM setting").fetchone()[0] == 0
    chosen = BusinessSettings(remind_birthday_days="3,0", remind_appointment_minutes=30,
                              remind_keep_in_touch=False, remind_hour=8, feb29="mar1")
    settings_store.save(db, chosen)
    loaded = settings_store.load(db)
    assert loaded == chosen
    assert loaded.remind_appointment_minutes == 30 and loaded.remind_keep_in_touch is False
    settings_store.save(db, dataclasses.replace(chosen, remind_keep_in_touch=True))
    assert settings_store.load(db).remind_keep_in_touch is True


def test_the_morning_hour_is_a_setting(db, person):
    person("Anna", "", birthday(12, 3, 1990))
    early = BusinessSettings(remind_hour=7)
    assert reminders.due(db, at(2026, 3, 5, 6, 59), early) == []
    assert len(reminders.due(db, at(2026, 3, 5, 7), early)) == 1


# --- who is reminded of --------------------------------------------------------------------


def test_customers_in_trash_remind_of_nothing(db, book, person):
    customer_id, _ = person("Anna", "", birthday(12, 3, 1990), keep_in_touch_days=1)
    book.add_follow_up(customer_id, "Call back", dt.date(2026, 3, 9))
    now = at(2026, 3, 12, 10)
    assert len(reminders.due(db, now)) == 3
    book.trash([customer_id])
    assert reminders.due(db, now) == []
    assert reminders.upcoming(db, dt.date(2026, 3, 10), 14, tz=UTC) == []
    book.restore([customer_id])
    assert len(reminders.due(db, now)) == 3


def test_do_not_contact_still_reminds_the_owner_but_not_to_get_in_touch(db, book, person):
    customer_id, (date_id,) = person("Anna", "", birthday(12, 3, 1990), keep_in_touch_days=1,
                                     do_not_contact=True)
    book.add_follow_up(customer_id, "Return the umbrella", dt.date(2026, 3, 12))
    found = reminders.due(db, at(2026, 3, 12, 10))
    assert sorted(o.kind for o in found) == ["birthday", "follow_up"]


# --- follow-ups and keep in touch ------------------------------------------------------------


def test_follow_ups_due_and_overdue_until_done(db, book, person):
    customer_id, _ = person("Bob", "Marsh")
    old = book.add_follow_up(customer_id, "call about the order", dt.date(2026, 2, 1))
    today = book.add_follow_up(customer_id, "send the catalogue", dt.date(2026, 3, 10))
    book.add_follow_up(customer_id, "later", dt.date(2026, 3, 11))
    found = reminders.due(db, at(2026, 3, 10, 10, 30))
    assert keys(found) == [f"follow_up:{old}:2026-02-01", f"follow_up:{today}:2026-03-10"]
    assert found[0].title == "Follow up: call about the order"
    assert (found[0].label, found[0].occurs_on) == ("call about the order", dt.date(2026, 2, 1))
    assert keys(reminders.due(db, at(2026, 3, 10, 8))) == [f"follow_up:{old}:2026-02-01"]
    book.set_follow_up_done(old, True)
    assert keys(reminders.due(db, at(2026, 3, 10, 10, 30))) == [f"follow_up:{today}:2026-03-10"]


def test_keep_in_touch_counts_from_when_the_customer_was_added(db, person):
    customer_id, _ = person("Bob", "Marsh", keep_in_touch_days=30)  # added 10 March 10:30
    assert reminders.due(db, at(2026, 4, 9, 8, 59)) == []
    (found,) = reminders.due(db, at(2026, 4, 9, 9))
    assert found.key == f"keep_in_touch:{customer_id}:2026-04-09"
    assert found.title == "You have not been in touch with Bob Marsh since adding them 30 days ago"


def test_any_conversation_resets_keep_in_touch_and_the_next_lapse_comes_once(db, book, clock,
                                                                          person):
    customer_id, _ = person("Bob", "Marsh", keep_in_touch_days=30)
    first = reminders.due(db, at(2026, 4, 20, 12))
    reminders.record_all(db, first, "shown", at(2026, 4, 20, 12))
    assert reminders.due(db, at(2026, 4, 25, 12)) == []
    clock.current = at(2026, 4, 26, 15)
    book.log_interaction(customer_id, "call", "Asked about the spring range")
    assert reminders.due(db, at(2026, 5, 26, 8)) == []
    (again,) = reminders.due(db, at(2026, 5, 26, 9))
    assert again.key == f"keep_in_touch:{customer_id}:2026-05-26"
    assert again.title == "You have not spoken to Bob Marsh for 30 days"
    reminders.record(db, again, "shown", at(2026, 5, 26, 9))
    assert reminders.due(db, at(2026, 7, 1, 9)) == []


def test_a_lapse_still_ahead_counts_its_days_to_when_it_falls_due(db, book, clock, person):
    customer_id, _ = person("Bob", "Marsh", keep_in_touch_days=7)
    book.log_interaction(customer_id, "call", "Ordered the hamper")  # 10 March
    coming = [o for o in reminders.upcoming(db, dt.date(2026, 3, 10), 14, BusinessSettings())
              if o.kind == "keep_in_touch"]
    assert [(o.occurs_on, o.title) for o in coming] == [
        (dt.date(2026, 3, 17), "You have not spoken to Bob Marsh for 7 days")]


def test_keep_in_touch_can_be_switched_off(db, person):
    person("Bob", "", keep_in_touch_days=1)
    assert len(reminders.due(db, at(2026, 3, 12, 10))) == 1
    assert reminders.due(db, at(2026, 3, 12, 10),
                         BusinessSettings(remind_keep_in_touch=False)) == []


def test_due_is_sorted_by_remind_time_then_name(db, book, person):
    zed, _ = person("Zed", "", birthday(12, 3, 1990))
    amy, _ = person("Amy", "", birthday(12, 3, 1991))
    book.add_follow_up(amy, "Call", dt.date(2026, 3, 1))
    found = reminders.due(db, at(2026, 3, 10, 10, 30))
    assert [(o.kind, o.customer_name) for o in found] == [
        ("follow_up", "Amy"), ("birthday", "Amy"), ("birthday", "Zed")]


def test_one_click_details_come_with_each_occurrence(db, person):
    person("Anna", "", birthday(12, 3, 1990), phone="07911 123456", email="anna@example.com",
           whatsapp="07911 123456")
    (found,) = reminders.due(db, at(2026, 3, 10, 10, 30))
    assert (found.phone, found.email, found.whatsapp) == ("+447911123456", "anna@example.com",
                                                          "+447911123456")


# --- what is coming (Today view, command line) ----------------------------------------------


def test_upcoming_lists_the_next_days_by_date_whatever_was_delivered(db, book, person):
    anna, (anna_birthday,) = person("Anna", "", birthday(12, 3, 1990))
    _, (bob_birthday,) = person("Bob", "", birthday(30, 3, 1990))
    _, (old,) = person("Old", "", birthday(9, 3, 1990))
    overdue = book.add_follow_up(anna, "Call back", dt.date(2026, 3, 1))
    found = reminders.upcoming(db, dt.date(2026, 3, 10), 14, tz=UTC)
    assert [(o.occurs_on, o.kind, o.source_id) for o in found] == [
        (dt.date(2026, 3, 1), "follow_up", overdue),
        (dt.date(2026, 3, 12), "birthday", anna_birthday)]
    reminders.record_all(db, found, "dismissed", at(2026, 3, 10, 11))
    assert reminders.upcoming(db, dt.date(2026, 3, 10), 14, tz=UTC) == found
    assert [o.source_id for o in reminders.upcoming(db, dt.date(2026, 3, 10), 20, tz=UTC)
            if o.kind == "birthday"] == [anna_birthday, bob_birthday]
    year = reminders.upcoming(db, dt.date(2026, 3, 10), 365, tz=UTC)
    assert [o.occurs_on for o in year if o.source_id == old and o.kind == "birthday"] == [
        dt.date(2027, 3, 9)]


def test_upcoming_carries_the_key_of_the_current_or_next_step(db, person):
    _, (date_id,) = person("Anna", "", birthday(24, 3, 1990))
    (far,) = reminders.upcoming(db, dt.date(2026, 3, 10), 14, tz=UTC)
    assert far.key == f"birthday:{date_id}:2026-03-24:lead7"
    (near,) = reminders.upcoming(db, dt.date(2026, 3, 18), 14, tz=UTC)
    assert near.key == f"birthday:{date_id}:2026-03-24:lead7"
    (day,) = reminders.upcoming(db, dt.date(2026, 3, 24), 0, tz=UTC)
    assert day.key == f"birthday:{date_id}:2026-03-24:lead0" and day.title == "Anna turns 36 today"


def test_upcoming_wraps_the_year_and_handles_feb_29(db, person):
    _, (leap,) = person("Leap", "", birthday(29, 2, 2000))
    _, (jan,) = person("Jan", "", birthday(2, 1, 1980))
    found = reminders.upcoming(db, dt.date(2026, 12, 28), 70, tz=UTC)
    assert [(o.source_id, o.occurs_on) for o in found] == [(jan, dt.date(2027, 1, 2)),
                                                           (leap, dt.date(2027, 2, 28))]
    found = reminders.upcoming(db, dt.date(2027, 3, 1), 0, BusinessSettings(feb29="mar1"), UTC)
    assert [(o.source_id, o.occurs_on) for o in found] == [(leap, dt.date(2027, 3, 1))]


def test_upcoming_includes_keep_in_touch_lapses_and_appointments(db, person):
    from crmdesk.core.appointments import AppointmentInput, Appointments

    bob, _ = person("Bob", "", keep_in_touch_days=5)
    anna, _ = person("Anna", "")
    Appointments(db, now=lambda: at(2026, 3, 10, 10, 30), tz=UTC).add(
        anna, AppointmentInput(dt.date(2026, 3, 11), dt.time(14, 30), "The shop"))
    found = reminders.upcoming(db, dt.date(2026, 3, 10), 14, tz=UTC)
    assert [(o.kind, o.occurs_on, o.customer_id) for o in found] == [
        ("appointment", dt.date(2026, 3, 11), anna), ("keep_in_touch", dt.date(2026, 3, 15), bob)]
    assert found[0].title == "Appointment with Anna tomorrow at 14:30, The shop"
