"""Per-day and per-month sales figures the dashboard keeps between runs (in the `setting` table),
so a chart over a year does not read a year of sale lines every time it is drawn.

What is kept: per day, the number and sum of its sales (the check) and the revenue per category
(from the sale lines, which the indexes do not cover: reading them is the slow part); per month,
the number and sum of its sales (the check) and how many different customers bought; and
figures read from every customer's sales sums (`memo`), kept while a key the caller gives (the
RFM staleness state, who is in Trash, the newest customer) is unchanged.

A kept figure is used only while it is still right. Each time, one pass over the `purchase_day`
index gives every day's number and sum of sales (a range of a covering index, in order): a day
or month whose number or sum changed is worked out again. Lines added or rewritten on an
unchanged sale show in the newest lines (ids above the last newest id less RECENT_LINES, a
rowid range): the days of those lines are worked out again too. A category removed starts
afresh (one added changes nothing kept); who is in Trash only matters to the figures kept whole
(`memo`), whose keys carry it. Not seen: rewriting only the lines of a sale more than
RECENT_LINES lines old while keeping its total and day (its category mix then waits for the
next change of that day).
"""

from __future__ import annotations

import datetime as dt
import json

from peewee import SqliteDatabase

from crmdesk.store.db import is_read_only
from crmdesk.store.problems import FULL, READ_ONLY, kind_of

SETTING_KEY = "insight_cache"
VERSION = 1
MEMOS = 12
RECENT_LINES = 1000

# A sale line's amount: its own, else its share of what the sale's other lines leave.
LINE_AMOUNT = """COALESCE(i.amount_minor, (
    SELECT max(p.total_minor - COALESCE(sum(j.amount_minor), 0), 0) / sum(j.amount_minor IS NULL)
    FROM purchase p JOIN purchase_item j ON j.purchase_id = p.id WHERE p.id = i.purchase_id))"""


def _iso(day: dt.date) -> str:
    return day.isoformat()


class SalesFigures:
    """The figures for the days from `first` to `last`; `save()` keeps what was worked out."""

    def __init__(self, db: SqliteDatabase, first: dt.date, last: dt.date, today: dt.date):
        self.db = db
        self.today = today
        self.first_day, self.last_day = first, last
        self.first, self.last = _iso(first), _iso(last)
        self.changed = False
        row = db.execute_sql("SELECT value FROM setting WHERE key = ?", (SETTING_KEY,)).fetchone()
        try:
            stored = json.loads(row[0]) if row else {}
        except ValueError:
            stored = {}
        self.scope = self._scope()
        self.max_line = db.execute_sql("SELECT COALESCE(max(id), 0) FROM purchase_item").fetchone()[0]
        # The newest lines, summed: a rewritten line may take back the id of the one it
        # replaced (SQLite reuses the highest rowid), so the newest id alone would not show it.
        self.lines = [self.max_line, *db.execute_sql(
            "SELECT count(*), total(category_id), total(amount_minor), total(purchase_id), "
            "total(julianday(purchased_on)) FROM purchase_item WHERE id > ?",
            (self.max_line - RECENT_LINES,)).fetchone()]
        # A category removed sends its lines to no category: start afresh (a category added
        # changes no line). Trash does not matter here (buyers are counted with it and taken
        # off by the caller); figures kept whole carry the scope in their keys.
        self.category_ids = [row[0] for row in db.execute_sql("SELECT id FROM category")]
        if not isinstance(stored, dict) or stored.get("version") != VERSION \
                or not set(stored.get("categories", [])) <= set(self.category_ids):
            stored = {}
        self.kept_days: dict = stored.get("days", {})
        self.memos: dict = stored.get("memo", {})
        # Months' buyers count customers by id: erasing one for good (who must be in Trash
        # first) changes them.
        self.kept_months: dict = (stored.get("months", {})
                                  if stored.get("scope") == self.scope else {})
        self.stored = stored
        self.sales_days = stored.get("sales_days")
        old_lines = stored.get("lines", self.lines)
        if old_lines != self.lines:
            old_max = old_lines[0] if isinstance(old_lines, list) and old_lines else 0
            since = min(old_max if isinstance(old_max, int) else 0, self.max_line) - RECENT_LINES
            touched = [day for (day,) in db.execute_sql(
                "SELECT DISTINCT purchased_on FROM purchase_item WHERE id > ?", (since,))]
            for day in touched:
                self.kept_days.pop(day, None)
                self.kept_months.pop(day[:7], None)
            # A period kept whole ("period START END") that reaches a touched day goes.
            if touched:
                first = min(touched)
                for name in [n for n in self.memos if n.startswith("period ")
                             and n.split()[-1] >= first]:
                    del self.memos[name]
            self.changed = True
        self._days: dict[str, tuple[int, int]] | None = None

    @property
    def days(self) -> dict[str, tuple[int, int]]:
        """Every day's number and sum of sales: the check, and the revenue itself. Read when
        first needed (a dashboard kept whole does without); the days of past months come from
        the last pass while the number and sum of all sales up to their end are the same."""
        if self._days is None:
            through = _iso(self.today.replace(day=1) - dt.timedelta(days=1))
            check = self._sales_up_to(through)
            kept = self.stored.get("sales_days")
            if (isinstance(kept, dict) and kept.get("through") == through
                    and kept.get("check") == check and kept.get("first", "9") <= self.first):
                days = {day: tuple(v) for day, v in kept["days"].items()
                        if self.first <= day <= self.last}
                start = max(self.first, _iso(dt.date.fromisoformat(through)
                                             + dt.timedelta(days=1)))
            else:
                days, start = {}, self.first
            days.update({day: (n, total) for day, n, total in self.db.execute_sql(
                "SELECT purchased_on, count(*), sum(total_minor) FROM purchase "
                "WHERE purchased_on BETWEEN ? AND ? GROUP BY purchased_on",
                (start, self.last))})
            if start == self.first and self.first <= through:
                self.sales_days = {"through": through, "check": check, "first": self.first,
                                   "days": {d: list(v) for d, v in days.items()
                                            if d <= through}}
                self.changed = True
            self._days = days
        return self._days

    def _sales_up_to(self, day: str) -> list[int]:
        """Number and sum of every sale dated up to `day`, read without a pass over them: the
        per-customer sums, the anonymous sales, less the sales after the day."""
        every = self.db.execute_sql("SELECT total(purchases), total(total_minor) "
                                    "FROM customer_sales").fetchone()
        anonymous = self.db.execute_sql("SELECT count(*), total(total_minor) FROM purchase "
                                        "WHERE customer_id IS NULL").fetchone()
        later = self.db.execute_sql("SELECT count(*), total(total_minor) FROM purchase "
                                    "WHERE purchased_on > ?", (day,)).fetchone()
        return [int(every[0] + anonymous[0] - later[0]), int(every[1] + anonymous[1] - later[1])]

    def _scope(self) -> list:
        categories = self.db.execute_sql("SELECT count(*), total(id) FROM category").fetchone()
        trash = self.db.execute_sql("SELECT count(*), total(id) FROM customer "
                                    "WHERE deleted_at IS NOT NULL").fetchone()
        return [*categories, *trash]

    # --- revenue ---------------------------------------------------------------------------

    def revenue(self, first: dt.date, last: dt.date) -> tuple[int, int]:
        """(number of sales, revenue) from `first` to `last` (within the figures' days)."""
        a, b = _iso(first), _iso(last)
        n = total = 0
        for day, (count, amount) in self.days.items():
            if a <= day <= b:
                n += count
                total += amount
        return n, total

    def _month_check(self, month: str) -> list[int]:
        n = total = 0
        for day, (count, amount) in self.days.items():
            if day.startswith(month):
                n += count
                total += amount
        return [n, total]

    # --- categories ------------------------------------------------------------------------

    def categories(self, first: dt.date, last: dt.date) -> dict[int, int]:
        """Revenue per category id from `first` to `last`, from the sale lines."""
        a, b = _iso(first), _iso(last)
        wanted = [day for day in self.days if a <= day <= b]
        missing = [day for day in wanted
                   if (kept := self.kept_days.get(day)) is None or kept[:2] != list(self.days[day])]
        if missing:
            self._work_out(missing)
        result: dict[int, int] = {}
        for day in wanted:
            for category, amount in self.kept_days[day][2].items():
                result[int(category)] = result.get(int(category), 0) + amount
        return result

    def _work_out(self, days: list[str]) -> None:
        fresh: dict[str, dict[str, int]] = {day: {} for day in days}
        for start, end in _runs(sorted(days)):
            for category, day, amount in self.db.execute_sql(f"""
                    SELECT k.id, i.purchased_on, sum({LINE_AMOUNT})
                    FROM category k CROSS JOIN purchase_item i ON i.category_id = k.id
                    WHERE i.purchased_on BETWEEN ? AND ? GROUP BY k.id, i.purchased_on""",
                                                         (start, end)):
                if day in fresh and amount:
                    fresh[day][str(category)] = int(amount)
        for day, amounts in fresh.items():
            self.kept_days[day] = [*self.days[day], amounts]
        self.changed = True

    # --- buyers per month ------------------------------------------------------------------

    def buyers(self, month: str, first: dt.date, last: dt.date) -> int:
        """Different customers (Trash included, anonymous sales not) who bought in the month;
        `first`..`last` are the month's days within the figures (a whole month is kept)."""
        whole = (_iso(first).endswith("-01") and
                 (last + dt.timedelta(days=1)).day == 1)
        check = self._month_check(month)
        kept = self.kept_months.get(month)
        if whole and kept is not None and kept[:2] == check:
            return kept[2]
        n = self.db.execute_sql("SELECT count(DISTINCT customer_id) FROM purchase "
                                "WHERE purchased_on BETWEEN ? AND ?",
                                (_iso(first), _iso(last))).fetchone()[0]
        if whole:
            self.kept_months[month] = [*check, n]
            self.changed = True
        return n

    def memo(self, name: str, key, compute):
        """`compute()`'s value as kept under `name` while `key` (JSON data) is unchanged."""
        key = json.loads(json.dumps(key))
        kept = self.memos.get(name)
        if isinstance(kept, list) and len(kept) == 2 and kept[0] == key:
            return kept[1]
        value = json.loads(json.dumps(compute()))
        self.memos.pop(name, None)
        self.memos[name] = [key, value]
        while len(self.memos) > MEMOS:  # the oldest go first
            del self.memos[next(iter(self.memos))]
        self.changed = True
        return value

    def save(self) -> None:
        if not self.changed or is_read_only(self.db):  # a read-only or damaged book: not kept
            return
        value = json.dumps({"version": VERSION, "scope": self.scope, "lines": self.lines,
                            "categories": self.category_ids,
                            "days": self.kept_days, "months": self.kept_months,
                            "memo": self.memos, "sales_days": self.sales_days},
                           separators=(",", ":"))
        try:
            with self.db.atomic():
                self.db.execute_sql("INSERT INTO setting (key, value) VALUES (?, ?) "
                                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                    (SETTING_KEY, value))
        except Exception as exc:
            if kind_of(exc) not in (FULL, READ_ONLY):
                raise
            return  # a full disk: the figures are worked out again next time
        self.changed = False


def _runs(days: list[str], gap: int = 4) -> list[tuple[str, str]]:
    """Sorted ISO days -> ranges (first, last) joining days fewer than `gap` days apart."""
    runs: list[tuple[str, str]] = []
    for day in days:
        if runs and (dt.date.fromisoformat(day)
                     - dt.date.fromisoformat(runs[-1][1])).days < gap:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def forget(db: SqliteDatabase) -> None:
    """Drop the kept figures (they are worked out again when next needed)."""
    db.execute_sql("DELETE FROM setting WHERE key = ?", (SETTING_KEY,))
