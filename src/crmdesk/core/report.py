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

Speed (100,000 customers, 1,000,000 sales): the first dashboard reads the sale lines of a year
for the category mix and takes about a second; what it works out is kept (core/insight_cache.py,
checked against the indexes each time), so opening it again costs tens of milliseconds and a
sale recorded since costs the RFM scores, the customers' sums and today's figures. Run it off
the UI thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass

from peewee import SqliteDatabase

from crmdesk.core import dates as date_rules
from crmdesk.core import money, rfm
from crmdesk.core.insight_cache import LINE_AMOUNT, SalesFigures
from crmdesk.core.report_sql import (  # noqa: F401
    _ACTIVE_WHERE,
    _LAPSED_LATER_WHERE,
    LAPSE_DAYS,
    MAX_LIFESPAN_YEARS,
    MONTHS,
    _add_months,
    _Book,
    _book,
    _iso,
    _lapse_cutoff,
    _month_bounds,
    _months,
    _named,
    _new_customers,
    _one,
    _period_figures,
    _rounded_div,
    _sales_up_to,
    _sums,
)

BIRTHDAY_DAYS = 30
TOP_CUSTOMERS = 10
BIRTHDAY_ROWS = 20
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


# --- the KPIs of a period --------------------------------------------------------------------

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

def warm_up(db: SqliteDatabase, today: dt.date) -> None:
    """Work out the dashboards of the last 12 months and the last 30 days once, so their
    figures are kept (RFM scores, each day's revenue per category, each month's buyers) and the
    next dashboard opens fast. For after a change of many sales at once (the demo, a big
    purchase import); 100,000 customers with a million sales: about 2-3 s, once."""
    presets = dict(Period.presets(today))
    for name in ("Last 12 months", "Last 30 days"):
        dashboard(db, presets[name], today)


def dashboard(db: SqliteDatabase, period: Period, today: dt.date,
              feb29: str = date_rules.FEB29_ON_FEB28) -> Dashboard:
    """Everything the dashboard shows. Recomputes the RFM scores first when stale. Run it off
    the UI thread, on the worker's own connection (it writes the scores and kept figures)."""
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
        known = figures.first_day <= p.start and p.end <= figures.last_day
        key = [figures.scope, book.customers,
               *_sales_up_to(db, book, p.end, figures.days, figures.last_day),
               hashlib.sha1(json.dumps(days).encode()).hexdigest()]
        parts.append(figures.memo(
            f"period {_iso(p.start)} {_iso(p.end)}", key,
            lambda p=p, known=known: _period_figures(
                db, p, book, figures.revenue(p.start, p.end) if known else None)))
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
