"""Important dates falling in the next days, and the count for the Today badge.

Reminders themselves (lead times, deliveries, snooze, done) are core/reminders.py; this is the
cheap read the badge needs at every change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import SqliteDatabase

from crmdesk.core import dates as date_rules


@dataclass(frozen=True)
class UpcomingItem:
    on: dt.date
    days_left: int  # negative for an overdue follow-up
    kind: str  # birthday, anniversary, custom, follow_up
    customer_id: int
    customer_name: str
    text: str  # the label of a custom date or the follow-up's title
    years: int | None = None
    item_id: int = 0


def _month_day_windows(today: dt.date, days: int,
                       feb29: str = date_rules.FEB29_ON_FEB28) -> list[tuple[int, int, int]]:
    """(month, first day, last day) ranges covering today .. today+days."""
    windows: dict[int, list[int]] = {}
    leap_day_on = (2, 28) if feb29 == date_rules.FEB29_ON_FEB28 else (3, 1)
    for offset in range(days + 1):
        d = today + dt.timedelta(days=offset)
        windows.setdefault(d.month, []).append(d.day)
        if (d.month, d.day) == leap_day_on and not _is_leap(d.year):
            windows.setdefault(2, []).append(29)  # Feb 29 falls here in other years
    return [(month, min(ds), max(ds)) for month, ds in windows.items()]


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def important_dates(db: SqliteDatabase, today: dt.date, days: int = 14,
                    feb29: str = date_rules.FEB29_ON_FEB28) -> list[UpcomingItem]:
    windows = _month_day_windows(today, days, feb29)
    clause = " OR ".join("(d.month = ? AND d.day BETWEEN ? AND ?)" for _ in windows)
    params = [value for window in windows for value in window]
    rows = db.execute_sql(
        "SELECT d.id, d.kind, d.label, d.day, d.month, d.year, c.id, c.display_name "
        "FROM important_date d JOIN customer c ON c.id = d.customer_id "
        f"WHERE c.deleted_at IS NULL AND ({clause})", params).fetchall()
    items = []
    for date_id, kind, label, day, month, year, customer_id, name in rows:
        coming = date_rules.upcoming(day, month, year, today, feb29)
        if coming.days_left > days:
            continue
        items.append(UpcomingItem(coming.on, coming.days_left, kind, customer_id, name, label,
                                  coming.years, date_id))
    items.sort(key=lambda i: (i.on, i.customer_name.casefold()))
    return items


def due_today_count(db: SqliteDatabase, today: dt.date,
                    feb29: str = date_rules.FEB29_ON_FEB28) -> int:
    dates = len(important_dates(db, today, 0, feb29))
    follow_ups_due = db.execute_sql(
        "SELECT count(*) FROM follow_up f JOIN customer c ON c.id = f.customer_id "
        "WHERE f.done_at IS NULL AND f.due_on <= ? AND c.deleted_at IS NULL",
        (today.isoformat(),)).fetchone()[0]
    return dates + follow_ups_due


def rewards_due_count(db: SqliteDatabase, lowest: int | None, since: dt.date) -> int:
    """Customers (not in Trash) who bought on or after `since` and whose loyalty balance pays
    for the cheapest reward (`lowest`; None when the program is off): the rewards that came
    due lately, as the reminders count them. One range of the last-purchase index."""
    if lowest is None:
        return 0
    return db.execute_sql(
        "SELECT COUNT(*) FROM customer_sales s INDEXED BY customer_sales_last "
        "CROSS JOIN customer c ON c.id = s.customer_id WHERE s.last_purchase_on >= ? "
        "AND s.loyalty_balance > 0 AND s.loyalty_balance >= ? AND c.deleted_at IS NULL",
        (since.isoformat(), max(1, lowest))).fetchone()[0]
