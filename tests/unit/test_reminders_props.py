"""Property tests for the occurrence math: every day in a window found (leap years, year end),
lead steps, and a scheduler's ticks over random gaps that neither repeat nor lose a reminder."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from crmdesk.core import dates as date_rules
from crmdesk.core import reminders
from crmdesk.core.settings import BusinessSettings
from crmdesk.store.db import open_database

POLICIES = st.sampled_from([date_rules.FEB29_ON_FEB28, date_rules.FEB29_ON_MAR1])
ZONES = st.sampled_from([dt.UTC, ZoneInfo("Europe/London"), ZoneInfo("America/New_York"),
                         ZoneInfo("Australia/Sydney")])
MONTH_DAYS = [(m, d) for m in range(1, 13) for d in range(1, 32)
              if d <= (29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31)]
DAY_MONTH = st.sampled_from(MONTH_DAYS + [(2, 29)] * 20)  # Feb 29 more often than by chance


@given(first=st.dates(dt.date(2023, 1, 1), dt.date(2031, 12, 31)),
       span=st.integers(0, 40), feb29=POLICIES)
def test_the_window_holds_exactly_the_days_that_fall_in_it(first, span, feb29):
    last = first + dt.timedelta(days=span)
    expected = set()
    for month, day in MONTH_DAYS:
        for year in range(first.year - 1, last.year + 2):
            on = date_rules.occurrence_in(year, day, month, feb29)
            if first <= on <= last:
                expected.add((month, day, on))
    assert set(reminders._days(first, last, feb29)) == expected


@given(leads=st.sets(st.integers(0, 30), min_size=1, max_size=4),
       occurs_on=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
       minutes=st.integers(-40 * 24 * 60, 40 * 24 * 60), zone=ZONES)
def test_the_current_step_is_the_latest_that_has_come(leads, occurs_on, minutes, zone):
    ordered = tuple(sorted(leads, reverse=True))
    now = (dt.datetime.combine(occurs_on, dt.time(12), tzinfo=zone)
           + dt.timedelta(minutes=minutes))
    ctx = reminders._Ctx(now, zone, now.date(), reminders.rules(BusinessSettings()))
    come = [lead for lead in ordered
            if dt.datetime.combine(occurs_on - dt.timedelta(days=lead), dt.time(9),
                                   tzinfo=zone) <= now]
    assert reminders._step(ctx, occurs_on, ordered) == (min(come) if come else None)


LEADS = st.sampled_from(["7,0", "0", "3", "14,7,1", "1,0"])


@settings(max_examples=40, deadline=None)
@given(birthdays=st.lists(st.tuples(DAY_MONTH, st.none() | st.integers(1950, 2010)),
                          min_size=1, max_size=4),
       leads=LEADS, feb29=POLICIES, zone=ZONES,
       start=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2028, 12, 1)),
       gaps=st.lists(st.integers(1, 12 * 24 * 60), min_size=1, max_size=40),
       back=st.booleans())
def test_ticks_over_random_gaps_neither_repeat_nor_lose_a_reminder(
        birthdays, leads, feb29, zone, start, gaps, back):
    chosen = BusinessSettings(remind_birthday_days=leads, feb29=feb29)
    steps = reminders.parse_leads(leads)
    with tempfile.TemporaryDirectory() as folder:
        opened = open_database(Path(folder) / "book.db")
        db = opened.db
        try:
            date_ids = _add_birthdays(db, birthdays)
            now = start.replace(tzinfo=zone)
            ticks, shown = [], []
            for gap in gaps:
                found = reminders.due(db, now, chosen)
                reminders.record_all(db, found, "shown", now)
                ticks.append(now)
                shown += [(o.key, now) for o in found]
                if back and found:  # the clock set back to just before they came due
                    now = min(o.remind_at for o in found) - dt.timedelta(minutes=1)
                    back = False
                else:
                    now += dt.timedelta(minutes=gap)
        finally:
            db.close()

    shown_keys = [key for key, _ in shown]
    assert len(shown_keys) == len(set(shown_keys)), "a reminder was shown twice"
    by_occurrence: dict[str, list[int]] = {}
    for key, _ in shown:
        base, lead = key.rsplit(":lead", 1)
        by_occurrence.setdefault(base, []).append(int(lead))
    for leads_seen in by_occurrence.values():  # later steps only, never back to an earlier one
        assert leads_seen == sorted(leads_seen, reverse=True)
        assert len(leads_seen) == len(set(leads_seen))
    for date_id, (month, day) in date_ids.items():
        for year in range(start.year - 1, start.year + 3):
            on = date_rules.occurrence_in(year, day, month, feb29)
            first_due = dt.datetime.combine(on - dt.timedelta(days=steps[0]), dt.time(9),
                                            tzinfo=zone)
            if any(first_due <= t and t.date() <= on + dt.timedelta(days=7) for t in ticks):
                assert f"birthday:{date_id}:{on.isoformat()}" in by_occurrence, (
                    f"the birthday on {on} was never shown")


def _add_birthdays(db, birthdays) -> dict[int, tuple[int, int]]:
    ids = {}
    for n, ((month, day), year) in enumerate(birthdays):
        if year is not None and (month, day) == (2, 29) and not date_rules.calendar.isleap(year):
            year = 2000
        cursor = db.execute_sql(
            "INSERT INTO customer (display_name, sort_name, created_at, updated_at) "
            "VALUES (?, ?, '2020-01-01 00:00:00', '2020-01-01 00:00:00')",
            (f"Customer {n}", f"customer {n}"))
        cursor = db.execute_sql(
            "INSERT INTO important_date (customer_id, kind, day, month, year) "
            "VALUES (?, 'birthday', ?, ?, ?)", (cursor.lastrowid, day, month, year))
        ids[cursor.lastrowid] = (month, day)
    return ids
