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
`refresh`, which reads the sums of everyone who bought, ranks them in Python (faster here than
SQL window functions) and writes only the rows whose scores change; `ensure_fresh` runs it
only when the sales or the day changed since the last time (a `setting` row remembers what it
was computed from). Customers who never bought have no scores (NULL) and no segment.
"""

from __future__ import annotations

import datetime as dt

from peewee import SqliteDatabase

from crmdesk.store.db import is_read_only
from crmdesk.store.problems import FULL, READ_ONLY, kind_of

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


def _thresholds(histogram: list[tuple[object, int]]) -> list[object]:
    """From (value, customers) in ascending value order: for scores 2..5, the smallest value
    that scores at least that much (None when no value does). A score only grows with the
    value, so four comparisons give any customer's score."""
    n = sum(count for _value, count in histogram)
    firsts: list[object] = [None, None, None, None]
    below = 0
    for value, equal in histogram:
        score = 1 + (10 * below + 5 * equal) // (2 * n)
        for k in range(2, score + 1):
            if firsts[k - 2] is None:
                firsts[k - 2] = value
        below += equal
    return firsts


def _score_sql(column: str, firsts: list[object], params: list) -> str:
    """A CASE giving the score of `column` from the thresholds (values bound)."""
    parts = []
    for k in range(5, 1, -1):
        if firsts[k - 2] is not None:
            parts.append(f"WHEN {column} >= ? THEN {k}")
            params.append(firsts[k - 2])
    return f"(CASE {' '.join(parts)} ELSE 1 END)" if parts else "1"


def _recompute(db: SqliteDatabase) -> int:
    """Score every customer who bought, in one UPDATE that writes only the rows that change
    (the value counts come from the indexes). Returns how many rows changed."""
    # A customer has a last purchase day exactly when they have purchases; one without has a
    # total of 0, taken off the money counts (so all three read covering indexes but one).
    histograms = [db.execute_sql(sql).fetchall() for sql in (
        "SELECT last_purchase_on, count(*) FROM customer_sales INDEXED BY customer_sales_last "
        "WHERE last_purchase_on IS NOT NULL GROUP BY 1 ORDER BY 1",
        "SELECT purchases, count(*) FROM customer_sales WHERE purchases > 0 "
        "GROUP BY 1 ORDER BY 1",
        "SELECT total_minor, count(*) FROM customer_sales INDEXED BY customer_sales_total "
        "GROUP BY 1 ORDER BY 1")]
    everyone = sum(n for _value, n in histograms[2])
    not_bought = everyone - sum(n for _value, n in histograms[0])
    histograms[2] = [(value, n - not_bought if value == 0 else n)
                     for value, n in histograms[2] if not (value == 0 and n == not_bought)]
    changed = db.execute_sql(
        "UPDATE customer_sales SET r_score = NULL, f_score = NULL, m_score = NULL, "
        "rfm_segment = NULL WHERE purchases = 0 AND (r_score IS NOT NULL "
        "OR rfm_segment IS NOT NULL)").rowcount
    if not histograms[0]:
        return changed
    params: list = []
    r_sql = _score_sql("last_purchase_on", _thresholds(histograms[0]), params)
    f_sql = _score_sql("purchases", _thresholds(histograms[1]), params)
    m_sql = _score_sql("total_minor", _thresholds(histograms[2]), params)
    cases = " ".join(f"WHEN {r * 10 + f} THEN '{segment_of(r, f)}'"
                     for r in range(1, 6) for f in range(1, 6))
    cursor = db.execute_sql(f"""
        UPDATE customer_sales SET r_score = n.r, f_score = n.f, m_score = n.m,
            rfm_segment = CASE n.r * 10 + n.f {cases} END
        FROM (SELECT customer_id AS id, {r_sql} AS r, {f_sql} AS f, {m_sql} AS m
              FROM customer_sales WHERE purchases > 0) AS n
        WHERE customer_sales.customer_id = n.id AND (r_score IS NOT n.r OR f_score IS NOT n.f
              OR m_score IS NOT n.m)""", params)
    return changed + cursor.rowcount


def _state(db: SqliteDatabase, today: dt.date) -> str:
    """What the scores depend on, read cheaply from indexes: the day, the newest sale, the
    number of customers with sales sums, and the sums of their spend and last purchase days. A
    sale added, removed or corrected changes one of these, and so does moving a customer's last
    sale (moving an earlier one changes no score). Only removing a sale of zero that was not
    the customer's last goes unseen: its frequency catches up the next day or with the next
    sale."""
    newest = db.execute_sql("SELECT max(id) FROM purchase").fetchone()[0]
    customers, spent = db.execute_sql(
        "SELECT count(*), total(total_minor) FROM customer_sales "
        "INDEXED BY customer_sales_total").fetchone()
    days = db.execute_sql("SELECT total(julianday(last_purchase_on)) FROM customer_sales "
                          "INDEXED BY customer_sales_last").fetchone()[0]
    return "|".join(str(v) for v in (today.isoformat(), newest, customers, spent, days))


def refresh(db: SqliteDatabase, today: dt.date) -> None:
    """Recompute every customer's scores and segment in one transaction."""
    with db.atomic():
        _recompute(db)
        _remember(db, _state(db, today))


def _remember(db: SqliteDatabase, state: str) -> None:
    db.execute_sql("INSERT INTO setting (key, value) VALUES (?, ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (STATE_KEY, state))


def ensure_fresh(db: SqliteDatabase, today: dt.date) -> bool:
    """Refresh the scores if sales changed or the day changed since they were computed;
    True when it recomputed them."""
    return fresh_state(db, today)[0]


def fresh_state(db: SqliteDatabase, today: dt.date) -> tuple[bool, str]:
    """As `ensure_fresh`, and the state the scores now stand for (see `_state`)."""
    state = _state(db, today)
    row = db.execute_sql("SELECT value FROM setting WHERE key = ?", (STATE_KEY,)).fetchone()
    if row is not None and row[0] == state:
        return False, state
    if is_read_only(db):  # a read-only or damaged book: the scores it holds are shown as kept
        return False, state
    try:
        with db.atomic():
            _recompute(db)
            _remember(db, state)
    except Exception as exc:
        if kind_of(exc) not in (FULL, READ_ONLY):
            raise
        return False, state  # a full disk: the scores kept are shown; nothing was changed
    return True, state
