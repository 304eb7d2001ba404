"""Hostile and broken files: every reader keeps its bounds. Each file is imported by a real
`crmdesk import` whose address space is limited to 500 MB and whose CPU time to 120 s
(resource limits, not timings: work that grows with the square of the file, or memory that
grows with what a file declares, ends the process and fails the test). A file past a bound is
refused with a message that names the bound; nothing ends in a traceback."""

from __future__ import annotations

import base64
import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crmdesk.core import import_check, importing
from crmdesk.formats import import_file, import_mapping
from crmdesk.formats.import_common import ImportFileError
from crmdesk.store.db import open_database

MEMORY = 500 * 1024 * 1024
CPU_SECONDS = 120

_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
    'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="'
    'application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/'
    'workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
    'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
    '</sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
    'http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>',
}
_SHEET = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
          'openxmlformats.org/spreadsheetml/2006/main">')


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _row(number: int, *cells: tuple[str, str]) -> str:
    return f'<row r="{number}">' + "".join(_cell(f"{col}{number}", t) for col, t in cells) + \
        "</row>"


def _xlsx(path: Path, body: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET + body + "</worksheet>")
    return path


def huge_dimension(path: Path) -> Path:
    """1.7 KB that declares 16,384 columns by 1,048,576 rows, and has a cell on the last row."""
    rows = [_row(1, ("A", "Name"), ("B", "Phone")), _row(2, ("A", "Ann Lee"),
                                                          ("B", "07400 123456"))]
    rows += [_row(n, ("A", f"Person {n}")) for n in range(3, 40)]
    rows.append(_row(1048576, ("A", "Last Row")))
    return _xlsx(path, '<dimension ref="A1:XFD1048576"/><sheetData>' + "".join(rows) +
                 "</sheetData>")


def wide_sheet(path: Path) -> Path:
    """40,000 rows, each with a cell in the last column (XFD)."""
    rows = [_row(1, ("A", "Name"), ("B", "Phone"))]
    rows += [_row(n, ("A", f"P{n}"), ("XFD", "x")) for n in range(2, 40_000)]
    return _xlsx(path, "<sheetData>" + "".join(rows) + "</sheetData>")


def too_many_columns_sheet(path: Path) -> Path:
    from openpyxl.utils import get_column_letter

    names = [(get_column_letter(n), f"Column {n}") for n in range(1, 1201)]
    return _xlsx(path, "<sheetData>" + _row(1, *names) + _row(2, ("A", "Ann")) + "</sheetData>")


def unzips_huge(path: Path) -> Path:
    """A workbook of a few hundred kilobytes whose sheet unzips to 160 MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((_SHEET + "<sheetData>" + _row(1, ("A", "Name"))).encode())
            row = _row(2, ("A", "Ann Lee")).encode()
            for _ in range(160 * 1024 * 1024 // len(row)):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return path


def _vcard(path: Path, lines: list[str]) -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def many_phones(path: Path) -> Path:
    return _vcard(path, ["BEGIN:VCARD", "VERSION:3.0", "FN:Many Phones"] +
                  [f"TEL:+44 7400 {i:06d}" for i in range(30_000)] + ["END:VCARD"])


def folded(path: Path) -> Path:
    """One note folded over 400,000 lines (15 MB)."""
    return _vcard(path, ["BEGIN:VCARD", "VERSION:3.0", "FN:Folded", "NOTE:start"] +
                  [" abcdefghijklmnopqrstuvwxyz0123456789"] * 400_000 + ["END:VCARD"])


def quoted_printable(path: Path) -> Path:
    """A 2.1 quoted-printable note of 75,000 soft line breaks."""
    return _vcard(path, ["BEGIN:VCARD", "VERSION:2.1", "FN:QP",
                         "NOTE;ENCODING=QUOTED-PRINTABLE:start="] +
                  ["=41=42=43=44=45=46=47=48=49=4A=4B=4C=4D=4E=4F=50=51=52=53=54=55="] * 75_000
                  + ["end", "END:VCARD"])


def photo(path: Path) -> Path:
    """A 5 MB photo (folded base64) on a card that is otherwise fine."""
    data = base64.b64encode(os.urandom(5 * 1024 * 1024 * 3 // 4)).decode()
    parts = [data[i:i + 74] for i in range(0, len(data), 74)]
    return _vcard(path, ["BEGIN:VCARD", "VERSION:3.0", "FN:Ann Photo",
                         "PHOTO;ENCODING=b;TYPE=JPEG:" + parts[0]] + [" " + p for p in parts[1:]]
                  + ["TEL:07400 123456", "END:VCARD"])


def many_notes(path: Path) -> Path:
    return _vcard(path, ["BEGIN:VCARD", "VERSION:3.0", "FN:Notes"] +
                  ["NOTE:a short note"] * 300_000 + ["END:VCARD"])


def many_rows(path: Path) -> Path:
    """20 MB of two-letter rows: 5 million of them."""
    path.write_text("Name,Phone\n" + "a,b\n" * (5 * 1024 * 1024 - 10), encoding="utf-8")
    return path


def wide_csv(path: Path) -> Path:
    header = ",".join(f"c{i}" for i in range(5000))
    row = ",".join(["ab"] * 5000)
    path.write_text(header + "\n" + (row + "\n") * 1300, encoding="utf-8")
    return path


def narrow_header_wide_rows(path: Path) -> Path:
    """Two named columns, and 20 MB of rows 5,000 cells wide below them."""
    path.write_text("Name,Phone\n" + (",".join(["ab"] * 5000) + "\n") * 1398, encoding="utf-8")
    return path


def huge_cell(path: Path) -> Path:
    path.write_text("Name,Phone\n" + "A" * (10 * 1024 * 1024) + ",07400 123456\n",
                    encoding="utf-8")
    return path


def deep_json(path: Path) -> Path:
    depth = 10 * 1024 * 1024 - 100
    path.write_text('{"format": "crmdesk", "version": 1, "customers": ' + "[" * depth +
                    "]" * depth + "}", encoding="utf-8")
    return path


CASES = {  # name: (make the file, what the refusal names, or None when it imports)
    "huge_dimension.xlsx": (huge_dimension, None),
    "wide_sheet.xlsx": (wide_sheet, None),
    "too_many_columns.xlsx": (too_many_columns_sheet, "more than 1,000 columns"),
    "unzips_huge.xlsx": (unzips_huge, "more than the 150 MB crmdesk reads"),
    "many_phones.vcf": (many_phones, "more than 50 phone numbers"),
    "folded.vcf": (folded, "longer than 1,000,000 characters"),
    "quoted_printable.vcf": (quoted_printable, "longer than 1,000,000 characters"),
    "photo.vcf": (photo, None),
    "many_notes.vcf": (many_notes, "longer than 1,000,000 characters"),
    "many_rows.csv": (many_rows, "more than 150,000 rows"),
    "wide.csv": (wide_csv, "more than 1,000 columns"),
    "narrow_header.csv": (narrow_header_wide_rows, None),
    "huge_cell.csv": (huge_cell, "longer than 131,072 characters"),
    "deep.json": (deep_json, "damaged"),
}


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_file_is_read_within_bounds_or_refused_saying_why(tmp_path, name):
    make, refusal = CASES[name]
    path = make(tmp_path / name)
    assert path.stat().st_size <= 20 * 1024 * 1024
    book = tmp_path / "book.db"
    open_database(book).db.close()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    done = subprocess.run(
        [sys.executable, "-m", "crmdesk", "import", str(path), "--db", str(book),
         "--country", "GB"], capture_output=True, text=True, preexec_fn=_limits, env=env,
        timeout=900)
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr, done.stderr[-2000:]
    if refusal is None:
        assert done.returncode == 0, done.stderr[-2000:]
        assert "imported:" in done.stdout
    else:
        assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
        assert "cannot import" in done.stderr and refusal in done.stderr, done.stderr
        assert "Nothing was changed" in done.stderr


def test_a_photo_is_passed_over_and_the_card_imported(tmp_path):
    table = import_file.read_file(photo(tmp_path / "photo.vcf"))
    assert [row[:3] for row in table.rows] == [["", "", "Ann Photo"]]
    assert "07400 123456" in table.rows[0]


def test_a_sheet_declaring_a_million_rows_reads_the_rows_it_has(tmp_path):
    table = import_file.read_file(huge_dimension(tmp_path / "big.xlsx"))
    assert table.headers == ["Name", "Phone"]
    assert len(table.rows) == 39
    assert table.label(len(table.rows) - 1) == "Row 1048576"


def test_a_wide_file_keeps_the_named_columns(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("Name,Phone\nAnn Lee,07400 123456," + ",".join(["x"] * 3000) + "\n",
                    encoding="utf-8")
    table = import_file.read_file(path)
    assert table.rows == [["Ann Lee", "07400 123456"]]


def test_a_value_past_its_cap_rejects_its_row_and_keeps_it_whole(db, clock, tmp_path):
    notes = "n" * 100_001
    path = tmp_path / "caps.csv"
    path.write_text(f"Name,Phone,Notes\nAnn Lee,07400 123456,{notes}\n"
                    f"{'B' * 201},07400 123457,\nCarl Dent,07400 123458,{'n' * 100_000}\n",
                    encoding="utf-8")
    table = import_file.read_file(path)
    plan = importing.plan(table, import_mapping.build_mapping(table.headers), db, "GB",
                          today=clock.today())
    assert [(r.label, r.reason) for r in plan.rejected] == [
        ("Row 2", "Notes is 100,001 characters long; an import takes at most 100,000. "
                  "Shorten it in the file."),
        ("Row 3", "First name is 201 characters long; an import takes at most 200. "
                  "Shorten it in the file.")]
    assert [r.label for r in plan.to_create] == ["Row 4"]
    importing.rejected_csv(plan, tmp_path / "rejected.csv")
    assert notes in (tmp_path / "rejected.csv").read_text(encoding="utf-8-sig")
    if hasattr(os, "geteuid"):
        assert (tmp_path / "rejected.csv").stat().st_mode & 0o777 == 0o600


def test_caps_name_every_field_a_file_fills():
    assert set(import_check.FIELD_CAPS) >= {"first_name", "last_name", "business_name",
                                            "notes", "address", "email"}


def test_json_with_a_list_or_an_object_for_text_is_refused_plainly(db, tmp_path):
    from crmdesk.formats import import_json

    path = tmp_path / "lists.json"
    good = {"kind": "person", "first_name": "Ann", "last_name": "Lee", "business_name": "",
            "phone": "07400 123456", "phone_alt": "", "email": "", "whatsapp": "",
            "address": "", "city": "", "postcode": "", "country": "", "notes": "",
            "likes": "", "dislikes": "", "diet": "", "sizes": "", "status": "customer",
            "source": "", "do_not_contact": False, "keep_in_touch_days": None, "tags": [],
            "dates": [], "consents": []}
    path.write_text(json.dumps({"format": "crmdesk", "version": 1, "customers": [
        dict(good, first_name=["a", "b"]), dict(good, notes={"x": 1}), dict(good, tags=[{}]),
        good]}), encoding="utf-8")
    document = import_json.read_json(path)
    for item, field in zip(document.customers[:3], ("first_name", "notes", "tags"),
                           strict=True):
        with pytest.raises(TypeError, match=field):
            import_json.customer_input(item)
    assert import_json.customer_input(document.customers[3]).first_name == "Ann"


def test_a_bound_is_a_plain_refusal_not_a_crash(tmp_path):
    with pytest.raises(ImportFileError, match="more than 50 phone numbers"):
        import_file.read_file(many_phones(tmp_path / "phones.vcf"))


def test_a_10_mb_name_in_a_crmdesk_export_is_refused_with_the_reason(tmp_path):
    good = {"kind": "person", "first_name": "Ann", "last_name": "Lee", "business_name": "",
            "phone": "07400 123456", "phone_alt": "", "email": "", "whatsapp": "",
            "address": "", "city": "", "postcode": "", "country": "", "notes": "",
            "likes": "", "dislikes": "", "diet": "", "sizes": "", "status": "customer",
            "source": "", "do_not_contact": False, "keep_in_touch_days": None, "tags": [],
            "dates": [], "consents": []}
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"format": "crmdesk", "version": 1, "customers": [
        dict(good, first_name="A" * (10 * 1024 * 1024), phone="07400 123457"), good]}),
        encoding="utf-8")
    book = tmp_path / "book.db"
    open_database(book).db.close()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    done = subprocess.run(
        [sys.executable, "-m", "crmdesk", "import", str(path), "--db", str(book),
         "--country", "GB"], capture_output=True, text=True, preexec_fn=_limits, env=env,
        timeout=900)
    assert done.returncode == 0, done.stderr
    assert "First name is 10,485,760 characters long; an import takes at most 200." in \
        done.stdout
    with open_database(book).db as db:
        assert db.execute_sql("SELECT MAX(LENGTH(first_name)) FROM customer").fetchone() == (3,)
