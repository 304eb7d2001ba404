"""A person's own data in plain words: the readable copy next to the JSON of `export_person`.

Written from the same record the JSON is made of (formats/export_records.py plus
export_person.read_sales), so both files say the same: details, tags, consents, important dates,
conversations, follow-ups, appointments, purchases with their items and totals, and the loyalty
ledger with its balance. Dates are YYYY-MM-DD, times UTC; money is the decimal amount made by
core/money.py with its currency code, as on the command line. English, like the JSON's keys:
this file is read outside the program, by the person who asked.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from crmdesk.core import rfm

_DETAILS = (
    ("kind", "Kind"), ("first_name", "First name"), ("last_name", "Last name"),
    ("business_name", "Business"), ("phone", "Phone"), ("phone_alt", "Other phone"),
    ("email", "Email"), ("whatsapp", "WhatsApp"), ("address", "Address"),
    ("postcode", "Postcode"), ("city", "City"), ("country", "Country"), ("notes", "Notes"),
    ("likes", "Likes"), ("dislikes", "Dislikes"), ("diet", "Diet"), ("sizes", "Sizes"),
    ("status", "Status"), ("source", "How they found the shop"),
    ("do_not_contact", "Do not contact"), ("keep_in_touch_days", "Keep in touch every (days)"),
    ("last_contact_at", "Last contacted"), ("created_at", "Added"), ("updated_at", "Changed"),
    ("deleted_at", "In Trash since"),
)
_KINDS = {"earn": "earned", "redeem": "redeemed", "adjust": "adjusted"}


def write_text(handle: IO[str], record: dict, exported_at: dt.datetime) -> None:
    """Write one customer's record (with `purchases`, `sales_summary`, `loyalty`)."""
    lines = [f"Everything this shop's customer book holds about {record['display_name']}",
             f"Customer number {record['id']}, written {_when(exported_at)}."]
    lines += _section("Details", [_detail(label, record.get(key)) for key, label in _DETAILS
                                  if record.get(key) not in (None, "", False)])
    lines += _section("Tags", [", ".join(record["tags"])] if record["tags"] else [])
    lines += _section("Consents", [
        f"{c['channel']}: {'yes' if c['granted'] else 'no'}"
        + (f", recorded {_when(c['recorded_on'])}" if c["recorded_on"] else "")
        + (f" ({c['source']})" if c["source"] else "") for c in record["consents"]])
    lines += _section("Important dates", [
        f"{d['label'] or d['kind']}: " + (f"{d['year']:04d}-{d['month']:02d}-{d['day']:02d}"
                                          if d["year"] else
                                          f"{d['month']:02d}-{d['day']:02d} (month-day)")
        for d in record["dates"]])
    lines += _section("Conversations", [
        f"{_when(c['occurred_at'])}  {c['channel']} ({c['direction']}): {c['summary']}"
        for c in record.get("conversations", [])])
    lines += _section("Follow-ups", [
        f"{_when(f['due_on'])}  {f['title']}" + (f" (done {_when(f['done_at'])})"
                                                if f["done_at"] else "")
        for f in record.get("follow_ups", [])])
    lines += _section("Appointments", [
        f"{_when(a['starts_at'])}  {a['place']}" + (f": {a['note']}" if a["note"] else "")
        for a in record.get("appointments", [])])
    lines += _section("Purchases", _purchases(record.get("purchases", [])))
    lines += _section("Purchases in total", _summary(record.get("sales_summary")))
    days = {sale["id"]: sale["purchased_on"] for sale in record.get("purchases", [])}
    lines += _section("Loyalty", _loyalty(record.get("loyalty"), days))
    handle.write("\n".join(lines) + "\n")


def _section(title: str, body: list[str]) -> list[str]:
    return ["", title, "-" * len(title)] + (body or ["(none)"])


def _detail(label: str, value) -> str:
    if value is True:
        value = "yes"
    text = _when(value) if isinstance(value, dt.date) else str(value)
    return f"{label}: " + text.replace("\n", "\n    ")


def _when(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") + " UTC"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value or "")


def _money(amount: str | None, currency: str) -> str:
    """The decimal text `read_sales` made with core/money.py, and the currency's code."""
    return f"{amount} {currency}".strip() if amount is not None else ""


def _purchases(purchases: list[dict]) -> list[str]:
    lines = []
    for sale in purchases:
        lines.append(f"{_when(sale['purchased_on'])}  {_money(sale['total'], sale['currency'])}"
                     + (f"  ({sale['source']})" if sale["source"] else ""))
        for item in sale["items"]:
            words = item["description"] or item["product"] or item["category"] or "item"
            named = [n for n in (item["product"], item["category"]) if n and n != words]
            line = f"    {item['quantity']} × {words}"
            if named:
                line += f" ({', '.join(named)})"
            if item["amount"] is not None:
                line += f": {_money(item['amount'], sale['currency'])}"
            lines.append(line)
        if sale["note"]:
            lines.append("    Note: " + sale["note"].replace("\n", "\n    "))
    return lines


def _summary(summary: dict | None) -> list[str]:
    if not summary or not summary["purchases"]:
        return []
    lines = [f"Purchases: {summary['purchases']}"]
    lines += [f"Spent: {_money(t['total'], t['currency'])}" for t in summary["totals"]]
    lines.append(f"First: {_when(summary['first_purchase_on'])}, "
                 f"last: {_when(summary['last_purchase_on'])}")
    if summary["segment"]:
        label = rfm.LABELS.get(summary["segment"], summary["segment"])
        lines.append(f"Group in the shop's sales report: {label}")
    return lines


def _loyalty(loyalty: dict | None, days: dict[int, dt.date]) -> list[str]:
    if not loyalty or not loyalty["entries"]:
        return []
    unit = loyalty["unit"]
    lines = [f"Balance: {loyalty['balance']} {unit} (earned {loyalty['earned']}, "
             f"redeemed {loyalty['redeemed']}"
             + (f", adjusted {loyalty['adjusted']}" if loyalty["adjusted"] else "") + ")"]
    for entry in loyalty["entries"]:
        points = entry["points"]
        count = f"{points:+d}" if entry["kind"] == "adjust" else str(abs(points))
        line = (f"{_when(entry['created_at'])}  {_KINDS.get(entry['kind'], entry['kind'])} "
                f"{count} {unit}")
        if entry["purchase_id"] in days:
            line += f" for the purchase of {_when(days[entry['purchase_id']])}"
        if entry["reward"]:
            line += f": {entry['reward']}"
        lines.append(line)
    return lines
