"""The loyalty program: points for money spent with rewards at thresholds, or a stamp card.

The program lives in BusinessSettings (loyalty_*). Every change of a balance is a row of the
`loyalty_entry` ledger: 'earn' rows are written with their sale (and go with it, by CASCADE, when
the sale is removed or undone), 'redeem' rows carry a negative count and the reward's words. The
balance itself is kept in customer_sales.loyalty_balance by triggers. No Qt.

Rules, held by the tests:
- Points: N points per whole unit of currency of the sale's total, rounded down per sale
  (12.99 at 1 point per unit = 12 points). A sale of 0 or less earns nothing.
- Stamps: one stamp per sale; with a category chosen, only sales with an item of that category
  (directly or through its product) earn one.
- A reward is available when the balance reaches its threshold; redeeming takes its threshold
  off the balance, writes the ledger row and logs "Redeemed: <reward>" in the customer's
  conversations (a visit), all in one transaction.
- Changing the program keeps balances as they are; balances are counted in the program's unit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import SqliteDatabase

from crmdesk.core import money
from crmdesk.core.clock import Now, system_now, utc_naive
from crmdesk.core.customers import NotFound
from crmdesk.core.settings import BusinessSettings
from crmdesk.core.text import clean
from crmdesk.core.validation import ValidationError
from crmdesk.store.models import Customer, Interaction, LoyaltyEntry

MODES = ("off", "points", "stamps")
MAX_THRESHOLD = 1_000_000
_REWARD_LINE = re.compile(r"^\s*(\d+)\s*(?:points?|stamps?|pts?)?\s*[=:]\s*(.*?)\s*$",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Reward:
    points: int  # what it costs: points, or stamps
    text: str  # what the customer gets: "£5 off", "a free coffee"


@dataclass(frozen=True)
class Program:
    mode: str  # MODES
    points_per_unit: int
    rewards: tuple[Reward, ...]  # cheapest first
    stamp_category: int  # 0: every sale earns a stamp

    @property
    def active(self) -> bool:
        return self.mode != "off" and bool(self.rewards)

    @property
    def lowest(self) -> int | None:
        return self.rewards[0].points if self.active else None

    def available(self, balance: int) -> list[Reward]:
        """The rewards a balance can pay for now, best (dearest) first."""
        if not self.active:
            return []
        return sorted((r for r in self.rewards if r.points <= balance),
                      key=lambda r: -r.points)


@dataclass(frozen=True)
class Redeemed:
    """What `redeem` wrote, for `undo_redeem`."""

    entry_id: int
    interaction_id: int | None
    customer_id: int
    reward: Reward


@dataclass(frozen=True)
class LedgerLine:
    id: int
    kind: str  # earn, redeem, adjust
    points: int
    reward: str
    purchase_id: int | None
    created_at: dt.datetime  # naive UTC


@dataclass(frozen=True)
class RewardDue:
    customer_id: int
    name: str
    balance: int
    cycle: int  # the id of the customer's last redeem row (0 if none): a new cycle after each
    sort_name: str = ""
    phone: str = ""
    email: str = ""
    whatsapp: str = ""


def parse_rewards(text: str) -> tuple[Reward, ...]:
    """"100 = £5 off" a line -> rewards, cheapest first. Raises ValueError naming the line."""
    found: dict[int, Reward] = {}
    for number, line in enumerate(str(text or "").splitlines(), 1):
        if not line.strip():
            continue
        match = _REWARD_LINE.match(line)
        if not match or not clean(match.group(2)):
            raise ValueError(f"Line {number} should look like “100 = £5 off”: the points "
                             "needed, an equals sign, then the reward.")
        points = int(match.group(1))
        if not 0 < points <= MAX_THRESHOLD:
            raise ValueError(f"Line {number}: the points needed must be between 1 and "
                             f"{MAX_THRESHOLD:,}.")
        if points in found:
            raise ValueError(f"Line {number}: there is already a reward at {points} points.")
        found[points] = Reward(points, clean(match.group(2)))
    return tuple(sorted(found.values(), key=lambda r: r.points))


def format_rewards(rewards: Iterable[Reward]) -> str:
    return "\n".join(f"{r.points} = {r.text}" for r in sorted(rewards, key=lambda r: r.points))


def program(settings: BusinessSettings) -> Program:
    """The program the settings describe; values that cannot be read turn it off."""
    mode = settings.loyalty_mode if settings.loyalty_mode in MODES else "off"
    per_unit = settings.loyalty_points_per_unit
    if mode == "points":
        try:
            rewards = parse_rewards(settings.loyalty_rewards)
        except ValueError:
            rewards = ()
        if not isinstance(per_unit, int) or per_unit < 1:
            rewards = ()
    elif mode == "stamps":
        needed = settings.loyalty_stamps_needed
        text = clean(settings.loyalty_stamp_reward)
        ok = isinstance(needed, int) and 0 < needed <= MAX_THRESHOLD and text
        rewards = (Reward(needed, text),) if ok else ()
    else:
        rewards = ()
    category = settings.loyalty_stamp_category if mode == "stamps" else 0
    return Program(mode, per_unit if isinstance(per_unit, int) else 1, rewards,
                   category if isinstance(category, int) and category > 0 else 0)


def points_for(total_minor: int, currency: str, per_unit: int) -> int:
    """Points for a sale: whole units of its total, rounded down, times `per_unit`."""
    if total_minor <= 0 or per_unit <= 0:
        return 0
    return (total_minor // 10 ** money.digits(currency)) * per_unit


class Loyalty:
    """Earning, balances, redeeming. `settings` is a callable giving the current settings."""

    def __init__(self, db: SqliteDatabase, now: Now = system_now,
                 settings=BusinessSettings, book=None):
        self.db = db
        self.now = now
        self.settings = settings
        self.book = book  # a CustomerBook: redeeming logs a conversation through it

    def program(self) -> Program:
        return program(self.settings())

    # --- earning (inside the sale's own transaction) ----------------------------------------

    def earn(self, purchase_id: int, customer_id: int | None, total_minor: int, currency: str,
             category_ids: Iterable[int | None]) -> int:
        """Write what a sale earns (nothing when the program is off); returns the points."""
        prog = self.program()
        if customer_id is None or not prog.active:
            return 0
        if prog.mode == "points":
            points = points_for(total_minor, currency, prog.points_per_unit)
        else:
            qualifies = not prog.stamp_category or prog.stamp_category in set(category_ids)
            points = 1 if qualifies else 0
        if points:
            LoyaltyEntry.create(customer=customer_id, purchase=purchase_id, kind="earn",
                                points=points, created_at=utc_naive(self.now()))
        return points

    # --- reads -----------------------------------------------------------------------------

    def balance(self, customer_id: int) -> int:
        row = self.db.execute_sql(
            "SELECT loyalty_balance FROM customer_sales WHERE customer_id = ?",
            (customer_id,)).fetchone()
        return int(row[0]) if row else 0

    def rewards_for(self, customer_id: int) -> list[Reward]:
        """What the customer can have now, best first."""
        return self.program().available(self.balance(customer_id))

    def ledger(self, customer_id: int, limit: int = 50) -> list[LedgerLine]:
        rows = (LoyaltyEntry.select().where(LoyaltyEntry.customer == customer_id)
                .order_by(LoyaltyEntry.created_at.desc(), LoyaltyEntry.id.desc()).limit(limit))
        return [LedgerLine(r.id, r.kind, r.points, r.reward, r.purchase_id, r.created_at)
                for r in rows]

    def due(self, limit: int | None = None) -> list[RewardDue]:
        """Customers (not in Trash) whose balance pays for at least the cheapest reward.
        Starts from the partial index on positive balances."""
        lowest = self.program().lowest
        if lowest is None:
            return []
        return rewards_due(self.db, lowest, limit)

    # --- redeeming -------------------------------------------------------------------------

    def redeem(self, customer_id: int, reward: Reward | None = None) -> Redeemed:
        """Give the customer a reward (the best one available when `reward` is None)."""
        prog = self.program()
        with self.db.atomic():
            if not Customer.select().where(Customer.id == customer_id,
                                           Customer.deleted_at.is_null()).exists():
                raise NotFound(customer_id)
            balance = self.balance(customer_id)
            available = prog.available(balance)
            if reward is None:
                if not available:
                    raise ValidationError({"reward": self._short(prog, balance)})
                reward = available[0]
            if reward.points > balance or reward.points <= 0:
                raise ValidationError({"reward": self._short(prog, balance)})
            now = self.now()
            entry = LoyaltyEntry.create(customer=customer_id, kind="redeem",
                                        points=-reward.points, reward=reward.text,
                                        created_at=utc_naive(now))
            interaction_id = None
            if self.book is not None:
                interaction_id = self.book.log_interaction(
                    customer_id, "visit", f"Redeemed: {reward.text}", when=now)
        return Redeemed(entry.id, interaction_id, customer_id, reward)

    def undo_redeem(self, redeemed: Redeemed) -> None:
        with self.db.atomic():
            LoyaltyEntry.delete().where(LoyaltyEntry.id == redeemed.entry_id).execute()
            if redeemed.interaction_id is not None:
                Interaction.delete().where(Interaction.id == redeemed.interaction_id).execute()

    @staticmethod
    def _short(prog: Program, balance: int) -> str:
        if not prog.active:
            return "The loyalty program is off. Set it up in Settings, Loyalty."
        unit = "stamps" if prog.mode == "stamps" else "points"
        return (f"Not enough {unit} yet: {balance} of {prog.rewards[0].points} needed for "
                f"“{prog.rewards[0].text}”.")


def rewards_due(db: SqliteDatabase, lowest: int, limit: int | None = None,
                customer_id: int | None = None, bought_since: dt.date | None = None,
                biggest_first: bool = False, skip_reminded: bool = False) -> list[RewardDue]:
    """Customers with a balance of at least `lowest` (> 0), not in Trash: by name, or the
    biggest balances first (read straight off the partial index, so a LIMIT stops early).
    `bought_since`: only those whose last purchase is on or after that day (one range of the
    last-purchase index: the few who bought lately, however many balances there are).
    `skip_reminded`: leave out customers whose reward reminder was shown, dismissed or done
    after their newest ledger row (nothing can have come due for them since), so the cycle is
    looked up only for the few whose balance moved."""
    if bought_since is not None:
        source = "customer_sales s INDEXED BY customer_sales_last"
    else:
        source = "customer_sales s INDEXED BY customer_sales_loyalty"
    sql = ("SELECT s.customer_id, c.display_name, s.loyalty_balance, "
           "(SELECT COALESCE(MAX(e.id), 0) FROM loyalty_entry e WHERE e.customer_id = "
           "s.customer_id AND e.kind = 'redeem'), c.sort_name, c.phone, c.email, c.whatsapp "
           f"FROM {source} CROSS JOIN customer c ON c.id = s.customer_id "
           "WHERE s.loyalty_balance > 0 AND s.loyalty_balance >= ? AND c.deleted_at IS NULL")
    params: list = [max(1, lowest)]
    if customer_id is not None:
        sql += " AND s.customer_id = ?"
        params.append(customer_id)
    if bought_since is not None:
        sql += " AND s.last_purchase_on >= ?"
        params.append(bought_since.isoformat())
    if skip_reminded:
        # The balance moves only through ledger rows: a reminder recorded after the newest
        # one has seen everything (both are one seek in their indexes).
        sql += (" AND NOT EXISTS (SELECT 1 FROM reminder_delivery r WHERE r.occurrence_key >= "
                "'reward:' || s.customer_id || ':' AND r.occurrence_key < 'reward:' || "
                "s.customer_id || ';' AND r.state IN ('shown', 'dismissed', 'done') "
                "AND r.updated_at > (SELECT MAX(e.created_at) FROM loyalty_entry e "
                "WHERE e.customer_id = s.customer_id))")
    sql += " ORDER BY s.loyalty_balance DESC" if biggest_first else " ORDER BY c.sort_name"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [RewardDue(*row) for row in db.execute_sql(sql, params).fetchall()]
