"""The reminder tick: `reminders.due` and the scheduler's cached `DueCheck`, against a bare
query that only reads the important dates of the 15-day window a check looks at.

Runs on a temporary copy of the cached book (deliveries are recorded for the second case, and
the cached file must stay as built). `now` is fixed by the book itself: 10:30 UTC on the day of
its newest conversation, so it falls inside the demo data and the figures repeat.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from bench.queries import RUNS, WARM_UP, _ms, _paired
from bench.report import Row, median

WINDOW_BEFORE = 7  # CATCH_UP_DAYS: a date is still reported a week after its day
WINDOW_AFTER = 7  # the default lead time: a week before
BARE = "SELECT id, customer_id, kind, label, year, day, month FROM important_date WHERE "


def fixed_now(db) -> dt.datetime:
    (newest,) = db.execute_sql("SELECT MAX(occurred_at) FROM interaction").fetchone()
    day = (newest if isinstance(newest, dt.datetime)
           else dt.datetime.fromisoformat(str(newest))).date()
    return dt.datetime.combine(day, dt.time(10, 30), tzinfo=dt.UTC)


def window(now: dt.datetime) -> tuple[str, list[int]]:
    """WHERE clause and parameters: (month = ? AND day BETWEEN ? AND ?) per month touched."""
    first = now.date() - dt.timedelta(days=WINDOW_BEFORE)
    last = now.date() + dt.timedelta(days=WINDOW_AFTER)
    spans: dict[int, list[int]] = {}
    day = first
    while day <= last:
        span = spans.setdefault(day.month, [day.day, day.day])
        span[1] = day.day
        day += dt.timedelta(days=1)
    for month, span in spans.items():
        if month == 2 and span[1] == 28:
            span[1] = 29  # Feb 29 birthdays are kept on Feb 28 (default)
    clause = " OR ".join("(month = ? AND day BETWEEN ? AND ?)" for _ in spans)
    return clause, [v for month, (a, b) in spans.items() for v in (month, a, b)]


def reminder_rows(db_path: Path) -> list[Row]:
    from crmdesk.core import reminders
    from crmdesk.store.db import open_database

    with tempfile.TemporaryDirectory(prefix="crmdesk-bench-") as folder:
        copy = Path(folder) / db_path.name
        for suffix in ("", "-wal"):  # a -wal is there only if a run was cut short
            if Path(f"{db_path}{suffix}").exists():
                shutil.copyfile(f"{db_path}{suffix}", f"{copy}{suffix}")
        db = open_database(copy).db
        try:
            return _measure(db, reminders)
        finally:
            db.close()


def _measure(db, reminders) -> list[Row]:
    now = fixed_now(db)
    clause, params = window(now)
    bare_sql = BARE + clause
    dates = len(db.execute_sql(bare_sql, params).fetchall())

    def bare():
        db.execute_sql(bare_sql, params).fetchall()

    def first_call():
        reminders.DueCheck(db)(now)

    check = reminders.DueCheck(db)
    check(now)

    def cached():
        check(now)

    found = reminders.due(db, now)
    when = f"now {now:%Y-%m-%d %H:%M} UTC; baseline: {dates:,} dates of 15 days, bare"
    rows = []
    value, baseline = _paired(lambda: reminders.due(db, now), bare)
    rows.append(Row("reminder tick: due(), nothing recorded", value, baseline, goal_value=20,
                    note=f"{len(found):,} due; {when}"))
    value, baseline = _paired(first_call, bare)
    rows.append(Row("reminder tick: DueCheck first call", value, baseline, goal_value=20,
                    note="due() + next_due_at(); once, at a first start: the scheduler can "
                         "run it in a worker thread (first_check=reminders.due_in_worker)"))
    value, baseline = _cached(cached, bare)
    rows.append(Row("reminder tick: DueCheck cached (nothing changed)", value, baseline,
                    goal_value=20, note="two counters"))

    reminders.record_all(db, found, "shown", now)
    left = reminders.due(db, now)
    value, baseline = _paired(lambda: reminders.due(db, now), bare)
    rows.append(Row("reminder tick: due(), everything already recorded", value, baseline,
                    goal_value=20, note=f"{len(found):,} recorded shown, {len(left)} left due"))
    value, baseline = _paired(first_call, bare)
    rows.append(Row("reminder tick: DueCheck first call, all recorded", value, baseline,
                    goal_value=20))
    return rows


def _cached(app, bare) -> tuple[float, float]:
    """As `_paired`, with more runs: a cached tick is too short for nine to settle."""
    for _ in range(WARM_UP):
        app()
        bare()
    app_ms, bare_ms = [], []
    for _ in range(RUNS * 11):
        app_ms.append(_ms(app))
        bare_ms.append(_ms(bare))
    return median(app_ms), median(bare_ms)
