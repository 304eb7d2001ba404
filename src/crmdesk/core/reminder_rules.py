"""Reminder rules: the kinds, the lead-time settings, one occurrence of a reminder, and the
day and lead-step arithmetic the checks share. Pure and clock-injected; no Qt. The rules
themselves are described in `crmdesk.core.reminders`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crmdesk.core import dates as date_rules
from crmdesk.core.clock import utc_naive, zone_of
from crmdesk.core.settings import BusinessSettings

KINDS = ("birthday", "anniversary", "custom", "appointment", "follow_up", "keep_in_touch",
         "reward")
DATE_KINDS = ("birthday", "anniversary", "custom")
CATCH_UP_DAYS = 7
MAX_LEAD_DAYS = 365
MAX_APPOINTMENT_LEAD = 7 * 24 * 60  # minutes
ONE_DAY = dt.timedelta(days=1)
_DEFAULTS = BusinessSettings()


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
    source_id: int = 0  # important_date, appointment or follow_up id; customer id for
    # keep_in_touch and reward
    lead: int = 0  # days before (dates), minutes before (appointments), points (reward)
    label: str = ""  # a date's label, the follow-up's title, the appointment's place, the
    # reward's words
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
    """`now`'s zone with its rules (clock.zone_of): every date gets its own UTC offset.
    `now` is kept in UTC: two datetimes of one ZoneInfo compare by their wall times, which is
    wrong in the hour a DST change repeats; against UTC they compare as instants."""
    tz = zone_of(now)
    return _Ctx(now.astimezone(dt.UTC), tz, now.astimezone(tz).date(), rules(settings))


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
