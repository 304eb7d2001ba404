"""Reading CSV and tab-separated text as spreadsheets and address books write them.

Encoding: UTF-8 with or without a byte-order mark, UTF-16 (Excel's "Unicode text", with its BOM,
tab-separated), and Windows-1252 (Excel's "CSV" on a Western Windows) when the bytes are not
UTF-8. Delimiter: comma, semicolon or tab, guessed by csv.Sniffer and checked by counting how
evenly each candidate splits the first lines.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from crmdesk.formats.export_csv import unguard
from crmdesk.formats.import_common import (
    MAX_COLUMNS,
    MAX_ROWS,
    ImportFileError,
    Table,
    looks_binary,
    make_table,
    paused_gc,
)

DELIMITERS = (",", ";", "\t")
_SAMPLE_LINES = 50
_SAMPLE_CHARS = 65536


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the name of the encoding it was read with."""
    if not data.strip():
        raise ImportFileError("The file is empty: there is nothing to import.")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if len(data) % 2:
            data = data[:-1]  # cut off mid-character: keep what is whole
        return data.decode("utf-16", errors="replace"), "utf-16"
    sample = data[:4096]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if half and odd_nuls > half * 0.4 and even_nuls < half * 0.05:
        return data[:len(data) - len(data) % 2].decode("utf-16-le", errors="replace"), "utf-16-le"
    if half and even_nuls > half * 0.4 and odd_nuls < half * 0.05:
        return data[:len(data) - len(data) % 2].decode("utf-16-be", errors="replace"), "utf-16-be"
    if looks_binary(data):
        raise ImportFileError(
            "This file is not a text file (it may be a picture, a program or a damaged file). "
            "Save your list as CSV or Excel (.xlsx) and try again.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # only the last character was cut: a truncated copy
            return data.decode("utf-8", errors="replace"), "utf-8"
    return data.decode("cp1252", errors="replace"), "cp1252"


def _widths(lines: list[str], delimiter: str) -> list[int]:
    try:
        return [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
    except csv.Error:
        return []


def _score(lines: list[str], delimiter: str) -> tuple[float, int]:
    """How well `delimiter` splits the sample: share of rows as wide as the header, and width."""
    widths = _widths(lines, delimiter)
    if not widths or widths[0] < 2:
        return (0.0, 0)
    same = sum(1 for w in widths if w == widths[0]) / len(widths)
    return (same, widths[0])


def detect_delimiter(text: str) -> str:
    lines = text[:_SAMPLE_CHARS].splitlines()[:_SAMPLE_LINES]  # never the whole file
    sample = "\n".join(lines)
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    scores = {d: _score(lines, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: scores[d])
    if sniffed in DELIMITERS and scores[sniffed][0] >= 0.8 and \
            scores[sniffed][1] >= scores[best][1] * 0.5:
        return sniffed
    return best if scores[best][1] >= 2 else ","


def _header_width(row: list[str], number: int) -> int | None:
    """The width of the column names when `row` holds them (its last named column), None for
    a blank line above them; ImportFileError past MAX_COLUMNS."""
    named = [i for i, cell in enumerate(row) if cell.strip()]
    if not named:
        return None
    if named[-1] >= MAX_COLUMNS:
        raise ImportFileError(
            f"The file has more than {MAX_COLUMNS:,} columns (line {number}): this is not a "
            "customer list crmdesk can read. Keep the columns you need and try again.")
    return named[-1] + 1


def read_text(text: str, encoding: str = "", delimiter: str | None = None) -> Table:
    text = text.replace("\x00", "")
    delimiter = delimiter or detect_delimiter(text)
    grid, numbers = [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    width = None  # the column names' width: cells further right are not kept (bounds below)
    try:
        with paused_gc():
            for number, row in enumerate(reader, start=1):
                if width is None:
                    width = _header_width(row, number)
                elif len(row) > width:
                    row = row[:width]
                if len(grid) > MAX_ROWS:  # the column names and MAX_ROWS rows below them
                    raise ImportFileError(
                        f"The file has more than {MAX_ROWS:,} rows: crmdesk imports at most "
                        "that many at once. Split it into smaller files.")
                # Our own exports guard cells a spreadsheet would run ('=1+2): unguard them.
                grid.append([unguard(cell) if cell[:1] == "'" else cell for cell in row])
                numbers.append(number)
    except csv.Error as exc:
        where = reader.line_num
        if "field limit" in str(exc):
            raise ImportFileError(
                f"Line {where} of the file holds a value longer than {csv.field_size_limit():,} "
                "characters: this is not a customer list crmdesk can read safely (or its "
                "quotes do not match). Check that line and try again.") from exc
        where = len(grid) + 1
        if "end of data" in str(exc) or "EOF" in str(exc):
            raise ImportFileError(
                f"The file ends in the middle of a quoted value (row {where}): it looks cut "
                "off. Export it again and try once more.") from exc
        raise ImportFileError(
            f"Row {where} of the file cannot be read ({exc}). The file may be damaged.") from exc
    return make_table(grid, numbers, "csv", encoding=encoding, delimiter=delimiter)


def read_csv(path: Path | str, delimiter: str | None = None) -> Table:
    """Read a CSV or tab-separated file; raises ImportFileError when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"The file cannot be opened: {exc.strerror or exc}.") from exc
    text, encoding = decode(data)
    return read_text(text, encoding, delimiter)
