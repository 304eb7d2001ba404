"""Reading Excel workbooks (.xlsx) with openpyxl: no Excel needed.

Opened read-only with cached values (`data_only`), so formulas give the value Excel last showed;
date cells arrive as datetimes and need no guessing of the day/month order.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from crmdesk.formats.import_common import (
    MAX_COLUMNS,
    MAX_ROWS,
    ImportFileError,
    Table,
    cell_text,
    make_table,
)

MAX_UNPACKED = 150_000_000  # bytes of the workbook's parts unzipped (openpyxl: 3-5 MB a second)
MAX_STRINGS = 100_000_000  # bytes of its shared text (openpyxl holds it all in memory)


def _open(path: Path | str):
    import openpyxl  # slow to load: only when a workbook is read

    _check_size(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise ImportFileError(
            "This file is not an Excel workbook that can be read (it may be damaged, cut off, "
            "or another kind of file). Open it in your spreadsheet program and save it again "
            "as .xlsx or CSV.") from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise ImportFileError(
            f"This Excel workbook cannot be read: it looks damaged ({type(exc).__name__}).") from exc


def _check_size(path: Path | str) -> None:
    """Refuse a workbook that unpacks to more than MAX_UNPACKED bytes (a few kilobytes can
    unpack to gigabytes), before openpyxl reads any of it."""
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = [(info.filename, info.file_size) for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # `_open` says plainly that it cannot be read
    total = sum(size for _name, size in sizes)
    strings = sum(size for name, size in sizes if name.lower().endswith("sharedstrings.xml"))
    if total > MAX_UNPACKED or strings > MAX_STRINGS:
        raise ImportFileError(
            f"This workbook unpacks to {total / 1e6:,.0f} MB, more than the "
            f"{MAX_UNPACKED / 1e6:,.0f} MB crmdesk reads (or its text to more than "
            f"{MAX_STRINGS / 1e6:,.0f} MB): it is not a customer list crmdesk can read safely. "
            "Save the sheet as CSV and import that.")


def _rows(worksheet) -> tuple[list[list], list[int]]:
    """The sheet's rows as a grid (blank rows left out, rows cut to the column names' width)
    and their numbers. The size the sheet declares is not trusted (a tiny file may declare
    16,384 columns by 1,048,576 rows): rows are read as they are, never more than
    MAX_COLUMNS + 1 cells of each (cells further right are past every column name)."""
    worksheet.reset_dimensions()
    grid, numbers = [], []
    width = None  # the column names' width, once the row holding them is found
    blank = ()  # openpyxl hands the same blank row for every row missing from the file
    for number, row in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS + 1,
                                                     values_only=True), start=1):
        if row is blank:
            continue
        if row.count(None) == len(row):  # a blank row (quick, however wide)
            blank = row
            continue
        if len(grid) > MAX_ROWS:  # the column names and MAX_ROWS rows below them
            raise ImportFileError(f"The sheet has more than {MAX_ROWS:,} rows: crmdesk imports "
                                  "at most that many at once. Split it into smaller files.")
        if width is None:
            cells = ["" if cell is None else cell for cell in row]
            filled = [i for i, cell in enumerate(cells) if cell_text(cell).strip()]
            if filled:
                if filled[-1] >= MAX_COLUMNS:
                    raise ImportFileError(
                        f"The sheet has more than {MAX_COLUMNS:,} columns (row {number}): "
                        "this is not a customer list crmdesk can read. Keep the columns you "
                        "need in a new sheet and import that.")
                width = filled[-1] + 1
                cells = cells[:width]
        else:
            cells = ["" if cell is None else cell for cell in row[:width]]
        grid.append(cells)
        numbers.append(number)
    return grid, numbers


def sheet_names(path: Path | str) -> list[str]:
    book = _open(path)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def read_xlsx(path: Path | str, sheet: str | None = None) -> Table:
    """Read one sheet (the first unless named); raises ImportFileError when it cannot."""
    book = _open(path)
    try:
        names = list(book.sheetnames)
        if not names:
            raise ImportFileError("This workbook has no sheets.")
        if sheet is None:
            sheet = names[0]
        elif sheet not in names:
            raise ImportFileError(
                f"This workbook has no sheet called “{sheet}”. Its sheets: {', '.join(names)}.")
        try:
            grid, numbers = _rows(book[sheet])
        except ImportFileError:
            raise
        except Exception as exc:  # a damaged sheet inside a readable zip
            raise ImportFileError(
                f"The sheet “{sheet}” cannot be read: the workbook looks damaged.") from exc
        return make_table(grid, numbers, "xlsx", sheet=sheet, sheets=names)
    finally:
        book.close()
