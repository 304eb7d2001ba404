"""The rows a restore writes besides the customers (core/restore.py): categories and products
by name, the business settings the book lacks, and each customer's conversations, follow-ups,
appointments, purchases with their lines and loyalty entries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from peewee import SqliteDatabase

from crmdesk.core.settings import BusinessSettings
from crmdesk.formats.import_common import ImportFileError
from crmdesk.formats.import_json import JsonDocument


def when(value) -> dt.datetime | None:
    """An exported time (UTC, with or without Z) as a naive UTC datetime."""
    if not value:
        return None
    return dt.datetime.fromisoformat(str(value).rstrip("Z")).replace(tzinfo=None)


def text(value: dt.datetime | None) -> str | None:
    """A naive UTC datetime as Peewee stores it."""
    return value.isoformat(" ") if value is not None else None


def _day(value) -> str:
    return dt.date.fromisoformat(str(value)[:10]).isoformat()


class Catalogue:
    """Categories and products by name (case folded), adding those the book lacks."""

    def __init__(self, db: SqliteDatabase, added: dict[str, int]):
        self.db, self.added = db, added
        self.file_categories: dict[int, str] = {}  # the file's category id -> its name
        self.categories = {name.casefold(): cid for cid, name in db.execute_sql(
            "SELECT id, name FROM category")}
        self.products = {name.casefold(): pid for pid, name in db.execute_sql(
            "SELECT id, name FROM product")}

    def category(self, name: str | None, archived: bool = False) -> int | None:
        if not name:
            return None
        key = str(name).casefold()
        if key not in self.categories:
            self.categories[key] = self.db.execute_sql(
                "INSERT INTO category (name, archived) VALUES (?, ?)",
                (str(name), int(bool(archived)))).lastrowid
            self.added["categories"] = self.added.get("categories", 0) + 1
        return self.categories[key]

    def product(self, name: str | None, category: str | None = None,
                price_minor: int | None = None, archived: bool = False) -> int | None:
        if not name:
            return None
        key = str(name).casefold()
        if key not in self.products:
            self.products[key] = self.db.execute_sql(
                "INSERT INTO product (name, category_id, price_minor, archived) "
                "VALUES (?, ?, ?, ?)", (str(name), self.category(category), price_minor,
                                        int(bool(archived)))).lastrowid
            self.added["products"] = self.added.get("products", 0) + 1
        return self.products[key]

    def load(self, document: JsonDocument) -> None:
        try:
            for item in document.categories:
                self.category(item["name"], item.get("archived", False))
                if item.get("id") is not None:
                    self.file_categories[int(item["id"])] = str(item["name"])
            for item in document.products:
                self.product(item["name"], item.get("category"), item.get("price_minor"),
                             item.get("archived", False))
            stamp = text(dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
            for item in document.segments:
                rules = item.get("rules", {})
                words = rules if isinstance(rules, str) else json.dumps(rules,
                                                                        ensure_ascii=False)
                cursor = self.db.execute_sql(
                    "INSERT OR IGNORE INTO segment (name, rules, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?)",
                    (str(item["name"]), words, text(when(item.get("created_at"))) or stamp,
                     text(when(item.get("updated_at"))) or stamp))
                self.added["segments"] = self.added.get("segments", 0) + cursor.rowcount
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ImportFileError(f"The products or segments in this file are damaged "
                                  f"({exc!r}): nothing was imported.") from exc


_SETTINGS = frozenset(f.name for f in dataclasses.fields(BusinessSettings))


def restore_settings(db: SqliteDatabase, document: JsonDocument, names: Catalogue,
              added: dict[str, int]) -> None:
    """The file's business settings the book does not have yet (none is overwritten)."""
    for key, value in document.settings.items():
        if key not in _SETTINGS:
            continue
        if key == "loyalty_stamp_category" and value.strip().isdigit() and int(value):
            value = str(names.category(names.file_categories.get(int(value))) or 0)
        cursor = db.execute_sql("INSERT OR IGNORE INTO setting (key, value) VALUES (?, ?)",
                                (key, value))
        added["settings"] = added.get("settings", 0) + cursor.rowcount


class History:
    """A customer's conversations, follow-ups, appointments, purchases and loyalty entries.
    For a merged customer (`fresh` False), entries the book already has are not doubled.
    `sales` False (a version 1 file): purchases and loyalty are not read (a person's own export
    has them in words and decimals, for reading, not for bringing back)."""

    def __init__(self, db: SqliteDatabase, names: Catalogue, added: dict[str, int],
                 sales: bool = True):
        self.db, self.names, self.added, self.sales = db, names, added, sales

    def _count(self, kind: str) -> None:
        self.added[kind] = self.added.get(kind, 0) + 1

    def _have(self, fresh: bool, sql: str, params: tuple) -> bool:
        return not fresh and self.db.execute_sql(sql, params).fetchone() is not None

    def add(self, cid: int, item: dict, fresh: bool) -> None:
        db = self.db
        for c in item.get("conversations") or []:
            occurred = text(when(c["occurred_at"]))
            summary = c.get("summary") or ""
            if self._have(fresh, "SELECT 1 FROM interaction WHERE customer_id = ? AND "
                          "occurred_at = ? AND channel = ? AND summary = ?",
                          (cid, occurred, c["channel"], summary)):
                continue
            db.execute_sql(
                "INSERT INTO interaction (customer_id, channel, direction, occurred_at, "
                "summary, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (cid, c["channel"], c["direction"], occurred, summary,
                 text(when(c.get("created_at"))) or occurred))
            self._count("conversations")
        for f in item.get("follow_ups") or []:
            title, due = f.get("title") or "", _day(f["due_on"])
            if self._have(fresh, "SELECT 1 FROM follow_up WHERE customer_id = ? AND "
                          "title = ? AND due_on = ?", (cid, title, due)):
                continue
            db.execute_sql(
                "INSERT INTO follow_up (customer_id, title, due_on, done_at, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (cid, title, due, text(when(f.get("done_at"))),
                 text(when(f.get("created_at")) or dt.datetime(2000, 1, 1))))
            self._count("follow_ups")
        for a in item.get("appointments") or []:
            starts = text(when(a["starts_at"]))
            if self._have(fresh, "SELECT 1 FROM appointment WHERE customer_id = ? AND "
                          "starts_at = ?", (cid, starts)):
                continue
            db.execute_sql(
                "INSERT INTO appointment (customer_id, starts_at, place, note, lead_minutes, "
                "created_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cid, starts, a.get("place") or "", a.get("note") or "", a.get("lead_minutes"),
                 text(when(a.get("created_at"))) or starts, text(when(a.get("done_at")))))
            self._count("appointments")
        if not self.sales:
            return
        purchase_ids = {}
        for p in item.get("purchases") or []:
            new_id = self._purchase(cid, p, fresh)
            if p.get("id") is not None and new_id is not None:
                purchase_ids[p["id"]] = new_id
        for e in item.get("loyalty") or []:
            created = text(when(e["created_at"]))
            purchase = purchase_ids.get(e.get("purchase_id"))
            if self._have(fresh, "SELECT 1 FROM loyalty_entry WHERE customer_id = ? AND "
                          "kind = ? AND points = ? AND created_at = ?",
                          (cid, e["kind"], int(e["points"]), created)):
                continue
            db.execute_sql(
                "INSERT INTO loyalty_entry (customer_id, purchase_id, kind, points, reward, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (cid, purchase, e["kind"], int(e["points"]), e.get("reward") or "", created))
            self._count("loyalty entries")

    def _purchase(self, cid: int | None, p: dict, fresh: bool) -> int | None:
        """Insert one sale with its lines; None when the same sale is already there."""
        day, total = _day(p["purchased_on"]), int(p["total_minor"])
        currency, note = p.get("currency") or "", p.get("note") or ""
        created = text(when(p.get("created_at"))) or f"{day} 00:00:00"
        if self._have(fresh, "SELECT 1 FROM purchase WHERE customer_id IS ? AND "
                      "purchased_on = ? AND total_minor = ? AND currency = ? AND note = ? AND "
                      "created_at = ?", (cid, day, total, currency, note, created)):
            return None
        new_id = self.db.execute_sql(
            "INSERT INTO purchase (customer_id, purchased_on, total_minor, currency, note, "
            "source, import_batch, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (cid, day, total, currency, note, p.get("source") or "", p.get("import_batch"),
             created)).lastrowid
        for line in p.get("items") or []:
            self.db.execute_sql(
                "INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, product_id, "
                "category_id, description, quantity, amount_minor) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (new_id, cid, day, self.names.product(line.get("product"), line.get("category")),
                 self.names.category(line.get("category")), line.get("description") or "",
                 int(line.get("quantity", 1)), line.get("amount_minor")))
        self._count("purchases")
        return new_id

    def anonymous(self, purchases: list[dict]) -> None:
        for p in purchases:
            self._purchase(None, p, fresh=False)
