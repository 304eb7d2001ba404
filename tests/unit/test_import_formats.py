"""Reading real-world files: Google and Outlook CSV, Excel's semicolons in Windows-1252, UTF-16
"Unicode text", .xlsx, vCard 2.1/3.0/4.0, and files that are not what they claim."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crmdesk.formats import import_file, import_mapping
from crmdesk.formats.import_common import ImportFileError, PartialDate
from crmdesk.formats.import_rows import RowReader

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"
TODAY = dt.date(2026, 3, 10)


def customers(name: str, preset: str = "auto", order: str | None = None, rows: int = 99):
    table = import_file.read_file(FIXTURES / name)
    mapping = import_mapping.build_mapping(table.headers, preset)
    orders = import_mapping.date_orders(table, mapping)
    by_index = {i: orders.get(h) if orders.get(h) in ("dmy", "mdy") else order
                for i, h in enumerate(table.headers)}
    reader = RowReader(table, mapping, by_index, TODAY)
    return table, [reader.read(row) for row in table.rows[:rows]]


def dates(data):
    return [(d.kind, d.day, d.month, d.year, d.label) for d in data.dates]


def test_google_contacts_export():
    table, found = customers("google_contacts.csv", "google")
    assert (table.encoding, table.delimiter) == ("utf-8", ",")
    amelia, jonas, cafe, _nora = found
    assert (amelia.first_name, amelia.last_name) == ("Amelia", "Hart")
    assert (amelia.phone, amelia.phone_alt) == ("+44 20 7946 0101", "+44 20 7946 0102")
    assert "020 7946 0103" in amelia.notes and "a.hart@example.org" in amelia.notes
    assert amelia.email == "amelia.hart@example.com"
    assert amelia.tags == ["VIP"]  # "* myContacts" is Google's own group
    assert (amelia.address, amelia.city, amelia.postcode) == ("12 Rose Lane", "London", "SW1A 1AA")
    assert dates(amelia) == [("birthday", 21, 5, 1984, ""), ("anniversary", 12, 6, 2010, "")]
    assert dates(jonas) == [("birthday", 15, 3, None, "")]
    assert (cafe.kind, cafe.business_name, cafe.first_name) == ("business", "Café Lumière", "")


def test_outlook_export_reads_us_dates_and_skips_zero_dates():
    table, found = customers("outlook_contacts.csv", "outlook")
    assert import_mapping.date_orders(table, import_mapping.build_mapping(
        table.headers, "outlook")) == {"Birthday": "mdy", "Anniversary": "mdy"}
    grace, daniel, florist = found
    assert grace.phone == "(212) 555-0123"  # the mobile comes first
    assert grace.notes == "Prefers calls after 5pm.\r\nSize M."
    assert grace.tags == ["VIP", "Newsletter"]
    assert dates(grace) == [("birthday", 25, 3, 1979, "")]  # "0/0/00" anniversary = none
    assert dates(daniel) == [("anniversary", 14, 6, 2005, "")]
    assert (florist.kind, florist.business_name) == ("business", "Hudson Florist")


def test_excel_semicolons_in_windows_1252():
    table, found = customers("excel_semicolon_cp1252.csv", rows=3)  # row 5: a bad date
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    francois, zoe, soren = found
    assert (francois.first_name, francois.last_name, francois.city) == \
        ("François", "Lefèvre", "Besançon")
    assert zoe.notes == "Größe 38, 20 € Gutschein"
    assert (soren.first_name, soren.last_name, soren.city) == ("Søren", "Ødegård", "Malmö")
    assert dates(zoe) == [("birthday", 3, 4, 1990, "")]  # 25/12/1975 in the column says dmy
    assert table.preview(1)[0][0] == "François"


def test_utf16_tab_separated_unicode_text():
    table, (lucja, kenji) = customers("utf16_unicode_text.txt")
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert (lucja.first_name, kenji.last_name) == ("Łucja", "佐藤")
    assert dates(lucja) == [("birthday", 9, 7, 1988, "")]


def test_xlsx_with_sheet_choice_and_date_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    sheet = book.create_sheet("Customers")
    sheet.append(["Name", "Phone", "Birthday", "Town"])
    sheet.append(["Maria Rossi", 442079460401, dt.datetime(1990, 4, 3), "London"])
    sheet.append([None, None, None, None])
    sheet.append(["Luca Bianchi", "+44 20 7946 0402", "03/04/1991", None])
    path = tmp_path / "list.xlsx"
    book.save(path)
    table = import_file.read_file(path, sheet="Customers")
    assert (table.kind, table.sheets, table.numbers) == ("xlsx", ["Notes", "Customers"], [2, 4])
    mapping = import_mapping.build_mapping(table.headers)
    assert import_mapping.date_orders(table, mapping) == {"Birthday": "ambiguous"}
    reader = RowReader(table, mapping, {2: "dmy"}, TODAY)
    maria, luca = (reader.read(row) for row in table.rows)
    # a number cell with its country code gets back the "+" a number cannot hold
    assert (maria.first_name, maria.last_name, maria.phone) == ("Maria", "Rossi", "+442079460401")
    assert dates(maria) == [("birthday", 3, 4, 1990, "")]  # a date cell: no guessing
    assert dates(luca) == [("birthday", 3, 4, 1991, "")]
    with pytest.raises(ImportFileError, match="no sheet called"):
        import_file.read_file(path, sheet="Missing")


def test_vcard_21_quoted_printable_folded_and_photo():
    table, (juergen, renee) = customers("contacts_v21.vcf")
    assert table.unit == "card"
    assert (juergen.first_name, juergen.last_name) == ("Jürgen", "Müller")
    assert juergen.notes == "Kauft gern Grünen Tee und möchte Bescheid bei neuer Ware."
    assert (juergen.phone, juergen.phone_alt) == ("+49 30 23125 003", "+49 30 23125 004")  # no fax
    assert dates(juergen) == [("birthday", 2, 1, 1970, "")]
    assert (renee.first_name, renee.last_name) == ("Renée", "Dupré")  # ISO-8859-1 charset
    assert renee.email == "renee@example.fr" and "renee.dupre@example.org" in renee.notes


def test_vcard_30_escapes_dates_without_year_and_photo():
    _table, (chinwe, erik) = customers("contacts_v30.vcf")
    assert chinwe.business_name == "Okafor Tailoring"
    assert chinwe.notes == ("Loves bright colours, dislikes wool.\n"
                            "Ask about her daughter’s wedding.")
    assert (chinwe.address, chinwe.city, chinwe.postcode, chinwe.country) == \
        ("1 Harbour St", "Sydney", "2000", "Australia")
    assert chinwe.tags == ["VIP", "Tailoring"]
    # Apple writes 1604 for "year not known"
    assert dates(chinwe) == [("birthday", 5, 11, None, ""), ("anniversary", 20, 9, 2001, "")]
    assert dates(erik) == [("birthday", 4, 7, None, "")]


def test_vcard_40_uri_phones_and_dates():
    _table, (priya, tom) = customers("contacts_v40.vcf")
    assert (priya.phone, priya.phone_alt) == ("+44-20-7946-0301", "+44-20-7946-0302")
    assert dates(priya) == [("birthday", 15, 3, None, ""), ("anniversary", 12, 6, 2012, "")]
    assert dates(tom) == [("birthday", 29, 2, 1976, ""), ("anniversary", 24, 12, None, "")]


def test_vcard_agrees_with_vobject():
    vobject = pytest.importorskip("vobject")
    text = (FIXTURES / "contacts_v30.vcf").read_text(encoding="utf-8")
    theirs = [(c.n.value.given, c.n.value.family, c.tel.value)
              for c in vobject.readComponents(text)]
    _table, ours = customers("contacts_v30.vcf")
    assert [(c.first_name, c.last_name, c.phone) for c in ours] == theirs


@pytest.mark.parametrize("name, message", [
    ("empty.csv", "empty"),
    ("binary.csv", "not a text file"),
    ("truncated.csv", "cut off"),
    ("truncated.vcf", "cut off"),
])
def test_files_that_are_not_what_they_claim(name, message):
    with pytest.raises(ImportFileError, match=message):
        import_file.read_file(FIXTURES / name)


def test_wrong_kinds(tmp_path):
    cases = {
        "photo.csv": b"\x89PNG\r\n\x1a\n" + bytes(100),
        "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
        "fake.xlsx": b"First Name,Last Name\nAnna,Berg\n",
        "notes.vcf": b"Just some text\n",
        "only-header.csv": b"First Name,Last Name\n\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ImportFileError) as caught:
            import_file.read_file(tmp_path / name)
        assert "Traceback" not in str(caught.value) and str(caught.value).endswith(".")


def test_truncated_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["Name"])
    book.active.append(["Anna Berg"])
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ImportFileError, match="Excel workbook"):
        import_file.read_file(cut)


@pytest.mark.parametrize("text, order, expected", [
    ("1980-03-15", None, PartialDate(15, 3, 1980)),
    ("19800315", None, PartialDate(15, 3, 1980)),
    ("--03-15", None, PartialDate(15, 3)),
    ("--0315", None, PartialDate(15, 3)),
    ("15/03/1980", None, PartialDate(15, 3, 1980)),
    ("3/15/1980", None, PartialDate(15, 3, 1980)),
    ("03.04.1980", "dmy", PartialDate(3, 4, 1980)),
    ("03/04/80", "mdy", PartialDate(4, 3, 1980)),
    ("15 March 1980", None, PartialDate(15, 3, 1980)),
    ("Mar 15, 1980", None, PartialDate(15, 3, 1980)),
    ("0/0/00", None, None),
    ("", None, None),
])
def test_dates_as_people_write_them(text, order, expected):
    assert import_mapping.read_date(text, order, TODAY) == expected


@pytest.mark.parametrize("text, order", [("03/04/1980", None), ("31/13/1980", "dmy"),
                                          ("3/25/1980", "dmy"), ("soon", None)])
def test_dates_that_need_a_choice_or_cannot_be_read(text, order):
    with pytest.raises(import_mapping.DateProblem):
        import_mapping.read_date(text, order, TODAY)


def test_user_mapping_wins_and_unknown_preset_is_refused():
    headers = ["Kunde", "Handy", "Notes"]
    mapping = import_mapping.build_mapping(headers, user={"Kunde": "name", "Handy": "phone",
                                                          "Notes": "ignore"})
    assert mapping == {"Kunde": "name", "Handy": "phone"}
    with pytest.raises(import_mapping.MappingError):
        import_mapping.build_mapping(headers, "thunderbird")
    with pytest.raises(import_mapping.MappingError, match="Google"):
        import_mapping.build_mapping(["Kunde", "Handy"], "google")
