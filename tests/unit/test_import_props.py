"""Property tests: no input crashes an importer, duplicates never double up, Cancel at any point
leaves the book as it was."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.core import importing
from crmdesk.formats import import_file, import_mapping
from crmdesk.formats.import_common import ImportFileError
from crmdesk.store.db import open_database

TODAY = dt.date(2026, 3, 10)
TABLES = ("customer", "important_date", "customer_tag", "tag", "consent", "customer_search")


def fingerprint(db) -> str:
    digest = hashlib.sha256()
    for table in TABLES:
        for row in db.execute_sql(f"SELECT * FROM {table} ORDER BY 1"):
            digest.update(repr(row).encode())
    return digest.hexdigest()
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def book_db(tmp_path_factory):
    opened = open_database(tmp_path_factory.mktemp("props") / "props.db")
    yield opened.db
    opened.db.close()


def run_import(db, path) -> None:
    """Read, map and check a file: only ImportFileError may come out."""
    try:
        table = import_file.read_file(path)
        mapping = import_mapping.build_mapping(table.headers)
        for order in (None, "dmy"):
            try:
                importing.plan(table, mapping, db, "GB", today=TODAY, date_order=order)
            except import_mapping.AmbiguousDates:
                continue
        table.preview(5)
    except ImportFileError as exc:
        assert str(exc)


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12) | \
    st.sampled_from(["Anna", "+44 20 7946 0001", "03/04/1990", "--0315", "1980-02-30", '"',
                     "a;b", "x\ny", "Name", "Phone", "Birthday", "E-mail", "0/0/00", ":::", ""])
grids = st.lists(st.lists(cells, min_size=1, max_size=5), min_size=0, max_size=6)


@SETTINGS
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".txt", ".vcf", ".xlsx"]))
def test_random_bytes_never_crash(book_db, tmp_path, data, suffix):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    run_import(book_db, path)


@SETTINGS
@given(grid=grids, delimiter=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
       cut=st.integers(min_value=0, max_value=40))
def test_generated_spreadsheets_never_crash(book_db, tmp_path, grid, delimiter, encoding, cut):
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in '"\n;,\t') else cell

    text = "\r\n".join(delimiter.join(quote(c) for c in row) for row in grid)
    data = text.encode(encoding, errors="replace")
    if cut:
        data = data[:-cut]  # a truncated copy
    path = tmp_path / "grid.csv"
    path.write_bytes(data)
    run_import(book_db, path)


vcard_lines = st.sampled_from([
    "BEGIN:VCARD", "END:VCARD", "VERSION:2.1", "VERSION:3.0", "N:Berg;Anna;;;", "FN:Anna Berg",
    "TEL;CELL:+44 20 7946 0001", "TEL:12", "EMAIL:anna@example.com", "BDAY:--0315",
    "BDAY:19800230", "ANNIVERSARY:2010-06-12", "BDAY:soon", "PHOTO;ENCODING=b:AAAA",
    " folded", "=", "N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BC=", "NOTE:a\\nb\\,c",
    "ADR:;;1 St;Town;;1;UK", "X-ANNIVERSARY:--12-24", "NOTE;CHARSET=nonsense;ENCODING="
    "QUOTED-PRINTABLE:=FF", "item1.TEL;TYPE=\"cell,voice\":tel:+1-212-555-0170", ":", ";;;",
]) | st.text(max_size=20)


@SETTINGS
@given(lines=st.lists(vcard_lines, max_size=25))
def test_generated_vcards_never_crash(book_db, tmp_path, lines):
    path = tmp_path / "cards.vcf"
    path.write_bytes("\r\n".join(lines).encode("utf-8", errors="replace"))
    run_import(book_db, path)


people = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6)),
                  min_size=1, max_size=25)


@SETTINGS
@given(rows=people, mode=st.sampled_from(["skip", "merge"]))
def test_duplicates_never_double_up(tmp_path_factory, rows, mode):
    opened = open_database(tmp_path_factory.mktemp("dups") / "book.db")
    db = opened.db
    try:
        lines = ["Name,Phone,E-mail"]
        for name, phone, mail in rows:
            lines.append(f"Person {name},+44 20 7946 {phone:04d},p{mail}@example.com")
        path = tmp_path_factory.mktemp("dupfile") / "people.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        table = import_file.read_file(path)
        mapping = import_mapping.build_mapping(table.headers)
        plan = importing.plan(table, mapping, db, "GB", on_duplicate=mode, today=TODAY)
        importing.apply(plan, db)
        found = db.execute_sql("SELECT phone, email, sort_name FROM customer").fetchall()
        for column in range(3):
            values = [row[column] for row in found]
            assert len(values) == len(set(values))  # no phone, e-mail or name twice
        again = importing.plan(table, mapping, db, "GB", on_duplicate="skip", today=TODAY)
        assert not again.to_create and len(again.skipped) == len(rows)
    finally:
        db.close()


@SETTINGS
@given(stop_at=st.integers(min_value=0, max_value=6), size=st.integers(1, 3000))
def test_cancel_at_any_point_changes_nothing(book_db, tmp_path, stop_at, size):
    lines = ["Name,Phone,Tags,Birthday"] + [
        f"Cancel {i},+33 1 99 00 {i:04d},T{i % 4},1980-01-{1 + i % 28:02d}" for i in range(size)]
    path = tmp_path / "cancel.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = import_file.read_file(path)
    plan = importing.plan(table, import_mapping.build_mapping(table.headers), book_db, "GB",
                          on_duplicate="create", today=TODAY)
    before = fingerprint(book_db)
    calls = []

    def progress(done, total):
        calls.append(done)
        return len(calls) <= stop_at

    try:
        importing.apply(plan, book_db, progress=progress)
    except importing.ImportCancelled:
        assert fingerprint(book_db) == before
    else:
        # allowed only when the import ended before the cancel point
        assert len(calls) <= stop_at


def test_utf16_big_endian_without_bom(book_db, tmp_path):
    path = tmp_path / "be.txt"
    path.write_bytes("Name\tPhone\nAnna Berg\t+44 20 7946 0001\n".encode("utf-16-be"))
    table = import_file.read_file(path)
    assert (table.encoding, table.rows) == ("utf-16-be", [["Anna Berg", "+44 20 7946 0001"]])
    path.write_bytes(codecs.BOM_UTF8 + "Name;City\nZoë;Köln\n".encode())
    assert import_file.read_file(path).rows == [["Zoë", "Köln"]]
