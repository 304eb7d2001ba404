"""Sales: record, change and remove a customer's purchases; their history and summary.

Money is integer minor units of the shop's currency. Every write is one transaction that also
keeps each line's customer_id and purchased_on equal to its sale's (the segment index relies on
it) and writes what the sale earns in the loyalty program. The per-customer sums
(customer_sales) are kept by SQL triggers, so the card's summary is one indexed row. No Qt.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from peewee import SqliteDatabase

from crmdesk.core.catalogue import Catalogue
from crmdesk.core.clock import Now, system_now, utc_naive
from crmdesk.core.customers import NotFound
from crmdesk.core.settings import BusinessSettings
from crmdesk.core.text import clean, clean_block, fold
from crmdesk.core.validation import ValidationError
from crmdesk.store.models import Customer, LoyaltyEntry, Purchase, PurchaseItem

MAX_NOTE = 2000
MAX_DESCRIPTION = 200
MAX_QUANTITY = 100_000
MAX_AMOUNT = 10 ** 13  # minor units: far above any till
HISTORY = 10  # sales the card shows
FAVOURITES = 3
_QUANTITY = re.compile(r"^\s*(\d{1,6})\s*(?:x|×|\*)\s*(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class ItemInput:
    """One line of a sale: a product, a category or words; quantity; optionally its amount
    (the line's total, in minor units)."""

    product_id: int | None = None
    category_id: int | None = None
    description: str = ""
    quantity: int = 1
    amount_minor: int | None = None


@dataclass(frozen=True)
class SaleInput:
    customer_id: int | None
    on: dt.date | None
    total_minor: int | None = None  # None: the sum of the items' amounts
    items: tuple[ItemInput, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ItemView:
    id: int
    product_id: int | None
    category_id: int | None
    text: str  # the words, else the product's name, else the category's
    quantity: int
    amount_minor: int | None


@dataclass(frozen=True)
class SaleView:
    id: int
    customer_id: int | None
    on: dt.date
    total_minor: int
    currency: str
    note: str
    source: str
    items: tuple[ItemView, ...] = ()

    @property
    def items_text(self) -> str:
        return ", ".join(f"{i.quantity} × {i.text}" if i.quantity != 1 else i.text
                         for i in self.items if i.text)

    def as_input(self) -> SaleInput:
        return SaleInput(self.customer_id, self.on, self.total_minor, tuple(
            ItemInput(i.product_id, i.category_id, "" if i.product_id else i.text, i.quantity,
                      i.amount_minor) for i in self.items), self.note)


@dataclass(frozen=True)
class SalesSummary:
    customer_id: int
    visits: int  # number of purchases
    total_minor: int
    average_minor: int | None  # rounded half up; None without purchases
    first_on: dt.date | None
    last_on: dt.date | None
    loyalty_balance: int
    favourite_categories: tuple[tuple[str, int], ...] = ()  # (name, lines), most first
    recent: tuple[SaleView, ...] = ()  # newest first, at most HISTORY


@dataclass(frozen=True)
class RemovedSale:
    """A sale as it was before `remove`, for `restore` (undo): rows as stored."""

    purchase: dict
    items: tuple[dict, ...]
    loyalty: tuple[dict, ...] = field(default=())


class Sales:
    """`settings` is a callable giving the current BusinessSettings (for the currency);
    `loyalty` (core.loyalty.Loyalty) earns points or stamps with each sale."""

    def __init__(self, db: SqliteDatabase, now: Now = system_now, settings=BusinessSettings,
                 loyalty=None, fallback_currency=lambda: ""):
        self.db = db
        self.now = now
        self.settings = settings
        self.loyalty = loyalty
        # The computer's currency, asked when the setting is "" (the window knows it: QLocale).
        self.fallback_currency = fallback_currency
        self.catalogue = Catalogue(db)

    def today(self) -> dt.date:
        return self.now().date()

    def currency(self) -> str:
        """The currency a new sale is written in (its code, or "" when nobody knows)."""
        return (self.settings().currency or self.fallback_currency() or "").upper()

    # --- checks ----------------------------------------------------------------------------

    def validate(self, data: SaleInput) -> SaleInput:
        """A cleaned copy (products' categories and prices filled in, the total worked out),
        or ValidationError naming each problem in plain words."""
        errors: dict[str, str] = {}
        if not isinstance(data.customer_id, int) or isinstance(data.customer_id, bool):
            errors["customer"] = "Choose the customer."
        if not isinstance(data.on, dt.date) or isinstance(data.on, dt.datetime):
            errors["on"] = "Choose the day of the sale."
        elif data.on > self.today():
            errors["on"] = "This day has not come yet. Choose today or an earlier day."
        products = {p.id: p for p in self.catalogue.products(include_archived=True)}
        categories = {c.id for c in self.catalogue.categories(include_archived=True)}
        items = []
        for n, item in enumerate(data.items):
            key = f"items.{n}"
            words = clean(item.description)
            quantity = item.quantity
            if isinstance(quantity, bool) or not isinstance(quantity, int) or \
                    not 1 <= quantity <= MAX_QUANTITY:
                errors[key] = "The quantity must be a whole number of 1 or more."
                continue
            product = products.get(item.product_id) if item.product_id is not None else None
            if item.product_id is not None and product is None:
                errors[key] = "That product is no longer in the list."
                continue
            category = item.category_id
            if category is None and product is not None:
                category = product.category_id
            if category is not None and category not in categories:
                errors[key] = "That category is no longer in the list."
                continue
            if not (product or category or words):
                continue  # an empty line is no line
            if len(words) > MAX_DESCRIPTION:
                errors[key] = f"Keep each item under {MAX_DESCRIPTION} characters."
                continue
            amount = item.amount_minor
            if amount is None and product is not None and product.price_minor is not None:
                amount = product.price_minor * quantity
            if amount is not None and not _amount_ok(amount):
                errors[key] = "That amount is too large."
                continue
            items.append(ItemInput(item.product_id, category, words, quantity, amount))
        total = data.total_minor
        if total is None:
            if items and all(i.amount_minor is not None for i in items):
                total = sum(i.amount_minor for i in items)
            else:
                errors["total"] = "Enter the amount of the sale."
        elif not _amount_ok(total):
            errors["total"] = "That amount is too large."
        note = clean_block(data.note)
        if len(note) > MAX_NOTE:
            errors["note"] = f"Keep the note under {MAX_NOTE} characters."
        if errors:
            raise ValidationError(errors)
        return SaleInput(data.customer_id, data.on, total, tuple(items), note)

    # --- writes ----------------------------------------------------------------------------

    def record(self, data: SaleInput, source: str = "") -> int:
        """Save a sale (and what it earns); returns its id."""
        sale = self.validate(data)
        with self.db.atomic():
            self._customer(sale.customer_id)
            row = Purchase.create(customer=sale.customer_id, purchased_on=sale.on,
                                  total_minor=sale.total_minor, currency=self.currency(),
                                  note=sale.note, source=source,
                                  created_at=utc_naive(self.now()))
            self._write_items(row.id, sale)
            self._earn(row.id, sale, row.currency)
        return row.id

    def update(self, purchase_id: int, data: SaleInput) -> None:
        """Change a sale: its lines are rewritten and what it earns worked out again."""
        sale = self.validate(data)
        with self.db.atomic():
            row = Purchase.get_or_none(Purchase.id == purchase_id)
            if row is None:
                raise NotFound(purchase_id)
            if row.customer_id != sale.customer_id:
                self._customer(sale.customer_id)
            (Purchase.update(customer=sale.customer_id, purchased_on=sale.on,
                             total_minor=sale.total_minor, note=sale.note)
             .where(Purchase.id == purchase_id).execute())
            PurchaseItem.delete().where(PurchaseItem.purchase == purchase_id).execute()
            self._write_items(purchase_id, sale)
            (LoyaltyEntry.delete().where(LoyaltyEntry.purchase == purchase_id,
                                         LoyaltyEntry.kind == "earn").execute())
            self._earn(purchase_id, sale, row.currency)

    def remove(self, purchase_id: int) -> RemovedSale:
        """Delete a sale (its lines and what it earned go with it); returns what `restore`
        needs to put it back exactly."""
        with self.db.atomic():
            row = Purchase.select().where(Purchase.id == purchase_id).dicts().first()
            if row is None:
                raise NotFound(purchase_id)
            items = tuple(PurchaseItem.select().where(PurchaseItem.purchase == purchase_id)
                          .order_by(PurchaseItem.id).dicts())
            loyalty = tuple(LoyaltyEntry.select().where(LoyaltyEntry.purchase == purchase_id)
                            .order_by(LoyaltyEntry.id).dicts())
            Purchase.delete().where(Purchase.id == purchase_id).execute()
        return RemovedSale(row, items, loyalty)

    def restore(self, removed: RemovedSale) -> int:
        """Put a removed sale back, with its ids when they are still free."""
        with self.db.atomic():
            values = dict(removed.purchase)
            if Purchase.get_or_none(Purchase.id == values["id"]) is not None:
                values.pop("id")
            purchase_id = Purchase.insert(**values).execute()
            for model, rows in ((PurchaseItem, removed.items), (LoyaltyEntry, removed.loyalty)):
                for item in rows:
                    item = dict(item, purchase=purchase_id)
                    if model.get_or_none(model.id == item["id"]) is not None:
                        item.pop("id")
                    model.insert(**item).execute()
        return purchase_id

    # --- reads -----------------------------------------------------------------------------

    def get(self, purchase_id: int) -> SaleView:
        row = Purchase.get_or_none(Purchase.id == purchase_id)
        if row is None:
            raise NotFound(purchase_id)
        return self._views([(row.id, row.customer_id, row.purchased_on, row.total_minor,
                             row.currency, row.note, row.source)])[0]

    def history(self, customer_id: int, limit: int = 200, offset: int = 0) -> list[SaleView]:
        """A customer's sales, newest first, with their items."""
        rows = self.db.execute_sql(
            "SELECT id, customer_id, purchased_on, total_minor, currency, note, source "
            "FROM purchase WHERE customer_id = ? ORDER BY purchased_on DESC, id DESC "
            "LIMIT ? OFFSET ?", (customer_id, limit, offset)).fetchall()
        return self._views(rows)

    def summary(self, customer_id: int, recent: int = HISTORY) -> SalesSummary:
        """Totals (one row kept by triggers), favourite categories (one index scan) and the
        last `recent` sales: what the card shows."""
        row = self.db.execute_sql(
            "SELECT purchases, total_minor, first_purchase_on, last_purchase_on, "
            "loyalty_balance FROM customer_sales WHERE customer_id = ?",
            (customer_id,)).fetchone()
        visits, total, first, last, balance = row or (0, 0, None, None, 0)
        favourites = self.db.execute_sql(
            "SELECT c.name, f.n FROM (SELECT category_id, COUNT(*) AS n FROM purchase_item "
            "WHERE customer_id = ? AND category_id IS NOT NULL GROUP BY category_id) f "
            "JOIN category c ON c.id = f.category_id ORDER BY f.n DESC, c.name LIMIT ?",
            (customer_id, FAVOURITES)).fetchall() if visits else []
        return SalesSummary(
            customer_id, visits, total, average(total, visits), _date(first), _date(last),
            balance, tuple((name, n) for name, n in favourites),
            tuple(self.history(customer_id, recent)) if visits and recent else ())

    # --- items typed as words --------------------------------------------------------------

    def parse_items(self, text: str) -> tuple[ItemInput, ...]:
        """"2 x Croissant, Coffee, gift wrap" -> items: a name of a product (or else of a
        category) in the list is that product (category); other words are kept as they are."""
        products = {fold(p.name): p for p in self.catalogue.products(include_archived=True)}
        categories = {fold(c.name): c for c in self.catalogue.categories(include_archived=True)}
        items = []
        for part in (text or "").split(","):
            part = clean(part)
            if not part:
                continue
            quantity = 1
            match = _QUANTITY.match(part)
            if match:
                quantity, part = int(match.group(1)), clean(match.group(2))
            key = fold(part)
            if key in products:
                items.append(ItemInput(product_id=products[key].id, quantity=quantity))
            elif key in categories:
                items.append(ItemInput(category_id=categories[key].id, quantity=quantity))
            else:
                items.append(ItemInput(description=part, quantity=quantity))
        return tuple(items)

    def item_names(self) -> list[str]:
        """Names to offer while typing items: products, then categories (not archived)."""
        return ([p.name for p in self.catalogue.products()]
                + [c.name for c in self.catalogue.categories()])

    # --- internals -------------------------------------------------------------------------

    def _customer(self, customer_id: int) -> None:
        if not Customer.select().where(Customer.id == customer_id,
                                       Customer.deleted_at.is_null()).exists():
            raise NotFound(customer_id)

    def _write_items(self, purchase_id: int, sale: SaleInput) -> None:
        for item in sale.items:
            PurchaseItem.create(purchase=purchase_id, customer=sale.customer_id,
                                purchased_on=sale.on, product=item.product_id,
                                category=item.category_id, description=item.description,
                                quantity=item.quantity, amount_minor=item.amount_minor)

    def _earn(self, purchase_id: int, sale: SaleInput, currency: str) -> None:
        if self.loyalty is not None:
            self.loyalty.earn(purchase_id, sale.customer_id, sale.total_minor, currency,
                              [i.category_id for i in sale.items])

    def _views(self, rows: list[tuple]) -> list[SaleView]:
        if not rows:
            return []
        ids = [r[0] for r in rows]
        items: dict[int, list[ItemView]] = {i: [] for i in ids}
        for r in self.db.execute_sql(
                "SELECT i.purchase_id, i.id, i.product_id, i.category_id, "
                "COALESCE(NULLIF(i.description, ''), p.name, c.name, ''), i.quantity, "
                "i.amount_minor FROM purchase_item i LEFT JOIN product p ON p.id = i.product_id "
                "LEFT JOIN category c ON c.id = i.category_id "
                f"WHERE i.purchase_id IN ({','.join('?' * len(ids))}) ORDER BY i.id", ids):
            items[r[0]].append(ItemView(*r[1:]))
        return [SaleView(r[0], r[1], _date(r[2]), r[3], r[4], r[5], r[6], tuple(items[r[0]]))
                for r in rows]


def average(total_minor: int, count: int) -> int | None:
    """The average basket in minor units, rounded half up (away from zero); None for none."""
    if not count:
        return None
    whole, rest = divmod(abs(total_minor), count)
    value = whole + (1 if rest * 2 >= count else 0)
    return value if total_minor >= 0 else -value


def _amount_ok(amount) -> bool:
    return isinstance(amount, int) and not isinstance(amount, bool) and abs(amount) < MAX_AMOUNT


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
