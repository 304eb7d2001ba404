"""Bring back a crmdesk JSON export: the writing rules (the file is read by formats/import_json).

    document = import_json.read_json(path)                    # ImportFileError
    plan_ = plan(document, db, "GB", on_duplicate="skip")     # writes nothing
    restored = apply(plan_, db, document)                     # one transaction, all or nothing
    importing.undo(restored.result, db)                       # the created customers -> Trash

Into an empty book it gives back everything the export holds: every customer with every field,
tags, dates, consents (date and source), conversations, follow-ups, appointments, purchases
with their lines, the loyalty ledger, created/updated times; customers that were in Trash go
back to Trash; settings, categories, products and segments; sales whose customer was erased.

Into a book that already has customers, the file's customers go through the same checks and
duplicate rules as any import (`core.importing`: same phone, e-mail or name), against the
customers of the book only, one for one (two customers of one file are never taken for one:
they were two in the book the file comes from; two Sam Lees of the file are the book's two Sam
Lees, and a second one the book does not have is added):

- skip (the default): a customer already in the book stays as it is, and the file's copy, with
  its history, is left out (said so on the plan);
- merge: the book's customer keeps what it has and takes what it lacks (fields, tags, dates,
  consents for other channels), and gets the file's conversations, follow-ups, appointments,
  purchases and loyalty entries that it does not already have (the same ones are not doubled);
- create: every customer of the file is added.

A customer that was in Trash in the file comes back to Trash, unless the book holds one like it
(live or in Trash): then it is skipped, never merged. Categories, products and segments are
matched by name and only the missing ones are added; a setting already in the book is never
overwritten (only settings the book does not have are taken from the file); sales without a
customer are added unless the same sale is there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from peewee import SqliteDatabase

from crmdesk.core import import_check, importing, phones, validation
from crmdesk.core.clock import Now, system_now
from crmdesk.core.model import CustomerInput
from crmdesk.core.restore_rows import Catalogue, History, restore_settings, text, when
from crmdesk.core.write_turn import write_turn
from crmdesk.formats.import_common import ImportFileError, Table
from crmdesk.formats.import_json import JsonDocument, customer_input


@dataclass
class RestorePlan(importing.ImportPlan):
    """An import plan with the document it was made from (what `apply` writes)."""

    document: JsonDocument | None = None


@dataclass
class Restored:
    # Created (live) and merged customers, for `importing.undo`: those that come back into
    # Trash are not in `created_ids` (they are in Trash already; an undo's redo would bring
    # them out of it), they are counted in `added["customers in Trash"]`.
    result: importing.ImportResult
    added: dict[str, int] = field(default_factory=dict)  # what else was written, by kind


def _summary(item: dict) -> list[str]:
    name = item.get("display_name") or " ".join(
        str(item.get(k) or "") for k in ("first_name", "last_name")).strip()
    return [str(name or item.get("business_name") or ""), str(item.get("phone") or ""),
            str(item.get("email") or "")]


def _book_keys(db: SqliteDatabase, trash: bool) -> dict[tuple[str, str], list[int]]:
    """Duplicate keys (phone, e-mail, name) of the book's customers -> their ids, oldest first;
    live customers only, or (`trash`) Trash included."""
    found: dict[tuple[str, str], list[int]] = {}
    where = "" if trash else "WHERE deleted_at IS NULL "
    for cid, phone, phone_alt, whatsapp, email, sort_name in db.execute_sql(
            "SELECT id, phone, phone_alt, whatsapp, email, sort_name FROM customer "
            f"{where}ORDER BY id"):
        for key in (("phone", phone), ("phone", phone_alt), ("phone", whatsapp),
                    ("email", (email or "").casefold()), ("name", sort_name)):
            if key[1] and cid not in found.setdefault(key, []):
                found[key].append(cid)
    return found


_WHY = {"phone": "same phone number", "email": "same e-mail", "name": "same name"}


class _Matcher:
    """Each customer of the book answers for one customer of the file at most: two Sam Lees
    in the file are the book's two Sam Lees, not one of them twice."""

    def __init__(self, db: SqliteDatabase):
        self.db = db
        self.claimed: set[int] = set()
        self.indexes: dict[bool, dict[tuple[str, str], list[int]]] = {}

    def match(self, data: CustomerInput, trash: bool) -> tuple[int | None, int | None, str]:
        """(the customer it is, the first one it looks like, why) for the file's `data`."""
        if trash not in self.indexes:
            self.indexes[trash] = _book_keys(self.db, trash)
        index = self.indexes[trash]
        first = None
        for key in _keys(data):
            for cid in index.get(key, ()):
                first = cid if first is None else first
                if cid not in self.claimed:
                    self.claimed.add(cid)
                    return cid, first, _WHY[key[0]]
        return None, first, ""


def plan(document: JsonDocument, db: SqliteDatabase, default_country: str,
         on_duplicate: str = "skip", today: dt.date | None = None) -> RestorePlan:
    """Check every customer and find duplicates, as `importing.plan` does; writes nothing. The
    plan's table is a summary (name, phone, e-mail) for showing and for the rejected-rows CSV."""
    if on_duplicate not in importing.ON_DUPLICATE:
        raise ValueError(f"on_duplicate must be one of {importing.ON_DUPLICATE}")
    today = today or system_now().date()
    customers = document.customers  # read once, in order (a large file: from the disk)
    table = Table(["Name", "Phone", "E-mail"], [], [], "json", unit="customer")
    matcher = _Matcher(db)
    rows: list[importing.PlannedRow] = []
    normalise_phone = phones.Normaliser(default_country)  # one answer per distinct number
    for index, item in enumerate(customers):
        table.rows.append(_summary(item))
        table.numbers.append(index + 1)
        label = table.label(index)
        try:
            data = customer_input(item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            rows.append(importing.PlannedRow(
                index, label, "reject", reason=f"This entry is damaged ({exc!r} missing or "
                "wrong)."))
            continue
        long = import_check.too_long(data)  # a 10 MB name: refused with the reason, not cut
        if long is not None:
            rows.append(importing.PlannedRow(index, label, "reject", reason=long))
            continue
        try:
            data = validation.validate(data, default_country, today,
                                       normalise_phone=normalise_phone)
        except validation.ValidationError as exc:
            rows.append(importing.PlannedRow(index, label, "reject",
                                             reason=importing.reason(exc.errors, data)))
            continue
        row = importing.PlannedRow(index, label, "create", data)
        rows.append(row)
        if on_duplicate == "create":
            continue
        in_trash = bool(item.get("deleted_at"))
        same, alike, why = matcher.match(data, trash=in_trash)
        if same is None:
            # New, even when it looks like a customer another row of the file already is
            # (two Anna Smiths were two in the book the file comes from): `existing_id` says
            # which, and keeps the import's last check from taking it for that one again.
            row.existing_id = alike
        elif in_trash:  # in Trash in the file: never merged
            row.action, row.existing_id = "skip", same
            row.reason = "In Trash when it was exported, and already in your book."
        elif on_duplicate == "skip":
            row.action, row.existing_id = "skip", same
            row.reason = f"Already in your book ({why})."
        else:
            row.action, row.existing_id = "merge", same
    return RestorePlan(table, {}, on_duplicate, default_country, today, rows, document)


def _keys(data: CustomerInput) -> list[tuple[str, str]]:
    keys = [("phone", p) for p in (data.phone, data.phone_alt, data.whatsapp) if p]
    if data.email:
        keys.append(("email", data.email.casefold()))
    name = importing.fast_fold(validation.display_name(data))
    return keys + ([("name", name)] if name else [])


def apply(plan_: RestorePlan, db: SqliteDatabase, document: JsonDocument | None = None,
          progress: importing.Progress | None = None, now: Now = system_now,
          patience: float | None = None, waiting: Callable[[], None] | None = None) -> Restored:
    """Write the plan and everything that comes with it: one transaction, all or nothing,
    taking the book's write turn as `importing.apply` does (`patience`, `waiting`: see
    core/write_turn.py; BookBusy). `progress(done, total)` is called for the customers, then
    again for their history; returning False cancels (ImportCancelled, nothing written). Raises ImportFileError (nothing written) when a customer's
    history in the file is damaged."""
    document = document if document is not None else plan_.document
    added: dict[str, int] = {}
    with write_turn(db, patience, waiting):
        names = Catalogue(db, added)
        names.load(document)
        restore_settings(db, document, names, added)
        result = importing.apply(plan_, db, progress, now)
        writer = History(db, names, added, sales=document.version >= 2)
        created = {row.index: cid for row, cid in zip(plan_.to_create, result.created_ids,
                                                      strict=False)}
        merged_ids = {cid for cid, _before in result.merged}
        merged = {row.index: row.existing_id for row in plan_.to_merge
                  if row.existing_id in merged_ids}
        total = len(document.customers)
        try:
            if created or merged:
                for index, item in enumerate(document.customers):  # once, in order
                    if index in created:
                        writer.add(created[index], item, fresh=True)
                        if _stamps(db, created[index], item):
                            result.created_ids.remove(created[index])
                            added["customers in Trash"] = added.get("customers in Trash", 0) + 1
                    elif index in merged:
                        writer.add(merged[index], item, fresh=False)
                    if progress is not None and index % 500 == 499 and \
                            progress(index + 1, total) is False:  # the history, a second pass
                        raise importing.ImportCancelled(
                            "The import was cancelled: nothing was written.")
            writer.anonymous(document.purchases)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ImportFileError(
                f"The history of a customer in this file is damaged ({exc!r}): nothing was "
                "imported.") from exc
    return Restored(result, {k: v for k, v in added.items() if v})


def _stamps(db: SqliteDatabase, cid: int, item: dict) -> bool:
    """The created, updated and Trash times as exported (the import wrote its own); True when
    the customer goes back to Trash."""
    created = when(item.get("created_at"))
    updated = when(item.get("updated_at")) or created
    deleted = when(item.get("deleted_at"))
    if created is not None:
        db.execute_sql("UPDATE customer SET created_at = ?, updated_at = ? WHERE id = ?",
                       (text(created), text(updated), cid))
    if deleted is not None:
        db.execute_sql("UPDATE customer SET deleted_at = ? WHERE id = ?", (text(deleted), cid))
    return deleted is not None


