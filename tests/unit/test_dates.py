"""Important dates: which day/month/year exist, and when each one next comes round."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmdesk.core import dates
from crmdesk.core.dates import FEB29_ON_FEB28, FEB29_ON_MAR1, InvalidDate

TODAY = dt.date(2026, 3, 10)


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "month", "year"), [
    (29, 2, None), (29, 2, 2024), (29, 2, 2000), (31, 12, None), (30, 4, 1990), (1, 1, 1900),
    (10, 3, 2026),
])
def test_dates_that_exist_are_accepted(day, month, year):
    dates.validate(day, month, year, TODAY)


@pytest.mark.parametrize(("day", "month", "year", "message"), [
    (29, 2, 2023, "February 2023 has no day 29."),
    (29, 2, 1900, "February 1900 has no day 29."),
    (30, 2, None, "February has no day 30."),
    (31, 4, None, "April has no day 31."),
    (31, 4, 2020, "April 2020 has no day 31."),
    (0, 5, None, "May has no day 0."),
    (32, 1, None, "January has no day 32."),
    (1, 13, None, "The month must be between 1 and 12."),
    (1, 0, None, "The month must be between 1 and 12."),
    (1, 1, 2027, "The year is in the future."),
    (1, 1, 1899, "The year must be 1900 or later."),
])
def test_dates_that_do_not_exist_are_refused_with_a_plain_message(day, month, year, message):
    with pytest.raises(InvalidDate) as caught:
        dates.validate(day, month, year, TODAY)
    assert str(caught.value) == message


# --- the next occurrence -------------------------------------------------------------------------


def test_a_date_later_this_year_comes_this_year():
    assert dates.next_occurrence(20, 3, TODAY) == dt.date(2026, 3, 20)


def test_today_is_its_own_next_occurrence():
    assert dates.next_occurrence(10, 3, TODAY) == TODAY


def test_a_date_already_past_comes_next_year():
    assert dates.next_occurrence(9, 3, TODAY) == dt.date(2027, 3, 9)


def test_across_the_year_end():
    new_years_eve = dt.date(2026, 12, 31)
    assert dates.next_occurrence(1, 1, new_years_eve) == dt.date(2027, 1, 1)
    assert dates.next_occurrence(31, 12, new_years_eve) == new_years_eve
    assert dates.next_occurrence(30, 12, new_years_eve) == dt.date(2027, 12, 30)


@pytest.mark.parametrize(("today", "policy", "expected"), [
    (dt.date(2026, 1, 15), FEB29_ON_FEB28, dt.date(2026, 2, 28)),
    (dt.date(2026, 1, 15), FEB29_ON_MAR1, dt.date(2026, 3, 1)),
    (dt.date(2026, 2, 28), FEB29_ON_FEB28, dt.date(2026, 2, 28)),
    (dt.date(2026, 3, 1), FEB29_ON_FEB28, dt.date(2027, 2, 28)),
    (dt.date(2026, 3, 1), FEB29_ON_MAR1, dt.date(2026, 3, 1)),
    (dt.date(2027, 3, 1), FEB29_ON_FEB28, dt.date(2028, 2, 29)),
    (dt.date(2027, 3, 2), FEB29_ON_MAR1, dt.date(2028, 2, 29)),
    (dt.date(2028, 1, 1), FEB29_ON_MAR1, dt.date(2028, 2, 29)),
])
def test_feb_29_in_years_without_one(today, policy, expected):
    assert dates.next_occurrence(29, 2, today, policy) == expected


def test_upcoming_says_the_age_they_turn():
    coming = dates.upcoming(20, 3, 1990, TODAY)
    assert (coming.on, coming.days_left, coming.years) == (dt.date(2026, 3, 20), 10, 36)
    passed = dates.upcoming(1, 3, 1990, TODAY)
    assert (passed.on, passed.days_left, passed.years) == (dt.date(2027, 3, 1), 356, 37)
    today = dates.upcoming(10, 3, 2000, TODAY)
    assert (today.on, today.days_left, today.years) == (TODAY, 0, 26)


def test_upcoming_without_a_year_has_no_age():
    assert dates.upcoming(20, 3, None, TODAY).years is None


def test_upcoming_feb_29_birthday_counts_the_years():
    coming = dates.upcoming(29, 2, 1996, dt.date(2026, 2, 1))
    assert (coming.on, coming.years) == (dt.date(2026, 2, 28), 30)


# --- properties ------------------------------------------------------------------------------

# Every (day, month) that exists in some year: the days of leap year 2000.
day_months = st.dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31)).map(lambda d: (d.day, d.month))
todays = st.dates(dt.date(1900, 1, 1), dt.date(2400, 12, 31))
policies = st.sampled_from([FEB29_ON_FEB28, FEB29_ON_MAR1])


def _stands_for(on: dt.date, day: int, month: int, policy: str) -> bool:
    """Whether the date `on` is how (day, month) is kept in on.year."""
    if (on.day, on.month) == (day, month):
        return True
    if (day, month) == (29, 2) and not calendar.isleap(on.year):
        return (on.month, on.day) == ((3, 1) if policy == FEB29_ON_MAR1 else (2, 28))
    return False


@settings(max_examples=300, deadline=None)
@given(day_month=day_months, today=todays, policy=policies)
def test_next_occurrence_is_the_first_one_on_or_after_today(day_month, today, policy):
    day, month = day_month
    on = dates.next_occurrence(day, month, today, policy)
    assert today <= on < today + dt.timedelta(days=367)
    assert _stands_for(on, day, month, policy)
    # No earlier day since today stands for it.
    for offset in range((on - today).days):
        assert not _stands_for(today + dt.timedelta(days=offset), day, month, policy)


@settings(max_examples=200, deadline=None)
@given(day_month=day_months, today=todays, birth_year=st.integers(1900, 2400))
def test_upcoming_counts_whole_years_and_days(day_month, today, birth_year):
    day, month = day_month
    coming = dates.upcoming(day, month, birth_year, today)
    assert coming.on == today + dt.timedelta(days=coming.days_left)
    if coming.years is not None:
        assert coming.years == coming.on.year - birth_year >= 0
    else:
        assert birth_year > coming.on.year
