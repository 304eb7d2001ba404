"""Schema step 4: the per-customer sales sums the triggers keep, and what erasing keeps."""

from __future__ import annotations


def sums(db, customer_id):
    return db.execute_sql(
        "SELECT purchases, total_minor, first_purchase_on, last_purchase_on, loyalty_balance "
        "FROM customer_sales WHERE customer_id = ?", (customer_id,)).fetchone()


def sale(db, customer_id, day, total):
    return db.execute_sql(
        "INSERT INTO purchase (customer_id, purchased_on, total_minor, created_at) "
        "VALUES (?, ?, ?, '2026-01-01 00:00:00')", (customer_id, day, total)).lastrowid


def test_sums_follow_sales_added_removed_and_moved(db, add):
    anna, bob = add("Anna"), add("Bob")
    first = sale(db, anna, "2026-01-05", 1250)
    second = sale(db, anna, "2026-02-05", 750)
    assert sums(db, anna) == (2, 2000, "2026-01-05", "2026-02-05", 0)

    db.execute_sql("DELETE FROM purchase WHERE id = ?", (second,))
    assert sums(db, anna) == (1, 1250, "2026-01-05", "2026-01-05", 0)

    db.execute_sql("UPDATE purchase SET customer_id = ?, purchased_on = '2025-12-24' "
                   "WHERE id = ?", (bob, first))
    assert sums(db, anna) == (0, 0, None, None, 0)
    assert sums(db, bob) == (1, 1250, "2025-12-24", "2025-12-24", 0)


def test_loyalty_balance_is_the_ledgers_sum(db, add):
    anna = add("Anna")
    for points in (12, 30, -40):
        db.execute_sql("INSERT INTO loyalty_entry (customer_id, kind, points, created_at) "
                       "VALUES (?, 'earn', ?, '2026-01-01')", (anna, points))
    assert sums(db, anna)[4] == 2
    db.execute_sql("DELETE FROM loyalty_entry WHERE points = -40")
    assert sums(db, anna)[4] == 42


def test_erasing_a_customer_keeps_their_sales_anonymous(db, add):
    anna = add("Anna")
    kept = sale(db, anna, "2026-03-01", 990)
    db.execute_sql("INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, "
                   "description) VALUES (?, ?, '2026-03-01', 'Cheese')", (kept, anna))
    db.execute_sql("INSERT INTO loyalty_entry (customer_id, kind, points, created_at) "
                   "VALUES (?, 'earn', 9, '2026-03-01')", (anna,))
    db.execute_sql("DELETE FROM customer WHERE id = ?", (anna,))

    assert db.execute_sql("SELECT customer_id, total_minor FROM purchase").fetchall() == [
        (None, 990)]
    assert db.execute_sql("SELECT customer_id FROM purchase_item").fetchall() == [(None,)]
    assert db.execute_sql("SELECT count(*) FROM loyalty_entry").fetchone()[0] == 0
    assert db.execute_sql("SELECT count(*) FROM customer_sales").fetchone()[0] == 0
