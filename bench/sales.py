"""Sales insight: the dashboard, segment counts and the RFM refresh on the demo book
(100,000 customers, about 1,000,000 purchases).

Baselines, measured in the same run, alternating with the measured call:
- dashboard: the very SQL statements `report.dashboard` runs (recorded from one call), replayed
  on the same connection with nothing else (no Python around them). The ratio is what the Python
  side (dataclasses, the per-day figures, birthdays' next dates) adds to bare SQLite.
- segment count: the SELECT count(*) that `segments.count` builds, run bare.
"Cold" is the first dashboard after the book changed in every way (RFM scores to recompute,
no kept per-day figures: an imported history, a category removed); "first after the demo" is
the first one on the demo book as built (the demo works out the last 12 months once); then
after a sale today (the usual case), and opened again with nothing changed.
Runs on a temporary copy of the cached book (the dashboard writes its scores and figures).
`today` is the book's newest sale day, so the figures repeat.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

from bench.queries import _ms, _paired
from bench.report import Row

DASHBOARD_GOAL_MS = 300
SEGMENT_GOAL_MS = 100


def _rule_sets():
    from crmdesk.core.segments import SegmentRules as Rules

    return [
        ("bought Vegetarian in the last 90 days",
         Rules(bought_category="Vegetarian", bought_within_days=90)),
        ("spent 200+ and no purchase for 90 days",
         Rules(spent_min_minor=20000, last_purchase_older_days=90)),
        ("RFM at risk or can't lose",
         Rules(rfm_segments=("at_risk", "cant_lose"))),
        ("tag newsletter, e-mail consent, not do-not-contact",
         Rules(tags=("newsletter",), consent="email", do_not_contact="exclude")),
        ("customers with a birthday in March", Rules(statuses=("customer",), birthday_month=3)),
        ("no conversation for 60 days, spent at most 50",
         Rules(last_contact_older_days=60, spent_max_minor=5000)),
    ]


def sales_rows(db_path: Path) -> list[Row]:
    from crmdesk.store.db import open_database

    with tempfile.TemporaryDirectory(prefix="crmdesk-bench-") as folder:
        copy = Path(folder) / db_path.name
        for suffix in ("", "-wal"):
            if Path(f"{db_path}{suffix}").exists():
                shutil.copyfile(f"{db_path}{suffix}", f"{copy}{suffix}")
        db = open_database(copy).db
        try:
            return _measure(db)
        finally:
            db.close()


class _Recorder:
    """Records every statement run through `db.execute_sql` while active."""

    def __init__(self, db):
        self.db = db
        self.statements: list[tuple[str, object]] = []

    def __enter__(self):
        original = self.db.execute_sql

        def execute_sql(sql, params=None, *args, **kwargs):
            self.statements.append((sql, params))
            return original(sql, params, *args, **kwargs)

        self.db.execute_sql = execute_sql
        return self

    def __exit__(self, *exc):
        del self.db.execute_sql


def _replay(db, statements) -> None:
    cursor = db.connection().cursor()
    for sql, params in statements:
        cursor.execute(sql, params or ()).fetchall()


def _timed(action) -> tuple[float, float]:
    """(wall ms, CPU ms) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _measure(db) -> list[Row]:
    from crmdesk.core import insight_cache, report, rfm, segments

    today = dt.date.fromisoformat(str(db.execute_sql(
        "SELECT max(purchased_on) FROM purchase").fetchone()[0]))
    purchases = db.execute_sql("SELECT count(*) FROM purchase").fetchone()[0]
    rows = []

    # RFM: a full recomputation (every score written), then one with nothing to change.
    db.execute_sql("UPDATE customer_sales SET r_score = NULL, f_score = NULL, m_score = NULL, "
                   "rfm_segment = NULL")
    wall, cpu = _timed(lambda: rfm.refresh(db, today))
    rows.append(Row("rfm.refresh, every score written", wall, unit="ms",
                    note=f"CPU {cpu:.0f} ms; {purchases:,} purchases"))
    wall, cpu = _timed(lambda: rfm.refresh(db, today))
    rows.append(Row("rfm.refresh, nothing to change (read, rank, compare)", wall,
                    note=f"CPU {cpu:.0f} ms"))
    rows.append(Row("rfm.ensure_fresh, nothing changed",
                    _paired(lambda: rfm.ensure_fresh(db, today), lambda: None)[0],
                    goal_value=20, note="the staleness check alone"))

    customer = db.execute_sql("SELECT customer_id FROM customer_sales LIMIT 1").fetchone()[0]

    def sale() -> None:
        db.execute_sql("INSERT INTO purchase (customer_id, purchased_on, total_minor, "
                       "created_at) VALUES (?, ?, 1250, ?)",
                       (customer, today.isoformat(), f"{today} 12:00:00"))

    presets = [(name, period) for name, period in report.Period.presets(today)
               if name in ("Last 30 days", "Last 12 months")]
    for name, period in presets:
        wall, cpu = _timed(lambda period=period: report.dashboard(db, period, today))
        rows.append(Row(f"dashboard {name}, first after the demo", wall,
                        goal_value=DASHBOARD_GOAL_MS,
                        note=f"CPU {cpu:.0f} ms; the demo worked out the last 12 months"))
    for name, period in presets:
        insight_cache.forget(db)
        db.execute_sql("DELETE FROM setting WHERE key = ?", (rfm.STATE_KEY,))
        wall, cpu = _timed(lambda period=period: report.dashboard(db, period, today))
        rows.append(Row(f"dashboard {name}, cold", wall, goal_value=DASHBOARD_GOAL_MS,
                        note=f"CPU {cpu:.0f} ms; RFM recomputed, nothing kept"))

        def after_sale(period=period):
            sale()
            report.dashboard(db, period, today)

        sale()
        with _Recorder(db) as recorder:
            report.dashboard(db, period, today)
        statements = recorder.statements
        value, baseline = _paired(after_sale,
                                  lambda statements=statements: _replay(db, statements))
        _wall, cpu = _timed(after_sale)
        rows.append(Row(f"dashboard {name}, after a new sale", value, baseline,
                        goal_value=DASHBOARD_GOAL_MS,
                        note=f"CPU {cpu:.0f} ms; RFM and the day worked out again; "
                             f"baseline: its {len(statements)} SQL statements replayed bare"))
        with _Recorder(db) as recorder:
            report.dashboard(db, period, today)
        statements = recorder.statements
        value, baseline = _paired(lambda period=period: report.dashboard(db, period, today),
                                  lambda statements=statements: _replay(db, statements))
        rows.append(Row(f"dashboard {name}, opened again", value, baseline,
                        goal_value=DASHBOARD_GOAL_MS,
                        note=f"nothing changed; baseline: its {len(statements)} statements"))

    period = report.Period.presets(today)[0][1]
    for label, rules in _rule_sets():
        found = segments.count(db, rules, today)
        sql, params = segments.query(rules, today, "count(*)")
        value, baseline = _paired(
            lambda rules=rules: segments.count(db, rules, today),
            lambda sql=sql, params=params: db.execute_sql(sql, params).fetchone())
        rows.append(Row(f"segment count: {label}", value, baseline,
                        goal_value=SEGMENT_GOAL_MS, note=f"{found:,} customers"))

    board = report.dashboard(db, period, today)
    month = board.revenue_by_month[-1][0]
    for chart, key in (("revenue_month", month), ("rfm_segment", "champions"),
                       ("active", None), ("lapsed", None)):
        ms = _ms(lambda chart=chart, key=key: report.customers_behind(db, chart, key, period,
                                                                       today))
        rows.append(Row(f"customers behind {chart} {key or ''}".rstrip(), ms,
                        note="one call"))
    return rows
