"""RFM scores by quintile, ties kept together, named segments, and recomputing only when stale."""

from __future__ import annotations

import datetime as dt

from tests.unit.insight_helpers import buy

from crmdesk.core import rfm

TODAY = dt.date(2026, 3, 10)


def scores(db) -> dict[int, tuple]:
    return {row[0]: row[1:] for row in db.execute_sql(
        "SELECT customer_id, r_score, f_score, m_score, rfm_segment FROM customer_sales")}


def test_ten_customers_fall_two_to_a_quintile(db, add):
    # customer n (1..10): last bought n days ago... so customer 1 is the most recent;
    # n purchases, and spent 100 * (11 - n) in all.
    ids = []
    for n in range(1, 11):
        customer = add(f"C{n:02d}", "Test")
        ids.append(customer)
        for k in range(n):
            day = TODAY - dt.timedelta(days=n + 10 * k)
            buy(db, customer, day.isoformat(), 100 * (11 - n) if k == 0 else 0)
    rfm.refresh(db, TODAY)
    got = scores(db)
    expected_r = [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    expected_f = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    expected_m = [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    for n, customer in enumerate(ids):
        r, f, m, segment = got[customer]
        assert (r, f, m) == (expected_r[n], expected_f[n], expected_m[n]), n + 1
        assert segment == rfm.segment_of(r, f)
    assert got[ids[0]][3] == "new"  # R5 F1
    assert got[ids[9]][3] == "cant_lose"  # R1 F5
    assert got[ids[4]][3] == "need_attention"  # R3 F3


def test_equal_values_share_a_score(db, add):
    # six buy once on the same day, four buy twice: the once-buyers hold places 1-6 of 10,
    # where NTILE(5) would deal 1,1,2,2,3,3: they all get F=2; the twice-buyers (places 7-10,
    # NTILE 4,4,5,5) all get 5: 1 + (10*6 + 5*4) // 20. Everyone has the same last day and
    # spend: 1 + (0 + 5*10) // 20 = 3.
    once = [add(f"Once{n}", "X") for n in range(6)]
    twice = [add(f"Twice{n}", "X") for n in range(4)]
    for customer in once:
        buy(db, customer, "2026-03-01", 1000)
    for customer in twice:
        buy(db, customer, "2026-02-01", 500)
        buy(db, customer, "2026-03-01", 500)
    rfm.refresh(db, TODAY)
    got = scores(db)
    assert {got[c][1] for c in once} == {2}
    assert {got[c][1] for c in twice} == {5}
    assert {got[c][0] for c in once + twice} == {3}
    assert {got[c][2] for c in once + twice} == {3}


def test_grid_is_the_documented_mapping():
    assert rfm.segment_of(5, 5) == rfm.segment_of(5, 4) == "champions"
    assert rfm.segment_of(4, 4) == rfm.segment_of(3, 5) == "loyal"
    assert rfm.segment_of(5, 2) == rfm.segment_of(4, 3) == "potential_loyalists"
    assert rfm.segment_of(4, 1) == "promising"
    assert rfm.segment_of(3, 1) == rfm.segment_of(3, 2) == "about_to_sleep"
    assert rfm.segment_of(2, 3) == rfm.segment_of(1, 4) == "at_risk"
    assert rfm.segment_of(2, 5) == rfm.segment_of(1, 5) == "cant_lose"
    assert rfm.segment_of(2, 1) == "hibernating"
    assert rfm.segment_of(1, 2) == "lost"
    used = {rfm.segment_of(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert used == set(rfm.SEGMENT_KEYS)


def test_customers_who_never_bought_have_no_scores(db, add):
    buyer, points_only = add("Buyer", "X"), add("Points", "Only")
    buy(db, buyer, "2026-03-01", 1000)
    db.execute_sql("INSERT INTO loyalty_entry (customer_id, kind, points, created_at) "
                   "VALUES (?, 'adjust', 5, '2026-03-01 10:00:00')", (points_only,))
    rfm.refresh(db, TODAY)
    got = scores(db)
    assert got[buyer] == (3, 3, 3, "need_attention")  # alone: the middle of everything
    assert got[points_only] == (None, None, None, None)


def test_ensure_fresh_recomputes_only_when_sales_or_the_day_change(db, add):
    a, b = add("Ann", "A"), add("Ben", "B")
    buy(db, a, "2026-03-01", 1000)
    assert rfm.ensure_fresh(db, TODAY) is True
    assert rfm.ensure_fresh(db, TODAY) is False
    buy(db, b, "2026-03-05", 1000)  # a new sale
    assert rfm.ensure_fresh(db, TODAY) is True
    assert scores(db)[b][0] == 4 and scores(db)[a][0] == 2
    db.execute_sql("UPDATE purchase SET purchased_on = '2026-01-01' WHERE customer_id = ?",
                   (b,))  # a corrected day: same number of sales
    assert rfm.ensure_fresh(db, TODAY) is True
    assert scores(db)[b][0] == 2 and scores(db)[a][0] == 4
    assert rfm.ensure_fresh(db, TODAY + dt.timedelta(days=1)) is True
    assert rfm.ensure_fresh(db, TODAY + dt.timedelta(days=1)) is False
