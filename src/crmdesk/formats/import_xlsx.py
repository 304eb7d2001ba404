"""Reading Excel workbooks (.xlsx) with openpyxl: no Excel needed.

Opened read-only with cached values (`data_only`), so formulas give the value Excel last showed;
date cells arrive as datetimes and need no guessing of the day/month order.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from crmdesk.formats.import_common import ImportFileError, Table, make_table

MAX_ROWS = 1_000_000


def _open(path: Path | str):
    import openpyxl  # slow to load: only when a workbook is read

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
        grid, numbers = [], []
        try:
            for number, row in enumerate(book[sheet].iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise ImportFileError(f"The sheet has more than {MAX_ROWS:,} rows.")
                grid.append(["" if cell is None else cell for cell in row])
                numbers.append(number)
        except ImportFileError:
            raise
        except Exception as exc:  # a damaged sheet inside a readable zip
            raise ImportFileError(
                f"The sheet “{sheet}” cannot be read: the workbook looks damaged.") from exc
        return make_table(grid, numbers, "xlsx", sheet=sheet, sheets=names)
    finally:
        book.close()
