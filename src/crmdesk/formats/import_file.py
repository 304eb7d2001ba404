"""Open any file the import accepts: look at what it holds, not only at its name."""

from __future__ import annotations

from pathlib import Path

from crmdesk.formats import csv_import, import_json, import_xlsx, vcard_import
from crmdesk.formats.import_common import ImportFileError, Table

_KINDS = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a picture (PNG)",
    b"\xff\xd8\xff": "a picture (JPEG)",
    b"GIF8": "a picture (GIF)",
    b"\x1f\x8b": "a compressed (gzip) file",
    b"Rar!": "a compressed (RAR) file",
    b"7z\xbc\xaf": "a compressed (7-Zip) file",
    b"SQLite format 3": "a database file",
}


def sniff_kind(path: Path | str) -> str:
    """"csv", "xlsx", "vcard" or "json" (a crmdesk export), from the content first and the
    name second."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except IsADirectoryError as exc:
        raise ImportFileError("This is a folder, not a file.") from exc
    except OSError as exc:
        raise ImportFileError(f"The file cannot be opened: {exc.strerror or exc}.") from exc
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an old Excel workbook (.xls). Open it in your spreadsheet program and save "
            "it as .xlsx or CSV, then import that file.")
    for magic, what in _KINDS.items():
        if head.startswith(magic):
            raise ImportFileError(
                f"This file is {what}, not a list of customers. Choose a CSV, Excel (.xlsx) or "
                "vCard (.vcf) file.")
    if suffix in (".xlsx", ".xlsm") and head.strip():
        raise ImportFileError(
            "This file is named like an Excel workbook but is not one (it may be damaged or cut "
            "off). Open it in your spreadsheet program and save it again.")
    if suffix == ".json" or import_json.looks_like_crmdesk(head):
        return "json"
    text = head.replace(b"\x00", b"").upper()
    if b"BEGIN:VCARD" in text or suffix in (".vcf", ".vcard"):
        return "vcard"
    return "csv"


def read_file(path: Path | str, sheet: str | None = None,
              delimiter: str | None = None) -> Table:
    """Read a CSV/TSV, .xlsx, .vcf or crmdesk .json file into a Table, or raise
    ImportFileError. (A crmdesk JSON export read this way keeps the fields a column can hold;
    `import_json.plan_json` brings back everything.)"""
    kind = sniff_kind(path)
    if kind == "json":
        return import_json.to_table(import_json.read_json(path))
    if kind == "xlsx":
        return import_xlsx.read_xlsx(path, sheet)
    if kind == "vcard":
        return vcard_import.read_vcard(path)
    return csv_import.read_csv(path, delimiter)
