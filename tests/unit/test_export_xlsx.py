"""Excel export: a real workbook read back with openpyxl, cell by cell, and through the import."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile

from openpyxl import load_workbook

from crmdesk.cli import main
from crmdesk.core import importing
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.formats import export, import_file, import_mapping
from crmdesk.formats.export_csv import COLUMNS
from crmdesk.store.db import open_database


def rows_of(path) -> list[dict]:
    with path.open("rb") as handle:  # by content: a file may be named anything
        sheet = load_workbook(handle).active
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def test_cells_have_their_types(db, book, tmp_path):
    book.create(CustomerInput(
        first_name="Anna", last_name="Schmidt", phone="+44 20 7946 0765",
        phone_alt="07911 123456", postcode="01234", notes="=HYPERLINK(\"http://x\")",
        keep_in_touch_days=30, tags=["vip"],
        dates=[DateInput("birthday", 12, 3, 1990), DateInput("anniversary", 1, 4, None)],
        consents=[ConsentInput("email", True, dt.date(2026, 1, 5), "form")]))
    out = tmp_path / "book.xlsx"
    result = export.export_xlsx(db, out, tz=dt.UTC)
    assert result.customers == 1
    (anna,) = rows_of(out)
    assert list(anna) == [header for header, _ in COLUMNS.values()]
    assert anna["Phone"].value == "+442079460765" and anna["Phone"].data_type == "s"
    assert anna["Other phone"].value == "+447911123456"
    assert anna["Postcode"].value == "01234"  # a code keeps its 0
    assert anna["Birthday"].is_date and anna["Birthday"].value.date() == dt.date(1990, 3, 12)
    assert anna["Anniversary"].value == "--04-01"  # no year: text, no apostrophe
    assert anna["Keep in touch (days)"].value == 30
    assert anna["Created"].is_date
    assert anna["Notes"].value.startswith("=HYPERLINK") and anna["Notes"].data_type == "s"
    assert anna["Email consent"].value == "yes 2026-01-05 (form)"
    with zipfile.ZipFile(out) as archive:  # no formula anywhere, and no quote marker
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "'+44" not in sheet


def test_cli_writes_xlsx_by_suffix_and_by_format(tmp_path):
    shop = tmp_path / "shop.db"
    opened = open_database(shop)
    try:
        from crmdesk.core.customers import CustomerBook

        CustomerBook(opened.db, default_country=lambda: "GB").create(
            CustomerInput(first_name="Bo", phone="020 7946 0123", do_not_contact=True))
    finally:
        opened.db.close()
    assert main(["export", "--db", str(shop), "--out", str(tmp_path / "a.xlsx")]) == 0
    assert [r["Phone"].value for r in rows_of(tmp_path / "a.xlsx")] == ["+442079460123"]
    assert main(["export", "--db", str(shop), "--format", "xlsx", "--marketing",
                 "--columns", "name,phone", "--out", str(tmp_path / "b.book")]) == 0
    assert rows_of(tmp_path / "b.book") == []  # do-not-contact left out of marketing


def test_xlsx_reads_back_through_the_import_like_the_csv(tmp_path):
    from tests.unit.test_roundtrip_full import TODAY, clock, fill

    source = open_database(tmp_path / "source.db")
    try:
        fill(source.db)
        export.export_xlsx(source.db, tmp_path / "book.xlsx")
        export.export_csv(source.db, tmp_path / "first.csv")
    finally:
        source.db.close()
    target = open_database(tmp_path / "target.db")
    try:
        table = import_file.read_file(tmp_path / "book.xlsx")
        mapping = import_mapping.build_mapping(table.headers)
        plan = importing.plan(table, mapping, target.db, "GB", today=TODAY)
        assert not plan.rejected, [r.reason for r in plan.rejected]
        importing.apply(plan, target.db, now=clock)
        export.export_csv(target.db, tmp_path / "second.csv")
    finally:
        target.db.close()

    def rows(path):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [{k: v for k, v in r.items() if k not in ("Created", "Last contact")}
                    for r in csv.DictReader(handle)]

    assert rows(tmp_path / "second.csv") == rows(tmp_path / "first.csv")
