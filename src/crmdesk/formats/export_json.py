"""JSON of everything: a full, lossless copy of the customer book's data (format version 2).

    {"format": "crmdesk", "version": 2, "exported_at": "2026-03-10T10:30:00Z",
     "settings": {"shop_name": "...", ...},          business settings that differ from defaults
     "categories": [{"id", "name", "archived"}],
     "products": [{"name", "category", "price_minor", "archived"}],
     "segments": [{"name", "rules": {...}, "created_at", "updated_at"}],
     "customers": [
       {"id", "kind", "first_name", ..., "deleted_at",        every column of the customer
        "tags": [...], "consents": [...], "dates": [...],
        "conversations": [...], "follow_ups": [...], "appointments": [...],
        "purchases": [{"id", "purchased_on", "total_minor", "currency", "note", "source",
                       "import_batch", "created_at",
                       "items": [{"product", "category", "description", "quantity",
                                  "amount_minor"}]}],
        "loyalty": [{"id", "purchase_id", "kind", "points", "reward", "created_at"}]},
       ...],
     "purchases": [...]}                              sales whose customer was erased for good

One customer per line (streamed, and readable in a diff), keys in a fixed order, customers by id,
their dates by month and day, consents by channel, tags by name, conversations, follow-ups,
appointments, purchases and loyalty oldest first. Dates are YYYY-MM-DD; datetimes are UTC,
YYYY-MM-DDTHH:MM:SSZ (they are stored as naive UTC); money is integer minor units (cents) of the
purchase's currency. Ids are the book's own; within the file they only link a loyalty entry to
its purchase and the `loyalty_stamp_category` setting to a category: products, items and
segments name things by their (unique) names. Version 1 (before sales and the book's sections)
is the same without those keys; the importer reads both. `customer_input()` reads a customer
back as a CustomerInput.

`CUSTOMER_TABLES` are the tables with a customer_id column the export carries; `NOT_EXPORTED`
says why the others are left out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import IO

from crmdesk.core.model import ConsentInput, CustomerInput, DateInput

FORMAT = "crmdesk"
VERSION = 2
#: The versions the importer reads.
VERSIONS = (1, 2)

#: Every table with a customer reference that the export carries, and where in the document.
CUSTOMER_TABLES = {
    "customer": "customers[]", "consent": "customers[].consents",
    "customer_tag": "customers[].tags", "important_date": "customers[].dates",
    "interaction": "customers[].conversations", "follow_up": "customers[].follow_ups",
    "appointment": "customers[].appointments", "purchase": "customers[].purchases, purchases",
    "purchase_item": "customers[].purchases[].items", "loyalty_entry": "customers[].loyalty",
}
#: Tables with a customer_id column that are not exported, and why.
NOT_EXPORTED = {
    "customer_sales": "derived: sums kept by triggers, RFM scores recomputed from the sales",
    "reminder_delivery": "a log of the notifications shown on this PC; its keys name this "
                         "book's ids, and a restored book reminds afresh",
}


def iso(value):
    """Dates and datetimes as ISO text (datetimes as UTC with Z), anything else unchanged."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return iso(value)


def write_json(handle: IO[str], records: Iterable[dict], exported_at: dt.datetime, *,
               sections: dict | None = None, purchases: list[dict] | None = None,
               version: int = VERSION) -> int:
    """Write the document to a text handle; returns the number of customers. `sections`
    (settings, categories, products, segments) come before the customers, `purchases` (sales
    without a customer) after them."""
    head = {"format": FORMAT, "version": version, "exported_at": iso(exported_at)}
    head.update(_plain(sections or {}))
    text = json.dumps(head, ensure_ascii=False)
    handle.write(text[:-1] + ', "customers": [')
    count = 0
    for record in records:
        handle.write(",\n" if count else "\n")
        handle.write(json.dumps(_plain(record), ensure_ascii=False))
        count += 1
    handle.write("\n]")
    if purchases is not None:
        handle.write(', "purchases": [')
        for index, purchase in enumerate(purchases):
            handle.write(",\n" if index else "\n")
            handle.write(json.dumps(_plain(purchase), ensure_ascii=False))
        handle.write("\n]" if purchases else "]")
    handle.write("}\n")
    return count


def customer_input(item: dict) -> CustomerInput:
    """One exported customer as the CustomerInput the book would load (dates keep their ids)."""
    data = CustomerInput(**{name: item[name] for name in (
        "kind", "first_name", "last_name", "business_name", "phone", "phone_alt", "email",
        "whatsapp", "address", "city", "postcode", "country", "notes", "likes", "dislikes",
        "diet", "sizes", "status", "source", "do_not_contact", "keep_in_touch_days")})
    data.phone_check = item.get("phone_check") or ""  # (version 1 files have none)
    data.tags = list(item["tags"])
    data.dates = [DateInput(kind=d["kind"], day=d["day"], month=d["month"], year=d["year"],
                            label=d["label"], lead_days=d["lead_days"], id=d["id"])
                  for d in item["dates"]]
    data.consents = [ConsentInput(c["channel"], c["granted"],
                                  dt.date.fromisoformat(c["recorded_on"])
                                  if c["recorded_on"] else None, c["source"])
                     for c in item["consents"]]
    return data
