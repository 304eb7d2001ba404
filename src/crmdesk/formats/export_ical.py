"""iCalendar (RFC 5545) of birthdays and anniversaries, as yearly all-day events for a phone.

One VEVENT per important date: UID crmdesk-date-<date id>@crmdesk (stable, so importing the file
again updates the events rather than doubling them), DTSTART;VALUE=DATE, DTEND the day after,
RRULE:FREQ=YEARLY, SUMMARY "Anna Schmidt's birthday" (an anniversary or custom day uses its label
when it has one: "Anna Schmidt: Wedding"), TRANSP:TRANSPARENT (it does not make you busy).

A date without a year starts in 2000: a year in the past (so every coming year shows it) and a
leap year (so Feb 29 exists). A date with a year starts on that date itself, and the year goes in
the DESCRIPTION ("Born 1985"). Feb 29 repeats with RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1,
the last day of February: Feb 28 in common years, as crmdesk reminds by default (a plain yearly
rule would skip three years in four, RFC 5545 drops invalid dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

from crmdesk.formats.export_vcard import escape_text, fold

YEARLESS_YEAR = 2000
DEFAULT_KINDS = ("birthday", "anniversary")


def _summary(name: str, item: dict) -> str:
    if item["kind"] == "birthday":
        return f"{name}'s birthday"
    if item["label"]:
        return f"{name}: {item['label']}"
    return f"{name}'s {item['kind']}" if item["kind"] == "anniversary" else name


def event_lines(name: str, item: dict, stamp: dt.datetime) -> list[str]:
    start = dt.date(item["year"] or YEARLESS_YEAR, item["month"], item["day"])
    rule = "FREQ=YEARLY"
    if (item["month"], item["day"]) == (2, 29):
        rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
    lines = ["BEGIN:VEVENT",
             f"UID:crmdesk-date-{item['id']}@crmdesk",
             f"DTSTAMP:{stamp.strftime('%Y%m%dT%H%M%SZ')}",
             f"DTSTART;VALUE=DATE:{start.strftime('%Y%m%d')}",
             f"DTEND;VALUE=DATE:{(start + dt.timedelta(days=1)).strftime('%Y%m%d')}",
             f"RRULE:{rule}",
             f"SUMMARY:{escape_text(_summary(name, item))}"]
    if item["year"]:
        word = "Born" if item["kind"] == "birthday" else "Since"
        lines.append(f"DESCRIPTION:{word} {item['year']}")
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def write_calendar(handle: IO[str], records: Iterable[dict], stamp: dt.datetime,
                   kinds: tuple[str, ...] = DEFAULT_KINDS) -> tuple[int, int]:
    """Write the calendar to a text handle opened with newline=""; returns (customers, events)."""
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//crmdesk//crmdesk export//EN",
            "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:Birthdays and anniversaries"]
    handle.write("".join(fold(line) for line in head))
    customers = events = 0
    for record in records:
        chosen = [item for item in record["dates"] if item["kind"] in kinds]
        if not chosen:
            continue
        customers += 1
        name = record["display_name"]
        for item in chosen:
            handle.write("".join(fold(line) for line in event_lines(name, item, stamp)))
            events += 1
    handle.write(fold("END:VCALENDAR"))
    return customers, events
