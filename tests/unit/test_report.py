"""The dashboard's figures on a small book worked out by hand (today is 2026-03-10).

The period is the last 30 days, 2026-02-09..2026-03-10; the previous one 2026-01-10..2026-02-08.

  Ann   2025-06-01 10.00, 2026-02-20 20.00 (Cheese, no line amount), 2026-03-01 30.00
        (Cheese 10.00 + Wine 20.00); birthday 20 March
  Ben   2026-03-05 5.00 (no lines); birthday 15 April (more than 30 days ahead)
  Cat   2025-10-01 40.00
  Dan   2026-01-15 15.00, 2026-01-20 25.00
  Eve   no sales, added 2026-02-15
  Fay   in Trash: 2026-03-02 100.00 (Wine); birthday 11 March
  and an anonymous sale 2026-03-03 7.00 (a line without category)
"""

from __future__ import annotations

import datetime as dt

import pytest
from tests.unit.insight_helpers import buy, category, created

from crmdesk.core import report
from crmdesk.core.model import DateInput
from crmdesk.core.report import Period

TODAY = dt.date(2026, 3, 10)
PERIOD = Period(dt.date(2026, 2, 9), TODAY)


@pytest.fixture
def shop(db, add, book):
    ids = {
        "ann": add("Ann", "Able", dates=[DateInput(kind="birthday", day=20, month=3)]),
        "ben": add("Ben", "Best", dates=[DateInput(kind="birthday", day=15, month=4)]),
        "cat": add("Cat", "Cole"),
        "dan": add("Dan", "Dale"),
        "eve": add("Eve", "Eden"),
        "fay": add("Fay", "Fern", dates=[DateInput(kind="birthday", day=11, month=3)]),
    }
    for key, customer_id in ids.items():
        created(db, customer_id, "2026-02-15" if key == "eve" else "2025-01-01")
    cheese, wine = category(db, "Cheese"), category(db, "Wine")
    ids["cheese"], ids["wine"] = cheese, wine
    buy(db, ids["ann"], "2025-06-01", 1000)
    buy(db, ids["ann"], "2026-02-20", 2000, ((cheese, None),))
    buy(db, ids["ann"], "2026-03-01", 3000, ((cheese, 1000), (wine, 2000)))
    buy(db, ids["ben"], "2026-03-05", 500)
    buy(db, ids["cat"], "2025-10-01", 4000)
    buy(db, ids["dan"], "2026-01-15", 1500)
    buy(db, ids["dan"], "2026-01-20", 2500)
    buy(db, ids["fay"], "2026-03-02", 10000, ((wine, 10000),))
    buy(db, None, "2026-03-03", 700, ((None, 700),))
    book.trash([ids["fay"]])
    return ids


def test_period_previous_and_presets():
    assert PERIOD.previous() == Period(dt.date(2026, 1, 10), dt.date(2026, 2, 8))
    presets = dict(Period.presets(TODAY))
    assert presets["Last 30 days"] == PERIOD
    assert presets["Last 90 days"] == Period(dt.date(2025, 12, 11), TODAY)
    assert presets["This month"] == Period(dt.date(2026, 3, 1), TODAY)
    assert presets["Last month"] == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert presets["This year"] == Period(dt.date(2026, 1, 1), TODAY)
    assert presets["Last 12 months"] == Period(dt.date(2025, 3, 11), TODAY)
    leap = dict(Period.presets(dt.date(2028, 2, 29)))
    assert leap["Last 12 months"] == Period(dt.date(2027, 3, 1), dt.date(2028, 2, 29))


def test_kpis_of_the_period(db, shop):
    k = report.dashboard(db, PERIOD, TODAY).kpis
    assert k.customers == 5  # Fay is in Trash
    assert k.new_customers == 1  # Eve
    assert k.active_customers == 2  # Ann and Ben
    assert k.lapsed_customers == 1  # Cat: last bought 2025-10-01
    assert k.revenue_minor == 2000 + 3000 + 500 + 10000 + 700  # Trash and anonymous count
    assert k.purchases == 5
    assert k.average_basket_minor == 3240
    assert k.repeat_customer_rate == 0.5  # Ann had bought before, Ben only once
    assert k.average_clv_minor == (6000 + 500 + 4000 + 4000) // 4
    assert k.upcoming_birthdays == 1  # Ann on 20 March; Ben's is too far, Fay is in Trash


def test_kpis_of_the_previous_period_as_they_stood_then(db, shop):
    k = report.dashboard(db, PERIOD, TODAY).previous
    assert k.active_customers == 1  # Dan
    assert k.repeat_customer_rate == 1.0  # twice within the period
    assert (k.revenue_minor, k.purchases, k.average_basket_minor) == (4000, 2, 2000)
    assert k.new_customers == 0
    assert k.lapsed_customers == 2  # Ann (nothing from 2025-06-01 to 2026-02-08) and Cat
    # by 2026-02-08: Ann had spent 10.00, Cat 40.00, Dan 40.00; Ben had not bought yet
    assert k.average_clv_minor == 3000


def test_predicted_clv_is_basket_times_yearly_purchases_times_expected_years(db, add):
    old, gone, new = add("Old", "Timer"), add("Gone", "Away"), add("New", "Comer")
    buy(db, old, "2024-01-10", 1000)
    buy(db, old, "2026-01-10", 3000)
    buy(db, gone, "2024-05-01", 2000)
    buy(db, new, "2026-03-01", 2000)
    k = report.kpis(db, PERIOD, TODAY)
    # basket 80.00 / 4 = 20.00; per year: Old 2 purchases over 2.16 years, New 1 over (at
    # least) 1 year -> 3 / 3.16; loss: of Old and Gone (first bought over a year ago) Gone has
    # not come back for a year -> 1/2 -> 2 years expected.
    years_old = (TODAY - dt.date(2024, 1, 10)).days / 365.25
    assert k.predicted_clv_minor == round(2000 * 3 / (years_old + 1) * 2)
    assert k.average_clv_minor == 2667  # 80.00 / 3, rounded


def test_charts(db, shop):
    board = report.dashboard(db, PERIOD, TODAY)
    months = dict(board.revenue_by_month)
    assert list(months)[0] == "2025-04" and list(months)[-1] == "2026-03"
    assert months["2025-06"] == 1000 and months["2025-10"] == 4000
    assert months["2026-01"] == 4000 and months["2026-02"] == 2000
    assert months["2026-03"] == 3000 + 500 + 10000 + 700 and months["2025-05"] == 0
    mix = {month: (new, again) for month, new, again in board.new_vs_returning}
    assert mix["2025-06"] == (1, 0) and mix["2025-10"] == (1, 0) and mix["2026-01"] == (1, 0)
    assert mix["2026-02"] == (0, 1) and mix["2026-03"] == (1, 1)  # Ben new, Ann again
    assert board.category_mix == [(shop["wine"], "Wine", 12000),
                                  (shop["cheese"], "Cheese", 3000),
                                  (None, report.OTHER_CATEGORY, 1200)]
    assert board.top_customers == [(shop["ann"], "Ann Able", 6000), (shop["cat"], "Cat Cole", 4000),
                                   (shop["dan"], "Dan Dale", 4000), (shop["ben"], "Ben Best", 500)]
    assert board.birthdays == [(shop["ann"], "Ann Able", dt.date(2026, 3, 20))]


def test_rfm_grid_and_segments(db, shop):
    # Scored over everyone who bought (Fay in Trash too): recency Cat < Dan < Ann < Fay < Ben;
    # purchases Ben = Cat = Fay (1, a tie over places 1-3 of 5: F=2) < Dan (2) < Ann (3).
    board = report.dashboard(db, PERIOD, TODAY)
    assert board.rfm_grid == {(3, 5): 1, (5, 2): 1, (1, 2): 1, (2, 4): 1}
    segments = {key: n for key, _label, n in board.rfm_segments}
    assert segments == {**{key: 0 for key in segments}, "loyal": 1, "potential_loyalists": 1,
                        "lost": 1, "at_risk": 1}


@pytest.mark.parametrize(("chart", "key", "names"), [
    ("revenue_month", "2026-03", ["ann", "ben"]),
    ("revenue_month", "2026-01", ["dan"]),
    ("revenue_month", "2025-05", []),
    ("new_month", "2026-03", ["ben"]),
    ("returning_month", "2026-03", ["ann"]),
    ("returning_month", "2026-02", ["ann"]),
    ("category", "wine", ["ann"]),
    ("category", "cheese", ["ann"]),
    ("category", None, ["ben"]),
    ("top", "cat", ["cat"]),
    ("top", "fay", []),
    ("rfm_cell", (3, 5), ["ann"]),
    ("rfm_cell", (4, 2), []),  # Fay's cell, but she is in Trash
    ("rfm_segment", "lost", ["cat"]),
    ("rfm_segment", "at_risk", ["dan"]),
    ("active", None, ["ann", "ben"]),
    ("new", None, ["eve"]),
    ("lapsed", None, ["cat"]),
])
def test_customers_behind_each_chart(db, shop, chart, key, names):
    if chart in ("category", "top") and key is not None:
        key = shop[key]
    assert report.customers_behind(db, chart, key, PERIOD, TODAY) == [shop[n] for n in names]


def test_customers_behind_agree_with_the_counts(db, shop):
    board = report.dashboard(db, PERIOD, TODAY)
    behind = report.customers_behind
    assert len(behind(db, "active", None, PERIOD, TODAY)) == board.kpis.active_customers
    assert len(behind(db, "lapsed", None, PERIOD, TODAY)) == board.kpis.lapsed_customers
    assert len(behind(db, "new", None, PERIOD, TODAY)) == board.kpis.new_customers
    previous = PERIOD.previous()
    assert behind(db, "lapsed", None, previous, TODAY) == [shop["ann"], shop["cat"]]
    for month, new, again in board.new_vs_returning:
        assert len(behind(db, "new_month", month, PERIOD, TODAY)) == new
        assert len(behind(db, "returning_month", month, PERIOD, TODAY)) == again
    with pytest.raises(ValueError):
        behind(db, "pie", None, PERIOD, TODAY)


def test_an_empty_book(db):
    board = report.dashboard(db, PERIOD, TODAY)
    assert board.kpis == report.Kpis(0, 0, 0, 0, 0, 0, 0, 0.0, 0, 0, 0)
    assert board.category_mix == [] and board.top_customers == [] and board.rfm_grid == {}
    assert [n for _m, n in board.revenue_by_month] == [0] * 12


def test_report_json(db, shop):
    data = report.report_json(db, PERIOD, TODAY, "EUR")
    assert data["period"] == {"from": "2026-02-09", "to": "2026-03-10"}
    assert data["currency"] == "EUR"
    assert data["customers"] == 5 and data["active_customers"] == 2
    assert data["revenue"] == 162.0 and data["purchases"] == 5
    assert data["average_basket"] == 32.4 and data["repeat_customer_rate"] == 0.5
    assert data["average_clv"] == 36.25
    assert [(t["name"], t["total"]) for t in data["top_customers"]] == [
        ("Ann Able", 60.0), ("Cat Cole", 40.0), ("Dan Dale", 40.0), ("Ben Best", 5.0)]
    assert data["previous_period"]["revenue"] == 40.0
    yen = report.report_json(db, PERIOD, TODAY, "JPY")
    assert yen["revenue"] == 16200 and isinstance(yen["revenue"], int)


def test_kept_figures_follow_every_change(db, shop, book):
    """The dashboard keeps figures between runs; each kind of change shows at once."""
    first = report.dashboard(db, PERIOD, TODAY)
    assert report.dashboard(db, PERIOD, TODAY) == first  # kept, and the same
    # an old sale added (a closed month) and one today
    buy(db, shop["cat"], "2025-10-15", 1000, ((shop["cheese"], 1000),))
    buy(db, shop["eve"], "2026-03-10", 300, ((shop["cheese"], 300),))
    board = report.dashboard(db, PERIOD, TODAY)
    assert dict(board.revenue_by_month)["2025-10"] == 5000
    assert dict(board.revenue_by_month)["2026-03"] == 14200 + 300
    assert board.kpis.active_customers == 3 and board.kpis.purchases == 6
    assert dict((m, (n, r)) for m, n, r in board.new_vs_returning)["2026-03"] == (2, 1)
    assert (shop["cheese"], "Cheese", 3300) in board.category_mix
    # a sale in the previous period (no lines), and one moved into it (lines rewritten)
    assert board.previous.revenue_minor == 4000
    buy(db, shop["cat"], "2026-01-25", 600)
    assert report.dashboard(db, PERIOD, TODAY).previous.revenue_minor == 4600
    moved = buy(db, shop["ben"], "2026-03-06", 900, ((shop["cheese"], 900),))
    report.dashboard(db, PERIOD, TODAY)
    db.execute_sql("UPDATE purchase SET purchased_on = '2026-01-26' WHERE id = ?", (moved,))
    db.execute_sql("DELETE FROM purchase_item WHERE purchase_id = ?", (moved,))
    buy_line = ("INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, category_id, "
                "amount_minor) VALUES (?, ?, '2026-01-26', ?, 900)")
    db.execute_sql(buy_line, (moved, shop["ben"], shop["cheese"]))
    board = report.dashboard(db, PERIOD, TODAY)
    assert board.previous.revenue_minor == 5500 and board.previous.active_customers == 3
    assert board.kpis.revenue_minor == 14200 + 2000 + 300
    db.execute_sql("DELETE FROM purchase WHERE id = ?", (moved,))
    # a sale's line moved to another category, the sale's total unchanged
    purchase = db.execute_sql("SELECT purchase_id FROM purchase_item WHERE customer_id = ? "
                              "AND purchased_on = '2026-02-20'", (shop["ann"],)).fetchone()[0]
    db.execute_sql("DELETE FROM purchase_item WHERE purchase_id = ?", (purchase,))
    db.execute_sql("INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, "
                   "category_id, amount_minor) VALUES (?, ?, '2026-02-20', ?, 2000)",
                   (purchase, shop["ann"], shop["wine"]))
    mix = report.dashboard(db, PERIOD, TODAY).category_mix
    assert (shop["wine"], "Wine", 14000) in mix and (shop["cheese"], "Cheese", 1300) in mix
    # the newest sale's line rewritten: SQLite gives the new line the id of the old one
    newest = buy(db, shop["dan"], "2026-03-09", 400, ((shop["cheese"], 400),))
    line = db.execute_sql("SELECT max(id) FROM purchase_item").fetchone()[0]
    before = dict((c, a) for c, _n, a in report.dashboard(db, PERIOD, TODAY).category_mix)
    db.execute_sql("DELETE FROM purchase_item WHERE purchase_id = ?", (newest,))
    db.execute_sql("INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, "
                   "category_id, amount_minor) VALUES (?, ?, '2026-03-09', ?, 400)",
                   (newest, shop["dan"], shop["wine"]))
    assert db.execute_sql("SELECT max(id) FROM purchase_item").fetchone()[0] == line
    after = dict((c, a) for c, _n, a in report.dashboard(db, PERIOD, TODAY).category_mix)
    assert after[shop["wine"]] == before[shop["wine"]] + 400
    assert after[shop["cheese"]] == before[shop["cheese"]] - 400
    db.execute_sql("DELETE FROM purchase WHERE id = ?", (newest,))
    # a customer put in Trash
    book.trash([shop["ann"]])
    board = report.dashboard(db, PERIOD, TODAY)
    assert shop["ann"] not in [cid for cid, _n, _t in board.top_customers]
    assert board.kpis.active_customers == 2 and board.kpis.customers == 4
    assert dict((m, (n, r)) for m, n, r in board.new_vs_returning)["2026-03"] == (2, 0)
    # a category removed: its lines fall to "Other"
    db.execute_sql("DELETE FROM category WHERE id = ?", (shop["wine"],))
    mix = report.dashboard(db, PERIOD, TODAY).category_mix
    assert [cid for cid, _name, _amount in mix] == [shop["cheese"], None]
    # a new day: the RFM scores and the upcoming birthdays move on
    later = report.dashboard(db, PERIOD, TODAY + dt.timedelta(days=15))
    # Ann is in Trash; Ben's 15 April is now within 30 days
    assert later.birthdays == [(shop["ben"], "Ben Best", dt.date(2026, 4, 15))]
    assert later.kpis.upcoming_birthdays == 1


def test_kept_month_figures_follow_a_customer_erased_for_good(db, shop, book):
    mix = {m: (n, r) for m, n, r in report.dashboard(db, PERIOD, TODAY).new_vs_returning}
    assert mix["2026-01"] == (1, 0)  # Dan
    book.trash([shop["dan"]])
    book.empty_trash()  # Dan's sales stay, anonymous
    board = report.dashboard(db, PERIOD, TODAY)
    assert {m: (n, r) for m, n, r in board.new_vs_returning}["2026-01"] == (0, 0)
    assert dict(board.revenue_by_month)["2026-01"] == 4000  # the shop did sell
    assert board.previous.active_customers == 0
