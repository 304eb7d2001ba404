"""Which reminders are due, and what became of each one (shown, snoozed, dismissed, done).

Pure and clock-injected: `now` is an aware datetime whose zone is "local time" (a naive one is
taken as the system's local time). No Qt. The rules, decided here and held by the tests:

- Identity: every occurrence has a key built from dates, never from clock readings:
  "<kind>:<source id>:<occurs on>[:lead<N>]" (an appointment's "occurs on" is its start in UTC,
  "2026-03-12T1430", and its N is minutes). So a DST change or a clock set back or forward
  neither repeats nor drops one: a recorded key stays recorded.
- Dates: lead times per kind come from settings as days, "7,0" = a week before and on the day.
  A date with its own lead time N reminds N days before and on the day. A step comes due at
  `remind_hour` (09:00) local time on (day - lead). Only the latest step that has come due is
  reported: after days off the on-the-day step replaces the week-before one (no flood).
  `shown`/`dismissed` close that step only; `done` closes the whole occurrence (every step).
- Catch-up: a date is still reported up to CATCH_UP_DAYS (7) days after its day, so a birthday
  that passed while the PC was off shows at the next start; older ones are not. Appointments
  likewise until 7 days after they started. Follow-ups stay due until done; keep-in-touch until
  a conversation is logged or a purchase recorded (or that lapse is dismissed or done).
- Keep in touch: a customer with keep_in_touch_days N is overdue on the UTC date of
  (last conversation, or when added if never, + N days), or N days after the day of their last
  purchase when that is later (buying in the shop is being in touch; the purchase's day is the
  shop's local date as written, taken as it is, and counts when its midnight is after the last
  conversation in UTC, or after being added); due at `remind_hour` on that day. A
  conversation or a purchase moves the start, so the next lapse has a new key and reminds once
  again.
- Do not contact: only keep-in-touch skips them; their dates, follow-ups and appointments still
  remind the owner. Customers in Trash remind of nothing.
- Snoozed: back when snoozed_until <= now, however long ago its day was.
- A failed delivery (`record_failure`) leaves the occurrence due: it is retried, never dropped.
- Rewards (loyalty): a customer whose balance reaches a reward's threshold has one occurrence
  per reward reached, "reward:<customer>:<cycle>-<points>", due at `remind_hour` today; the
  cycle is the id of their last redeem, so once shown it does not come again, and redeeming
  (or undoing the sale that earned it) takes it away. A reward comes due with a sale, so it
  is reminded of while the customer's last purchase is at most REWARD_DAYS (1) old; after that
  it waits on Today (`upcoming`, biggest balances first, REWARDS_LISTED at most) and on the
  card. Customers in Trash have none.

This module answers what is due and what is coming. The settings, `Occurrence` and the day
arithmetic live in `reminder_rules`, the titles in `reminder_words`, and what became of each
occurrence in `reminder_deliveries`; their public names are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import json

from peewee import SqliteDatabase

from crmdesk.core import dates as date_rules
from crmdesk.core.clock import local_zone, utc_naive, zone_of
from crmdesk.core.reminder_deliveries import (  # noqa: F401  (re-exported)
    Delivery,
    deliveries,
    dismiss,
    forget,
    mark_done,
    record,
    record_all,
    record_failure,
    snooze,
)
from crmdesk.core.reminder_rewards import (  # noqa: F401  (re-exported)
    REWARD_DAYS,
    REWARDS_LISTED,
    _open_rewards,
    _rewards,
)
from crmdesk.core.reminder_rules import (  # noqa: F401  (re-exported)
    CATCH_UP_DAYS,
    DATE_KINDS,
    KINDS,
    MAX_APPOINTMENT_LEAD,
    MAX_LEAD_DAYS,
    ONE_DAY,
    Occurrence,
    Rules,
    _context,
    _Ctx,
    _days,
    _step,
    format_leads,
    own_leads,
    parse_leads,
    rules,
)
from crmdesk.core.reminder_words import (
    _appointment,
    _date,
    _follow_up,
    _from_utc,
    _keep_in_touch,
)
from crmdesk.core.settings import BusinessSettings
from crmdesk.store.db import change_mark

_CUSTOMER = "c.id, c.display_name, c.sort_name, c.phone, c.email, c.whatsapp"
_TOUCH = "julianday(COALESCE(c.touched_at, c.created_at)) + c.keep_in_touch_days"
# Every "is it recorded?" test reads the index of (key, state, snoozed_until) alone (schema 5);
# the planner would pick the unique key index and read each row for its state.
_DELIVERY = "reminder_delivery r INDEXED BY reminder_delivery_state"
# A delivery row that closes its occurrence's step (a row with only failed attempts does not).
_CLOSED = ("(r.state IN ('shown', 'dismissed', 'done') OR (r.state = 'snoozed' AND "
           "r.snoozed_until > :now))")


def _not_closed(base: str, step: str | None = None) -> str:
    """SQL: no delivery closes this occurrence. Without lead steps: its row is shown,
    dismissed, done or snoozed until later. With lead steps (`step` is the current one's
    expression): any step done, a later step recorded (the clock went back), or this step as
    above. A row with only failed attempts closes nothing."""
    closed = _CLOSED
    if step is None:
        return (f"NOT EXISTS (SELECT 1 FROM {_DELIVERY} WHERE r.occurrence_key = {base}"
                f" AND {closed})")
    lead = f"CAST(substr(r.occurrence_key, length({base}) + 6) AS INTEGER)"
    return (f"NOT EXISTS (SELECT 1 FROM {_DELIVERY} WHERE r.occurrence_key >= {base} "
            f"AND r.occurrence_key < {base} || ';' AND (r.state = 'done' OR (r.state IS NOT "
            f"NULL AND {lead} < {step}) OR ({lead} = {step} AND {closed})))")


def _query(db: SqliteDatabase, sql: str, params: dict) -> list[tuple]:
    return db.execute_sql(sql, params).fetchall()


# CROSS JOIN fixes the join order (SQLite keeps it as written): without statistics the planner
# would start from the customers and read every date; these start from the few rows wanted.
# `g` holds one row per day of the window and kind (or own lead time) whose step has come, so
# every date is sought by (month, day, lead_days, kind) in one index and nothing else is read
# for it until it passes the cheap test: the exact key of its current step recorded and closing
# it (the steady state: all of them). Only the dates that test leaves go through the full one
# over all their steps (_not_closed), then to their customer and their own row.
_GROUPS = """WITH g AS MATERIALIZED (SELECT json_extract(value, '$[0]') AS month,
    json_extract(value, '$[1]') AS day, json_extract(value, '$[2]') AS sort,
    json_extract(value, '$[3]') AS occurs_on, json_extract(value, '$[4]') AS step,
    json_extract(value, '$[2]') || ':' AS prefix, ':' || json_extract(value, '$[3]') AS tail,
    ':' || json_extract(value, '$[3]') || ':lead' || json_extract(value, '$[4]') AS suffix
    FROM json_each(:groups))"""
_DATE_BASE = "d.kind || ':' || d.id || g.tail"
_DATES_DUE = f"""{_GROUPS}
SELECT d.id, d.kind, d.label, d.year, g.occurs_on, g.step, {_CUSTOMER}
FROM g CROSS JOIN important_date d INDEXED BY important_date_remind
    ON d.month = g.month AND d.day = g.day AND {{match}}
CROSS JOIN customer c ON c.id = d.customer_id
WHERE NOT EXISTS (SELECT 1 FROM {_DELIVERY}
        WHERE r.occurrence_key = {{prefix}} || d.id || g.suffix AND {_CLOSED})
    AND {_not_closed(_DATE_BASE, "g.step")} AND c.deleted_at IS NULL"""
# `sort` is the kind for dates on the default lead times (so the key's "kind:" is the group's,
# one concatenation fewer a date), the lead time for their own.
_DATES_DEFAULT = _DATES_DUE.format(match="d.lead_days IS NULL AND d.kind = g.sort",
                                   prefix="g.prefix")
_DATES_OWN = _DATES_DUE.format(match="d.lead_days = g.sort", prefix="d.kind || ':'")

_FOLLOW_UP_BASE = "'follow_up:' || f.id || ':' || f.due_on"
_FOLLOW_UPS = f"""SELECT f.id, f.title, f.due_on, {_CUSTOMER}
FROM follow_up f CROSS JOIN customer c ON c.id = f.customer_id
WHERE f.done_at IS NULL AND f.due_on < :until AND c.deleted_at IS NULL"""

# A purchase is being in touch too (a weekly buyer is not "overdue"): customer.touched_at
# (schema 7, kept by triggers) is the later of the last conversation and the last purchase's
# day, so a lapse falls due N days after it, and customer_touch_key holds when and its key: a
# lapse already recorded is checked from that index alone, and a purchase moves the lapse and
# its key just as a conversation does.
_TOUCH_BASE = f"'keep_in_touch:' || c.id || ':' || date({_TOUCH})"
_KEEP_IN_TOUCH = f"""SELECT date({_TOUCH}), c.last_contact_at, c.created_at, c.touched_at,
    {_CUSTOMER}
FROM customer c INDEXED BY customer_touch_key
WHERE c.keep_in_touch_days IS NOT NULL AND c.deleted_at IS NULL AND c.do_not_contact = 0
    AND {_TOUCH} < julianday(:until)"""

_APPOINTMENT_BASE = "'appointment:' || a.id || ':' || strftime('%Y-%m-%dT%H%M', a.starts_at)"
_APPOINTMENTS = f"""SELECT a.id, a.starts_at, a.place, COALESCE(a.lead_minutes, :lead),
    {_CUSTOMER} FROM appointment a CROSS JOIN customer c ON c.id = a.customer_id
WHERE a.done_at IS NULL AND a.starts_at >= :since AND a.starts_at < :until
    AND c.deleted_at IS NULL"""
_APPOINTMENTS_DUE = _APPOINTMENTS + " AND " + _not_closed(
    _APPOINTMENT_BASE, "COALESCE(a.lead_minutes, :lead)")


def due(db: SqliteDatabase, now: dt.datetime,
        settings: BusinessSettings | None = None) -> list[Occurrence]:
    """Everything that has come due by `now` and is not yet shown, dismissed or done (or is
    snoozed until now or earlier), sorted by when it came due, then by name."""
    ctx = _context(now, settings)
    found = _due_dates(db, ctx) + _due_appointments(db, ctx)
    until = (ctx.today + ONE_DAY).isoformat()
    params = {"until": until, "now": ctx.now_text}
    for row in _query(db, f"{_FOLLOW_UPS} AND {_not_closed(_FOLLOW_UP_BASE)}",
                      params):
        found.append(_follow_up(ctx, row))
    if ctx.rules.keep_in_touch:
        sql = f"{_KEEP_IN_TOUCH} AND {_not_closed(_TOUCH_BASE)}"
        found.extend(_keep_in_touch(ctx, row) for row in _query(db, sql, params))
    found.extend(_open_rewards(db, ctx, settings))
    found = [o for o in found if o.remind_at <= ctx.now]
    found.extend(_recover_snoozed(db, ctx, {o.base for o in found}))
    found.sort(key=lambda o: (o.remind_at.astimezone(dt.UTC), o.sort_name, o.key))
    return found


def due_in_worker(db: SqliteDatabase, now: dt.datetime,
                  settings: BusinessSettings | None = None) -> list[Occurrence]:
    """`due()` from a worker thread (the scheduler's first check of a big book): `db` gives
    each thread its own connection to the same file (Peewee's default), and this thread's is
    closed afterwards. Not for an in-memory database, which a second connection cannot see."""
    try:
        return due(db, now, settings)
    finally:
        if not db.is_closed():
            db.close()


class DueCheck:
    """`due()` for the scheduler's tick, remembered while its answer cannot change.

    The answer is kept until the database changes (this connection's change count, or another
    connection's commit through `PRAGMA data_version`), the settings or the time zone change,
    the clock goes back, or the next moment something could come due or drop out of the
    look-back window (the next `remind_hour`, midnight, appointment reminder or snooze end).
    A tick then costs two counters instead of the full check.
    """

    def __init__(self, db: SqliteDatabase, settings=BusinessSettings):
        self.db = db
        self.settings = settings  # a callable: the current BusinessSettings
        self._memo: tuple | None = None

    def __call__(self, now: dt.datetime) -> list[Occurrence]:
        now = now if now.tzinfo is not None else now.astimezone()
        settings = self.settings()
        stamp = (change_mark(self.db), settings, now.tzinfo, now.utcoffset())
        memo = self._memo
        instant = now.astimezone(dt.UTC)  # compared as instants, not wall times
        if memo is not None and memo[0] == stamp and memo[1] <= instant < memo[2]:
            return list(memo[3])
        found = due(self.db, now, settings)
        self._memo = (stamp, instant, self._valid_until(now, settings).astimezone(dt.UTC),
                      found)
        return list(found)

    def invalidate(self) -> None:
        self._memo = None

    def _valid_until(self, now: dt.datetime, settings) -> dt.datetime:
        tz = zone_of(now)  # tomorrow's midnight and hour with tomorrow's own offset
        today = now.astimezone(tz).date()
        now = now.astimezone(dt.UTC)  # compared as an instant, not a wall time
        hour = dt.time(rules(settings).hour)
        moments = [dt.datetime.combine(today + ONE_DAY, dt.time(), tzinfo=tz),
                   dt.datetime.combine(today, hour, tzinfo=tz),
                   dt.datetime.combine(today + ONE_DAY, hour, tzinfo=tz),
                   next_due_at(self.db, now, settings)]
        return min((m for m in moments if m is not None and m > now),
                   key=lambda m: m.astimezone(dt.UTC))


def _due_dates(db: SqliteDatabase, ctx: _Ctx) -> list[Occurrence]:
    first = ctx.today - dt.timedelta(days=CATCH_UP_DAYS)
    found = []
    leads = [ctx.rules.leads[kind] for kind in DATE_KINDS]
    groups = []
    for month, day, occurs_on in _days(first, ctx.today + dt.timedelta(
            days=max((max(ls, default=0) for ls in leads), default=0)), ctx.rules.feb29):
        for kind, kind_leads in zip(DATE_KINDS, leads, strict=True):
            step = _step(ctx, occurs_on, kind_leads) if kind_leads else None
            if step is not None:
                groups.append([month, day, kind, occurs_on.isoformat(), step])
    if groups:
        found += _dates_from(db, ctx, _DATES_DEFAULT, groups)
    groups = []
    for lead in _own_leads_in_use(db):
        for month, day, occurs_on in _days(first, ctx.today + dt.timedelta(days=lead),
                                           ctx.rules.feb29):
            step = _step(ctx, occurs_on, own_leads(lead))
            if step is not None:
                groups.append([month, day, lead, occurs_on.isoformat(), step])
    if groups:
        found += _dates_from(db, ctx, _DATES_OWN, groups)
    return found


def _own_leads_in_use(db: SqliteDatabase) -> list[int]:
    """The distinct lead times dates have of their own: one index seek each."""
    leads, last = [], -1
    while True:
        (lead,) = db.execute_sql("SELECT MIN(lead_days) FROM important_date "
                                 "WHERE lead_days > ?", (last,)).fetchone()
        if lead is None or lead > MAX_LEAD_DAYS:
            return leads
        leads.append(lead)
        last = lead


def _dates_from(db, ctx: _Ctx, sql: str, groups: list) -> list[Occurrence]:
    rows = _query(db, sql, {"groups": json.dumps(groups), "now": ctx.now_text})
    return [_date(ctx, row[:4], dt.date.fromisoformat(row[4]), row[5], row[6:]) for row in rows]


def _due_appointments(db: SqliteDatabase, ctx: _Ctx) -> list[Occurrence]:
    now = utc_naive(ctx.now)
    params = {"since": (now - dt.timedelta(days=CATCH_UP_DAYS)).isoformat(" "),
              "until": (now + dt.timedelta(minutes=MAX_APPOINTMENT_LEAD + 1)).isoformat(" "),
              "lead": ctx.rules.appointment_minutes, "now": ctx.now_text}
    return [_appointment(ctx, row) for row in _query(db, _APPOINTMENTS_DUE, params)]


def _recover_snoozed(db: SqliteDatabase, ctx: _Ctx, seen: set[str]) -> list[Occurrence]:
    """Snoozes that ran out for dates and appointments outside the look-back window (follow-ups
    and keep-in-touch have no window). Skipped when the occurrence has moved on: done, or a
    later step recorded, or the date or appointment changed since."""
    found = []
    for (key,) in db.execute_sql(
            "SELECT occurrence_key FROM reminder_delivery WHERE state = 'snoozed' "
            "AND snoozed_until <= ?", (ctx.now_text,)).fetchall():
        kind, source, when, lead = (key.split(":") + [""])[:4]
        base = f"{kind}:{source}:{when}"
        if base in seen or not lead.startswith("lead") or _moved_on(db, key, base):
            continue
        if kind == "appointment":
            row = db.execute_sql(_APPOINTMENTS + " AND a.id = :id AND " + _APPOINTMENT_BASE
                                 + " = :base", {"id": int(source), "base": base, "since": "",
                                                "until": "9999", "lead": int(lead[4:])})
            found.extend(_appointment(ctx, r) for r in row.fetchall())
            continue
        row = db.execute_sql(
            f"SELECT d.id, d.kind, d.label, d.year, d.day, d.month, {_CUSTOMER} "
            "FROM important_date d JOIN customer c ON c.id = d.customer_id "
            "WHERE d.id = ? AND d.kind = ? AND c.deleted_at IS NULL",
            (int(source), kind)).fetchone()
        occurs_on = dt.date.fromisoformat(when)
        if row and date_rules.occurrence_in(occurs_on.year, row[4], row[5],
                                            ctx.rules.feb29) == occurs_on:
            found.append(_date(ctx, row[:4], occurs_on, int(lead[4:]), row[6:]))
    return found


def _moved_on(db: SqliteDatabase, key: str, base: str) -> bool:
    lead = int(key.rsplit(":lead", 1)[1])
    for other, state in db.execute_sql(
            "SELECT occurrence_key, state FROM reminder_delivery WHERE occurrence_key >= ? "
            "AND occurrence_key < ? AND state IS NOT NULL", (base, base + ";")):
        if state == "done" or (other != key and int(other.rsplit(":lead", 1)[1]) < lead):
            return True
    return False


def next_due_at(db: SqliteDatabase, now: dt.datetime,
                settings: BusinessSettings | None = None) -> dt.datetime | None:
    """The next exact moment something timed comes due after `now` (an appointment's
    reminder or the end of a snooze), for the scheduler's precise timer; None if nothing."""
    ctx = _context(now, settings)
    utc_now = utc_naive(ctx.now)
    params = {"since": utc_now.isoformat(" "), "now": ctx.now_text,
              "until": (utc_now + dt.timedelta(minutes=MAX_APPOINTMENT_LEAD + 1)).isoformat(" "),
              "lead": ctx.rules.appointment_minutes}
    moments = [o.remind_at for o in map(lambda row: _appointment(ctx, row),
                                        _query(db, _APPOINTMENTS_DUE, params))]
    (snoozed_end,) = db.execute_sql("SELECT MIN(snoozed_until) FROM reminder_delivery "
                               "WHERE state = 'snoozed' AND snoozed_until > ?",
                               (ctx.now_text,)).fetchone()
    if snoozed_end:
        moments.append(_from_utc(snoozed_end, ctx.tz))
    later = [m for m in moments if m > ctx.now]
    return min(later, key=lambda m: m.astimezone(dt.UTC)) if later else None


# --- what is coming (no deliveries) ----------------------------------------------------------


def upcoming(db: SqliteDatabase, today: dt.date, days: int = 14,
             settings: BusinessSettings | None = None,
             tz: dt.tzinfo | None = None) -> list[Occurrence]:
    """Occurrences from `today` to `today + days` by the day they are about, whether or not
    they were delivered; open follow-ups and keep-in-touch lapses that are already overdue come
    too (their day is before today). Sorted by day, time, name. Each carries the key of its
    current lead step (or first step to come), so it can be snoozed, dismissed or done."""
    if tz is None:
        tz = local_zone()  # with its rules: each occurrence gets its own date's offset
    ctx = _Ctx(dt.datetime.combine(today, dt.time(23, 59, 59), tzinfo=tz).astimezone(dt.UTC),
               tz, today, rules(settings))
    last = today + dt.timedelta(days=max(days, 0))
    groups = [[m, d, on.isoformat()] for m, d, on in _days(today, last, ctx.rules.feb29)]
    rows = _query(db, f"""WITH g AS (SELECT json_extract(value, '$[0]') AS month,
        json_extract(value, '$[1]') AS day, json_extract(value, '$[2]') AS occurs_on
        FROM json_each(:groups))
        SELECT d.id, d.kind, d.label, d.year, g.occurs_on, d.lead_days, {_CUSTOMER}
        FROM g CROSS JOIN important_date d ON d.month = g.month AND d.day = g.day
        CROSS JOIN customer c ON c.id = d.customer_id WHERE c.deleted_at IS NULL""",
                  {"groups": json.dumps(groups)})
    found = []
    for row in rows:
        occurs_on = dt.date.fromisoformat(row[4])
        leads = own_leads(row[5]) if row[5] is not None else ctx.rules.leads[row[1]] or (0,)
        step = _step(ctx, occurs_on, leads)
        found.append(_date(ctx, row[:4], occurs_on, leads[0] if step is None else step, row[6:]))
    params = {"until": (last + ONE_DAY).isoformat()}
    found.extend(_follow_up(ctx, row) for row in _query(db, _FOLLOW_UPS, params))
    if ctx.rules.keep_in_touch:
        found.extend(_keep_in_touch(ctx, row) for row in _query(db, _KEEP_IN_TOUCH, params))
    start = dt.datetime.combine(today, dt.time(), tzinfo=tz)
    params = {"since": utc_naive(start).isoformat(" "), "lead": ctx.rules.appointment_minutes,
              "until": utc_naive(start + dt.timedelta(days=days + 2)).isoformat(" ")}
    found.extend(o for o in map(lambda row: _appointment(ctx, row),
                                _query(db, _APPOINTMENTS, params)) if o.occurs_on <= last)
    found = [o for o in found if o.occurs_on <= last]
    found.extend(_rewards(db, ctx, settings, recent=False))
    found.sort(key=lambda o: (o.occurs_on, o.starts_at.time() if o.starts_at else dt.time(),
                              o.sort_name, o.key))
    return found
