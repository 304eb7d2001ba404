"""Sample sales: about ten a customer over three years, a plausible spread, deterministic."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.core import demo, report
from crmdesk.store.db import open_database


@pytest.fixture
def other_db(tmp_path):
    opened = open_database(tmp_path / "other.db")
    yield opened.db
    opened.db.close()


def one(db, sql: str):
    return db.execute_sql(sql).fetchone()[0]


def test_sales_are_plausible(db, clock):
    demo.generate(db, 1000, seed=4, now=clock())
    today = clock().date()
    purchases = one(db, "SELECT count(*) FROM purchase")
    assert 8 <= purchases / 1000 <= 13
    first, last = db.execute_sql("SELECT min(purchased_on), max(purchased_on) "
                                 "FROM purchase").fetchone()
    assert dt.date.fromisoformat(last) <= today
    assert dt.date.fromisoformat(first) >= today - dt.timedelta(days=3 * 365 + 1)
    # many buy once, a few are regulars with dozens of visits, some never buy
    spread = dict(db.execute_sql("SELECT purchases > 1, count(*) FROM customer_sales "
                                 "GROUP BY 1").fetchall())
    assert spread[0] > 250 and spread[1] > 400
    assert one(db, "SELECT count(*) FROM customer_sales WHERE purchases >= 40") > 10
    assert one(db, "SELECT count(*) FROM customer c WHERE NOT EXISTS (SELECT 1 FROM "
                   "purchase p WHERE p.customer_id = c.id)") > 50
    # some stopped coming: former customers bought nothing in the last half year
    assert one(db, "SELECT count(*) FROM customer c JOIN customer_sales s ON s.customer_id = "
                   "c.id WHERE c.status = 'former' AND s.last_purchase_on > date("
                   f"'{today}', '-180 days')") == 0
    # lines: 1-3 a sale, from the catalogue, adding up to the sale
    assert one(db, "SELECT count(*) FROM purchase p WHERE (SELECT count(*) FROM purchase_item "
                   "i WHERE i.purchase_id = p.id) NOT BETWEEN 1 AND 3") == 0
    assert one(db, "SELECT count(*) FROM purchase p WHERE p.total_minor != (SELECT "
                   "sum(amount_minor) FROM purchase_item i WHERE i.purchase_id = p.id)") == 0
    assert one(db, "SELECT count(*) FROM purchase_item i JOIN purchase p ON p.id = "
                   "i.purchase_id WHERE i.customer_id IS NOT p.customer_id "
                   "OR i.purchased_on != p.purchased_on") == 0
    categories = [n for (n,) in db.execute_sql("SELECT name FROM category ORDER BY name")]
    assert {"Bakery", "Cheese", "Coffee", "Vegetarian", "Wine"} <= set(categories)
    # the triggers kept every customer's sums
    assert one(db, "SELECT count(*) FROM customer_sales s WHERE s.total_minor != (SELECT "
                   "sum(total_minor) FROM purchase p WHERE p.customer_id = s.customer_id)") == 0


def test_same_seed_gives_the_same_sales(db, other_db, clock, monkeypatch):
    demo.generate(db, 150, seed=9, now=clock())
    monkeypatch.setattr(demo, "CHUNK", 40)
    demo.generate(other_db, 150, seed=9, now=clock())
    for table in ("purchase", "purchase_item", "customer_sales", "product", "category"):
        sql = f"SELECT * FROM {table} ORDER BY 1"
        assert db.execute_sql(sql).fetchall() == other_db.execute_sql(sql).fetchall(), table


def test_a_second_run_reuses_the_catalogue_and_the_dashboard_has_something_to_show(db, clock):
    demo.generate(db, 100, now=clock())
    demo.generate(db, 100, seed=2, now=clock())
    assert one(db, "SELECT count(*) FROM category") == 9
    today = clock().date()
    board = report.dashboard(db, report.Period.presets(today)[0][1], today)
    assert board.kpis.revenue_minor > 0 and board.kpis.active_customers > 0
    assert len(board.category_mix) >= 5 and len(board.top_customers) == 10
    assert sum(n for _key, _label, n in board.rfm_segments) > 100


def test_a_big_run_gives_the_connection_its_settings_back(db, clock, monkeypatch):
    monkeypatch.setattr(demo, "BIG_BOOK", 10)  # tuned from 10 customers on
    before = [db.execute_sql(f"PRAGMA {name}").fetchone()[0]
              for name in ("cache_size", "wal_autocheckpoint")]
    assert demo.generate(db, 20, now=clock()) == 20
    assert [db.execute_sql(f"PRAGMA {name}").fetchone()[0]
            for name in ("cache_size", "wal_autocheckpoint")] == before


def test_the_dashboard_figures_are_worked_out_with_the_samples(db, clock):
    demo.generate(db, 200, now=clock())
    assert one(db, "SELECT count(*) FROM setting WHERE key IN ('insight_cache', "
                   "'rfm_state')") == 2
    assert one(db, "SELECT count(*) FROM customer_sales WHERE rfm_segment IS NULL "
                   "AND purchases > 0") == 0


def test_samples_come_with_segments_that_find_customers(tmp_path):
    import datetime as dt

    from crmdesk.core import demo, segments
    from crmdesk.store.db import open_database

    db = open_database(tmp_path / "book.db").db
    now = dt.datetime(2026, 11, 20, 12)
    demo.generate(db, 300, seed=3, now=now)
    saved = segments.SegmentStore(db).all()

    assert {s.name for s in saved} == {name for name, _rules in demo.SAMPLE_SEGMENTS}
    vegetarians = next(s for s in saved if s.name.startswith("Vegetarian"))
    assert 0 < segments.count(db, vegetarians.rules, now.date()) < 300

    demo.generate(db, 10, seed=4, now=now)  # more samples: no second copy of the segments
    assert len(segments.SegmentStore(db).all()) == len(demo.SAMPLE_SEGMENTS)
