"""One row of a table -> a CustomerInput (not yet validated), or a reason in plain words."""

from __future__ import annotations

import datetime as dt
import re

from crmdesk.core import phones as phone_rules
from crmdesk.core.model import CustomerInput, DateInput
from crmdesk.core.text import fold
from crmdesk.formats import import_extras
from crmdesk.formats.import_common import Table, cell_text
from crmdesk.formats.import_mapping import _PHONE_RANK, DateProblem, read_date

_STATUS = {"prospect": "prospect", "lead": "prospect", "potential": "prospect",
           "customer": "customer", "client": "customer", "active": "customer",
           "former": "former", "former customer": "former", "inactive": "former", "": "customer"}
_JOINED = {"first_name": " ", "last_name": " ", "notes": "\n"}
_DATE_FIELDS = ("birthday", "anniversary", "event")


class RowProblem(ValueError):
    """Why a row cannot become a customer; the message is for the user."""


def phone_text(cell, default_country: str = "") -> str:
    """A phone column's cell as text: a spreadsheet's number cell becomes "+<digits>" when it
    carries its country code (447700900321), else its digits (never ".0" nor an exponent)."""
    if cell.__class__ is int or (cell.__class__ is float and cell.is_integer()):
        return phone_rules.from_number_cell(cell, default_country)
    return cell_text(cell)


def _rank(header: str) -> int:
    low = header.casefold()
    return next((i for i, word in enumerate(_PHONE_RANK) if word in low), len(_PHONE_RANK))


class RowReader:
    def __init__(self, table: Table, mapping: dict[str, str], orders: dict[int, str | None],
                 today: dt.date, default_country: str = ""):
        self.today = today
        self.default_country = default_country  # for phone numbers in number cells
        self.orders = orders
        self.columns: list[tuple[int, str]] = [
            (i, mapping[h]) for i, h in enumerate(table.headers) if h in mapping]
        phone_cols = [i for i, f in self.columns if f == "phone"]
        self.phone_cols = sorted(phone_cols, key=lambda i: (_rank(table.headers[i]), i))
        self.event_types: dict[int, int | None] = {}
        for i, field in self.columns:
            if field == "event":
                sibling = re.sub(r"(?i)value", "Type", table.headers[i])
                self.event_types[i] = (table.headers.index(sibling)
                                       if sibling in table.headers else None)
        # Dates apart (they are read first, in column order: the first bad one is reported), the
        # other columns in order; phones were gathered above.
        self.date_cols = [(i, f) for i, f in self.columns if f in _DATE_FIELDS]
        # "Other dates" ("Name day 2024-06-05; ...") are read in the order the user chose.
        self.other_order = next((orders.get(i) for i, f in self.columns
                                 if f == "other_dates"), None)
        self.text_cols = [(i, f) for i, f in self.columns
                          if f not in _DATE_FIELDS and f != "phone"]

    def read(self, row: list) -> CustomerInput:
        values: dict[str, str] = {}
        phones: list[str] = []
        emails: list[str] = []
        tags: list[str] = []
        found_dates: list[DateInput] = []
        for i in self.phone_cols:
            cell = row[i]
            if cell != "" and cell is not None:  # (a number 0 from a spreadsheet is kept)
                text = phone_text(cell, self.default_country)
                phones.extend(p for p in (x.strip() for x in text.split(":::")) if p)
        unread: list[str] = []  # dates that cannot be read: kept as written, in the notes
        for i, field in self.date_cols:
            if row[i] != "":  # read_date's answer for an empty cell: no date
                try:
                    found_dates.extend(self._date(i, field, row))
                except RowProblem:
                    unread.append(kept_as_written(_label(field), cell_text(row[i]).strip()))
        for i, field in self.text_cols:
            cell = row[i]
            text = cell.strip() if cell.__class__ is str else (
                phone_text(cell, self.default_country) if field == "whatsapp"
                else cell_text(cell)).strip()
            if not text:
                continue
            if field == "email":
                emails.extend(e for e in (x.strip() for x in text.split(":::")) if e)
            elif field == "tags":
                tags.extend(import_extras.split_tags(text))
            elif field in _JOINED:
                values[field] = f"{values[field]}{_JOINED[field]}{text}" \
                    if field in values else text
            else:
                values.setdefault(field, text)
        data = CustomerInput()
        full = values.pop("name", "")
        extras = {f: values.pop(f) for f in import_extras.FIELDS if f in values}
        for field, text in values.items():
            setattr(data, field, text)
        if full and not (data.first_name or data.last_name) and \
                fold(full) != fold(data.business_name):
            if "," in full:
                data.last_name, _, data.first_name = (p.strip() for p in full.partition(","))
            else:
                data.first_name, _, data.last_name = full.rpartition(" ")
                if not data.first_name:
                    data.first_name, data.last_name = data.last_name, ""
        if data.business_name and not (data.first_name or data.last_name):
            data.kind = "business"
        status = _STATUS.get(values.get("status", "").casefold())
        data.status = status or values.get("status", "")
        unique_phones = list(dict.fromkeys(phones))
        data.phone = unique_phones[0] if unique_phones else ""
        data.phone_alt = unique_phones[1] if len(unique_phones) > 1 else ""
        unique_emails = list(dict.fromkeys(emails))
        data.email = unique_emails[0] if unique_emails else ""
        extra = unread
        if len(unique_phones) > 2:
            extra.append("Other phones: " + ", ".join(unique_phones[2:]))
        if len(unique_emails) > 1:
            extra.append("Other e-mails: " + ", ".join(unique_emails[1:]))
        if extra:
            data.notes = "\n".join([data.notes, *extra]) if data.notes else "\n".join(extra)
        data.tags = list(dict.fromkeys(tags))
        data.dates = found_dates
        if extras:  # kind, do-not-contact, keep in touch, consents, other dates
            try:
                unread = import_extras.apply(data, extras, self.other_order, self.today)
            except DateProblem as exc:
                raise RowProblem(f"Other dates: {exc}") from exc
            if unread:
                data.notes = "\n".join([data.notes, *unread] if data.notes else unread)
        return data

    def _date(self, index: int, field: str, row: list) -> list[DateInput]:
        try:
            value = read_date(row[index], self.orders.get(index), self.today)
        except DateProblem as exc:
            raise RowProblem(f"{_label(field)}: {exc}") from exc
        if value is None:
            return []
        if value.year is not None and value.year < 1900 and field != "event":
            value = type(value)(value.day, value.month, None)  # 1604: "year unknown" (Apple)
        kind, label = field, ""
        if field == "event":
            type_at = self.event_types.get(index)
            what = cell_text(row[type_at]).strip() if type_at is not None else ""
            if "anniv" in what.casefold():
                kind = "anniversary"
            elif "birth" in what.casefold():
                kind = "birthday"
            else:
                kind, label = "custom", what or "Special day"
        return [DateInput(kind=kind, day=value.day, month=value.month, year=value.year,
                          label=label)]


_LABELS = {"first_name": "Name", "last_name": "Name", "business_name": "Business name",
           "phone": "Phone", "phone_alt": "Second phone", "whatsapp": "WhatsApp",
           "email": "E-mail", "status": "Status", "keep_in_touch_days": "Keep in touch",
           "birthday": "Birthday", "anniversary": "Anniversary", "event": "Date"}


def kept_as_written(what: str, value: str) -> str:
    """The line a value that fails its check leaves in the notes, so the person is imported
    with it instead of being turned away for it ("nothing the user entered is ever lost")."""
    return f"{what} as written in the imported file (to check): {value}"


def _label(field: str) -> str:
    return _LABELS.get(field, field.replace("_", " ").capitalize())


def reason(errors: dict[str, str], data: CustomerInput) -> str:
    """A ValidationError's errors as one sentence a shop owner can act on."""
    parts = []
    for key, message in errors.items():
        if key.startswith("dates."):
            item = data.dates[int(key.split(".")[1])]
            year = f"/{item.year}" if item.year else ""
            what = _label(item.kind) if item.kind != "custom" else (item.label or "Date")
            parts.append(f"{what} {item.day:02d}/{item.month:02d}{year}: {message}")
            continue
        value = getattr(data, key, "")
        shown = f" “{value}”" if isinstance(value, str) and value else ""
        parts.append(f"{_label(key)}{shown}: {message}")
    return " ".join(parts)
