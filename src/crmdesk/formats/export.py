"""Exports: CSV, Excel, vCard, iCalendar and JSON of a selection or everyone; a person's data.

Every export streams (customers are read `export_records.CHUNK` at a time), is written
atomically (a temporary file in the same folder, then os.replace: no half-written file, ever)
and is created readable by its owner only (0o600 where the OS has permissions). Run them in a
worker thread with a connection of their own; `progress(done, total)` is called after each
chunk, and returning False cancels: ExportCancelled is raised and no file is left behind.

A selection is None (everyone not in Trash), a ListQuery (exactly what the list shows) or
customer ids in order. `marketing=True` (CSV, Excel and vCard, the exports meant for reaching
people) leaves out customers marked do-not-contact and those in Trash, and with a `channel`
(email, sms, whatsapp, phone) those without granted consent for it. JSON (a copy of the data) and the
personal export leave nobody out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.formats import export_book as book_format
from crmdesk.formats import export_csv as csv_format
from crmdesk.formats import export_ical as ical_format
from crmdesk.formats import export_json as json_format
from crmdesk.formats import export_vcard as vcard_format
from crmdesk.formats import export_xlsx as xlsx_format
from crmdesk.formats.export_files import ExportError, atomic_output
from crmdesk.formats.export_person import PersonExport, export_person  # noqa: F401 (re-exported)
from crmdesk.formats.export_records import (
    ExportCancelled,
    Progress,
    Selection,
    iter_records,
    resolve_ids,
)
from crmdesk.store.models import CONSENT_CHANNELS

__all__ = ["ExportCancelled", "ExportError", "ExportResult", "FORMATS", "export_csv",
           "export_ical", "export_json", "export_person", "export_vcard", "export_xlsx",
           "PersonExport"]

#: The formats by the name the command line uses, with their usual file suffix.
FORMATS = {"csv": ".csv", "xlsx": ".xlsx", "vcf": ".vcf", "ics": ".ics", "json": ".json"}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    customers: int  # customers written (for iCalendar: customers with at least one event)
    items: int  # rows, cards, events or customers: what the file holds


def _utc_now(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    return now.replace(microsecond=0)


def _check_channel(channel: str | None) -> None:
    if channel is not None and channel not in CONSENT_CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}: choose from {', '.join(CONSENT_CHANNELS)}.")


def export_csv(db: SqliteDatabase, path: Path, selection: Selection = None, *,
               columns: Sequence[str] | None = None, marketing: bool = False,
               channel: str | None = None, spreadsheet_safe: bool = True,
               tz: dt.tzinfo | None = None, progress: Progress | None = None) -> ExportResult:
    """CSV (UTF-8 with BOM) of the selection; `columns` are keys of formats.export_csv.COLUMNS."""
    chosen = csv_format.check_columns(columns)
    _check_channel(channel)
    ids = resolve_ids(db, selection)
    records = iter_records(db, ids, marketing=marketing, channel=channel, progress=progress)
    with atomic_output(Path(path), encoding="utf-8-sig", newline="") as handle:
        count = csv_format.write_csv(handle, records, chosen, spreadsheet_safe, tz)
    return ExportResult(Path(path), count, count)


def export_xlsx(db: SqliteDatabase, path: Path, selection: Selection = None, *,
                columns: Sequence[str] | None = None, marketing: bool = False,
                channel: str | None = None, tz: dt.tzinfo | None = None,
                progress: Progress | None = None) -> ExportResult:
    """Excel workbook of the selection: the CSV's columns as typed cells (formats/export_xlsx)."""
    chosen = csv_format.check_columns(columns)
    _check_channel(channel)
    ids = resolve_ids(db, selection)
    records = iter_records(db, ids, marketing=marketing, channel=channel, progress=progress)
    with atomic_output(Path(path), binary=True) as handle:
        count = xlsx_format.write_xlsx(handle, records, chosen, tz)
    return ExportResult(Path(path), count, count)


def export_vcard(db: SqliteDatabase, path: Path, selection: Selection = None, *,
                 marketing: bool = False, channel: str | None = None,
                 progress: Progress | None = None) -> ExportResult:
    """vCard 3.0 of the selection, one card per customer."""
    _check_channel(channel)
    ids = resolve_ids(db, selection)
    records = iter_records(db, ids, marketing=marketing, channel=channel, progress=progress)
    with atomic_output(Path(path), newline="") as handle:
        count = vcard_format.write_vcards(handle, records)
    return ExportResult(Path(path), count, count)


def export_ical(db: SqliteDatabase, path: Path, selection: Selection = None, *,
                kinds: tuple[str, ...] = ical_format.DEFAULT_KINDS,
                now: dt.datetime | None = None,
                progress: Progress | None = None) -> ExportResult:
    """iCalendar of the selection's birthdays and anniversaries (`kinds`), yearly events."""
    ids = resolve_ids(db, selection)
    records = iter_records(db, ids, progress=progress)
    with atomic_output(Path(path), newline="") as handle:
        customers, events = ical_format.write_calendar(handle, records, _utc_now(now), kinds)
    return ExportResult(Path(path), customers, events)


def export_json(db: SqliteDatabase, path: Path, selection: Selection = None, *,
                include_trash: bool = True, now: dt.datetime | None = None,
                progress: Progress | None = None) -> ExportResult:
    """JSON of everything (formats/export_json.py): by default every customer, Trash included
    (with its deleted_at), ordered by id, each with dates, consents, tags, conversations,
    follow-ups, appointments, purchases and loyalty; the book's settings, categories, products
    and segments; and, for the whole book, the sales whose customer was erased for good."""
    if selection is None:
        ids = [row[0] for row in db.execute_sql(
            "SELECT id FROM customer" + ("" if include_trash else " WHERE deleted_at IS NULL")
            + " ORDER BY id")]
    else:
        ids = resolve_ids(db, selection)
    records = iter_records(db, ids, history=True, progress=progress,
                           extra=book_format.add_sales)
    anonymous = book_format.anonymous_purchases(db) if selection is None else None
    with atomic_output(Path(path)) as handle:
        count = json_format.write_json(handle, records, _utc_now(now),
                                       sections=book_format.sections(db), purchases=anonymous)
    return ExportResult(Path(path), count, count)
