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
import itertools
import random

from peewee import SqliteDatabase

from crmdesk.core.demo_data import CATALOGUE

_YEARS_BACK = 3 * 365
_INSERT_PURCHASE = ("INSERT INTO purchase (id, customer_id, purchased_on, total_minor, "
                    "created_at) VALUES (?, ?, ?, ?, ?)")
_INSERT_ITEM = ("INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, product_id, "
                "category_id, quantity, amount_minor) VALUES (?, ?, ?, ?, ?, ?, ?)")


class SalesMaker:
    """Draws the sales of one customer at a time."""

    def __init__(self, seed: int, today: dt.date):
        self.rng = random.Random(f"crmdesk demo sales {seed}")
        self.today = today
        self.categories = list(CATALOGUE)
        self.cum_weights = list(itertools.accumulate(w for w, _p in CATALOGUE.values()))
        self.products = [list(products) for _w, products in CATALOGUE.values()]
        self._days: dict[int, str] = {}

    def _day(self, days_ago: int) -> str:
        text = self._days.get(days_ago)
        if text is None:
            text = self._days[days_ago] = (self.today - dt.timedelta(days=days_ago)).isoformat()
        return text

    def _count(self, status: str) -> int:
        rng = self.rng
        if status == "prospect":
            return 1 if rng.random() < 0.2 else 0
        u = rng.random()
        if u < 0.33:
            return 1
        if u < 0.58:
            return rng.randint(2, 5)
        if u < 0.82:
            return rng.randint(6, 20)
        if u < 0.94 or status == "former":
            return rng.randint(20, 45)
        return rng.randint(45, 110)

    def sales(self, status: str, created: dt.date) -> list[tuple]:
        """[(day, created_at, total, [(category index, product index, quantity, amount)])]."""
        rng = self.rng
        count = self._count(status)
        if not count:
            return []
        first = min(max((self.today - created).days, 0), _YEARS_BACK)
        last = 0
        if status == "former":
            last = rng.randint(180, max(first, 180))
        elif count < 45 and rng.random() < 0.18:  # drifted away
            last = rng.randint(100, max(first, 100))
        last = min(last, first)
        count = min(count, (first - last) // 2 + 1)
        favourites = sorted({self._category() for _ in range(3)})
        result = []
        for days_ago in sorted((rng.randint(last, first) for _ in range(count)), reverse=True):
            day = self._day(days_ago)
            lines = []
            for _ in range(rng.choices((1, 2, 3), cum_weights=(55, 85, 100))[0]):
                category = (rng.choice(favourites) if rng.random() < 0.75
                            else self._category())
                product = rng.randrange(len(self.products[category]))
                quantity = 2 if rng.random() < 0.15 else 1
                lines.append((category, product, quantity,
                              self.products[category][product][1] * quantity))
            stamp = f"{day} {rng.randint(8, 18):02d}:{rng.randrange(60):02d}:00"
            result.append((day, stamp, sum(line[3] for line in lines), lines))
        return result

    def _category(self) -> int:
        return self.rng.choices(range(len(self.categories)), cum_weights=self.cum_weights)[0]


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


def write(db: SqliteDatabase, sales: list[tuple[int, list[tuple]]],
          ids: list[list[tuple[int, int]]]) -> None:
    """Insert the sales [(customer id, sales)] in bulk (inside the caller's transaction)."""
    purchase_id = db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM purchase").fetchone()[0]
    purchases, items = [], []
    for customer_id, customer_sales in sales:
        for day, stamp, total, lines in customer_sales:
            purchase_id += 1
            purchases.append((purchase_id, customer_id, day, total, stamp))
            for category, product, quantity, amount in lines:
                product_id, category_id = ids[category][product]
                items.append((purchase_id, customer_id, day, product_id, category_id,
                              quantity, amount))
    cursor = db.cursor()
    cursor.executemany(_INSERT_PURCHASE, purchases)
    cursor.executemany(_INSERT_ITEM, items)
