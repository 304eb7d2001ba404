"""What became of each reminder: shown, snoozed, dismissed, done, failed; restarts, DST and
clock changes neither repeat nor lose one."""

from __future__ import annotations

import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

import pytest

from crmdesk.core import reminders
from crmdesk.core.model import DateInput
from crmdesk.core.settings import BusinessSettings

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")


def at(*args, tz=UTC) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


def keys(found) -> list[str]:
    return [o.key for o in found]


@pytest.fixture
def anna(add, book):
    """Anna Schmidt, born 12 March 1990; returns (customer id, birthday id)."""
    customer_id = add("Anna", "Schmidt", dates=[DateInput("birthday", 12, 3, 1990)])
    return customer_id, book.load_input(customer_id).dates[0].id


def stored(db) -> list[tuple]:
    return db.execute_sql("SELECT occurrence_key, state, snoozed_until, attempts, last_error "
                          "FROM reminder_delivery ORDER BY occurrence_key").fetchall()


# --- recording -------------------------------------------------------------------------------


def test_a_shown_reminder_is_not_due_again_after_a_restart(db_path, anna):
    from crmdesk.store.db import open_database

    now = at(2026, 3, 10, 10, 30)
    first = open_database(db_path)
    (found,) = reminders.due(first.db, now)
    reminders.record(first.db, found, "shown", now)
    first.db.close()
    again = open_database(db_path)  # the app (or the PC) restarted
    try:
        assert reminders.due(again.db, now + dt.timedelta(hours=5)) == []
        assert keys(reminders.due(again.db, at(2026, 3, 12, 9))) == [
            found.key.replace("lead7", "lead0")]
    finally:
        again.db.close()


def test_dismissing_one_step_leaves_the_next_but_done_closes_them_all(db, anna):
    (week_before,) = reminders.due(db, at(2026, 3, 5, 9))
    reminders.dismiss(db, week_before, at(2026, 3, 5, 9, 1))
    assert reminders.due(db, at(2026, 3, 8, 9)) == []
    assert len(reminders.due(db, at(2026, 3, 12, 9))) == 1
    reminders.mark_done(db, week_before, at(2026, 3, 6, 9))
    assert reminders.due(db, at(2026, 3, 12, 9)) == []
    assert reminders.due(db, at(2026, 3, 15, 9)) == []


def test_a_snoozed_reminder_comes_back_when_the_snooze_ends(db, anna):
    now = at(2026, 3, 10, 10, 30)
    (found,) = reminders.due(db, now)
    reminders.snooze(db, found, now + dt.timedelta(hours=1), now)
    assert reminders.due(db, now + dt.timedelta(minutes=59)) == []
    assert keys(reminders.due(db, now + dt.timedelta(hours=1))) == [found.key]
    assert reminders.next_due_at(db, now) == now + dt.timedelta(hours=1)
    with pytest.raises(ValueError, match="later than now"):
        reminders.snooze(db, found, now, now)


def test_a_snooze_past_the_look_back_window_still_comes_back(db, anna):
    _, date_id = anna
    on_the_day = at(2026, 3, 12, 9, 30)
    (found,) = reminders.due(db, on_the_day)
    reminders.snooze(db, found, at(2026, 4, 1, 9), on_the_day)
    assert reminders.due(db, at(2026, 3, 31, 12)) == []
    (back,) = reminders.due(db, at(2026, 4, 1, 9))
    assert back.key == f"birthday:{date_id}:2026-03-12:lead0"
    assert back.title == "Anna Schmidt turned 36 on Thursday 12 March"
    reminders.record(db, back, "shown", at(2026, 4, 1, 9))
    assert reminders.due(db, at(2026, 4, 2, 9)) == []


def test_a_snoozed_early_step_does_not_come_back_after_a_later_step_was_seen(db, anna):
    (week_before,) = reminders.due(db, at(2026, 3, 5, 9))
    reminders.snooze(db, week_before, at(2026, 3, 25, 9), at(2026, 3, 5, 9))
    (on_the_day,) = reminders.due(db, at(2026, 3, 12, 9))
    assert on_the_day.key.endswith(":lead0")
    reminders.dismiss(db, on_the_day, at(2026, 3, 12, 9, 5))
    assert reminders.due(db, at(2026, 3, 25, 9)) == []


def test_a_failed_delivery_is_counted_and_tried_again_never_dropped(db, anna):
    now = at(2026, 3, 10, 10, 30)
    (found,) = reminders.due(db, now)
    reminders.record_failure(db, found, "org.freedesktop.Notifications: no reply", now)
    reminders.record_failure(db, found, "plyer: no backend", now + dt.timedelta(minutes=1))
    assert keys(reminders.due(db, now + dt.timedelta(minutes=2))) == [found.key]
    assert stored(db) == [(found.key, None, None, 2, "plyer: no backend")]
    reminders.record(db, found, "shown", now + dt.timedelta(minutes=2))
    reminders.record_failure(db, found, "late echo", now + dt.timedelta(minutes=3))
    assert reminders.due(db, now + dt.timedelta(minutes=4)) == []
    delivery = reminders.deliveries(db, [found.key, "nothing:1:2026-01-01"])
    assert list(delivery) == [found.key]
    assert (delivery[found.key].state, delivery[found.key].attempts) == ("shown", 3)


def test_recording_checks_the_state(db, anna):
    (found,) = reminders.due(db, at(2026, 3, 10, 10, 30))
    with pytest.raises(ValueError):
        reminders.record(db, found, "seen", at(2026, 3, 10, 10, 30))
    assert stored(db) == []


def test_forget_undoes_a_dismissal(db, anna):
    now = at(2026, 3, 10, 10, 30)
    (found,) = reminders.due(db, now)
    reminders.dismiss(db, found, now)
    assert reminders.due(db, now) == []
    reminders.forget(db, found)
    assert reminders.due(db, now) == [found]


def test_done_can_log_a_conversation_in_one_go(db, book, anna):
    customer_id, _ = anna
    now = at(2026, 3, 12, 9, 15)
    (found,) = reminders.due(db, now)
    entry = reminders.mark_done(db, found, now, log_summary="Sent birthday wishes", book=book,
                                channel="whatsapp")
    card = book.card(customer_id)
    assert [(i.id, i.channel, i.summary) for i in card.interactions] == [
        (entry, "whatsapp", "Sent birthday wishes")]
    assert card.last_contact == dt.datetime(2026, 3, 12, 9, 15)
    assert reminders.due(db, now) == []
    with pytest.raises(ValueError, match="customer book"):
        reminders.mark_done(db, found, now, log_summary="x")


def test_done_with_an_empty_summary_changes_nothing(db, book, anna):
    from crmdesk.core.validation import ValidationError

    now = at(2026, 3, 12, 9, 15)
    (found,) = reminders.due(db, now)
    with pytest.raises(ValidationError):
        reminders.mark_done(db, found, now, log_summary="  ", book=book)
    assert stored(db) == [] and reminders.due(db, now) == [found]


def test_done_on_a_follow_up_marks_the_follow_up_done(db, book, anna):
    customer_id, _ = anna
    follow_up = book.add_follow_up(customer_id, "Call back", dt.date(2026, 3, 10))
    now = at(2026, 3, 10, 10, 30)
    found = [o for o in reminders.due(db, now) if o.kind == "follow_up"]
    reminders.mark_done(db, found[0], now)
    assert book.card(customer_id).follow_ups[0].done_at == dt.datetime(2026, 3, 10, 10, 30)
    assert [o.source_id for o in reminders.upcoming(db, dt.date(2026, 3, 10), 14, tz=UTC)
            if o.kind == "follow_up"] == []
    assert follow_up == found[0].source_id


def test_a_summary_records_many_in_one_transaction(db, add):
    for n in range(30):
        add(f"Customer {n}", dates=[DateInput("birthday", 12, 3, 1990)])
    now = at(2026, 3, 10, 10, 30)
    found = reminders.due(db, now)
    assert len(found) == 30
    reminders.record_all(db, found, "shown", now)
    assert reminders.due(db, now) == []
    assert len(stored(db)) == 30


# --- restarts, days off, DST and clock changes -----------------------------------------------


def walk(db, start: dt.datetime, end: dt.datetime, step: dt.timedelta, tz,
         settings=None) -> list[str]:
    """Tick like the scheduler, recording what it shows; returns every key shown, in order."""
    shown, now = [], start
    while now <= end:
        local = now.astimezone(tz)
        found = reminders.due(db, local, settings)
        reminders.record_all(db, found, "shown", local)
        shown += keys(found)
        now += step
    return shown


@pytest.mark.parametrize(("day", "month"), [(29, 3), (25, 10), (28, 3), (26, 10)])
def test_across_a_dst_change_each_step_comes_once_at_nine_local(db, add, book, day, month):
    customer_id = add("Dawn", dates=[DateInput("birthday", day, month, 1990)])
    date_id = book.load_input(customer_id).dates[0].id
    occurs = dt.date(2026, month, day)
    start = at(occurs.year, occurs.month, occurs.day) - dt.timedelta(days=9)
    shown = walk(db, start, start + dt.timedelta(days=12), dt.timedelta(minutes=20), LONDON)
    assert shown == [f"birthday:{date_id}:{occurs}:lead7", f"birthday:{date_id}:{occurs}:lead0"]
    (on_the_day,) = [o for o in reminders.upcoming(db, occurs, 0, tz=LONDON)]
    assert on_the_day.remind_at == dt.datetime(2026, month, day, 9, tzinfo=LONDON)


def test_the_clock_set_back_an_hour_repeats_nothing(db, anna):
    now = at(2026, 3, 12, 9, 5, tz=LONDON)
    (found,) = reminders.due(db, now)
    reminders.record(db, found, "shown", now)
    shown = walk(db, now - dt.timedelta(hours=1), now + dt.timedelta(hours=3),
                 dt.timedelta(minutes=1), LONDON)
    assert shown == []


def test_the_clock_set_forward_a_day_loses_nothing(db, anna):
    _, date_id = anna
    before = at(2026, 3, 11, 20, tz=LONDON)
    assert walk(db, before, before, dt.timedelta(minutes=1), LONDON) == [
        f"birthday:{date_id}:2026-03-12:lead7"]
    jumped = at(2026, 3, 13, 20, tz=LONDON)  # a day and a night skipped (sleep, or set ahead)
    assert walk(db, jumped, jumped + dt.timedelta(days=10), dt.timedelta(hours=6), LONDON) == [
        f"birthday:{date_id}:2026-03-12:lead0"]


def test_catching_up_after_a_week_off_shows_each_occurrence_once(db, add, book):
    ids = []
    for day in range(1, 11):
        customer_id = add(f"Customer {day:02}", dates=[DateInput("birthday", day, 3, 1990)])
        ids.append(book.load_input(customer_id).dates[0].id)
    back = at(2026, 3, 10, 9, 30)  # the PC was off from 20 February
    found = reminders.due(db, back)
    assert sorted(o.source_id for o in found) == ids[2:]  # 1 and 2 March: over a week ago
    assert {o.key.rsplit(":", 1)[1] for o in found} == {"lead0"}
    reminders.record_all(db, found, "shown", back)
    later = walk(db, back, back + dt.timedelta(days=3), dt.timedelta(hours=1), UTC)
    assert later == []


# --- the scheduler's cached check ------------------------------------------------------------


def test_the_cached_check_answers_like_due_and_sees_every_change(db, db_path, add, book):
    check = reminders.DueCheck(db)
    now = at(2026, 3, 10, 10, 30)
    assert check(now) == []
    customer_id = add("Anna", dates=[DateInput("birthday", 12, 3, 1990)])  # this connection
    (found,) = check(now + dt.timedelta(minutes=1))
    reminders.record(db, found, "shown", now)
    assert check(now + dt.timedelta(minutes=2)) == []
    other = sqlite3.connect(db_path)  # another connection (a worker thread, an import)
    with other:
        other.execute("INSERT INTO important_date (customer_id, kind, day, month) "
                      "VALUES (?, 'birthday', 10, 3)", (customer_id,))
    other.close()
    assert [o.occurs_on for o in check(now + dt.timedelta(minutes=3))] == [dt.date(2026, 3, 10)]


def test_the_cached_check_notices_time_passing_and_setting_changes(db, anna):
    chosen = BusinessSettings()
    check = reminders.DueCheck(db, lambda: chosen)
    assert check(at(2026, 3, 5, 8, 59)) == []
    assert len(check(at(2026, 3, 5, 9))) == 1  # nine o'clock came
    assert check(at(2026, 3, 5, 8, 0)) == []  # the clock went back
    chosen = BusinessSettings(remind_birthday_days="0")
    assert check(at(2026, 3, 5, 9, 30)) == []


def test_next_due_at_gives_the_next_appointment_reminder(db, anna):
    from crmdesk.core.appointments import AppointmentInput, Appointments

    customer_id, _ = anna
    now = at(2026, 3, 10, 10, 30)
    Appointments(db, now=lambda: now, tz=UTC).add(
        customer_id, AppointmentInput(dt.date(2026, 3, 10), dt.time(15, 0), lead_minutes=30))
    assert reminders.next_due_at(db, now) == at(2026, 3, 10, 14, 30)
    check = reminders.DueCheck(db)
    assert [o.kind for o in check(at(2026, 3, 10, 14, 29))] == ["birthday"]
    assert [o.kind for o in check(at(2026, 3, 10, 14, 30))] == ["birthday", "appointment"]
