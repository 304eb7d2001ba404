"""What needs the owner today: one count for the side bar's Today badge, the tray's badge and
tooltip, the notification summary's title and the Today page's heading.

It counts what the Today page lists for today and before, not yet handled:
- birthdays, anniversaries and special days falling today,
- appointments today,
- follow-ups due today or overdue,
- customers whose keep-in-touch time has run out (when those reminders are on),
- customers whose loyalty reward came due with a sale yesterday or today (while a loyalty
  program runs; one a customer, until redeemed);
and leaves out what was marked done or dismissed, or is snoozed for now.

Coming days' reminders (a birthday next week) and rewards earned long ago are on the Today page
but do not count: they do not need the owner today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import SqliteDatabase

from crmdesk.core import reminders, upcoming
from crmdesk.core.settings import BusinessSettings

#: the kinds in the order their words are listed ("1 birthday, 2 follow-ups")
KINDS = ("birthday", "anniversary", "custom", "appointment", "follow_up", "keep_in_touch",
         "reward")


@dataclass(frozen=True)
class NeedsYou:
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def handled_states(db: SqliteDatabase, items, settings: BusinessSettings | None,
                   now: dt.datetime) -> dict[str, tuple]:
    """key -> (state, snoozed until or None) for the occurrences the owner handled (done,
    dismissed, or snoozed until later than `now`); open ones are left out. Done on any lead
    step of a date closes the date, so those keys are looked up as well."""
    rules = reminders.rules(settings)
    wanted: dict[str, list[str]] = {}
    for occ in items:
        keys = [occ.key]
        if occ.kind in reminders.DATE_KINDS:
            keys += [f"{occ.base}:lead{n}" for n in {*rules.leads[occ.kind], 0}]
        wanted[occ.key] = keys
    found = reminders.deliveries(db, {k for ks in wanted.values() for k in ks})
    states = {}
    for key, candidates in wanted.items():
        records = [found[k] for k in candidates if k in found]
        if any(r.state == "done" for r in records):
            states[key] = ("done", None)
            continue
        own = found.get(key)
        if own is None or own.state in (None, "shown"):
            continue
        if own.state == "snoozed":
            until = (own.snoozed_until.replace(tzinfo=dt.UTC).astimezone(now.tzinfo)
                     if own.snoozed_until else None)
            if until is not None and until.astimezone(dt.UTC) > now.astimezone(dt.UTC):
                states[key] = ("snoozed", until)
        else:
            states[key] = (own.state, None)
    return states


def needs_you(db: SqliteDatabase, now: dt.datetime,
              settings: BusinessSettings | None = None) -> NeedsYou:
    """What needs the owner today (see the module's words), by kind."""
    from crmdesk.core.loyalty import program

    today = now.date()
    items = [o for o in reminders.upcoming(db, today, 0, settings, tz=now.tzinfo)
             if o.occurs_on <= today and o.kind != "reward"]
    handled = handled_states(db, items, settings, now)
    by_kind: dict[str, int] = {}
    for occ in items:
        if occ.key not in handled:
            by_kind[occ.kind] = by_kind.get(occ.kind, 0) + 1
    rewards = upcoming.rewards_due_count(
        db, program(settings or BusinessSettings()).lowest,
        today - dt.timedelta(days=reminders.REWARD_DAYS))
    if rewards:
        by_kind["reward"] = rewards
    return NeedsYou(sum(by_kind.values()), {k: by_kind[k] for k in KINDS if k in by_kind})
