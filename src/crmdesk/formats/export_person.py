"""A person's own data ("what do you hold about me?"): everything about one customer.

`export_person` writes into a folder, each file atomically and readable by its owner only:

- crmdesk-<name>-<id>.json: the crmdesk JSON document (formats/export_json.py) with this one
  customer, conversations, follow-ups and appointments included, and also
  `purchases` (oldest first, each with its items: product, category, words, quantity, amount),
  `sales_summary` (number of purchases, totals by currency, first and last day, the RFM
  segment the shop's reports put them in) and `loyalty` (the whole ledger, oldest first:
  earned, redeemed with the reward's words, adjusted; earned and redeemed in total; balance).
  Amounts are decimal text ("12.50") next to their currency code, made by core/money.py from
  the stored minor units (never through floats). The file still reads back with the JSON
  importer: the extra keys are ignored there.
- crmdesk-<name>-<id>.vcf: the contact card. Purchases and points are not contact details and
  are left out of it (an address book that imports the card would otherwise keep them).
- crmdesk-<name>-<id>.txt: the same facts as the JSON in plain words for the person to read
  (formats/export_person_text.py), purchases and loyalty included.

The customer is exported whether in Trash, marked do-not-contact or "forgotten".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.core import money
from crmdesk.core import settings as business_settings
from crmdesk.formats import export_json as json_format
from crmdesk.formats import export_person_text as text_format
from crmdesk.formats import export_vcard as vcard_format
from crmdesk.formats.export_files import atomic_output
from crmdesk.formats.export_records import iter_records, parse_date, parse_datetime

__all__ = ["CUSTOMER_TABLES", "NOT_EXPORTED", "PersonExport", "export_person", "read_sales"]

#: Every table with a customer reference whose rows the person's JSON carries, and where
#: (tests/unit/test_customer_tables.py compares this with the schema and with a real export).
CUSTOMER_TABLES = {
    "customer": "customers[]", "consent": "customers[].consents",
    "customer_tag": "customers[].tags", "important_date": "customers[].dates",
    "interaction": "customers[].conversations", "follow_up": "customers[].follow_ups",
    "appointment": "customers[].appointments", "purchase": "customers[].purchases",
    "purchase_item": "customers[].purchases[].items",
    "loyalty_entry": "customers[].loyalty.entries",
    "customer_sales": "customers[].sales_summary, customers[].loyalty.balance",
}
#: Tables with a customer reference left out, and why.
NOT_EXPORTED = {
    "reminder_delivery": "the log of which reminders this PC showed the shop (birthday shown, "
                         "snoozed, done): the shop's own bookkeeping, derived from the dates "
                         "and follow-ups that are exported",
}


@dataclass(frozen=True)
class PersonExport:
    json_path: Path
    vcard_path: Path
    text_path: Path | None = None


def export_person(db: SqliteDatabase, customer_id: int, folder: Path, *,
                  now: dt.datetime | None = None) -> PersonExport:
    """Everything about one customer into `folder` as crmdesk-<name>-<id>.json, .vcf and .txt.
    Raises LookupError for an unknown customer, ExportError when the folder cannot be written."""
    row = db.execute_sql("SELECT display_name FROM customer WHERE id = ?",
                         (customer_id,)).fetchone()
    if row is None:
        raise LookupError(customer_id)
    stem = "crmdesk-" + file_word(row[0]) + f"-{customer_id}"
    folder = Path(folder)
    paths = PersonExport(folder / f"{stem}.json", folder / f"{stem}.vcf", folder / f"{stem}.txt")
    stamp = _utc_now(now)
    record = next(iter_records(db, [customer_id], history=True))
    record.update(read_sales(db, customer_id))
    with atomic_output(paths.json_path) as handle:
        # Version 1: its purchases and loyalty are the words-and-decimals kind described above,
        # not version 2's ledger (the importer reads the customer and ignores them).
        json_format.write_json(handle, [record], stamp, version=1)
    with atomic_output(paths.vcard_path, newline="") as handle:
        vcard_format.write_vcards(handle, iter_records(db, [customer_id]))
    with atomic_output(paths.text_path) as handle:
        text_format.write_text(handle, record, stamp)
    return paths


def read_sales(db: SqliteDatabase, customer_id: int) -> dict:
    """One customer's `purchases`, `sales_summary` and `loyalty` as plain data (see the module's
    notes): amounts as decimal text with their currency, dates as dt.date, times as naive UTC."""
    purchases, totals = _purchases(db, customer_id)
    return {"purchases": purchases,
            "sales_summary": _summary(db, customer_id, purchases, totals),
            "loyalty": _loyalty(db, customer_id)}


def _amount(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(money.to_decimal(minor, currency))


def _purchases(db: SqliteDatabase, customer_id: int) -> tuple[list[dict], dict[str, int]]:
    """The sales oldest first with their items, and the sum of their totals by currency."""
    sales: dict[int, dict] = {}
    totals: dict[str, int] = {}
    for sale_id, on, total, currency, note, source, created in db.execute_sql(
            "SELECT id, purchased_on, total_minor, currency, note, source, created_at "
            "FROM purchase WHERE customer_id = ? ORDER BY purchased_on, id", (customer_id,)):
        sales[sale_id] = {
            "id": sale_id, "purchased_on": parse_date(on), "total": _amount(total, currency),
            "currency": currency, "note": note, "source": source,
            "created_at": parse_datetime(created), "items": []}
        totals[currency] = totals.get(currency, 0) + total
    if sales:
        for sale_id, product, category, words, quantity, minor in db.execute_sql(
                "SELECT i.purchase_id, p.name, c.name, i.description, i.quantity, "
                "i.amount_minor FROM purchase_item i "
                "LEFT JOIN product p ON p.id = i.product_id "
                "LEFT JOIN category c ON c.id = i.category_id "
                "WHERE i.purchase_id IN (SELECT id FROM purchase WHERE customer_id = ?) "
                "ORDER BY i.purchase_id, i.id", (customer_id,)):
            sale = sales[sale_id]
            sale["items"].append({
                "product": product, "category": category, "description": words,
                "quantity": quantity, "amount": _amount(minor, sale["currency"])})
    return list(sales.values()), totals


def _summary(db: SqliteDatabase, customer_id: int, purchases: list[dict],
             totals: dict[str, int]) -> dict:
    row = db.execute_sql(
        "SELECT r_score, f_score, m_score, rfm_segment FROM customer_sales WHERE customer_id = ?",
        (customer_id,)).fetchone()
    r_score, f_score, m_score, segment = row or (None, None, None, None)
    days = [sale["purchased_on"] for sale in purchases]
    return {
        "purchases": len(purchases),
        "totals": [{"currency": code, "total": _amount(minor, code)}
                   for code, minor in sorted(totals.items())],
        "first_purchase_on": min(days, default=None),
        "last_purchase_on": max(days, default=None),
        "segment": segment or None,
        "scores": ({"recency": r_score, "frequency": f_score, "monetary": m_score}
                   if r_score is not None else None),
    }


def _loyalty(db: SqliteDatabase, customer_id: int) -> dict:
    entries = [{"id": entry_id, "kind": kind, "points": points, "reward": reward,
                "purchase_id": purchase_id, "created_at": parse_datetime(created)}
               for entry_id, kind, points, reward, purchase_id, created in db.execute_sql(
                   "SELECT id, kind, points, reward, purchase_id, created_at FROM loyalty_entry "
                   "WHERE customer_id = ? ORDER BY created_at, id", (customer_id,))]
    row = db.execute_sql("SELECT loyalty_balance FROM customer_sales WHERE customer_id = ?",
                         (customer_id,)).fetchone()
    mode = business_settings.load(db).loyalty_mode
    return {
        "unit": "stamps" if mode == "stamps" else "points",
        "balance": int(row[0]) if row else 0,
        "earned": sum(e["points"] for e in entries if e["kind"] == "earn"),
        "redeemed": -sum(e["points"] for e in entries if e["kind"] == "redeem"),
        "adjusted": sum(e["points"] for e in entries if e["kind"] == "adjust"),
        "entries": entries,
    }


def file_word(name: str) -> str:
    """A name made safe for a file name on every OS (letters and digits kept, accents too)."""
    word = "-".join("".join(ch if ch.isalnum() else " " for ch in name).split())
    return word[:60] or "customer"


def _utc_now(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    return now.replace(microsecond=0)
