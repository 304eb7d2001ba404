"""Cells beyond names and addresses: kind, do-not-contact, keep-in-touch, consents, other dates.

Read as crmdesk's own CSV writes them (formats/export_csv.py) and as other programs do:

- consent ("Email consent", "Newsletter: yes/no", "Opt in", "SMS consent"...): yes or no
  (also y/n, true/false, 1/0, x, subscribed/unsubscribed, opted in/out, granted/refused...),
  then optionally the day it was recorded (YYYY-MM-DD) and the source in brackets:
  "yes 2026-01-05 (signup form)";
- do not contact: yes or no, in the same words;
- keep in touch: a number of days ("30", "30 days");
- kind: person or business (also individual, private, B2C / company, organisation, B2B);
- other dates: "Name day --06-05; First visit 2015-09-09", a label and a date each (a label
  "Birthday" or "Anniversary" gives that kind of date);
- tags: "vip, late payer" (also ; and Google's :::), a tag holding a comma in quotes.

A value that cannot be read this way is not dropped: it goes to the notes ("Email consent:
maybe"), so nothing the file held is lost.
"""

from __future__ import annotations

import datetime as dt
import re

from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.formats.import_mapping import DateProblem, read_date

CONSENT_FIELDS = {"consent_email": "email", "consent_sms": "sms",
                  "consent_whatsapp": "whatsapp", "consent_phone": "phone"}
FIELDS = ("kind", "do_not_contact", "keep_in_touch_days", *CONSENT_FIELDS, "other_dates")

_YES = {"yes", "y", "true", "1", "x", "ja", "oui", "si", "sí", "granted", "given", "agreed",
        "subscribed", "opted in", "opt in", "opt-in", "accepted", "consented", "on", "✓", "✔"}
_NO = {"no", "n", "false", "0", "nein", "non", "refused", "denied", "withdrawn", "declined",
       "unsubscribed", "opted out", "opt out", "opt-out", "not subscribed", "off", "none"}
_KINDS = {"person": "person", "individual": "person", "private": "person", "b2c": "person",
          "consumer": "person", "people": "person",
          "business": "business", "company": "business", "organisation": "business",
          "organization": "business", "b2b": "business", "firm": "business"}
_CONSENT = re.compile(r"^(?P<answer>.+?)(?:[\s,;]+(?P<day>\d{4}-\d{2}-\d{2}))?"
                      r"(?:\s*\((?P<source>.*)\))?$", re.S)
_WORDS = {"kind": "Kind", "do_not_contact": "Do not contact",
          "keep_in_touch_days": "Keep in touch", "consent_email": "Email consent",
          "consent_sms": "SMS consent", "consent_whatsapp": "WhatsApp consent",
          "consent_phone": "Phone consent"}


_LIST_SPLIT = re.compile(r"\s*(?::::|;|,)\s*")
_QUOTED = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^,;]*?))\s*(?:::: ?|[,;]|$)')


def split_tags(text: str) -> list[str]:
    """Tags as lists are written: "vip, late payer", "a; b", Google's "a ::: b", and crmdesk's
    own quotes around a tag that holds a comma ("\"gift, wrapped\", vip"). Google's system
    groups ("* myContacts") are left out."""
    if '"' not in text:
        found = _LIST_SPLIT.split(text)
    else:
        found, at = [], 0
        while at < len(text):
            match = _QUOTED.match(text, at)
            if match is None or match.end() == at:
                break
            quoted, plain = match.groups()
            found.append(quoted.replace('""', '"') if quoted is not None else plain)
            at = match.end()
    return [t for t in found if t and not t.startswith("*")]


def yes_no(text: str) -> bool | None:
    """True, False, or None when the words are neither."""
    word = " ".join(text.casefold().split()).strip(".!")
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


def consent(channel: str, text: str) -> ConsentInput | None:
    match = _CONSENT.match(text.strip())
    if not match:
        return None
    granted = yes_no(match["answer"])
    if granted is None:
        return None
    try:
        day = dt.date.fromisoformat(match["day"]) if match["day"] else None
    except ValueError:
        return None
    return ConsentInput(channel, granted, day, (match["source"] or "").strip())


def other_dates(text: str, order: str | None, today: dt.date) -> list[DateInput]:
    """"Label date; Label date" -> dates; raises DateProblem for one that cannot be read."""
    found = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        words = part.split()
        for cut in range(len(words) - 1, 0, -1):  # the date is the last word(s)
            try:
                value = read_date(" ".join(words[cut:]), order, today)
            except DateProblem:
                continue
            label = " ".join(words[:cut])
            break
        else:
            raise DateProblem(f"“{part}” is not a name and a date (write it like "
                              "“Name day 2024-06-05”).")
        kind = label.casefold() if label.casefold() in ("birthday", "anniversary") else "custom"
        found.append(DateInput(kind=kind, day=value.day, month=value.month, year=value.year,
                               label="" if kind != "custom" else label))
    return found


def apply(data: CustomerInput, values: dict[str, str], order: str | None,
          today: dt.date) -> list[str]:
    """Set what `values` (field -> cell text) hold on `data`; returns the notes to add for
    values that could not be read. Raises DateProblem for other dates that cannot be read."""
    notes = []
    for field, text in values.items():
        if field == "other_dates":
            data.dates.extend(other_dates(text, order, today))
            continue
        understood = True
        if field == "kind":
            kind = _KINDS.get(text.casefold().strip())
            understood = kind is not None
            # A "person" with only a business name stays a business (a person needs a name).
            if kind == "business" or (kind == "person" and (data.first_name or data.last_name)):
                data.kind = kind
        elif field == "do_not_contact":
            answer = yes_no(text)
            understood = answer is not None
            data.do_not_contact = bool(answer)
        elif field == "keep_in_touch_days":
            match = re.match(r"^\s*(\d{1,5})\s*(?:days?|d)?\s*$", text, re.I)
            understood = match is not None
            if match:
                data.keep_in_touch_days = int(match.group(1))
        elif field in CONSENT_FIELDS:
            channel = CONSENT_FIELDS[field]
            found = consent(channel, text)
            understood = found is not None
            if found is not None:
                data.consents = [c for c in data.consents if c.channel != channel] + [found]
        if not understood:
            notes.append(f"{_WORDS[field]}: {text}")
    return notes
