"""vCard 3.0 (RFC 2426) for phones and mail programs, and the text rules it shares with iCalendar.

Written by hand (vobject is only a test client): CRLF line ends, lines folded at 75 octets
without splitting a UTF-8 character, TEXT values escaped (backslash, comma, semicolon, newline).

Per customer: N, FN, ORG (business name), TEL;TYPE=CELL (phone), TEL;TYPE=HOME (other phone),
the WhatsApp number as one more TEL;TYPE=CELL only when it differs from both, EMAIL;TYPE=INTERNET,
ADR;TYPE=HOME, BDAY, X-ANNIVERSARY, NOTE (notes, then likes, dislikes, diet and sizes as labelled
lines), CATEGORIES (tags), UID (crmdesk-customer-<id>, so a phone updates rather than doubles a
contact exported twice) and REV.

Dates: with a year, YYYY-MM-DD. Without a year, vCard 3.0 has no form; we write --MMDD, the form
of RFC 6350 (vCard 4) that Android, iOS and Thunderbird accept in a 3.0 card too; X-ANNIVERSARY
(the name Android and KDE read) likewise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

CRLF = "\r\n"


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line: str) -> str:
    """One content line, folded at 75 octets (continuations start with a space), CRLF-ended."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + CRLF
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a UTF-8 character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space of a continuation is one of its 75 octets
    return (CRLF + " ").join(parts) + CRLF


def vcard_date(day: int, month: int, year: int | None) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}{day:02d}"


def _note(record: dict) -> str:
    lines = [record["notes"]] if record["notes"] else []
    for label, key in (("Likes", "likes"), ("Dislikes", "dislikes"), ("Diet", "diet"),
                       ("Sizes", "sizes")):
        if record[key]:
            lines.append(f"{label}: {record[key]}")
    return "\n".join(lines)


def card_lines(record: dict) -> list[str]:
    """The content lines of one customer's card (unfolded)."""
    first, last = record["first_name"], record["last_name"]
    name = record["display_name"] or " ".join(x for x in (first, last) if x)
    lines = ["BEGIN:VCARD", "VERSION:3.0",
             f"N:{escape_text(last)};{escape_text(first)};;;",
             f"FN:{escape_text(name)}"]
    if record["business_name"]:
        lines.append(f"ORG:{escape_text(record['business_name'])}")
    if record["phone"]:
        lines.append(f"TEL;TYPE=CELL:{record['phone']}")
    if record["phone_alt"]:
        lines.append(f"TEL;TYPE=HOME:{record['phone_alt']}")
    if record["whatsapp"] and record["whatsapp"] not in (record["phone"], record["phone_alt"]):
        lines.append(f"TEL;TYPE=CELL:{record['whatsapp']}")
    if record["email"]:
        lines.append(f"EMAIL;TYPE=INTERNET:{escape_text(record['email'])}")
    if any(record[key] for key in ("address", "city", "postcode", "country")):
        parts = ("", "", record["address"], record["city"], "", record["postcode"],
                 record["country"])
        lines.append("ADR;TYPE=HOME:" + ";".join(escape_text(part) for part in parts))
    written = set()
    for item in record["dates"]:
        if item["kind"] in written or item["kind"] == "custom":
            continue
        written.add(item["kind"])
        prop = "BDAY" if item["kind"] == "birthday" else "X-ANNIVERSARY"
        lines.append(f"{prop}:{vcard_date(item['day'], item['month'], item['year'])}")
    note = _note(record)
    if note:
        lines.append(f"NOTE:{escape_text(note)}")
    if record["tags"]:
        lines.append("CATEGORIES:" + ",".join(escape_text(tag) for tag in record["tags"]))
    lines.append(f"UID:crmdesk-customer-{record['id']}")
    updated = record.get("updated_at")
    if isinstance(updated, dt.datetime):
        lines.append(f"REV:{updated.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    lines.append("END:VCARD")
    return lines


def write_vcards(handle: IO[str], records: Iterable[dict]) -> int:
    """Write one card per record to a text handle opened with newline=""."""
    count = 0
    for record in records:
        handle.write("".join(fold(line) for line in card_lines(record)))
        count += 1
    return count
