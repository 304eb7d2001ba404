"""Calendar rules for important dates (birthdays, anniversaries, custom days).

A date is a day and a month with an optional year. Feb 29 is a valid date without a year, and in
a year that has no Feb 29 it falls on Feb 28 (or on Mar 1 when the setting asks for it).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

FEB29_ON_FEB28 = "feb28"
FEB29_ON_MAR1 = "mar1"

MIN_YEAR = 1900


class InvalidDate(ValueError):
    """A day/month/year that does not exist; the message is for the user."""


def validate(day: int, month: int, year: int | None, today: dt.date | None = None) -> None:
    if not 1 <= month <= 12:
        raise InvalidDate("The month must be between 1 and 12.")
    if year is None:
        # Any day that exists in some year: Feb 29 is fine without a year.
        last = 29 if month == 2 else calendar.monthrange(2001, month)[1]
    else:
        if year < MIN_YEAR:
            raise InvalidDate(f"The year must be {MIN_YEAR} or later.")
        if today is not None and year > today.year:
            raise InvalidDate("The year is in the future.")
        last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise InvalidDate(_no_such_day(day, month, year))


def _no_such_day(day: int, month: int, year: int | None) -> str:
    name = calendar.month_name[month]
    if year is None:
        return f"{name} has no day {day}."
    return f"{name} {year} has no day {day}."


def occurrence_in(year: int, day: int, month: int, feb29: str = FEB29_ON_FEB28) -> dt.date:
    """The date on which a (day, month) falls in `year`."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return dt.date(year, 3, 1) if feb29 == FEB29_ON_MAR1 else dt.date(year, 2, 28)
    return dt.date(year, month, day)


def next_occurrence(day: int, month: int, today: dt.date, feb29: str = FEB29_ON_FEB28) -> dt.date:
    """The first occurrence on or after `today`."""
    this_year = occurrence_in(today.year, day, month, feb29)
    if this_year >= today:
        return this_year
    return occurrence_in(today.year + 1, day, month, feb29)


@dataclass(frozen=True)
class Upcoming:
    on: dt.date
    days_left: int
    years: int | None  # the age they turn, or the years they mark; None without a year


def upcoming(day: int, month: int, year: int | None, today: dt.date,
             feb29: str = FEB29_ON_FEB28) -> Upcoming:
    on = next_occurrence(day, month, today, feb29)
    years = on.year - year if year is not None else None
    if years is not None and years < 0:
        years = None
    return Upcoming(on=on, days_left=(on - today).days, years=years)


def sort_key_sql(today: dt.date, feb29: str = FEB29_ON_FEB28) -> tuple[str, tuple]:
    """An SQL expression over important_date (alias d) that orders dates by how soon they come.

    Each (month, day) becomes month*32+day; the distance from today wraps at year end. Feb 29
    takes the key of the day it falls on next, so the order agrees with the date shown.
    """
    today_key = today.month * 32 + today.day
    leap = next_occurrence(29, 2, today, feb29)
    leap_key = leap.month * 32 + leap.day
    return ("((CASE WHEN d.month = 2 AND d.day = 29 THEN ? ELSE d.month * 32 + d.day END"
            " - ? + 416) % 416)", (leap_key, today_key))
