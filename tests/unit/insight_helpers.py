"""Small hand-made books for the insight tests: sales written straight into the schema."""

from __future__ import annotations


def buy(db, customer_id: int | None, day: str, total: int,
        items: tuple[tuple[int | None, int | None], ...] = (), product_id: int | None = None
        ) -> int:
    """A sale of `total` minor units on `day` (YYYY-MM-DD), with lines (category id, amount)."""
    cursor = db.execute_sql(
        "INSERT INTO purchase (customer_id, purchased_on, total_minor, created_at) "
        "VALUES (?, ?, ?, ?)", (customer_id, day, total, f"{day} 12:00:00"))
    purchase_id = cursor.lastrowid
    for category_id, amount in items:
        db.execute_sql(
            "INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, product_id, "
            "category_id, amount_minor) VALUES (?, ?, ?, ?, ?, ?)",
            (purchase_id, customer_id, day, product_id, category_id, amount))
    return purchase_id


def category(db, name: str) -> int:
    return db.execute_sql("INSERT INTO category (name) VALUES (?)", (name,)).lastrowid


def product(db, name: str, category_id: int | None) -> int:
    return db.execute_sql("INSERT INTO product (name, category_id) VALUES (?, ?)",
                          (name, category_id)).lastrowid


def created(db, customer_id: int, day: str) -> None:
    db.execute_sql("UPDATE customer SET created_at = ? WHERE id = ?",
                   (f"{day} 09:00:00", customer_id))
