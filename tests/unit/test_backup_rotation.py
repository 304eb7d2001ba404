"""Which automatic backups rotation keeps (property tests of the pure rule)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from crmdesk.store.backup import Retention, choose_to_keep

NOW = dt.datetime(2026, 3, 10, 10, 30, 0)

times = st.lists(
    st.datetimes(min_value=NOW - dt.timedelta(days=900), max_value=NOW + dt.timedelta(days=3)),
    max_size=200)


@given(times)
def test_never_deletes_the_newest_and_keeps_only_what_it_was_given(backups):
    keep = choose_to_keep(backups, NOW)
    assert keep <= set(backups)
    if backups:
        assert max(backups) in keep
    else:
        assert keep == set()


@given(times)
def test_never_keeps_more_than_the_retention_allows(backups):
    assert len(choose_to_keep(backups, NOW)) <= 7 + 4 + 12
    assert len(choose_to_keep(backups, NOW, Retention(2, 1, 1))) <= 2 + 1 + 1


def _bucket_checks(backups, keep, key, count):
    # A backup dated after NOW (a clock that was wrong) counts as made NOW.
    buckets = sorted({key(min(t, NOW)) for t in backups}, reverse=True)[:count]
    for bucket in buckets:
        newest = max((t for t in backups if key(min(t, NOW)) == bucket),
                     key=lambda t: (min(t, NOW), t))
        assert newest in keep


@given(times)
def test_keeps_the_newest_of_each_recent_day_week_and_month(backups):
    keep = choose_to_keep(backups, NOW)
    _bucket_checks(backups, keep, lambda t: t.date(), 7)
    _bucket_checks(backups, keep, lambda t: tuple(t.isocalendar())[:2], 4)
    _bucket_checks(backups, keep, lambda t: (t.year, t.month), 12)


@given(times)
def test_at_most_one_per_day_beyond_the_newest(backups):
    keep = choose_to_keep(backups, NOW) - {max(backups, default=None)}
    days = [min(t, NOW).date() for t in keep]
    assert len(days) == len(set(days))


def test_a_year_of_daily_backups():
    backups = [NOW - dt.timedelta(days=n) for n in range(365)]
    keep = choose_to_keep(backups, NOW)
    assert {NOW - dt.timedelta(days=n) for n in range(7)} <= keep
    assert len({(t.year, t.month) for t in keep}) == 12
    assert len(keep) < 7 + 4 + 12  # the day, week and month buckets overlap
