"""Sample purchases for the demo customers: a few years of a small deli's sales.

Each customer gets a buying habit drawn from a seeded random stream of its own (so the sample
customers themselves are the same with or without sales): about a third buy once, a quarter now
and then, a quarter regularly, and a few are the shop's champions who come every week or so.
Prospects rarely buy, former customers stopped at least half a year ago, and some customers
drift away (their last purchase lies months back). About 10 purchases a customer on average,
over the last three years, each of 1-3 lines from the sample catalogue (demo_data.CATALOGUE),
mostly from the customer's two or three favourite categories.
"""

from __future__ import annotations

import datetime as dt
import random

from peewee import SqliteDatabase

from crmdesk.core.demo_data import CATALOGUE

_YEARS_BACK = 3 * 365
_INSERT_PURCHASE = ("INSERT INTO purchase (id, customer_id, purchased_on, total_minor, "
                    "created_at) VALUES (?, ?, ?, ?, ?)")
_INSERT_ITEM = ("INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, product_id, "
                "category_id, quantity, amount_minor) VALUES (?, ?, ?, ?, ?, ?, ?)")


class SalesMaker:
    """Draws the sales of one customer at a time, ready to insert.

    `catalogue` is `catalogue_ids`'s answer. Every draw is a plain `random()` (the generator's
    helpers cost several times more, and this runs for a million sales).
    """

    def __init__(self, seed: int, today: dt.date, catalogue: list[list[tuple[int, int]]]):
        self.rng = random.Random(f"crmdesk demo sales {seed}")
        self.days = [(today - dt.timedelta(days=n)).isoformat() for n in range(_YEARS_BACK + 1)]
        self.times = [f" {h:02d}:{m:02d}:00" for h in range(8, 19) for m in range(60)]
        self.lines = [[(product_id, category_id, price) for (product_id, category_id), (_n, price)
                       in zip(ids, products, strict=True)]
                      for ids, (_weight, products) in zip(catalogue, CATALOGUE.values(),
                                                          strict=True)]
        # categories by how often they are bought: one slot per unit of weight
        self.weighted = [index for index, (weight, _p) in enumerate(CATALOGUE.values())
                         for _ in range(weight)]
        self.today = today

    def _count(self, status: str) -> int:
        rnd = self.rng.random
        if status == "prospect":
            return 1 if rnd() < 0.2 else 0
        u = rnd()
        if u < 0.33:
            return 1
        if u < 0.58:
            return 2 + int(rnd() * 4)
        if u < 0.82:
            return 6 + int(rnd() * 15)
        if u < 0.94 or status == "former":
            return 20 + int(rnd() * 26)
        return 45 + int(rnd() * 66)

    def sales(self, status: str, created: dt.date) -> list[tuple]:
        """[(day, created_at, total, [(product id, category id, quantity, amount)])]."""
        rnd = self.rng.random
        count = self._count(status)
        if not count:
            return []
        first = min(max((self.today - created).days, 0), _YEARS_BACK)
        last = 0
        if status == "former":
            last = 180 + int(rnd() * (max(first, 180) - 179))
        elif count < 45 and rnd() < 0.18:  # drifted away
            last = 100 + int(rnd() * (max(first, 100) - 99))
        last = min(last, first)
        count = min(count, (first - last) // 2 + 1)
        span = first - last + 1
        weighted, lines_of, days, times = self.weighted, self.lines, self.days, self.times
        favourites = [weighted[int(rnd() * len(weighted))] for _ in range(3)]
        result = []
        for days_ago in sorted((last + int(rnd() * span) for _ in range(count)), reverse=True):
            day = days[days_ago]
            u = rnd()
            lines = []
            total = 0
            for _ in range(1 if u < 0.55 else 2 if u < 0.85 else 3):
                category = (favourites[int(rnd() * 3)] if rnd() < 0.75
                            else weighted[int(rnd() * len(weighted))])
                products = lines_of[category]
                product_id, category_id, price = products[int(rnd() * len(products))]
                quantity = 2 if rnd() < 0.15 else 1
                lines.append((product_id, category_id, quantity, price * quantity))
                total += price * quantity
            result.append((day, day + times[int(rnd() * len(times))], total, lines))
        return result


def catalogue_ids(db: SqliteDatabase) -> list[list[tuple[int, int]]]:
    """Add the sample catalogue (reusing categories and products of the same name); per
    category index, per product index: (product id, its category id)."""
    ids = []
    for name, (_weight, products) in CATALOGUE.items():
        db.execute_sql("INSERT OR IGNORE INTO category (name) VALUES (?)", (name,))
        category_id = db.execute_sql("SELECT id FROM category WHERE name = ?",
                                     (name,)).fetchone()[0]
        row = []
        for product, price in products:
            db.execute_sql("INSERT OR IGNORE INTO product (name, category_id, price_minor) "
                           "VALUES (?, ?, ?)", (product, category_id, price))
            product_id, product_category = db.execute_sql(
                "SELECT id, category_id FROM product WHERE name = ?", (product,)).fetchone()
            row.append((product_id, product_category))
        ids.append(row)
    return ids


def write(db: SqliteDatabase, sales: list[tuple[int, list[tuple]]]) -> None:
    """Insert the sales [(customer id, sales)] in bulk (inside the caller's transaction)."""
    purchase_id = db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM purchase").fetchone()[0]
    purchases, items = [], []
    for customer_id, customer_sales in sales:
        start = len(purchases)
        for day, stamp, total, lines in customer_sales:
            purchase_id += 1
            purchases.append((purchase_id, customer_id, day, total, stamp))
            for product_id, category_id, quantity, amount in lines:
                items.append((purchase_id, customer_id, day, product_id, category_id,
                              quantity, amount))
        # A customer's newest sale goes in first (same ids): their last purchase day is then
        # written once, not once a sale, and so is their keep-in-touch touch (schema 7's
        # trigger; 8,000 customers: 5.6-6.3 s -> 4.9-5.2 s of CPU).
        purchases[start:] = purchases[start:][::-1]
    cursor = db.cursor()
    cursor.executemany(_INSERT_PURCHASE, purchases)
    cursor.executemany(_INSERT_ITEM, items)
