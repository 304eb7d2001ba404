"""Occurrences built from query rows, with their plain-words titles ("Anna Schmidt turns 36
on Thursday 12 March"). Pure; no Qt."""

from __future__ import annotations

import datetime as dt

from crmdesk.core.reminder_rules import Occurrence, _Ctx

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


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
    """`row`: the day it falls due, last conversation (UTC), added (UTC), the last touch
    (customer.touched_at: the last conversation as it is, or the day of a later purchase as
    "YYYY-MM-DD 00:00:00", a local date), the customer."""
    overdue_on, last_contact, created, touched, *customer = row
    overdue_on = dt.date.fromisoformat(overdue_on)
    # The purchase is the later touch when touched_at is not the conversation's own text.
    bought_on = touched if touched is not None and touched != last_contact else None
    # Counted to the day it falls due when that is still ahead (Today's coming list), so a
    # lapse next week does not read "not spoken to for 0 days".
    last = (dt.date.fromisoformat(str(bought_on)[:10]) if bought_on
            else _from_utc(last_contact or created, ctx.tz).date())
    since = (max(ctx.today, overdue_on) - last).days
    name = customer[1]
    if bought_on:
        title = (f"You have not been in touch with {name} since their last purchase "
                 f"{_plural(since, 'day')} ago")
    elif last_contact:
        title = f"You have not spoken to {name} for {_plural(since, 'day')}"
    else:
        title = (f"You have not been in touch with {name} since adding them "
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
                 (starts_utc - dt.timedelta(minutes=lead)).replace(tzinfo=dt.UTC).astimezone(
                     ctx.tz), title, source_id=appointment_id,
                 lead=lead, label=place, starts_at=starts)


def _reward(ctx: _Ctx, due, reward, unit: str) -> Occurrence:
    """A reward the customer can have: `due` is a loyalty.RewardDue, `reward` a Reward."""
    customer = (due.customer_id, due.name, due.sort_name, due.phone, due.email, due.whatsapp)
    title = (f"{due.name} has earned {reward.text} "
             f"({_plural(due.balance, unit)}, {reward.points} needed)")
    return _make("reward", f"reward:{due.customer_id}:{due.cycle}-{reward.points}", customer,
                 ctx.today, ctx.morning(ctx.today), title, source_id=due.customer_id,
                 lead=reward.points, label=reward.text)
