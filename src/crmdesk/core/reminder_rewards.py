"""Reward reminders: customers whose loyalty balance reached a reward (the rules are in
`crmdesk.core.reminders`). Pure; no Qt."""

from __future__ import annotations

import datetime as dt

from peewee import SqliteDatabase

from crmdesk.core.clock import utc_naive
from crmdesk.core.reminder_deliveries import deliveries
from crmdesk.core.reminder_rules import Occurrence, _Ctx
from crmdesk.core.reminder_words import _reward
from crmdesk.core.settings import BusinessSettings

#: Rewards Today lists at most (the biggest balances first): as many rows as a Today section.
REWARDS_LISTED = 100
#: A reward is reminded of while the customer's last purchase is at most this old (in days).
REWARD_DAYS = 1


def _rewards(db: SqliteDatabase, ctx: _Ctx, settings, recent: bool) -> list[Occurrence]:
    """Rewards customers can have now (loyalty program): one occurrence per reward reached,
    keyed by the customer's redeem cycle, so it is not repeated once shown or dismissed, and
    leaves when redeemed (the balance drops, and the next cycle has new keys). `recent`: only
    customers who bought in the last REWARD_DAYS days (a reward comes due with a sale; later
    it waits on Today and the card without a notification). Rewards come due with a sale
    recorded in the app, which checks a minute later: a day back is all the catch-up needed,
    and keeps the check to the day's buyers."""
    from crmdesk.core import loyalty

    program = loyalty.program(settings or BusinessSettings())
    if not program.active:
        return []
    unit = "stamp" if program.mode == "stamps" else "point"
    if recent:
        found = loyalty.rewards_due(
            db, program.lowest, bought_since=ctx.today - dt.timedelta(days=REWARD_DAYS),
            skip_reminded=True)
    else:
        found = loyalty.rewards_due(db, program.lowest, limit=REWARDS_LISTED,
                                    biggest_first=True)
    return [_reward(ctx, due, reward, unit) for due in found
            for reward in program.available(due.balance)]


def _open_rewards(db: SqliteDatabase, ctx: _Ctx, settings) -> list[Occurrence]:
    found = _rewards(db, ctx, settings, recent=True)
    if not found:
        return []
    now = utc_naive(ctx.now)
    closed = {key for key, d in deliveries(db, [o.key for o in found]).items()
              if d.state in ("shown", "dismissed", "done")
              or (d.state == "snoozed" and d.snoozed_until and d.snoozed_until > now)}
    return [o for o in found if o.key not in closed]
