"""The faster reminder check finds exactly what the first one found: on a seeded demo book,
at several moments, zones and settings, with reminders recorded in every state. The reference
below is the check as first written (one "not yet closed" test per date over all its steps)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from zoneinfo import ZoneInfo

import pytest

from crmdesk.core import demo, reminders
from crmdesk.core.reminder_words import _date, _follow_up, _keep_in_touch
from crmdesk.core.settings import BusinessSettings
from crmdesk.store.db import open_database

START = dt.datetime(2026, 2, 20, 15, 0, tzinfo=dt.UTC)

# --- the reference: the check as it was before it was made faster --------------------------

_CUSTOMER = "c.id, c.display_name, c.sort_name, c.phone, c.email, c.whatsapp"
_TOUCH = "julianday(COALESCE(c.last_contact_at, c.created_at)) + c.keep_in_touch_days"


def _not_closed(base: str, step: str | None = None) -> str:
    closed = ("(r.state IN ('shown', 'dismissed', 'done') OR (r.state = 'snoozed' AND "
              "r.snoozed_until > :now))")
    if step is None:
        return (f"NOT EXISTS (SELECT 1 FROM reminder_delivery r WHERE r.occurrence_key = {base}"
                f" AND {closed})")
    lead = f"CAST(substr(r.occurrence_key, length({base}) + 6) AS INTEGER)"
    return (f"NOT EXISTS (SELECT 1 FROM reminder_delivery r WHERE r.occurrence_key >= {base} "
            f"AND r.occurrence_key < {base} || ';' AND (r.state = 'done' OR (r.state IS NOT "
            f"NULL AND {lead} < {step}) OR ({lead} = {step} AND {closed})))")


_DATES_DEFAULT = """WITH g AS (SELECT json_extract(value, '$[0]') AS month,
    json_extract(value, '$[1]') AS day, json_extract(value, '$[2]') AS occurs_on,
    json_extract(value, '$[3]') AS sb, json_extract(value, '$[4]') AS sa,
    json_extract(value, '$[5]') AS sc FROM json_each(:groups)),
cand AS (SELECT d.id, d.kind, d.label, d.year, d.customer_id, g.occurs_on,
    CASE d.kind WHEN 'birthday' THEN g.sb WHEN 'anniversary' THEN g.sa ELSE g.sc END AS step
    FROM g CROSS JOIN important_date d ON d.month = g.month AND d.day = g.day
    WHERE d.lead_days IS NULL)"""
_DATES_OWN = """WITH g AS (SELECT json_extract(value, '$[0]') AS lead,
    json_extract(value, '$[1]') AS month, json_extract(value, '$[2]') AS day,
    json_extract(value, '$[3]') AS occurs_on, json_extract(value, '$[4]') AS step
    FROM json_each(:groups)),
cand AS (SELECT d.id, d.kind, d.label, d.year, d.customer_id, g.occurs_on, g.step
    FROM g CROSS JOIN important_date d
    ON d.lead_days = g.lead AND d.month = g.month AND d.day = g.day
    WHERE d.lead_days IS NOT NULL)"""
_DATE_BASE = "cand.kind || ':' || cand.id || ':' || cand.occurs_on"
_DATES_DUE = f"""
SELECT cand.id, cand.kind, cand.label, cand.year, cand.occurs_on, cand.step, {_CUSTOMER}
FROM cand CROSS JOIN customer c ON c.id = cand.customer_id
WHERE cand.step IS NOT NULL AND c.deleted_at IS NULL
    AND {_not_closed(_DATE_BASE, "cand.step")}"""
_FOLLOW_UPS = f"""SELECT f.id, f.title, f.due_on, {_CUSTOMER}
FROM follow_up f CROSS JOIN customer c ON c.id = f.customer_id
WHERE f.done_at IS NULL AND f.due_on < :until AND c.deleted_at IS NULL
    AND {_not_closed("'follow_up:' || f.id || ':' || f.due_on")}"""
# Keep in touch counts purchases too (read here from the sales themselves, not from
# customer.touched_at, which the schema's triggers keep): due N days after the later of the
# last conversation and the last purchase's day, with that day in its key.
_BOUGHT = "(SELECT MAX(p.purchased_on) FROM purchase p WHERE p.customer_id = c.id)"
_LATER = f"{_BOUGHT} > COALESCE(c.last_contact_at, c.created_at)"
_DUE = f"CASE WHEN {_LATER} THEN julianday({_BOUGHT}) + c.keep_in_touch_days ELSE {_TOUCH} END"
_KEY = f"'keep_in_touch:' || c.id || ':' || date({_DUE})"
_KEEP_IN_TOUCH = f"""SELECT date({_DUE}), c.last_contact_at, c.created_at,
    CASE WHEN {_LATER} THEN {_BOUGHT} || ' 00:00:00' ELSE c.last_contact_at END, {_CUSTOMER}
FROM customer c
WHERE c.keep_in_touch_days IS NOT NULL AND c.deleted_at IS NULL AND c.do_not_contact = 0
    AND {_DUE} < julianday(:until) AND {_not_closed(_KEY)}"""


def _reference_dates(db, ctx) -> list:
    def rows(sql, groups):
        found = db.execute_sql(sql, {"groups": json.dumps(groups), "now": ctx.now_text})
        return [_date(ctx, row[:4], dt.date.fromisoformat(row[4]), row[5], row[6:])
                for row in found.fetchall()]

    first = ctx.today - dt.timedelta(days=reminders.CATCH_UP_DAYS)
    leads = [ctx.rules.leads[kind] for kind in reminders.DATE_KINDS]
    found, groups = [], []
    last = ctx.today + dt.timedelta(days=max(max(ls, default=0) for ls in leads))
    for month, day, occurs_on in reminders._days(first, last, ctx.rules.feb29):
        steps = [reminders._step(ctx, occurs_on, ls) if ls else None for ls in leads]
        if any(s is not None for s in steps):
            groups.append([month, day, occurs_on.isoformat(), *steps])
    if groups:
        found += rows(_DATES_DEFAULT + _DATES_DUE, groups)
    groups = []
    own = [row[0] for row in db.execute_sql(
        "SELECT DISTINCT lead_days FROM important_date WHERE lead_days BETWEEN 0 AND ?",
        (reminders.MAX_LEAD_DAYS,)).fetchall()]
    for lead in own:
        for month, day, occurs_on in reminders._days(first, ctx.today + dt.timedelta(days=lead),
                                                      ctx.rules.feb29):
            step = reminders._step(ctx, occurs_on, reminders.own_leads(lead))
            if step is not None:
                groups.append([lead, month, day, occurs_on.isoformat(), step])
    if groups:
        found += rows(_DATES_OWN + _DATES_DUE, groups)
    return found


def reference_due(db, now, settings) -> list:
    ctx = reminders._context(now, settings)
    found = _reference_dates(db, ctx) + reminders._due_appointments(db, ctx)
    params = {"until": (ctx.today + reminders.ONE_DAY).isoformat(), "now": ctx.now_text}
    found += [_follow_up(ctx, row) for row in db.execute_sql(_FOLLOW_UPS, params).fetchall()]
    if ctx.rules.keep_in_touch:
        found += [_keep_in_touch(ctx, row)
                  for row in db.execute_sql(_KEEP_IN_TOUCH, params).fetchall()]
    found += reminders._open_rewards(db, ctx, settings)
    found = [o for o in found if o.remind_at <= ctx.now]
    found += reminders._recover_snoozed(db, ctx, {o.base for o in found})
    found.sort(key=lambda o: (o.remind_at, o.sort_name, o.key))
    return found


# --- the comparison ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("same") / "book.db").db
    demo.generate(db, 1200, seed=5, now=START)
    yield db
    db.close()


def _same(db, now, settings) -> list:
    expected = reference_due(db, now, settings)
    found = reminders.due(db, now, settings)
    assert [o.key for o in found] == [o.key for o in expected]
    assert found == expected  # titles, times and every field too
    return found


SETTINGS = [
    BusinessSettings(),
    BusinessSettings(remind_birthday_days="14,3,0", remind_anniversary_days="",
                     remind_custom_days="1", feb29="mar1", remind_hour=7),
    BusinessSettings(remind_keep_in_touch=False, remind_birthday_days="0"),
]
ZONES = [dt.UTC, ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney")]


@pytest.mark.parametrize("settings", SETTINGS, ids=["default", "other-leads", "day-only"])
def test_the_same_reminders_are_due_at_every_moment(book, settings):
    moments = [START + dt.timedelta(hours=h) for h in (-40, -7, 0, 18, 19, 30, 24 * 6 + 2)]
    moments += [dt.datetime(2028, 2, 28, 10, tzinfo=dt.UTC),  # a leap year's Feb 29 ahead
                dt.datetime(2027, 3, 2, 10, tzinfo=dt.UTC),  # Feb 29 in a common year
                dt.datetime(2026, 12, 31, 23, tzinfo=dt.UTC)]  # year end
    total = 0
    for index, moment in enumerate(moments):
        total += len(_same(book, moment.astimezone(ZONES[index % len(ZONES)]), settings))
    assert total > 100  # the book has plenty due: the comparison is not between empty lists


def test_the_same_reminders_are_due_whatever_was_recorded(tmp_path):
    db = open_database(tmp_path / "book.db").db
    demo.generate(db, 600, seed=9, now=START)
    try:
        week_ago = START - dt.timedelta(days=6)
        earlier = reminders.due(db, week_ago)
        states = ["shown", "dismissed", "done", "snoozed", "failed", None]
        for index, occurrence in enumerate(earlier):
            state = states[index % len(states)]
            if state == "snoozed":
                until = week_ago + dt.timedelta(days=(1, 9)[index % 2])
                reminders.snooze(db, occurrence, until, week_ago)
            elif state == "failed":
                reminders.record_failure(db, occurrence, "no notification daemon", week_ago)
            elif state is not None:
                reminders.record(db, occurrence, state, week_ago)
        found = []
        for hours in (0, 1, 30, 24 * 3 + 5, 24 * 6 + 20):
            found += _same(db, START + dt.timedelta(hours=hours), None)
        # A later lead step recorded (the clock went back) closes the earlier ones too.
        for occurrence in found[::3]:
            reminders.record(db, occurrence, "shown", START)
        for hours in (-30, 0, 24 * 2):
            _same(db, START + dt.timedelta(hours=hours), None)
        assert len(earlier) > 50 and found
    finally:
        db.close()


def test_the_first_check_in_a_worker_thread_answers_the_same_on_its_own_connection(book):
    now = START + dt.timedelta(hours=20)
    answers, connections = [], []

    def work():
        answers.append(reminders.due_in_worker(book, now))
        connections.append(book.is_closed())  # this thread's connection, closed after

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(30)
    assert answers and answers[0] == reminders.due(book, now) and len(answers[0]) > 10
    assert connections == [True]
    assert not book.is_closed()  # the caller's own connection is left open
