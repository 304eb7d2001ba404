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
  a conversation is logged (or that lapse is dismissed or done).
- Keep in touch: a customer with keep_in_touch_days N is overdue on the UTC date of
  (last conversation, or when added if never, + N days); due at `remind_hour` on that day. A
  conversation moves the start, so the next lapse has a new key and reminds once again.
- Do not contact: only keep-in-touch skips them; their dates, follow-ups and appointments still
  remind the owner. Customers in Trash remind of nothing.
- Snoozed: back when snoozed_until <= now, however long ago its day was.
- A failed delivery (`record_failure`) leaves the occurrence due: it is retried, never dropped.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from peewee import SqliteDatabase

from crmdesk.core import dates as date_rules
from crmdesk.core.clock import utc_naive
from crmdesk.core.settings import BusinessSettings
from crmdesk.core.text import clean
from crmdesk.store.models import DELIVERY_STATES, Appointment, FollowUp

KINDS = ("birthday", "anniversary", "custom", "appointment", "follow_up", "keep_in_touch")
DATE_KINDS = ("birthday", "anniversary", "custom")
CATCH_UP_DAYS = 7
MAX_LEAD_DAYS = 365
MAX_APPOINTMENT_LEAD = 7 * 24 * 60  # minutes
ONE_DAY = dt.timedelta(days=1)
_DEFAULTS = BusinessSettings()
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_CUSTOMER = "c.id, c.display_name, c.sort_name, c.phone, c.email, c.whatsapp"
_TOUCH = "julianday(COALESCE(c.last_contact_at, c.created_at)) + c.keep_in_touch_days"


@dataclass(frozen=True)
class Occurrence:
    """One reminder of one thing on one day; `key` is its identity (see the module's rules)."""

    key: str
    kind: str  # KINDS
    customer_id: int
    customer_name: str
    occurs_on: dt.date  # the day the thing is about (an appointment's local date)
    remind_at: dt.datetime  # aware, local: when it comes (came) due
    title: str  # plain words: "Anna Schmidt turns 36 on Thursday 12 March"
    years: int | None = None  # the age turned or years marked; None without a year
    source_id: int = 0  # important_date, appointment or follow_up id; customer id for keep_in_touch
    lead: int = 0  # days before (dates), minutes before (appointments)
    label: str = ""  # a date's label, the follow-up's title, the appointment's place
    starts_at: dt.datetime | None = None  # appointments: aware, local
    phone: str = ""
    email: str = ""
    whatsapp: str = ""
    sort_name: str = field(default="", repr=False, compare=False)

    @property
    def remind_on(self) -> dt.date:
        return self.remind_at.date()

    @property
    def base(self) -> str:
        """The occurrence without its lead step: what `done` closes."""
        return ":".join(self.key.split(":")[:3])


@dataclass(frozen=True)
class Rules:
    """The reminder settings, read and checked (bad values fall back to the defaults)."""

    leads: dict[str, tuple[int, ...]]  # date kind -> days before, largest first
    appointment_minutes: int
    keep_in_touch: bool
    hour: int
    feb29: str


def parse_leads(text: str) -> tuple[int, ...]:
    """"7,0" -> (7, 0): days before, largest first, no repeats; "" -> () (no reminders)."""
    values = set()
    for part in str(text).replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > MAX_LEAD_DAYS:
            raise ValueError(f"Lead times are days before the date (0 to {MAX_LEAD_DAYS}), "
                             "separated by commas, such as 7,0.")
        values.add(int(part))
    return tuple(sorted(values, reverse=True))


def format_leads(leads) -> str:
    return ",".join(str(n) for n in sorted(set(leads), reverse=True))


def rules(settings: BusinessSettings | None = None) -> Rules:
    s = settings or _DEFAULTS
    leads = {}
    for kind in DATE_KINDS:
        name = f"remind_{kind}_days"
        try:
            leads[kind] = parse_leads(getattr(s, name))
        except ValueError:
            leads[kind] = parse_leads(getattr(_DEFAULTS, name))
    minutes = s.remind_appointment_minutes
    hour = s.remind_hour
    return Rules(
        leads=leads,
        appointment_minutes=minutes if 0 <= minutes <= MAX_APPOINTMENT_LEAD else 60,
        keep_in_touch=bool(s.remind_keep_in_touch),
        hour=hour if 0 <= hour <= 23 else 9,
        feb29=s.feb29 if s.feb29 in (date_rules.FEB29_ON_FEB28, date_rules.FEB29_ON_MAR1)
        else date_rules.FEB29_ON_FEB28)


def own_leads(lead_days: int) -> tuple[int, ...]:
    """A date's own lead time N: N days before and on the day."""
    return (lead_days, 0) if lead_days > 0 else (0,)


# --- what is due -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    now: dt.datetime
    tz: dt.tzinfo
    today: dt.date
    rules: Rules

    @property
    def now_text(self) -> str:
        return utc_naive(self.now).isoformat(" ")

    def morning(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(self.rules.hour), tzinfo=self.tz)


def _context(now: dt.datetime, settings) -> _Ctx:
    if now.tzinfo is None:
        now = now.astimezone()
    return _Ctx(now, now.tzinfo, now.date(), rules(settings))


def _days(first: dt.date, last: dt.date, feb29: str):
    """(month, day, date) for each day in first..last, and (2, 29) where Feb 29 falls then."""
    day = first
    while day <= last:
        yield day.month, day.day, day
        if day.day != 29 and date_rules.occurrence_in(day.year, 29, 2, feb29) == day:
            yield 2, 29, day
        day += ONE_DAY


def _step(ctx: _Ctx, occurs_on: dt.date, leads: tuple[int, ...]) -> int | None:
    """The latest lead step (largest first in `leads`) that has come due by now."""
    step = None
    for lead in leads:
        if ctx.morning(occurs_on - dt.timedelta(days=lead)) > ctx.now:
            break
        step = lead
    return step


def _not_closed(base: str, step: str | None = None) -> str:
    """SQL: no delivery closes this occurrence. Without lead steps: its row is shown,
    dismissed, done or snoozed until later. With lead steps (`step` is the current one's
    expression): any step done, a later step recorded (the clock went back), or this step as
    above. A row with only failed attempts closes nothing."""
    closed = ("(r.state IN ('shown', 'dismissed', 'done') OR (r.state = 'snoozed' AND "
              "r.snoozed_until > :now))")
    if step is None:
        return (f"NOT EXISTS (SELECT 1 FROM reminder_delivery r WHERE r.occurrence_key = {base}"
                f" AND {closed})")
    lead = f"CAST(substr(r.occurrence_key, length({base}) + 6) AS INTEGER)"
    return (f"NOT EXISTS (SELECT 1 FROM reminder_delivery r WHERE r.occurrence_key >= {base} "
            f"AND r.occurrence_key < {base} || ';' AND (r.state = 'done' OR (r.state IS NOT "
            f"NULL AND {lead} < {step}) OR ({lead} = {step} AND {closed})))")


def _query(db: SqliteDatabase, sql: str, params: dict) -> list[tuple]:
    return db.execute_sql(sql, params).fetchall()


# CROSS JOIN fixes the join order (SQLite keeps it as written): without statistics the planner
# would start from the customers and read every date; these start from the few rows wanted.
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

_FOLLOW_UP_BASE = "'follow_up:' || f.id || ':' || f.due_on"
_FOLLOW_UPS = f"""SELECT f.id, f.title, f.due_on, {_CUSTOMER}
FROM follow_up f CROSS JOIN customer c ON c.id = f.customer_id
WHERE f.done_at IS NULL AND f.due_on < :until AND c.deleted_at IS NULL"""

_TOUCH_BASE = f"'keep_in_touch:' || c.id || ':' || date({_TOUCH})"
_KEEP_IN_TOUCH = f"""SELECT date({_TOUCH}), c.last_contact_at, c.created_at, {_CUSTOMER}
FROM customer c INDEXED BY customer_touch_due
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
    found = [o for o in found if o.remind_at <= ctx.now]
    found.extend(_recover_snoozed(db, ctx, {o.base for o in found}))
    found.sort(key=lambda o: (o.remind_at, o.sort_name, o.key))
    return found


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
        stamp = (self.db.connection().total_changes,
                 self.db.execute_sql("PRAGMA data_version").fetchone()[0],
                 settings, now.tzinfo, now.utcoffset())
        memo = self._memo
        if memo is not None and memo[0] == stamp and memo[1] <= now < memo[2]:
            return list(memo[3])
        found = due(self.db, now, settings)
        self._memo = (stamp, now, self._valid_until(now, settings), found)
        return list(found)

    def invalidate(self) -> None:
        self._memo = None

    def _valid_until(self, now: dt.datetime, settings) -> dt.datetime:
        today = now.date()
        hour = dt.time(rules(settings).hour)
        moments = [dt.datetime.combine(today + ONE_DAY, dt.time(), tzinfo=now.tzinfo),
                   dt.datetime.combine(today, hour, tzinfo=now.tzinfo),
                   dt.datetime.combine(today + ONE_DAY, hour, tzinfo=now.tzinfo),
                   next_due_at(self.db, now, settings)]
        return min(m for m in moments if m is not None and m > now)


def _due_dates(db: SqliteDatabase, ctx: _Ctx) -> list[Occurrence]:
    first = ctx.today - dt.timedelta(days=CATCH_UP_DAYS)
    found = []
    leads = [ctx.rules.leads[kind] for kind in DATE_KINDS]
    groups = []
    for month, day, occurs_on in _days(first, ctx.today + dt.timedelta(
            days=max((max(ls, default=0) for ls in leads), default=0)), ctx.rules.feb29):
        steps = [_step(ctx, occurs_on, ls) if ls else None for ls in leads]
        if any(s is not None for s in steps):
            groups.append([month, day, occurs_on.isoformat(), *steps])
    if groups:
        found += _dates_from(db, ctx, _DATES_DEFAULT + _DATES_DUE, groups)
    groups = []
    for lead in _own_leads_in_use(db):
        for month, day, occurs_on in _days(first, ctx.today + dt.timedelta(days=lead),
                                           ctx.rules.feb29):
            step = _step(ctx, occurs_on, own_leads(lead))
            if step is not None:
                groups.append([lead, month, day, occurs_on.isoformat(), step])
    if groups:
        found += _dates_from(db, ctx, _DATES_OWN + _DATES_DUE, groups)
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
    (snooze,) = db.execute_sql("SELECT MIN(snoozed_until) FROM reminder_delivery "
                               "WHERE state = 'snoozed' AND snoozed_until > ?",
                               (ctx.now_text,)).fetchone()
    if snooze:
        moments.append(_from_utc(snooze, ctx.tz))
    later = [m for m in moments if m > ctx.now]
    return min(later) if later else None


# --- what is coming (no deliveries) ----------------------------------------------------------


def upcoming(db: SqliteDatabase, today: dt.date, days: int = 14,
             settings: BusinessSettings | None = None,
             tz: dt.tzinfo | None = None) -> list[Occurrence]:
    """Occurrences from `today` to `today + days` by the day they are about, whether or not
    they were delivered; open follow-ups and keep-in-touch lapses that are already overdue come
    too (their day is before today). Sorted by day, time, name. Each carries the key of its
    current lead step (or first step to come), so it can be snoozed, dismissed or done."""
    if tz is None:
        tz = dt.datetime.combine(today, dt.time(12)).astimezone().tzinfo
    ctx = _Ctx(dt.datetime.combine(today, dt.time(23, 59, 59), tzinfo=tz), tz, today,
               rules(settings))
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
    found.sort(key=lambda o: (o.occurs_on, o.starts_at.time() if o.starts_at else dt.time(),
                              o.sort_name, o.key))
    return found


# --- building occurrences and their words ---------------------------------------------------


def _from_utc(stored, tz: dt.tzinfo) -> dt.datetime:
    moment = stored if isinstance(stored, dt.datetime) else dt.datetime.fromisoformat(stored)
    return moment.replace(tzinfo=dt.UTC).astimezone(tz)


def _when(day: dt.date, today: dt.date) -> str:
    words = {0: "today", 1: "tomorrow", -1: "yesterday"}.get((day - today).days)
    return words or f"on {_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _make(kind: str, key: str, customer: tuple, occurs_on: dt.date, remind_at: dt.datetime,
          title: str, **more) -> Occurrence:
    customer_id, name, sort_name, phone, email, whatsapp = customer
    return Occurrence(key=key, kind=kind, customer_id=customer_id, customer_name=name,
                      occurs_on=occurs_on, remind_at=remind_at, title=title, phone=phone,
                      email=email, whatsapp=whatsapp, sort_name=sort_name, **more)


def _date(ctx: _Ctx, date_row: tuple, occurs_on: dt.date, step: int,
          customer: tuple) -> Occurrence:
    date_id, kind, label, year = date_row
    name = customer[1]
    years = occurs_on.year - year if year else None
    years = years if years and years > 0 else None
    verb = "was" if occurs_on < ctx.today else "is"
    when = _when(occurs_on, ctx.today)
    if kind == "birthday":
        title = (f"{name} {'turned' if verb == 'was' else 'turns'} {years} {when}" if years
                 else f"{name}'s birthday {verb} {when}")
    elif kind == "anniversary":
        what = label if "anniversary" in label.lower() else f"{label} anniversary".strip()
        count = f" ({_plural(years, 'year')})" if years else ""
        title = f"{name}'s {what}{count} {verb} {when}"
    else:
        title = f"{name}: {label or 'a special day'} {verb} {when}"
    return _make(kind, f"{kind}:{date_id}:{occurs_on.isoformat()}:lead{step}", customer,
                 occurs_on, ctx.morning(occurs_on - dt.timedelta(days=step)), title,
                 years=years, source_id=date_id, lead=step, label=label)


def _follow_up(ctx: _Ctx, row: tuple) -> Occurrence:
    follow_up_id, title, due_on, *customer = row
    due_on = due_on if isinstance(due_on, dt.date) else dt.date.fromisoformat(due_on)
    return _make("follow_up", f"follow_up:{follow_up_id}:{due_on.isoformat()}", tuple(customer),
                 due_on, ctx.morning(due_on), f"Follow up: {title}", source_id=follow_up_id,
                 label=title)


def _keep_in_touch(ctx: _Ctx, row: tuple) -> Occurrence:
    overdue_on, last_contact, created, *customer = row
    overdue_on = dt.date.fromisoformat(overdue_on)
    since = (ctx.today - _from_utc(last_contact or created, ctx.tz).date()).days
    name = customer[1]
    title = (f"You have not spoken to {name} for {_plural(since, 'day')}" if last_contact else
             f"You have not been in touch with {name} since adding them "
             f"{_plural(since, 'day')} ago")
    return _make("keep_in_touch", f"keep_in_touch:{customer[0]}:{overdue_on.isoformat()}",
                 tuple(customer), overdue_on, ctx.morning(overdue_on), title,
                 source_id=customer[0])


def _appointment(ctx: _Ctx, row: tuple) -> Occurrence:
    appointment_id, starts_at, place, lead, *customer = row
    starts_utc = (starts_at if isinstance(starts_at, dt.datetime)
                  else dt.datetime.fromisoformat(starts_at))
    starts = _from_utc(starts_utc, ctx.tz)
    title = (f"Appointment with {customer[1]} {_when(starts.date(), ctx.today)} at "
             f"{starts:%H:%M}{f', {place}' if place else ''}")
    key = f"appointment:{appointment_id}:{starts_utc:%Y-%m-%dT%H%M}:lead{lead}"
    return _make("appointment", key, tuple(customer), starts.date(),
                 starts - dt.timedelta(minutes=lead), title, source_id=appointment_id,
                 lead=lead, label=place, starts_at=starts)


# --- what became of each occurrence ---------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    key: str
    kind: str
    state: str | None  # DELIVERY_STATES; None while only failed attempts are recorded
    snoozed_until: dt.datetime | None  # naive UTC
    updated_at: dt.datetime  # naive UTC
    attempts: int  # failed attempts
    last_error: str


def _stamp(moment: dt.datetime) -> str:
    return utc_naive(moment).isoformat(" ")


def record(db: SqliteDatabase, occurrence: Occurrence, state: str, now: dt.datetime,
           snoozed_until: dt.datetime | None = None) -> None:
    """Record what became of one occurrence (one transaction)."""
    record_all(db, [occurrence], state, now, snoozed_until)


def record_all(db: SqliteDatabase, occurrences, state: str, now: dt.datetime,
               snoozed_until: dt.datetime | None = None) -> None:
    """Record the same state for many occurrences (a summary shown), in one transaction."""
    if state not in DELIVERY_STATES:
        raise ValueError(f"Unknown reminder state {state!r}.")
    if state == "snoozed":
        if snoozed_until is None or snoozed_until <= now:
            raise ValueError("Choose a time later than now to be reminded again.")
        until = _stamp(snoozed_until)
    else:
        until = None
    rows = [(o.key, o.kind, o.customer_id, o.occurs_on.isoformat(), state, until, _stamp(now))
            for o in occurrences]
    with db.atomic():
        db.cursor().executemany(
            "INSERT INTO reminder_delivery (occurrence_key, kind, customer_id, occurs_on, state,"
            " snoozed_until, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (occurrence_key) DO UPDATE SET state = excluded.state, "
            "snoozed_until = excluded.snoozed_until, updated_at = excluded.updated_at", rows)


def record_failure(db: SqliteDatabase, occurrence: Occurrence, error: str,
                   now: dt.datetime) -> None:
    """Count a failed attempt to show it. Its state is left alone, so it stays due and is
    tried again at the next check: a failure never drops a reminder."""
    o = occurrence
    with db.atomic():
        db.execute_sql(
            "INSERT INTO reminder_delivery (occurrence_key, kind, customer_id, occurs_on, "
            "updated_at, attempts, last_error) VALUES (?, ?, ?, ?, ?, 1, ?) "
            "ON CONFLICT (occurrence_key) DO UPDATE SET attempts = attempts + 1, "
            "last_error = excluded.last_error, updated_at = excluded.updated_at",
            (o.key, o.kind, o.customer_id, o.occurs_on.isoformat(), _stamp(now),
             clean(str(error))[:500]))


def snooze(db: SqliteDatabase, occurrence: Occurrence, until: dt.datetime,
           now: dt.datetime) -> None:
    record(db, occurrence, "snoozed", now, until)


def dismiss(db: SqliteDatabase, occurrence: Occurrence, now: dt.datetime) -> None:
    record(db, occurrence, "dismissed", now)


def mark_done(db: SqliteDatabase, occurrence: Occurrence, now: dt.datetime,
              log_summary: str | None = None, book=None, channel: str = "other") -> int | None:
    """Done: closes the occurrence (all its steps); a follow-up or appointment is marked done
    too. With `log_summary` ("Sent birthday wishes") a conversation is logged through `book`
    (a CustomerBook), which also resets keep-in-touch. One transaction; returns the
    conversation's id, if one was logged."""
    if log_summary is not None and book is None:
        raise ValueError("A customer book is needed to log the conversation.")
    stamp = utc_naive(now)
    with db.atomic():
        record(db, occurrence, "done", now)
        if occurrence.kind == "follow_up":
            (FollowUp.update(done_at=stamp)
             .where(FollowUp.id == occurrence.source_id, FollowUp.done_at.is_null()).execute())
        elif occurrence.kind == "appointment":
            (Appointment.update(done_at=stamp)
             .where(Appointment.id == occurrence.source_id, Appointment.done_at.is_null())
             .execute())
        if log_summary is not None:
            return book.log_interaction(occurrence.customer_id, channel, log_summary, when=now)
    return None


def forget(db: SqliteDatabase, occurrence: Occurrence) -> None:
    """Undo: as if nothing had been recorded for this occurrence (it becomes due again)."""
    with db.atomic():
        db.execute_sql("DELETE FROM reminder_delivery WHERE occurrence_key = ?",
                       (occurrence.key,))


def deliveries(db: SqliteDatabase, keys) -> dict[str, Delivery]:
    """What is recorded for these keys (keys with nothing recorded are left out)."""
    keys, found = list(keys), {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        for row in db.execute_sql(
                "SELECT occurrence_key, kind, state, snoozed_until, updated_at, attempts, "
                f"last_error FROM reminder_delivery WHERE occurrence_key IN "
                f"({','.join('?' * len(chunk))})", chunk):
            until = dt.datetime.fromisoformat(row[3]) if row[3] else None
            found[row[0]] = Delivery(row[0], row[1], row[2], until,
                                     dt.datetime.fromisoformat(row[4]), row[5], row[6])
    return found
