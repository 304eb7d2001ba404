"""Read a crmdesk JSON export back ({"format": "crmdesk", "version": 1, "customers": [...]}).

Two ways in:

- lossless, for a crmdesk file (what `export_json` writes):

      document = read_json(path)                                  # ImportFileError
      plan_ = plan_json(document, db, "GB", on_duplicate="skip")  # writes nothing
      result = apply_json(plan_, db)                              # all or nothing

  every customer comes back as the CustomerInput it was (all fields, tags, dates, consents),
  checked by the same validation and duplicate rules as any import (`core.importing`); the
  customers it creates also get their conversations, follow-ups and appointments back.
  Customers that were in Trash when exported are skipped (said so on the plan).

- through the ordinary wizard: `import_file.read_file` hands a crmdesk .json to `to_table`,
  a Table with columns the auto-mapping knows (names, phones, e-mail, address, notes, tags,
  birthday, anniversary...). Consents, custom dates and history do not travel that way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.core import importing, phones, validation
from crmdesk.core.clock import Now, system_now
from crmdesk.core.model import CustomerInput
from crmdesk.formats import export_json
from crmdesk.formats.import_common import ImportFileError, PartialDate, Table

_NOT_OURS = ("This file is JSON but not a crmdesk export (it has no \"format\": \"crmdesk\"). "
             "Only JSON files exported by crmdesk can be imported; for other lists use CSV, "
             "Excel (.xlsx) or vCard (.vcf).")


@dataclass
class JsonDocument:
    customers: list[dict]
    exported_at: str = ""


def looks_like_crmdesk(head: bytes) -> bool:
    """True when the start of a file is a JSON object that names the crmdesk format."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and b'"format"' in text and b'"crmdesk"' in text


def load(text: str) -> JsonDocument:
    """Parse a document's text; ImportFileError (in plain words) for anything else."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ImportFileError(
            "This JSON file is damaged or cut off and cannot be read "
            f"(line {getattr(exc, 'lineno', '?')}).") from exc
    if not isinstance(data, dict) or data.get("format") != export_json.FORMAT:
        raise ImportFileError(_NOT_OURS)
    if data.get("version") != export_json.VERSION:
        raise ImportFileError(
            f"This crmdesk export is version {data.get('version')!r}; this crmdesk reads "
            f"version {export_json.VERSION}. Update crmdesk to import it.")
    customers = data.get("customers")
    if not isinstance(customers, list) or not all(isinstance(c, dict) for c in customers):
        raise ImportFileError("This crmdesk export has no list of customers: it is damaged.")
    if not customers:
        raise ImportFileError("The file is empty: there is nothing to import.")
    return JsonDocument(customers, str(data.get("exported_at") or ""))


def read_json(path: Path | str) -> JsonDocument:
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError as exc:
        raise ImportFileError("This is a folder, not a file.") from exc
    except OSError as exc:
        raise ImportFileError(f"The file cannot be opened: {exc.strerror or exc}.") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("This JSON file is not UTF-8 text: it is damaged.") from exc
    return load(text)


def customer_input(item: dict) -> CustomerInput:
    """One exported customer as new input (dates without their old ids); ValueError/KeyError/
    TypeError for a damaged entry."""
    data = export_json.customer_input(item)
    data.dates = [dataclasses.replace(d, id=None) for d in data.dates]
    return data


def _label(index: int, item: dict) -> str:
    return f"Customer {index + 1}"


def _summary(item: dict) -> list[str]:
    name = item.get("display_name") or " ".join(
        str(item.get(k) or "") for k in ("first_name", "last_name")).strip()
    return [str(name or item.get("business_name") or ""), str(item.get("phone") or ""),
            str(item.get("email") or "")]


def plan_json(document: JsonDocument, db: SqliteDatabase, default_country: str,
              on_duplicate: str = "skip", today: dt.date | None = None) -> importing.ImportPlan:
    """Check every customer and find duplicates, exactly as `importing.plan` does; writes
    nothing. The plan's table is a summary (name, phone, e-mail) for showing and for the
    rejected-rows CSV."""
    if on_duplicate not in importing.ON_DUPLICATE:
        raise ValueError(f"on_duplicate must be one of {importing.ON_DUPLICATE}")
    today = today or system_now().date()
    customers = document.customers
    table = Table(["Name", "Phone", "E-mail"], [_summary(c) for c in customers],
                  list(range(1, len(customers) + 1)), "json", unit="customer")
    known = importing.known_keys(db)
    in_file: dict[tuple[str, str], importing.PlannedRow] = {}
    rows: list[importing.PlannedRow] = []
    normalise_phone = phones.Normaliser(default_country)  # one answer per distinct number
    for index, item in enumerate(customers):
        label = table.label(index)
        if item.get("deleted_at"):
            rows.append(importing.PlannedRow(index, label, "skip",
                                             reason="In Trash when it was exported."))
            continue
        try:
            data = customer_input(item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            rows.append(importing.PlannedRow(
                index, label, "reject", reason=f"This entry is damaged ({exc!r} missing or "
                "wrong)."))
            continue
        try:
            data = validation.validate(data, default_country, today,
                                       normalise_phone=normalise_phone)
        except validation.ValidationError as exc:
            rows.append(importing.PlannedRow(index, label, "reject",
                                             reason=importing.reason(exc.errors, data)))
            continue
        rows.append(importing.place_row(importing.PlannedRow(index, label, "create", data),
                                        known, in_file, on_duplicate))
    return importing.ImportPlan(table, {}, on_duplicate, default_country, today, rows)


def _when(value) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(str(value).rstrip("Z")).replace(tzinfo=None)


def _day(value) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def apply_json(plan_: importing.ImportPlan, db: SqliteDatabase, document: JsonDocument,
               progress: importing.Progress | None = None,
               now: Now = system_now) -> importing.ImportResult:
    """Write the plan (`importing.apply`) and, for the customers it created, their consents
    (date and source as exported), conversations, follow-ups and appointments: one
    transaction, all or nothing."""
    with db.atomic("IMMEDIATE"):
        result = importing.apply(plan_, db, progress, now)
        created = zip(plan_.to_create, result.created_ids, strict=False)
        for row, cid in created:
            _restore_extras(db, cid, document.customers[row.index], row.data)
    return result


def _restore_extras(db: SqliteDatabase, cid: int, item: dict, data: CustomerInput) -> None:
    for consent in data.consents:
        db.execute_sql(
            "INSERT OR REPLACE INTO consent (customer_id, channel, granted, recorded_on, source) "
            "VALUES (?, ?, ?, ?, ?)",
            (cid, consent.channel, int(consent.granted),
             consent.recorded_on.isoformat() if consent.recorded_on else None, consent.source))
    try:
        for c in item.get("conversations") or []:
            db.execute_sql(
                "INSERT INTO interaction (customer_id, channel, direction, occurred_at, summary, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (cid, c["channel"], c["direction"], _text(_when(c["occurred_at"])),
                 c.get("summary") or "", _text(_when(c.get("created_at")) or
                                               _when(c["occurred_at"]))))
        for f in item.get("follow_ups") or []:
            db.execute_sql(
                "INSERT INTO follow_up (customer_id, title, due_on, done_at, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (cid, f.get("title") or "", _day(f["due_on"]).isoformat(),
                 _text(_when(f.get("done_at"))),
                 _text(_when(f.get("created_at")) or dt.datetime(2000, 1, 1))))
        for a in item.get("appointments") or []:
            starts = _when(a["starts_at"])
            db.execute_sql(
                "INSERT INTO appointment (customer_id, starts_at, place, note, lead_minutes, "
                "created_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cid, _text(starts), a.get("place") or "", a.get("note") or "",
                 a.get("lead_minutes"), _text(_when(a.get("created_at")) or starts),
                 _text(_when(a.get("done_at")))))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ImportFileError(
            f"The history of a customer in this file is damaged ({exc!r}): nothing was "
            "imported.") from exc


def _text(value: dt.datetime | None) -> str | None:
    """A naive UTC datetime as Peewee stores it."""
    return value.isoformat(" ") if value is not None else None


# --- the ordinary wizard's way in --------------------------------------------------------

_COLUMNS = (("First name", "first_name"), ("Last name", "last_name"),
            ("Company", "business_name"), ("Phone", "phone"), ("Phone 2", "phone_alt"),
            ("WhatsApp", "whatsapp"), ("E-mail", "email"), ("Address", "address"),
            ("City", "city"), ("Postcode", "postcode"), ("Country", "country"),
            ("Notes", "notes"), ("Likes", "likes"), ("Dislikes", "dislikes"),
            ("Diet", "diet"), ("Sizes", "sizes"), ("Source", "source"), ("Status", "status"))


def to_table(document: JsonDocument) -> Table:
    """The customers as a Table the ordinary mapping reads (live customers only)."""
    headers = [h for h, _ in _COLUMNS] + ["Tags", "Birthday", "Anniversary"]
    rows, numbers = [], []
    for number, item in enumerate(document.customers, start=1):
        if item.get("deleted_at"):
            continue
        row: list[object] = [str(item.get(key) or "") for _, key in _COLUMNS]
        row.append("; ".join(str(t) for t in item.get("tags") or []))
        for kind in ("birthday", "anniversary"):
            found = next((d for d in item.get("dates") or []
                          if isinstance(d, dict) and d.get("kind") == kind), None)
            try:
                row.append(PartialDate(int(found["day"]), int(found["month"]),
                                       int(found["year"]) if found.get("year") else None)
                           if found else "")
            except (KeyError, TypeError, ValueError):
                row.append("")
        rows.append(row)
        numbers.append(number)
    if not rows:
        raise ImportFileError("The file has no customers outside the Trash: nothing to import.")
    return Table(headers, rows, numbers, "json", unit="customer")
