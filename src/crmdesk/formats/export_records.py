"""Reading customers for an export, a chunk at a time, as plain dicts (no Peewee models, no Qt).

A selection is turned into an ordered list of ids (ints only), and then the customers behind
those ids are read `CHUNK` at a time, each chunk with a handful of indexed queries. So an export
of 100,000 customers never holds more than one chunk of customer data in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

from peewee import SqliteDatabase

from crmdesk.core.model import ListQuery

CHUNK = 500

#: Every column of the customer table an export reads, in the order of the schema.
CUSTOMER_COLUMNS = (
    "id", "kind", "first_name", "last_name", "business_name", "display_name", "phone",
    "phone_alt", "email", "whatsapp", "address", "city", "postcode", "country", "notes", "likes",
    "dislikes", "diet", "sizes", "status", "source", "do_not_contact", "keep_in_touch_days",
    "last_contact_at", "created_at", "updated_at", "deleted_at", "phone_check",
)
_DATETIME_COLUMNS = ("last_contact_at", "created_at", "updated_at", "deleted_at")

#: A selection: None (everyone not in Trash), a ListQuery (what the list shows), or ids in order.
Selection = Sequence[int] | ListQuery | None

#: progress(done, total) -> False to cancel.
Progress = Callable[[int, int], bool | None]


class ExportCancelled(Exception):
    """The progress callback asked to stop; nothing was written."""


def parse_datetime(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def parse_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def resolve_ids(db: SqliteDatabase, selection: Selection, include_trash: bool = False) -> list[int]:
    """The ids to export, in order. None: everyone (by name; with Trash when asked)."""
    if selection is None:
        where = "" if include_trash else "WHERE deleted_at IS NULL"
        return [row[0] for row in db.execute_sql(
            f"SELECT id FROM customer {where} ORDER BY sort_name, id")]
    if isinstance(selection, ListQuery):
        from crmdesk.core.customer_list import CustomerList

        return CustomerList(db).find_ids(selection)
    return list(dict.fromkeys(int(i) for i in selection))  # each customer once, first place


def iter_records(db: SqliteDatabase, ids: Sequence[int], *, marketing: bool = False,
                 channel: str | None = None, history: bool = False,
                 progress: Progress | None = None,
                 extra: Callable[[SqliteDatabase, dict[int, dict]], None] | None = None
                 ) -> Iterator[dict]:
    """Yield one dict per customer in the order of `ids` (unknown ids are skipped).

    Each dict has the customer's columns (datetimes parsed), `tags` (sorted), `consents`
    (by channel), `dates` (by month, day); with `history` also `conversations`, `follow_ups`
    and `appointments`; `extra(db, {id: record})` adds more to each chunk's records (the JSON
    export's sales, formats/export_book.py). `marketing` leaves out customers marked
    do-not-contact or in Trash, and with a `channel`, those without granted consent for it.
    """
    total = len(ids)
    for start in range(0, total, CHUNK):
        chunk = list(ids[start:start + CHUNK])
        yield from _read_chunk(db, chunk, marketing, channel, history, extra)
        if progress is not None and progress(min(start + CHUNK, total), total) is False:
            raise ExportCancelled()


def _read_chunk(db, chunk: list[int], marketing: bool, channel: str | None,
                history: bool, extra=None) -> Iterator[dict]:
    if not chunk:
        return
    marks = ",".join("?" * len(chunk))
    where, params = [f"c.id IN ({marks})"], list(chunk)
    if marketing:
        where.append("c.do_not_contact = 0 AND c.deleted_at IS NULL")
        if channel:
            where.append("EXISTS (SELECT 1 FROM consent k WHERE k.customer_id = c.id "
                         "AND k.channel = ? AND k.granted = 1)")
            params.append(channel)
    columns = ", ".join(f"c.{name}" for name in CUSTOMER_COLUMNS)
    found: dict[int, dict] = {}
    for row in db.execute_sql(
            f"SELECT {columns} FROM customer c WHERE {' AND '.join(where)}", params):
        record = dict(zip(CUSTOMER_COLUMNS, row, strict=True))
        record["do_not_contact"] = bool(record["do_not_contact"])
        for name in _DATETIME_COLUMNS:
            record[name] = parse_datetime(record[name])
        record.update(tags=[], consents=[], dates=[])
        if history:
            record.update(conversations=[], follow_ups=[], appointments=[])
        found[record["id"]] = record
    if not found:
        return
    ids = list(found)
    marks = ",".join("?" * len(ids))
    for customer_id, name in db.execute_sql(
            f"SELECT ct.customer_id, t.name FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id "
            f"WHERE ct.customer_id IN ({marks}) ORDER BY t.name COLLATE NOCASE", ids):
        found[customer_id]["tags"].append(name)
    for customer_id, channel_name, granted, recorded_on, source in db.execute_sql(
            f"SELECT customer_id, channel, granted, recorded_on, source FROM consent "
            f"WHERE customer_id IN ({marks}) ORDER BY channel", ids):
        found[customer_id]["consents"].append({
            "channel": channel_name, "granted": bool(granted),
            "recorded_on": parse_date(recorded_on), "source": source})
    for date_id, customer_id, kind, label, day, month, year, lead in db.execute_sql(
            f"SELECT id, customer_id, kind, label, day, month, year, lead_days "
            f"FROM important_date WHERE customer_id IN ({marks}) ORDER BY month, day, id", ids):
        found[customer_id]["dates"].append({
            "id": date_id, "kind": kind, "label": label, "day": day, "month": month,
            "year": year, "lead_days": lead})
    if history:
        _read_history(db, found, ids, marks)
    if extra is not None:
        extra(db, found)
    for customer_id in chunk:
        record = found.get(customer_id)
        if record is not None:
            yield record


def _read_history(db, found: dict[int, dict], ids: list[int], marks: str) -> None:
    for row in db.execute_sql(
            f"SELECT id, customer_id, channel, direction, occurred_at, summary, created_at "
            f"FROM interaction WHERE customer_id IN ({marks}) ORDER BY occurred_at, id", ids):
        found[row[1]]["conversations"].append({
            "id": row[0], "channel": row[2], "direction": row[3],
            "occurred_at": parse_datetime(row[4]), "summary": row[5],
            "created_at": parse_datetime(row[6])})
    for row in db.execute_sql(
            f"SELECT id, customer_id, title, due_on, done_at, created_at FROM follow_up "
            f"WHERE customer_id IN ({marks}) ORDER BY due_on, id", ids):
        found[row[1]]["follow_ups"].append({
            "id": row[0], "title": row[2], "due_on": parse_date(row[3]),
            "done_at": parse_datetime(row[4]), "created_at": parse_datetime(row[5])})
    for row in db.execute_sql(
            f"SELECT id, customer_id, starts_at, place, note, lead_minutes, created_at, done_at "
            f"FROM appointment WHERE customer_id IN ({marks}) ORDER BY starts_at, id", ids):
        found[row[1]]["appointments"].append({
            "id": row[0], "starts_at": parse_datetime(row[2]), "place": row[3], "note": row[4],
            "lead_minutes": row[5], "created_at": parse_datetime(row[6]),
            "done_at": parse_datetime(row[7])})
