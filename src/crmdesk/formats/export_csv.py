"""CSV for spreadsheets: UTF-8 with BOM, comma-separated, CRLF, one customer a line.

Formula safety. A spreadsheet evaluates a cell that starts with = + - @ (or tab / CR), and a
customer's notes may hold `=HYPERLINK(...)`. Such a cell gets a leading single quote, the
spreadsheets' own "this is text" marker, with one exception: a cell that starts with + or -
and holds nothing but digits, spaces and ( ) . / - (a phone number, a number: "+44 20 7946
0765", "-5") is written as it is. It cannot be a harmful formula (no letters: no function, no
reference, no link, no DDE; at worst a spreadsheet would do arithmetic on constants), and a quote
in front would show in the cell ('+44...) in Excel and LibreOffice, which only take the quote as
a marker when it is typed, not when it is read from a CSV. Cells starting with = or @ are always
guarded. Cells that already start with quotes followed by one of those characters get one more
quote, so the guard is reversible: `unguard()` gives back exactly what was stored (the crmdesk
importer and tests use it). `spreadsheet_safe=False` writes the raw values, for a file meant for
another program rather than a spreadsheet.

Phones are stored as E.164 (+447700900123). Written like that, a spreadsheet reads a number
(447700900123, shown as 4.477E+11) and the + is gone; so the phone columns write the country
code apart, "+44 7700900123": not a number to a spreadsheet (the space), shown as it is, and read
back to the same E.164 number by any importer (crmdesk's included). A number kept as written
because it could not be checked is written as it was typed.

Dates: ISO, YYYY-MM-DD; a birthday without a year is --MM-DD (as in vCard 4 / ISO 8601), which
the guard writes as '--MM-DD so a spreadsheet does not compute 3-10 = -7 from it. Last contact
and created are local date-times, YYYY-MM-DD HH:MM.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from typing import IO

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


_FIRST = frozenset(_DANGEROUS) | {"'"}


_NUMBER_LIKE = re.compile(r"[+\-\uff0b\uff0d]?[ ]?[0-9(][0-9 ()./\-]*")
_SIGNS = frozenset("+-\uff0b\uff0d")


def guard(text: str) -> str:
    """The cell made safe against formula injection (see the module docstring)."""
    if not text or text[0] not in _FIRST:
        return text
    if text[0] in _SIGNS and _NUMBER_LIKE.fullmatch(text):
        return text  # a phone number or a number: shown as it is
    if text.lstrip("'").startswith(_DANGEROUS):
        return "'" + text
    return text


def spaced_phone(number: str) -> str:
    """An E.164 number with its country code apart ("+44 7700900123"); anything else as is."""
    if len(number) < 4 or number[0] != "+" or not number[1:].isdigit():
        return number
    for size in (1, 2, 3):  # country calling codes are prefix-free
        if int(number[1:1 + size]) in COUNTRY_CODE_TO_REGION_CODE:
            return f"{number[:1 + size]} {number[1 + size:]}"
    return number


def unguard(text: str) -> str:
    """The value `guard` was given."""
    if text.startswith("'") and text.lstrip("'").startswith(_DANGEROUS):
        return text[1:]
    return text


def date_text(day: int, month: int, year: int | None) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _first_date(record: dict, kind: str) -> str:
    for item in record["dates"]:
        if item["kind"] == kind:
            return date_text(item["day"], item["month"], item["year"])
    return ""


def _other_dates(record: dict) -> str:
    """Labelled dates, and any birthday or anniversary after the first (which have columns of
    their own): "Name day --06-05; Anniversary 2019-07-01"."""
    seen, parts = set(), []
    for item in record["dates"]:
        kind = item["kind"]
        if kind != "custom" and kind not in seen:
            seen.add(kind)  # the Birthday / Anniversary column's
            continue
        label = item["label"] if kind == "custom" else kind.capitalize()
        parts.append(f"{label} {date_text(item['day'], item['month'], item['year'])}")
    return "; ".join(parts)


def _consent(channel: str) -> Callable[[dict], str]:
    def cell(record: dict) -> str:
        for consent in record["consents"]:
            if consent["channel"] == channel:
                words = ["yes" if consent["granted"] else "no"]
                if consent["recorded_on"]:
                    words.append(consent["recorded_on"].isoformat())
                if consent["source"]:
                    words.append(f"({consent['source']})")
                return " ".join(words)
        return ""
    return cell


def _field(name: str) -> Callable[[dict], str]:
    return lambda record: record[name]


def _tag(name: str) -> str:
    """A tag as the list of tags writes it: in quotes when it holds a separator or a quote."""
    if any(mark in name for mark in ',;"') or ":::" in name or name.startswith("*"):
        return '"' + name.replace('"', '""') + '"'
    return name


def _phone(name: str) -> Callable[[dict], str]:
    return lambda record: spaced_phone(record[name])


def _local(value: dt.datetime | None, tz: dt.tzinfo | None) -> str:
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone(tz).strftime("%Y-%m-%d %H:%M")


#: key -> (header, cell). Datetime cells take the time zone, the others only the record.
COLUMNS: dict[str, tuple[str, Callable[[dict], str]]] = {
    "name": ("Name", _field("display_name")),
    "first_name": ("First name", _field("first_name")),
    "last_name": ("Last name", _field("last_name")),
    "business_name": ("Business", _field("business_name")),
    "kind": ("Kind", _field("kind")),
    "phone": ("Phone", _phone("phone")),
    "phone_alt": ("Other phone", _phone("phone_alt")),
    "email": ("Email", _field("email")),
    "whatsapp": ("WhatsApp", _phone("whatsapp")),
    "address": ("Address", _field("address")),
    "postcode": ("Postcode", _field("postcode")),
    "city": ("City", _field("city")),
    "country": ("Country", _field("country")),
    "tags": ("Tags", lambda r: ", ".join(_tag(t) for t in r["tags"])),
    "status": ("Status", _field("status")),
    "source": ("Source", _field("source")),
    "notes": ("Notes", _field("notes")),
    "likes": ("Likes", _field("likes")),
    "dislikes": ("Dislikes", _field("dislikes")),
    "diet": ("Diet", _field("diet")),
    "sizes": ("Sizes", _field("sizes")),
    "do_not_contact": ("Do not contact", lambda r: "yes" if r["do_not_contact"] else "no"),
    "keep_in_touch_days": ("Keep in touch (days)",
                           lambda r: "" if r["keep_in_touch_days"] is None
                           else str(r["keep_in_touch_days"])),
    "consent_email": ("Email consent", _consent("email")),
    "consent_sms": ("SMS consent", _consent("sms")),
    "consent_whatsapp": ("WhatsApp consent", _consent("whatsapp")),
    "consent_phone": ("Phone consent", _consent("phone")),
    "birthday": ("Birthday", lambda r: _first_date(r, "birthday")),
    "anniversary": ("Anniversary", lambda r: _first_date(r, "anniversary")),
    "other_dates": ("Other dates", _other_dates),
    "last_contact": ("Last contact", lambda r: r["last_contact_at"]),
    "created": ("Created", lambda r: r["created_at"]),
}
_DATETIME_KEYS = ("last_contact", "created")

DEFAULT_COLUMNS: tuple[str, ...] = tuple(COLUMNS)


#: Columns only crmdesk's own export has (CSV or Excel, all columns): a file with all of them is
#: a copy of a book, whose customers were apart there (two Anna Smiths stay two).
OWN_HEADERS = frozenset(COLUMNS[key][0] for key in ("kind", "keep_in_touch_days",
                                                    "other_dates", "created"))


def is_own_export(headers: Sequence[str]) -> bool:
    """True for the column names of crmdesk's own CSV or Excel export (all columns)."""
    return OWN_HEADERS <= set(headers)


def check_columns(columns: Sequence[str] | None) -> tuple[str, ...]:
    if columns is None:
        return DEFAULT_COLUMNS
    unknown = [key for key in columns if key not in COLUMNS]
    if unknown or not columns:
        raise ValueError(f"Unknown CSV columns: {', '.join(unknown) or '(none chosen)'}. "
                         f"Choose from: {', '.join(COLUMNS)}.")
    return tuple(columns)


def write_csv(handle: IO[str], records: Iterable[dict], columns: Sequence[str],
              spreadsheet_safe: bool = True, tz: dt.tzinfo | None = None) -> int:
    """Write the header and one row per record to a text handle opened with newline=""."""
    safe = guard if spreadsheet_safe else (lambda text: text)
    writer = csv.writer(handle, dialect="excel")
    writer.writerow([COLUMNS[key][0] for key in columns])
    cells = [(key in _DATETIME_KEYS, COLUMNS[key][1]) for key in columns]
    count = 0
    for record in records:
        writer.writerow([safe(_local(cell(record), tz)) if is_time else safe(cell(record))
                         for is_time, cell in cells])
        count += 1
    return count
