"""The dashboard: how the shop is doing over a period, against the period before it.

All figures come from SQL aggregates over indexes: per-period money and counts are a range on
``purchase_day`` (purchased_on, customer_id, total_minor); anything per customer reads the sums
the triggers keep in ``customer_sales`` instead of adding up every sale. Money is integer minor
units of the shop's currency. Customers in Trash are not counted as customers; their sales still
count in revenue (the shop did sell), as do anonymous sales (a customer erased for good).

The KPIs, in plain words (a period runs from its first to its last day, both included):

- customers: customers in the book (not in Trash), now.
- new customers: customers added to the book during the period.
- active customers: customers who bought at least once during the period.
- lapsed customers: customers who had bought before, but whose last purchase by the end of the
  period lies before the period and more than `LAPSE_DAYS` (90) days before its end: they used
  to come and have stopped.
- revenue, purchases: the sum and number of all sales during the period.
- average basket: revenue / purchases (rounded to the minor unit; 0 without sales).
- repeat-customer rate: of the active customers, the share (0 to 1) who had bought at least
  twice by the end of the period (two visits within it, or one within it and one earlier).
- average customer lifetime value (historical): what the customers who had bought by the end of
  the period have spent in all, on average, up to that end.
- predicted customer lifetime value (a simple estimate):
  average basket x purchases per year x expected years as a customer, where
  * average basket: lifetime spend / lifetime purchases up to the end of the period;
  * purchases per year: for customers who bought in the last 365 days, their purchases per
    year since their first one (counting at least one year each);
  * expected years: 1 / the yearly loss rate, the loss rate being the share of customers who
    first bought more than a year ago and have not bought in the last 365 days; between 1 and
    `MAX_LIFESPAN_YEARS` (10) years. These two read the book as it is today.
- upcoming birthdays: birthdays of customers (not in Trash) in the 30 days from today on.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass

from peewee import SqliteDatabase

from crmdesk.core import dates as date_rules
from crmdesk.core import money, rfm
from crmdesk.core.insight_cache import LINE_AMOUNT, SalesFigures

LAPSE_DAYS = 90
MAX_LIFESPAN_YEARS = 10
BIRTHDAY_DAYS = 30
TOP_CUSTOMERS = 10
BIRTHDAY_ROWS = 20
MONTHS = 12
OTHER_CATEGORY = "Other / no category"


@dataclass(frozen=True)
class Period:
    start: dt.date  # inclusive
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    @staticmethod
    def presets(today: dt.date) -> list[tuple[str, Period]]:
        first = today.replace(day=1)
        last_month_end = first - dt.timedelta(days=1)
        year_ago = _add_months(today, -12) + dt.timedelta(days=1)
        return [
            ("Last 30 days", Period(today - dt.timedelta(days=29), today)),
            ("Last 90 days", Period(today - dt.timedelta(days=89), today)),
            ("This month", Period(first, today)),
            ("Last month", Period(last_month_end.replace(day=1), last_month_end)),
            ("This year", Period(today.replace(month=1, day=1), today)),
            ("Last 12 months", Period(year_ago, today)),
        ]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Kpis:
    customers: int
    new_customers: int
    active_customers: int
    lapsed_customers: int
    revenue_minor: int
    purchases: int
    average_basket_minor: int
    repeat_customer_rate: float
    average_clv_minor: int
    predicted_clv_minor: int
    upcoming_birthdays: int


@dataclass(frozen=True)
class Dashboard:
    period: Period
    kpis: Kpis
    previous: Kpis
    revenue_by_month: list[tuple[str, int]]
    new_vs_returning: list[tuple[str, int, int]]
    category_mix: list[tuple[int | None, str, int]]
    top_customers: list[tuple[int, str, int]]
    rfm_grid: dict[tuple[int, int], int]
    rfm_segments: list[tuple[str, str, int]]
    birthdays: list[tuple[int, str, dt.date]]


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _rounded_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (0 when the denominator is 0)."""
    if not denominator:
        return 0
    return (2 * numerator + denominator) // (2 * denominator)


def _one(db: SqliteDatabase, sql: str, params=()) -> tuple:
    return db.execute_sql(sql, params).fetchone()


# --- per customer, from customer_sales -------------------------------------------------------

def _live_sums(db: SqliteDatabase, select: str, where: str, params) -> list:
    """Additive aggregates (count, total) over the customer_sales rows (alias s) of customers
    not in Trash: over every row, less over the rows of customers in Trash (few, found through
    the deleted_at index). Cheaper than joining every row to its customer."""
    every = _one(db, f"SELECT {select} FROM customer_sales s WHERE {where}", params)
    trash = _one(db, f"SELECT {select} FROM customer c CROSS JOIN customer_sales s "
                     f"ON s.customer_id = c.id WHERE c.deleted_at IS NOT NULL AND ({where})",
                 params)
    return [(a or 0) - (b or 0) for a, b in zip(every, trash, strict=True)]


@dataclass(frozen=True)
class _Book:
    """Figures that do not depend on the period: one pass over customer_sales."""

    customers: int
    buyers: int
    spent: int  # lifetime spend of live customers
    bought: int  # lifetime purchases of live customers
    purchases_per_year: float
    lifespan_years: float
    every_bought: int  # all sales of a known customer, Trash included
    every_spent: int


def _book(db: SqliteDatabase, today: dt.date) -> _Book:
    return _sums(db, today, today)[0]


def _sums(db: SqliteDatabase, today: dt.date, end: dt.date
          ) -> tuple[_Book, dict[tuple[int, int], int], dict[str, int]]:
    """One pass over every customer's sales sums (and one over those in Trash, taken off):
    the book's lifetime figures, the RFM grid, and per month of the chart up to `end` how
    many customers (not in Trash) made their first purchase."""
    customers = _one(db, "SELECT count(*) FROM customer WHERE deleted_at IS NULL")[0]
    params = {"today": _iso(today), "year_ago": _iso(today - dt.timedelta(days=365)),
              "first": _iso(_months(end)[0][1]), "end": _iso(end)}
    select = """
        s.r_score, s.f_score,
        CASE WHEN s.first_purchase_on BETWEEN :first AND :end
             THEN substr(s.first_purchase_on, 1, 7) END,
        count(*), total(s.total_minor), total(s.purchases),
        total(s.first_purchase_on <= :year_ago),
        total(s.first_purchase_on <= :year_ago AND s.last_purchase_on <= :year_ago),
        total(CASE WHEN s.last_purchase_on > :year_ago THEN s.purchases END),
        total(CASE WHEN s.last_purchase_on > :year_ago THEN
              max(julianday(:today) - julianday(s.first_purchase_on), 365.25) / 365.25 END)"""
    every = db.execute_sql(f"SELECT {select} FROM customer_sales s GROUP BY 1, 2, 3",
                           params).fetchall()
    trash = db.execute_sql(f"SELECT {select} FROM customer c CROSS JOIN customer_sales s "
                           f"ON s.customer_id = c.id WHERE c.deleted_at IS NOT NULL "
                           f"GROUP BY 1, 2, 3", params).fetchall()
    totals = [0.0] * 7
    every_bought = every_spent = 0.0
    grid: dict[tuple[int, int], int] = {}
    firsts: dict[str, int] = {}
    for sign, rows in ((1, every), (-1, trash)):
        for r, f, month, *values in rows:
            if sign == 1:
                every_spent += values[1]
                every_bought += values[2]
            if values[2] <= 0:  # no purchases: loyalty points only
                continue
            totals = [t + sign * v for t, v in zip(totals, values, strict=True)]
            if r is not None:
                grid[r, f] = grid.get((r, f), 0) + sign * values[0]
            if month is not None:
                firsts[month] = firsts.get(month, 0) + sign * values[0]
    buyers, spent, bought, old, lost, recent, recent_years = totals
    per_year = recent / recent_years if recent_years > 1e-9 else 0.0
    if old:
        loss = lost / old
        lifespan = MAX_LIFESPAN_YEARS if loss <= 0 else min(max(1 / loss, 1.0),
                                                             MAX_LIFESPAN_YEARS)
    else:
        lifespan = 1.0
    book = _Book(customers, int(buyers), int(spent), int(bought), per_year, float(lifespan),
                 int(every_bought), int(every_spent))
    return book, {cell: n for cell, n in grid.items() if n}, firsts


# --- one period ------------------------------------------------------------------------------

# Customers who bought within [:start, :end], from their first and last purchase days; only
# those whose first and last lie on both sides of the period need a look at their sales.
_ACTIVE_WHERE = """
s.last_purchase_on >= :start AND s.first_purchase_on <= :end
AND (s.last_purchase_on <= :end OR s.first_purchase_on >= :start
     OR EXISTS (SELECT 1 FROM purchase p WHERE p.customer_id = s.customer_id
                AND p.purchased_on BETWEEN :start AND :end))
"""
# Active customers who had not bought twice by the period's end: first purchase in the period
# and no other in it (the last-purchase index narrows them to those who bought since :start).
_ONCE_WHERE = """
s.last_purchase_on >= :start AND s.first_purchase_on BETWEEN :start AND :end
AND CASE WHEN s.last_purchase_on <= :end THEN s.purchases = 1
         ELSE (SELECT count(*) FROM purchase p WHERE p.customer_id = s.customer_id
               AND p.purchased_on BETWEEN :start AND :end) = 1 END
"""
# Lapsed: bought before :cutoff, and nothing from then to :end. Those whose last purchase is
# before the cutoff are a range of the last-purchase index; only those who came back after the
# period need a look at their sales.
_LAPSED_LATER_WHERE = """
s.last_purchase_on > :end AND s.first_purchase_on <= :cutoff AND NOT EXISTS (
    SELECT 1 FROM purchase p WHERE p.customer_id = s.customer_id
    AND p.purchased_on > :cutoff AND p.purchased_on <= :end)
"""


def _named(period: Period) -> dict:
    return {"start": _iso(period.start), "end": _iso(period.end)}


def _lapse_cutoff(period: Period) -> dt.date:
    return min(period.start - dt.timedelta(days=1),
               period.end - dt.timedelta(days=LAPSE_DAYS))


def _new_customers(db: SqliteDatabase, periods: list[Period]) -> list[int]:
    """Customers (not in Trash) added within each period: one pass over the customer table
    (created_at has no index; reading the table in order beats the deleted_at index here)."""
    first = min(p.start for p in periods)
    last = max(p.end for p in periods) + dt.timedelta(days=1)
    parts = ", ".join(f"total(created_at >= :s{n} AND created_at < :e{n})"
                      for n in range(len(periods)))
    params = {"first": _iso(first), "last": _iso(last)}
    for n, p in enumerate(periods):
        params[f"s{n}"] = _iso(p.start)
        params[f"e{n}"] = _iso(p.end + dt.timedelta(days=1))
    row = _one(db, f"SELECT {parts} FROM customer NOT INDEXED WHERE deleted_at IS NULL "
                   f"AND created_at >= :first AND created_at < :last", params)
    return [int(v or 0) for v in row]


def _sales_up_to(db: SqliteDatabase, book: _Book, end: dt.date) -> list[int]:
    """Number and sum of every sale dated up to `end` (anonymous ones too): a check that
    changes when any sale the period's figures rest on is added, removed or corrected."""
    anonymous = _one(db, "SELECT count(*), total(total_minor) FROM purchase "
                         "WHERE customer_id IS NULL")
    later = _one(db, "SELECT count(*), total(total_minor) FROM purchase WHERE purchased_on > ?",
                 (_iso(end),))
    return [int(book.every_bought + anonymous[0] - later[0]),
            int(book.every_spent + anonymous[1] - later[1])]


def _period_figures(db: SqliteDatabase, period: Period, book: _Book) -> dict:
    """What a period's KPIs rest on, from the sales dated up to its end only."""
    named = _named(period)
    start, end = named["start"], named["end"]
    purchases, revenue = _one(db, "SELECT count(*), COALESCE(sum(total_minor), 0) FROM purchase "
                                  "WHERE purchased_on BETWEEN ? AND ?", (start, end))
    active = _one(db, "SELECT count(DISTINCT customer_id) FROM purchase "
                      "WHERE purchased_on BETWEEN ? AND ?", (start, end))[0]
    active -= _one(db, "SELECT count(*) FROM customer c WHERE c.deleted_at IS NOT NULL "
                       "AND EXISTS (SELECT 1 FROM purchase p WHERE p.customer_id = c.id "
                       "AND p.purchased_on BETWEEN ? AND ?)", (start, end))[0]
    once = _live_sums(db, "count(*)", _ONCE_WHERE, named)[0]
    cutoff = {"cutoff": _iso(_lapse_cutoff(period)), "end": end}
    lapsed = _live_sums(db, "count(*)", "s.last_purchase_on <= :cutoff", cutoff)[0]
    lapsed += _live_sums(db, "count(*)", _LAPSED_LATER_WHERE, cutoff)[0]
    # Lifetime figures as they stood at the end of the period: today's, less what came after.
    later_count, later_sum = _one(db, "SELECT count(*), COALESCE(sum(total_minor), 0) "
                                      "FROM purchase WHERE purchased_on > ? "
                                      "AND customer_id IS NOT NULL", (end,))
    newer_buyers = 0
    if later_count:
        trash_count, trash_sum = _one(db, """
            SELECT count(*), COALESCE(sum(p.total_minor), 0)
            FROM customer c CROSS JOIN purchase p ON p.customer_id = c.id
            WHERE c.deleted_at IS NOT NULL AND p.purchased_on > ?""", (end,))
        later_count -= trash_count
        later_sum -= trash_sum
        newer_buyers = _live_sums(db, "count(*)", "s.last_purchase_on > :end "
                                  "AND s.first_purchase_on > :end", {"end": end})[0]
    return {"purchases": purchases, "revenue": revenue, "active": int(active),
            "repeat": int(active - once), "lapsed": int(lapsed),
            "buyers": book.buyers - int(newer_buyers), "spent": book.spent - later_sum,
            "bought": book.bought - later_count}


def _kpis_of(part: dict, book: _Book, new: int, birthdays: int) -> Kpis:
    spent, bought, active = part["spent"], part["bought"], part["active"]
    lifetime_basket = spent / bought if bought else 0.0
    predicted = round(lifetime_basket * book.purchases_per_year * book.lifespan_years)
    return Kpis(
        customers=book.customers, new_customers=int(new), active_customers=active,
        lapsed_customers=part["lapsed"], revenue_minor=part["revenue"],
        purchases=part["purchases"],
        average_basket_minor=_rounded_div(part["revenue"], part["purchases"]),
        repeat_customer_rate=part["repeat"] / active if active else 0.0,
        average_clv_minor=_rounded_div(spent, part["buyers"]),
        predicted_clv_minor=int(predicted),
        upcoming_birthdays=birthdays)


def _kpis(db: SqliteDatabase, period: Period, book: _Book, birthdays: int,
          new: int | None = None) -> Kpis:
    if new is None:
        new = _new_customers(db, [period])[0]
    return _kpis_of(_period_figures(db, period, book), book, new, birthdays)


# --- charts ----------------------------------------------------------------------------------

def _months(end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The MONTHS months up to `end`'s: (key "YYYY-MM", first day, last day counted)."""
    result = []
    for back in range(MONTHS - 1, -1, -1):
        first = _add_months(end.replace(day=1), -back)
        last = min(first.replace(day=calendar.monthrange(first.year, first.month)[1]), end)
        result.append((f"{first.year:04d}-{first.month:02d}", first, last))
    return result


def _month_bounds(key: str, end: dt.date) -> tuple[dt.date, dt.date]:
    try:
        year, month = (int(part) for part in str(key).split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"not a month: {key!r}") from None
    last = first.replace(day=calendar.monthrange(year, month)[1])
    return first, min(last, end)


def _revenue_by_month(figures: SalesFigures, end: dt.date) -> list[tuple[str, int]]:
    return [(key, figures.revenue(first, last)[1]) for key, first, last in _months(end)]


def _new_vs_returning(db: SqliteDatabase, figures: SalesFigures, end: dt.date,
                      new: dict[str, int]) -> list[tuple[str, int, int]]:
    """Per month, the customers (not in Trash) who bought: for the first time ever (their first
    purchase day lies in the month), or again."""
    result = []
    for key, first, last in _months(end):
        buyers = figures.buyers(key, first, last)
        buyers -= _one(db, "SELECT count(*) FROM customer c WHERE c.deleted_at IS NOT NULL "
                           "AND EXISTS (SELECT 1 FROM purchase p WHERE p.customer_id = c.id "
                           "AND p.purchased_on BETWEEN ? AND ?)", (_iso(first), _iso(last)))[0]
        result.append((key, new.get(key, 0), buyers - new.get(key, 0)))
    return result


def _category_mix(db: SqliteDatabase, figures: SalesFigures, period: Period,
                  revenue: int) -> list[tuple[int | None, str, int]]:
    """Revenue per category in the period (largest first). A line counts with its amount; a
    line without one gets an equal share of what its sale's lines with amounts leave of the
    sale's total. What no line with a category accounts for (sales without lines, lines
    without category, discounts) goes to "Other / no category"."""
    amounts = figures.categories(period.start, period.end)
    names = dict(db.execute_sql("SELECT id, name FROM category"))
    mix = [(cid, names.get(cid, ""), amount) for cid, amount in amounts.items() if amount]
    other = revenue - sum(amount for _cid, _name, amount in mix)
    mix.sort(key=lambda item: (-item[2], item[1].casefold()))
    if other:
        mix.append((None, OTHER_CATEGORY, other))
    return mix


def _top_customers(db: SqliteDatabase) -> list[tuple[int, str, int]]:
    """The TOP_CUSTOMERS live customers who spent most (ties by name): walks the spend index
    from the top, so it reads a handful of rows, not every customer."""
    rows = db.execute_sql(f"""
        SELECT c.id, c.display_name, s.total_minor, c.sort_name
        FROM customer_sales s INDEXED BY customer_sales_total CROSS JOIN customer c
             ON c.id = s.customer_id
        WHERE +c.deleted_at IS NULL AND s.total_minor >= COALESCE((
            SELECT s2.total_minor FROM customer_sales s2 INDEXED BY customer_sales_total
            CROSS JOIN customer c2 ON c2.id = s2.customer_id
            WHERE +c2.deleted_at IS NULL AND s2.purchases > 0
            ORDER BY s2.total_minor DESC LIMIT 1 OFFSET {TOP_CUSTOMERS - 1}), 0)
          AND s.purchases > 0
        ORDER BY s.total_minor DESC""").fetchall()
    rows.sort(key=lambda row: (-row[2], row[3], row[0]))
    return [(cid, name, total) for cid, name, total, _sort in rows[:TOP_CUSTOMERS]]


def _rfm_segments(grid: dict[tuple[int, int], int]) -> list[tuple[str, str, int]]:
    per_segment: dict[str, int] = {}
    for (r, f), n in grid.items():
        key = rfm.segment_of(r, f)
        per_segment[key] = per_segment.get(key, 0) + n
    return [(key, label, per_segment.get(key, 0)) for key, label, _text in rfm.SEGMENTS]


def _birthdays(db: SqliteDatabase, today: dt.date,
               feb29: str) -> list[tuple[int, str, dt.date]]:
    """Every birthday of a live customer in the BIRTHDAY_DAYS days from today, by date: ranges
    of (month, day) on the important_date index, then only those customers' rows."""
    last = today + dt.timedelta(days=BIRTHDAY_DAYS - 1)
    ranges: dict[int, list[int]] = {}
    day = today
    while day <= last:
        span = ranges.setdefault(day.month, [day.day, day.day])
        span[1] = day.day
        day += dt.timedelta(days=1)
    conditions = ["(d.month = ? AND d.day BETWEEN ? AND ?)"] * len(ranges)
    params: list = [v for month, (lo, hi) in ranges.items() for v in (month, lo, hi)]
    conditions.append("(d.month = 2 AND d.day = 29)")  # falls on 28 Feb or 1 Mar
    found = []
    for cid, name, sort_name, d_day, d_month in db.execute_sql(f"""
            SELECT c.id, c.display_name, c.sort_name, d.day, d.month
            FROM important_date d CROSS JOIN customer c ON c.id = d.customer_id
            WHERE ({' OR '.join(conditions)}) AND d.kind = 'birthday'
              AND c.deleted_at IS NULL""", params):
        on = date_rules.next_occurrence(d_day, d_month, today, feb29)
        if on <= last:
            found.append((on, sort_name, cid, name))
    found.sort()
    return [(cid, name, on) for on, _sort, cid, name in found]


# --- the dashboard ---------------------------------------------------------------------------

def dashboard(db: SqliteDatabase, period: Period, today: dt.date,
              feb29: str = date_rules.FEB29_ON_FEB28) -> Dashboard:
    """Everything the dashboard shows. Recomputes the RFM scores first when stale. Run it off
    the UI thread (it takes a few hundred milliseconds on a book of 100,000 customers)."""
    _fresh, state = rfm.fresh_state(db, today)
    figures = SalesFigures(db, min(_months(period.end)[0][1], period.start), period.end, today)
    # What is worked out from every customer's sums and every sale is kept while no sale,
    # sale line, customer, category or Trash changed (nor the day): opening the dashboard
    # again costs the checks, the birthdays and the top customers (names may change).
    newest_customer = _one(db, "SELECT max(id) FROM customer")[0]
    key = [state, figures.scope, newest_customer, figures.lines]
    periods = [period, period.previous()]
    dates = [_iso(d) for p in periods for d in (p.start, p.end)]
    birthdays = _birthdays(db, today, feb29)
    worked_out = figures.memo(f"dashboard {' '.join(dates)}", key,
                              lambda: _worked_out(db, figures, periods, today))
    kpis, previous = (Kpis(**{**k, "upcoming_birthdays": len(birthdays)})
                      for k in worked_out["kpis"])
    grid = {(r, f): n for r, f, n in worked_out["grid"]}
    figures.save()
    return Dashboard(
        period=period, kpis=kpis, previous=previous,
        revenue_by_month=[tuple(row) for row in worked_out["by_month"]],
        new_vs_returning=[tuple(row) for row in worked_out["new_vs_returning"]],
        category_mix=[tuple(row) for row in worked_out["mix"]],
        top_customers=_top_customers(db),
        rfm_grid=grid, rfm_segments=_rfm_segments(grid),
        birthdays=birthdays[:BIRTHDAY_ROWS])


def _worked_out(db: SqliteDatabase, figures: SalesFigures, periods: list[Period],
                today: dt.date) -> dict:
    """The dashboard's figures but birthdays and top customers, as JSON data."""
    period, before = periods
    book, grid, firsts = _sums(db, today, period.end)
    # Customers are added, never re-dated: who was new in a period changes only with a new
    # customer or with Trash.
    new, new_before = figures.memo(
        "new customers " + " ".join(_iso(d) for p in periods for d in (p.start, p.end)),
        [figures.scope, _one(db, "SELECT max(id) FROM customer")[0]],
        lambda: _new_customers(db, periods))
    parts = []
    for p in periods:
        # A period's figures stay right while the sales up to its end (and the customers) do:
        # a sale today leaves the previous period's alone.
        last = _iso(p.end)
        days = [[day, *check] for day, check in sorted(figures.days.items()) if day <= last]
        key = [figures.scope, book.customers, *_sales_up_to(db, book, p.end),
               hashlib.sha1(json.dumps(days).encode()).hexdigest()]
        parts.append(figures.memo(f"period {_iso(p.start)} {_iso(p.end)}", key,
                                  lambda p=p: _period_figures(db, p, book)))
    kpis = _kpis_of(parts[0], book, new, 0)
    previous = _kpis_of(parts[1], book, new_before, 0)
    return {
        "kpis": [asdict(kpis), asdict(previous)],
        "grid": [[r, f, n] for (r, f), n in grid.items()],
        "by_month": _revenue_by_month(figures, period.end),
        "new_vs_returning": _new_vs_returning(db, figures, period.end, firsts),
        "mix": _category_mix(db, figures, period, kpis.revenue_minor),
    }


def kpis(db: SqliteDatabase, period: Period, today: dt.date,
         feb29: str = date_rules.FEB29_ON_FEB28) -> Kpis:
    """The KPIs of one period only."""
    return _kpis(db, period, _book(db, today), len(_birthdays(db, today, feb29)))


# --- the customers behind a chart -----------------------------------------------------------

def _sorted_live(db: SqliteDatabase, condition: str, params) -> list[int]:
    return [row[0] for row in db.execute_sql(
        f"SELECT c.id FROM customer c WHERE c.deleted_at IS NULL AND {condition} "
        f"ORDER BY c.sort_name, c.id", params)]


def customers_behind(db: SqliteDatabase, chart: str, key, period: Period,
                     today: dt.date) -> list[int]:
    """The customers (not in Trash) a bar, a slice, a cell or a KPI stands for, sorted by name.

    chart: "revenue_month" (key "YYYY-MM": who bought that month), "new_month" (first purchase
    that month), "returning_month" (bought that month, and before it), "category" (key a
    category id: who bought it in the period; None: who made a sale in the period that its
    lines with a category do not account for in full, the "Other" slice), "top" (key
    a customer id), "rfm_cell" (key (r, f)), "rfm_segment" (key a segment key), "active", "new",
    "lapsed" (as the KPIs of `period`). Months are cut at the period's end, as in the charts.
    """
    start, end = _iso(period.start), _iso(period.end)
    if chart in ("revenue_month", "new_month", "returning_month"):
        first, last = _month_bounds(key, period.end)
        bought = ("c.id IN (SELECT customer_id FROM purchase "
                  "WHERE purchased_on BETWEEN ? AND ?)")
        params = [_iso(first), _iso(last)]
        if chart == "revenue_month":
            return _sorted_live(db, bought, params)
        first_on = ("(SELECT first_purchase_on FROM customer_sales s "
                    "WHERE s.customer_id = c.id)")
        comparison = ">=" if chart == "new_month" else "<"
        return _sorted_live(db, f"{bought} AND {first_on} {comparison} ?",
                            [*params, _iso(first)])
    if chart == "category":
        if key is None:
            return _sorted_live(db, f"""c.id IN (
                SELECT p.customer_id FROM purchase p WHERE p.purchased_on BETWEEN ? AND ?
                AND p.total_minor != (SELECT COALESCE(sum({LINE_AMOUNT}), 0)
                                      FROM purchase_item i WHERE i.purchase_id = p.id
                                      AND i.category_id IS NOT NULL))""", [start, end])
        return _sorted_live(db, "c.id IN (SELECT customer_id FROM purchase_item "
                                "WHERE category_id = ? AND purchased_on BETWEEN ? AND ?)",
                            [int(key), start, end])
    if chart == "top":
        return _sorted_live(db, "c.id = ?", [int(key)])
    if chart in ("rfm_cell", "rfm_segment"):
        rfm.ensure_fresh(db, today)
        if chart == "rfm_cell":
            r, f = key
            condition, params = "s.r_score = ? AND s.f_score = ?", [int(r), int(f)]
        else:
            condition, params = "s.rfm_segment = ?", [str(key)]
        return _sorted_live(db, f"c.id IN (SELECT s.customer_id FROM customer_sales s "
                                f"WHERE {condition})", params)
    if chart == "active":
        ids = [row[0] for row in db.execute_sql(
            f"SELECT s.customer_id FROM customer_sales s WHERE {_ACTIVE_WHERE}", _named(period))]
        return _sorted_live(db, "c.id IN (SELECT value FROM json_each(?))", [_json(ids)])
    if chart == "new":
        return _sorted_live(db, "c.created_at >= ? AND c.created_at < ?",
                            [start, _iso(period.end + dt.timedelta(days=1))])
    if chart == "lapsed":
        ids = [row[0] for row in db.execute_sql(
            f"SELECT s.customer_id FROM customer_sales s WHERE s.last_purchase_on <= :cutoff "
            f"UNION ALL SELECT s.customer_id FROM customer_sales s WHERE {_LAPSED_LATER_WHERE}",
            {"cutoff": _iso(_lapse_cutoff(period)), "end": end})]
        return _sorted_live(db, "c.id IN (SELECT value FROM json_each(?))", [_json(ids)])
    raise ValueError(f"unknown chart: {chart!r}")


def _json(ids: list[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


# --- for the command line --------------------------------------------------------------------

def _amount(minor: int, currency: str) -> float | int:
    """A JSON number for an amount: the exact decimal (float's shortest form prints it back
    exactly, for any amount below 2**53 minor units); a whole number for 0-digit currencies."""
    value = money.to_decimal(minor, currency)
    return int(value) if money.digits(currency) == 0 else float(value)


def report_json(db: SqliteDatabase, period: Period, today: dt.date, currency: str) -> dict:
    """The KPIs as plain JSON-ready data. Money as JSON numbers in the currency's units
    (e.g. 12.5 for 12.50 EUR: exact decimals, written by Python's shortest float form)."""
    board = dashboard(db, period, today)
    k, p = board.kpis, board.previous

    def figures(kp: Kpis) -> dict:
        return {
            "customers": kp.customers,
            "new_customers": kp.new_customers,
            "active_customers": kp.active_customers,
            "lapsed_customers": kp.lapsed_customers,
            "revenue": _amount(kp.revenue_minor, currency),
            "purchases": kp.purchases,
            "average_basket": _amount(kp.average_basket_minor, currency),
            "repeat_customer_rate": round(kp.repeat_customer_rate, 4),
            "average_clv": _amount(kp.average_clv_minor, currency),
            "predicted_clv": _amount(kp.predicted_clv_minor, currency),
            "upcoming_birthdays": kp.upcoming_birthdays,
        }

    result = {"period": {"from": _iso(period.start), "to": _iso(period.end)},
              "currency": (currency or "").upper()}
    result.update(figures(k))
    result["top_customers"] = [{"id": cid, "name": name, "total": _amount(total, currency)}
                               for cid, name, total in board.top_customers]
    result["previous_period"] = {"from": _iso(board.period.previous().start),
                                 "to": _iso(board.period.previous().end), **figures(p)}
    result["revenue_by_month"] = [{"month": m, "revenue": _amount(v, currency)}
                                  for m, v in board.revenue_by_month]
    result["rfm_segments"] = [{"key": key, "label": label, "customers": n}
                              for key, label, n in board.rfm_segments]
    return result
