"""JSON of everything: a full, lossless copy of the customer book's data.

    {"format": "crmdesk", "version": 1, "exported_at": "2026-03-10T10:30:00Z",
     "customers": [ {...}, {...} ]}

One customer per line (streamed, and readable in a diff), keys in a fixed order, customers by id,
their dates by month and day, consents by channel, tags by name, conversations, follow-ups and
appointments oldest first. Dates are YYYY-MM-DD; datetimes are UTC, YYYY-MM-DDTHH:MM:SSZ (they
are stored as naive UTC). `customer_input()` reads a customer back as a CustomerInput.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import IO

from crmdesk.core.model import ConsentInput, CustomerInput, DateInput

FORMAT = "crmdesk"
VERSION = 1


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


def write_json(handle: IO[str], records: Iterable[dict], exported_at: dt.datetime) -> int:
    """Write the document to a text handle; returns the number of customers."""
    head = json.dumps({"format": FORMAT, "version": VERSION, "exported_at": iso(exported_at)},
                      ensure_ascii=False)
    handle.write(head[:-1] + ', "customers": [')
    count = 0
    for record in records:
        handle.write(",\n" if count else "\n")
        handle.write(json.dumps(_plain(record), ensure_ascii=False))
        count += 1
    handle.write("\n]}\n")
    return count


def customer_input(item: dict) -> CustomerInput:
    """One exported customer as the CustomerInput the book would load (dates keep their ids)."""
    data = CustomerInput(**{name: item[name] for name in (
        "kind", "first_name", "last_name", "business_name", "phone", "phone_alt", "email",
        "whatsapp", "address", "city", "postcode", "country", "notes", "likes", "dislikes",
        "diet", "sizes", "status", "source", "do_not_contact", "keep_in_touch_days")})
    data.tags = list(item["tags"])
    data.dates = [DateInput(kind=d["kind"], day=d["day"], month=d["month"], year=d["year"],
                            label=d["label"], lead_days=d["lead_days"], id=d["id"])
                  for d in item["dates"]]
    data.consents = [ConsentInput(c["channel"], c["granted"],
                                  dt.date.fromisoformat(c["recorded_on"])
                                  if c["recorded_on"] else None, c["source"])
                     for c in item["consents"]]
    return data
