"""What every importer hands back: a table of cells with column names, and its errors.

A reader turns a file into a `Table` (column names, rows of cells, where each row came from);
the mapping (`import_mapping`) turns rows into customers. A file that cannot be read raises
`ImportFileError` with a message in plain words, and nothing has been written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: A cell: text, a date or datetime (from a spreadsheet), a number, or a PartialDate (vCard).
Cell = object

# Bounds every reader keeps, so a hostile or broken file (a tiny workbook that declares a
# million rows, a card with 30,000 phone numbers) is refused with a message saying which bound
# it passed, instead of taking all the memory or minutes. Far above any real customer list.
MAX_ROWS = 150_000  # rows of a sheet or CSV file, cards of a vCard file, customers of JSON
MAX_COLUMNS = 1_000  # named columns (Google's and Outlook's exports have about 90)
MAX_CELL = 1_000_000  # characters in one cell or one (unfolded) vCard value
MAX_PHONES = 50  # phone numbers (and, alike, e-mail addresses) on one vCard
MAX_NESTING = 50  # levels of lists and objects in a JSON file


class ImportFileError(Exception):
    """The file could not be read as customers; the message is for the user."""


@dataclass(frozen=True)
class PartialDate:
    """A date read from a file whose year may be unknown (vCard's --MMDD)."""

    day: int
    month: int
    year: int | None = None


@dataclass
class Table:
    """Rows read from a file. `numbers[i]` is where row i was in the file (spreadsheet row for
    CSV and Excel, with the column names on row 1; card number for vCard)."""

    headers: list[str]
    rows: list[list[Cell]]
    numbers: list[int]
    kind: str  # "csv", "xlsx", "vcard"
    unit: str = "row"  # "row" or "card": how a rejected line is named to the user
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)

    def preview(self, count: int = 20) -> list[list[str]]:
        """The first rows as text, for showing before anything is imported."""
        return [[cell_text(cell) for cell in row] for row in self.rows[:count]]

    def label(self, index: int) -> str:
        return f"{self.unit.capitalize()} {self.numbers[index]}"


def cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, PartialDate):
        if cell.year is None:
            return f"--{cell.month:02d}-{cell.day:02d}"
        return f"{cell.year:04d}-{cell.month:02d}-{cell.day:02d}"
    return str(cell)


_PLAIN = {"str": (str,), "bool": (bool,), "int | None": (int, type(None)),
          "int": (int,), "dt.date | None": (dt.date, type(None)), "list[str]": (list,)}


def check_shapes(item: object, where: str = "") -> None:
    """Raise TypeError naming the first field of `item` (a dataclass filled from a file, such
    as a JSON export) whose value is not the plain kind its annotation says: text, a whole
    number, yes/no, a date, a list of text; lists of dataclasses are checked in turn. A list or
    an object where text belongs is then refused in plain words, not met later as an
    AttributeError deep in the checks."""
    for f in dataclasses.fields(item):
        value = getattr(item, f.name)
        kinds = _PLAIN.get(str(f.type))
        name = f"{where}{f.name}"
        if kinds is not None:
            if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)
                                                 and int in kinds):
                raise TypeError(f"{name} holds {type(value).__name__}, not "
                                f"{str(f.type).replace('str', 'text')}")
            if str(f.type) == "list[str]" and not all(isinstance(v, str) for v in value):
                raise TypeError(f"{name} holds something other than text")
        elif isinstance(value, list):
            for part in value:
                if not dataclasses.is_dataclass(part):
                    raise TypeError(f"{name} holds {type(part).__name__}")
                check_shapes(part, f"{name}.")


def make_table(grid: list[list[Cell]], numbers: list[int], kind: str, **extra) -> Table:
    """Split a grid into column names (the first row that is not blank) and rows below it,
    dropping blank rows and padding short rows. Raises ImportFileError when nothing is left."""
    start = next((i for i, row in enumerate(grid) if any(cell_text(c).strip() for c in row)), None)
    if start is None:
        raise ImportFileError("The file is empty: there is nothing to import.")
    headers = [" ".join(cell_text(c).split()) for c in grid[start]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ImportFileError("The first line of the file has no column names.")
    width = len(headers)
    rows, kept = [], []
    for row, number in zip(grid[start + 1:], numbers[start + 1:], strict=True):
        if not any(cell_text(c).strip() for c in row):
            continue
        row = list(row[:width])
        row.extend([""] * (width - len(row)))
        rows.append(row)
        kept.append(number)
    if not rows:
        raise ImportFileError(
            "The file has column names but no rows below them: there is nothing to import.")
    return Table(headers, rows, kept, kind, **extra)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text in any encoding we read (NULs outside UTF-16, or many
    control characters)."""
    sample = data[:65536]
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(sample) * 0.02 or b"\x00" in sample


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold back Python's cycle collector while a bulk import builds its many small objects.

    The collector runs after every few hundred new objects and each full pass walks all of them:
    for 100,000 rows that is about a quarter of the check's time, for garbage that an import
    hardly makes (nothing here builds reference cycles). Reference counting still frees
    everything as usual; the collector is switched back on (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
