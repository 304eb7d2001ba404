"""Excel workbook (.xlsx): the CSV export's columns, each cell of the type it is.

One sheet, "Customers", a bold header row that stays in view, one customer a row, written with
openpyxl's write-only mode (streamed: rows are not kept in memory).

- Phones, postcodes and every other text are text cells, exactly as stored: "+447911123456"
  stays that (no number, no lost +, no 4.5E+11) and "01234" keeps its 0. No apostrophes.
- Text that starts with = stays text: it is written as a string cell, never as a formula, so
  nothing in the file is run when it is opened (the CSV's quote guard is not needed here).
- A birthday or anniversary with a year is a date cell (shown YYYY-MM-DD); one without a year
  is the text --MM-DD. Last contact and created are date-time cells in local time.
- Keep in touch (days) is a number cell; do not contact, consents and other dates are the same
  words as in the CSV, so the file reads back through the import as the CSV does.

Characters that an .xlsx cannot hold (control characters other than tab and line breaks) are
left out of a cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from crmdesk.formats.export_csv import COLUMNS

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_WIDTHS = {"name": 24, "first_name": 14, "last_name": 16, "business_name": 22, "phone": 17,
           "phone_alt": 17, "whatsapp": 17, "email": 26, "address": 26, "notes": 30,
           "birthday": 12, "anniversary": 12, "other_dates": 26, "last_contact": 17,
           "created": 17}


def _first_date(record: dict, kind: str) -> dt.date | str:
    for item in record["dates"]:
        if item["kind"] == kind:
            if item["year"]:
                return dt.date(item["year"], item["month"], item["day"])
            return f"--{item['month']:02d}-{item['day']:02d}"
    return ""


def _local(tz: dt.tzinfo | None) -> Callable[[dt.datetime | None], dt.datetime | str]:
    def convert(value: dt.datetime | None) -> dt.datetime | str:
        if value is None:
            return ""
        moment = value.replace(tzinfo=dt.UTC).astimezone(tz)
        return moment.replace(tzinfo=None, second=0, microsecond=0)
    return convert


def _values(tz: dt.tzinfo | None) -> dict[str, Callable[[dict], object]]:
    """key -> the typed value of its cell (the CSV's text where the type is text)."""
    local = _local(tz)
    typed: dict[str, Callable[[dict], object]] = {key: cell for key, (_h, cell) in COLUMNS.items()}
    typed.update({
        "phone": lambda r: r["phone"], "phone_alt": lambda r: r["phone_alt"],
        "whatsapp": lambda r: r["whatsapp"],
        "keep_in_touch_days": lambda r: r["keep_in_touch_days"],
        "birthday": lambda r: _first_date(r, "birthday"),
        "anniversary": lambda r: _first_date(r, "anniversary"),
        "last_contact": lambda r: local(r["last_contact_at"]),
        "created": lambda r: local(r["created_at"]),
    })
    return typed


def _cell(sheet, value) -> WriteOnlyCell:
    if value is None or value == "":
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=None)
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # text, even when it starts with = (never a formula)
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def write_xlsx(handle: IO[bytes], records: Iterable[dict], columns: Sequence[str],
               tz: dt.tzinfo | None = None) -> int:
    """Write the workbook to a binary handle; returns the number of customers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Customers")
    sheet.freeze_panes = "A2"
    for index, key in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(key, 13)
    bold = Font(bold=True)
    header = []
    for key in columns:
        cell = WriteOnlyCell(sheet, value=COLUMNS[key][0])
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    values = _values(tz)
    cells = [values[key] for key in columns]
    count = 0
    for record in records:
        sheet.append([_cell(sheet, value(record)) for value in cells])
        count += 1
    book.save(handle)
    return count
