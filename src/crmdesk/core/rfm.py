"""RFM: how recently, how often and how much each customer buys, as scores and named groups.

Scores (1 = lowest, 5 = highest) are quintiles over every customer who ever bought
(customer_sales.purchases > 0, Trash included so a customer put in Trash and restored keeps
the same score):

- R (recency): the last purchase day, customer_sales.last_purchase_on; the most recent fifth
  of customers scores 5, the fifth who have not bought for longest scores 1.
- F (frequency): the number of purchases, customer_sales.purchases.
- M (money): the lifetime spend, customer_sales.total_minor.

A score is ``1 + floor(5 * (below + equal / 2) / n)``, where n is the number of customers who
bought, ``below`` how many of them have a lower value and ``equal`` how many share this value
(the customer included): the fifth of the ranking the customer's place falls in, a tie placed
at its middle. When all values differ this is exactly SQL's ``NTILE(5)``; customers with the
same value always get the same score, the average of the scores NTILE would deal them (so
when half the book bought exactly once, they all get F=2, not a random 1, 2 or 3). A single
customer scores 3.

The named segment comes from (R, F) by the widely used RFM grid:

====  ====================  ====================  ==================  =========  =========
R\\F   1                     2                     3                   4          5
====  ====================  ====================  ==================  =========  =========
5     new                   potential loyalists   potential loyalists champions  champions
4     promising             potential loyalists   potential loyalists loyal      loyal
3     about to sleep        about to sleep        need attention      loyal      loyal
2     hibernating           hibernating           at risk             at risk    can't lose
1     lost                  lost                  at risk             at risk    can't lose
====  ====================  ====================  ==================  =========  =========

Scores and segment are stored in customer_sales (r_score, f_score, m_score, rfm_segment) by
`refresh`, one UPDATE over the whole book; `ensure_fresh` runs it only when the purchases or
the day changed since the last time (a `setting` row remembers what it was computed from).
Customers who never bought have no scores (NULL) and no segment.
"""

from __future__ import annotations

import datetime as dt

from peewee import SqliteDatabase

#: (key, label, plain-words explanation), best customers first.
SEGMENTS: list[tuple[str, str, str]] = [
    ("champions", "Champions", "Bought very recently, buy often: your best customers."),
    ("loyal", "Loyal", "Buy often; have been in not long ago."),
    ("potential_loyalists", "Potential loyalists",
     "Came recently and more than once: could become regulars."),
    ("new", "New", "Bought for the first time very recently."),
    ("promising", "Promising", "Bought once, fairly recently."),
    ("need_attention", "Need attention", "Average on both: not seen for a while."),
    ("about_to_sleep", "About to sleep", "Bought rarely and not recently."),
    ("at_risk", "At risk", "Used to buy often, have not come back for a long time."),
    ("cant_lose", "Can't lose them", "Were among the most frequent buyers, now long gone."),
    ("hibernating", "Hibernating", "Bought rarely, long ago."),
    ("lost", "Lost", "Bought rarely, and not for the longest time."),
]
SEGMENT_KEYS = tuple(key for key, _label, _text in SEGMENTS)
LABELS = {key: label for key, label, _text in SEGMENTS}

#: Row r-1 (R = 1..5), column f-1 (F = 1..5) -> segment key.
GRID: tuple[tuple[str, ...], ...] = (
    ("lost", "lost", "at_risk", "at_risk", "cant_lose"),
    ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    ("promising", "potential_loyalists", "potential_loyalists", "loyal", "loyal"),
    ("new", "potential_loyalists", "potential_loyalists", "champions", "champions"),
)

STATE_KEY = "rfm_state"


def segment_of(r_score: int, f_score: int) -> str:
    """The segment key for a recency and a frequency score (both 1-5)."""
    return GRID[r_score - 1][f_score - 1]


def _segment_case() -> str:
    parts = []
    for r in range(1, 6):
        for f in range(1, 6):
            parts.append(f"WHEN {r * 10 + f} THEN '{segment_of(r, f)}'")
    return f"CASE r * 10 + f {' '.join(parts)} END"


_REFRESH_SQL = f"""
UPDATE customer_sales SET r_score = scored.r, f_score = scored.f, m_score = scored.m,
    rfm_segment = scored.segment
FROM (SELECT customer_id, r, f, m, {_segment_case()} AS segment FROM (
    SELECT customer_id,
        1 + (10 * (RANK() OVER (ORDER BY last_purchase_on) - 1)
             + 5 * count(*) OVER (PARTITION BY last_purchase_on)) / (2 * n) AS r,
        1 + (10 * (RANK() OVER (ORDER BY purchases) - 1)
             + 5 * count(*) OVER (PARTITION BY purchases)) / (2 * n) AS f,
        1 + (10 * (RANK() OVER (ORDER BY total_minor) - 1)
             + 5 * count(*) OVER (PARTITION BY total_minor)) / (2 * n) AS m
    FROM customer_sales, (SELECT count(*) AS n FROM customer_sales WHERE purchases > 0)
    WHERE purchases > 0)) AS scored
WHERE customer_sales.customer_id = scored.customer_id
  AND (customer_sales.r_score IS NOT scored.r OR customer_sales.f_score IS NOT scored.f
       OR customer_sales.m_score IS NOT scored.m
       OR customer_sales.rfm_segment IS NOT scored.segment)
"""

_CLEAR_SQL = """
UPDATE customer_sales SET r_score = NULL, f_score = NULL, m_score = NULL, rfm_segment = NULL
WHERE purchases = 0 AND (r_score IS NOT NULL OR rfm_segment IS NOT NULL)
"""


def _state(db: SqliteDatabase, today: dt.date) -> str:
    """What the scores depend on, cheaply: the day, the newest sale, and how many there are and
    what they add up to per customer (catches sales added, removed, moved or corrected)."""
    newest, purchases = db.execute_sql("SELECT max(id), count(*) FROM purchase").fetchone()
    sums = db.execute_sql(
        "SELECT count(*), total(purchases), total(total_minor), max(last_purchase_on), "
        "total(julianday(last_purchase_on)) FROM customer_sales").fetchone()
    return "|".join(str(v) for v in (today.isoformat(), newest, purchases, *sums))


def refresh(db: SqliteDatabase, today: dt.date) -> None:
    """Recompute every customer's scores and segment in one transaction."""
    with db.atomic():
        db.execute_sql(_REFRESH_SQL)
        db.execute_sql(_CLEAR_SQL)
        _remember(db, _state(db, today))


def _remember(db: SqliteDatabase, state: str) -> None:
    db.execute_sql("INSERT INTO setting (key, value) VALUES (?, ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (STATE_KEY, state))


def ensure_fresh(db: SqliteDatabase, today: dt.date) -> bool:
    """Refresh the scores if sales changed or the day changed since they were computed;
    True when it recomputed them."""
    state = _state(db, today)
    row = db.execute_sql("SELECT value FROM setting WHERE key = ?", (STATE_KEY,)).fetchone()
    if row is not None and row[0] == state:
        return False
    with db.atomic():
        db.execute_sql(_REFRESH_SQL)
        db.execute_sql(_CLEAR_SQL)
        _remember(db, state)
    return True
