"""What the JSON export adds to the customers: their sales, and the book's own sections.

Plain data (dicts, dates parsed), read with a few indexed queries per chunk of customers:

- `add_sales(db, found)`: each customer's `purchases` (oldest first, each with its `items`) and
  `loyalty` ledger (oldest first), money in integer minor units as stored. Items and products
  name their product and category (names are unique in a book), so a file reads without ids.
- `sections(db)`: `settings` (the business settings that differ from the defaults), `categories`,
  `products` and `segments` (their rules as the JSON object they are stored as).
- `anonymous_purchases(db)`: sales whose customer was erased for good (customer_id NULL).
"""

from __future__ import annotations

import dataclasses
import json

from peewee import SqliteDatabase

from crmdesk.core.settings import BusinessSettings
from crmdesk.formats.export_records import parse_date, parse_datetime

_PURCHASE = ("SELECT p.id, p.customer_id, p.purchased_on, p.total_minor, p.currency, p.note, "
             "p.source, p.import_batch, p.created_at FROM purchase p")
_ITEMS = ("SELECT i.purchase_id, i.description, i.quantity, i.amount_minor, pr.name, ca.name "
          "FROM purchase_item i LEFT JOIN product pr ON pr.id = i.product_id "
          "LEFT JOIN category ca ON ca.id = i.category_id")


def _purchase(row) -> dict:
    return {"id": row[0], "purchased_on": parse_date(row[2]), "total_minor": row[3],
            "currency": row[4], "note": row[5], "source": row[6], "import_batch": row[7],
            "created_at": parse_datetime(row[8]), "items": []}


def _add_items(db: SqliteDatabase, purchases: dict[int, dict]) -> None:
    ids = list(purchases)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for purchase_id, words, quantity, amount, product, category in db.execute_sql(
                f"{_ITEMS} WHERE i.purchase_id IN ({marks}) ORDER BY i.purchase_id, i.id",
                chunk):
            purchases[purchase_id]["items"].append({
                "product": product, "category": category, "description": words,
                "quantity": quantity, "amount_minor": amount})


def add_sales(db: SqliteDatabase, found: dict[int, dict]) -> None:
    """Give each record of `found` (customer id -> record) its `purchases` and `loyalty`."""
    ids = list(found)
    marks = ",".join("?" * len(ids))
    purchases: dict[int, dict] = {}
    for record in found.values():
        record.update(purchases=[], loyalty=[])
    for row in db.execute_sql(
            f"{_PURCHASE} WHERE p.customer_id IN ({marks}) ORDER BY p.purchased_on, p.id", ids):
        purchase = _purchase(row)
        purchases[row[0]] = purchase
        found[row[1]]["purchases"].append(purchase)
    _add_items(db, purchases)
    for row in db.execute_sql(
            f"SELECT id, customer_id, purchase_id, kind, points, reward, created_at "
            f"FROM loyalty_entry WHERE customer_id IN ({marks}) ORDER BY created_at, id", ids):
        found[row[1]]["loyalty"].append({
            "id": row[0], "purchase_id": row[2], "kind": row[3], "points": row[4],
            "reward": row[5], "created_at": parse_datetime(row[6])})


def anonymous_purchases(db: SqliteDatabase) -> list[dict]:
    """Sales kept in the shop's figures after their customer was erased, oldest first."""
    purchases = {row[0]: _purchase(row) for row in db.execute_sql(
        f"{_PURCHASE} WHERE p.customer_id IS NULL ORDER BY p.purchased_on, p.id")}
    _add_items(db, purchases)
    return list(purchases.values())


def sections(db: SqliteDatabase) -> dict:
    """The book's settings, categories, products and segments, each in a fixed order."""
    known = [field.name for field in dataclasses.fields(BusinessSettings)]
    stored = dict(db.execute_sql("SELECT key, value FROM setting").fetchall())
    settings = {key: stored[key] for key in known if key in stored}
    categories = [{"id": row[0], "name": row[1], "archived": bool(row[2])}
                  for row in db.execute_sql(
                      "SELECT id, name, archived FROM category ORDER BY name COLLATE NOCASE, id")]
    products = [{"name": row[0], "category": row[1], "price_minor": row[2],
                 "archived": bool(row[3])}
                for row in db.execute_sql(
                    "SELECT p.name, c.name, p.price_minor, p.archived FROM product p "
                    "LEFT JOIN category c ON c.id = p.category_id "
                    "ORDER BY p.name COLLATE NOCASE, p.id")]
    segments = []
    for name, rules, created, updated in db.execute_sql(
            "SELECT name, rules, created_at, updated_at FROM segment "
            "ORDER BY name COLLATE NOCASE, id"):
        try:
            parsed = json.loads(rules or "{}")
        except ValueError:
            parsed = rules  # kept as the text it is: the import stores it back unchanged
        segments.append({"name": name, "rules": parsed, "created_at": parse_datetime(created),
                         "updated_at": parse_datetime(updated)})
    return {"settings": settings, "categories": categories, "products": products,
            "segments": segments}
