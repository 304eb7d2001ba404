"""The SQL under the dashboard (core/report.py): sums over every customer's sales sums, and
what one period's KPIs rest on. Plain functions over the database; see report.py for what each
figure means."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from peewee import SqliteDatabase

LAPSE_DAYS = 90
MAX_LIFESPAN_YEARS = 10
MONTHS = 12


class Period(Protocol):
    start: dt.date
    end: dt.date


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


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


def _sales_up_to(db: SqliteDatabase, book: _Book, end: dt.date,
                 days: dict[str, tuple[int, int]] | None = None,
                 known_until: dt.date | None = None) -> list[int]:
    """Number and sum of every sale dated up to `end` (anonymous ones too): a check that
    changes when any sale the period's figures rest on is added, removed or corrected.
    `days` (per-day number and sum, complete from the day after `end` to `known_until`)
    spares reading those sales again."""
    anonymous = _one(db, "SELECT count(*), total(total_minor) FROM purchase "
                         "WHERE customer_id IS NULL")
    after = end
    later = [0, 0]
    if days is not None and known_until is not None and known_until > end:
        a, b = _iso(end), _iso(known_until)
        for day, (n, total) in days.items():
            if a < day <= b:
                later[0] += n
                later[1] += total
        after = known_until
    rest = _one(db, "SELECT count(*), total(total_minor) FROM purchase WHERE purchased_on > ?",
                (_iso(after),))
    return [int(book.every_bought + anonymous[0] - later[0] - rest[0]),
            int(book.every_spent + anonymous[1] - later[1] - rest[1])]


def _period_figures(db: SqliteDatabase, period: Period, book: _Book,
                    sales: tuple[int, int] | None = None) -> dict:
    """What a period's KPIs rest on, from the sales dated up to its end only. `sales`: the
    period's number and sum of sales when already known."""
    named = _named(period)
    start, end = named["start"], named["end"]
    if sales is None:
        sales = _one(db, "SELECT count(*), COALESCE(sum(total_minor), 0) FROM purchase "
                         "WHERE purchased_on BETWEEN ? AND ?", (start, end))
    purchases, revenue = sales
    newest = _one(db, "SELECT max(purchased_on) FROM purchase")[0]
    if newest is None or newest <= end:
        # No sale after the period (the usual case, a period up to today): whoever bought
        # since its start bought in it; a count on the last-purchase index.
        active = _live_sums(db, "count(*)", "s.last_purchase_on >= :start", named)[0]
    else:
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
