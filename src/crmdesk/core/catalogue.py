"""What the shop sells: the owner's own list of categories and products.

Nothing here is ever deleted: a category or product that is no longer sold is archived, so old
sales keep their words. Names are unique regardless of case. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from crmdesk.core.text import clean
from crmdesk.core.validation import ValidationError
from crmdesk.store.models import Category, Product

MAX_NAME = 100


@dataclass(frozen=True)
class CategoryView:
    id: int
    name: str
    archived: bool


@dataclass(frozen=True)
class ProductView:
    id: int
    name: str
    category_id: int | None
    category_name: str
    price_minor: int | None
    archived: bool


class Catalogue:
    def __init__(self, db: SqliteDatabase):
        self.db = db

    # --- reads -----------------------------------------------------------------------------

    def categories(self, include_archived: bool = False) -> list[CategoryView]:
        query = Category.select().order_by(Category.name)
        if not include_archived:
            query = query.where(Category.archived == False)  # noqa: E712
        return [CategoryView(c.id, c.name, bool(c.archived)) for c in query]

    def products(self, include_archived: bool = False) -> list[ProductView]:
        sql = ("SELECT p.id, p.name, p.category_id, COALESCE(c.name, ''), p.price_minor, "
               "p.archived FROM product p LEFT JOIN category c ON c.id = p.category_id")
        if not include_archived:
            sql += " WHERE p.archived = 0"
        rows = self.db.execute_sql(sql + " ORDER BY p.name COLLATE NOCASE").fetchall()
        return [ProductView(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]

    def product(self, product_id: int) -> ProductView | None:
        return next((p for p in self.products(True) if p.id == product_id), None)

    # --- categories ------------------------------------------------------------------------

    def add_category(self, name: str) -> int:
        """A new category; an archived one of that name comes back instead."""
        name = self._name(name)
        with self.db.atomic():
            found = Category.get_or_none(Category.name == name)
            if found is not None:
                if not found.archived:
                    raise ValidationError({"name": f"There is already a category “{name}”."})
                Category.update(archived=False).where(Category.id == found.id).execute()
                return found.id
            return Category.create(name=name).id

    def rename_category(self, category_id: int, name: str) -> None:
        name = self._name(name)
        with self.db.atomic():
            other = Category.get_or_none(Category.name == name)
            if other is not None and other.id != category_id:
                raise ValidationError({"name": f"There is already a category “{name}”."})
            Category.update(name=name).where(Category.id == category_id).execute()

    def archive_category(self, category_id: int, archived: bool = True) -> None:
        with self.db.atomic():
            Category.update(archived=archived).where(Category.id == category_id).execute()

    # --- products --------------------------------------------------------------------------

    def add_product(self, name: str, category_id: int | None = None,
                    price_minor: int | None = None) -> int:
        name = self._name(name)
        self._check_price(price_minor)
        with self.db.atomic():
            found = Product.get_or_none(Product.name == name)
            if found is not None:
                if not found.archived:
                    raise ValidationError({"name": f"There is already a product “{name}”."})
                (Product.update(archived=False, category=category_id, price_minor=price_minor)
                 .where(Product.id == found.id).execute())
                return found.id
            return Product.create(name=name, category=category_id, price_minor=price_minor).id

    def update_product(self, product_id: int, name: str, category_id: int | None,
                       price_minor: int | None) -> None:
        name = self._name(name)
        self._check_price(price_minor)
        with self.db.atomic():
            other = Product.get_or_none(Product.name == name)
            if other is not None and other.id != product_id:
                raise ValidationError({"name": f"There is already a product “{name}”."})
            (Product.update(name=name, category=category_id, price_minor=price_minor)
             .where(Product.id == product_id).execute())

    def archive_product(self, product_id: int, archived: bool = True) -> None:
        with self.db.atomic():
            Product.update(archived=archived).where(Product.id == product_id).execute()

    # --- checks ----------------------------------------------------------------------------

    @staticmethod
    def _name(name: str) -> str:
        name = clean(name)
        if not name:
            raise ValidationError({"name": "Enter a name."})
        if len(name) > MAX_NAME:
            raise ValidationError({"name": f"Keep the name under {MAX_NAME} characters."})
        return name

    @staticmethod
    def _check_price(price_minor: int | None) -> None:
        if price_minor is not None and (isinstance(price_minor, bool) or price_minor < 0):
            raise ValidationError({"price": "Enter a price of 0 or more."})
