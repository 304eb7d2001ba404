"""Nothing a user entered is lost for a phone number: numbers that cannot be checked are kept,
marked "to check", listed, filtered and found; old books get the mark's column (schema 6)."""

from __future__ import annotations

import sqlite3

import pytest
from peewee import SqliteDatabase
from unit_helpers import FIXTURES

from crmdesk.core import importing
from crmdesk.core.customer_list import CustomerList
from crmdesk.core.model import CustomerInput, ListQuery
from crmdesk.formats import import_file, import_mapping
from crmdesk.store import migrations, search
from crmdesk.store.db import open_database


def _import(db, clock, tmp_path, text: str, country: str = "GB", name: str = "list.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    table = import_file.read_file(path)
    plan = importing.plan(table, import_mapping.build_mapping(table.headers), db, country,
                          today=clock.today())
    return plan, importing.apply(plan, db, now=clock)


FILE = ("Name,Phone,E-mail,Birthday,Notes\n"
        "Anna Berg,07700 900123,anna@example.com,1980-03-15,likes tea\n"  # range not in use
        "Ben Cole,call after six,ben@example.com,,\n"  # no number at all
        "Cara Diaz,07400 123456,,,\n"  # a good one
        "Dora Eng,,,,only a note\n")


def test_an_import_keeps_people_whose_numbers_cannot_be_checked(db, book, clock, tmp_path):
    plan, result = _import(db, clock, tmp_path, FILE)
    assert plan.rejected == []
    assert [r.label for r in plan.kept_as_written] == ["Row 2", "Row 3"]
    assert len(result.created_ids) == 4 and result.kept_as_written == 2
    anna, ben, cara, _dora = (book.card(i).data for i in result.created_ids)
    assert (anna.phone, anna.email, anna.notes, anna.phone_check) == \
        ("+447700900123", "anna@example.com", "likes tea", "phone")
    assert [(d.day, d.month, d.year) for d in anna.dates] == [(15, 3, 1980)]
    assert (ben.phone, ben.phone_check) == ("call after six", "phone")  # exactly as written
    assert (cara.phone, cara.phone_check) == ("+447400123456", "")


def test_without_a_country_national_numbers_are_kept_as_written(db, book, clock, tmp_path):
    _plan, result = _import(db, clock, tmp_path,
                            "Name,Phone\nAnna Berg,07400 123456\nBen Cole,447400123456\n",
                            country="")
    anna, ben = (book.load_input(i) for i in result.created_ids)
    assert (anna.phone, anna.phone_check) == ("07400 123456", "phone")
    assert (ben.phone, ben.phone_check) == ("+447400123456", "")  # its country code, read


def test_only_a_row_with_nothing_to_know_someone_by_is_refused(db, book, clock, tmp_path):
    plan, result = _import(db, clock, tmp_path,
                           "Name,Phone,E-mail,City\n,,,Leeds\n,12,,\n,,x@example.com,\n")
    assert [(r.label, r.reason) for r in plan.rejected] == [
        ("Row 2", "Name: Enter a name, a phone number or an e-mail.")]
    names = [book.card(i).name for i in result.created_ids]
    assert names == ["12", "x@example.com"]  # listed under what is known of them


def test_the_list_marks_and_filters_the_numbers_to_check(db, clock, tmp_path, customer_list):
    _plan, result = _import(db, clock, tmp_path, FILE)
    anna, ben, cara, dora = result.created_ids
    assert customer_list.find_ids(ListQuery(phone_check=True)) == [anna, ben]
    assert customer_list.count_matching(ListQuery(phone_check=True)) == 2
    assert customer_list.find_ids(ListQuery(text="anna", phone_check=True)) == [anna]
    assert customer_list.find_ids(ListQuery(text="cara", phone_check=True)) == []
    rows = customer_list.rows([anna, cara])
    assert (rows[anna].phone_check, rows[cara].phone_check) == ("phone", "")
    assert sorted(customer_list.find_ids(ListQuery())) == sorted([anna, ben, cara, dora])


def test_the_filter_follows_edits_and_trash(db, book, customer_list):
    anna = book.create(CustomerInput(first_name="Anna", phone="07700 900123"))
    assert customer_list.find_ids(ListQuery(phone_check=True)) == [anna]
    data = book.load_input(anna)
    data.phone = "07400 123456"
    book.update(anna, data)
    assert customer_list.find_ids(ListQuery(phone_check=True)) == []
    ben = book.create(CustomerInput(first_name="Ben", whatsapp="07700 900124"))
    book.trash([ben])
    assert customer_list.find_ids(ListQuery(phone_check=True)) == []
    assert customer_list.find_ids(ListQuery(phone_check=True, trash=True)) == [ben]


def test_the_filter_reads_its_index_not_every_customer(db, customer_list, monkeypatch):
    """Asked of the list itself: its count and its ids start from the partial index."""
    seen = []
    execute = db.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        if "phone_check <>" in sql:
            seen.append((sql, params))
        return execute(sql, params, *args, **kwargs)

    monkeypatch.setattr(db, "execute_sql", spy)
    customer_list.count_matching(ListQuery(phone_check=True))
    customer_list.find_ids(ListQuery(phone_check=True, status="prospect", sort="city"))
    customer_list.find_ids(ListQuery(phone_check=True, trash=True))
    monkeypatch.undo()
    assert len(seen) == 3
    for sql, params in seen:
        plan = " ".join(str(row[-1]) for row in
                        db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
        assert "USING INDEX customer_phone_check" in plan, plan


@pytest.mark.parametrize("typed", ["900123", "07700 900123", "07700900123", "447700900123"])
def test_a_number_to_check_is_found_by_its_digits(db, clock, tmp_path, find, typed):
    _plan, result = _import(db, clock, tmp_path, FILE)
    assert find(typed) == [result.created_ids[0]]


def test_a_number_kept_as_written_is_found_by_its_digits(db, clock, tmp_path, find):
    _plan, result = _import(db, clock, tmp_path, "Name,Phone\nAnna Berg,ask for 0161-555\n",
                            country="")
    assert find("0161555") == find("555") == [result.created_ids[0]]


def test_excel_number_cells_in_phone_columns_get_their_plus(db, book, clock, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Mobile", "WhatsApp", "Postcode", "Notes"])
    sheet.append(["Anna Berg", 447700900321, 447400123456.0, 10115, 4.5])
    sheet.append(["Ben Cole", 7400123456, None, 2.0, None])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    table = import_file.read_file(path)
    for country in ("", "GB", "FR", "DE"):
        plan = importing.plan(table, import_mapping.build_mapping(table.headers), db, country,
                              on_duplicate="create", today=clock.today())
        anna = plan.rows[0].data
        assert anna.whatsapp == "+447400123456", country  # valid with its country code
        if country != "DE":  # (in Germany 0447700900321 is a valid number: taken as one)
            assert anna.phone == "+447700900321", country  # possible, in a range not in use
            assert anna.phone_check == "phone"
        assert (anna.postcode, anna.notes) == ("10115", "4.5")  # other cells: no "+", no ".0"
        assert plan.rows[1].data.postcode == "2"
    gb = importing.plan(table, import_mapping.build_mapping(table.headers), db, "GB",
                        today=clock.today())
    assert (gb.rows[1].data.phone, gb.rows[1].data.phone_check) == ("+447400123456", "")


# --- search folds letters that are not accented ones -----------------------------------------


@pytest.mark.parametrize(("stored", "typed"), [
    ("Bjørn", "bjorn"), ("Bjørn", "BJØRN"), ("Ærø", "aero"), ("Cœur", "coeur"),
    ("Straße", "strasse"), ("Łódź", "lodz"), ("Đorđe", "dorde"), ("Þór", "thor"),
    ("Guðrún", "gudrun"), ("Bjorn", "bjørn"), ("Strasse", "straße"),
])
def test_search_folds_letters_the_accent_folding_leaves(add, find, stored, typed):
    someone = add(stored, "X")
    add("Other", "Person")
    assert find(typed) == [someone]


def test_folded_letters_are_found_in_details_too(add, find):
    anna = add("Anna", city="Tórshavn", notes="Loves smørrebrød")
    assert find("smorrebrod") == [anna]


# --- schema 5 -> 6 -------------------------------------------------------------------------


@pytest.fixture
def v5_path(tmp_path):
    """The released version 1 fixture brought to version 5, plus a customer whose search row
    was written as schema 5 wrote it (letters such as ø not folded)."""
    path = tmp_path / "shop.db"
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    db = SqliteDatabase(str(path))
    migrations.migrate(db, target=5)
    stamp = "2025-06-01 10:00:00"
    db.execute_sql(
        "INSERT INTO customer (id, first_name, last_name, display_name, sort_name, phone, "
        "created_at, updated_at) VALUES (10, 'Bjørn', 'Ødegaard', 'Bjørn Ødegaard', "
        "'bjørn ødegaard', '+4741234567', ?, ?)", (stamp, stamp))
    db.execute_sql("INSERT INTO customer_search (rowid, names, details) VALUES "
                   "(10, 'Bjørn Ødegaard Bjørn Ødegaard', '4741234567 41234567')")
    db.close()
    return path


def test_a_version_5_book_is_backed_up_and_migrated_to_6(v5_path, clock):
    conn = sqlite3.connect(v5_path)
    assert conn.execute("SELECT MAX(version) FROM schema_migration").fetchone() == (5,)
    assert conn.execute("SELECT rowid FROM customer_search WHERE customer_search MATCH "
                        "'\"bjorn\"*'").fetchall() == []
    conn.close()
    result = open_database(v5_path)
    try:
        assert result.migrated == list(range(6, migrations.LATEST_VERSION + 1))
        assert result.backup.name.startswith("shop.before-v6-")
        db = result.db
        assert db.execute_sql("SELECT DISTINCT phone_check FROM customer").fetchall() == [("",)]
        listing = CustomerList(db, today=clock.today)
        assert listing.find_ids(ListQuery(text="bjorn")) == [10]
        assert listing.find_ids(ListQuery(text="odegaard")) == [10]
        assert listing.find_ids(ListQuery(text="zoe")) == [1]  # the earlier rows, rebuilt
        assert listing.find_ids(ListQuery(text="07911 123456")) == [1]
        assert listing.find_ids(ListQuery(phone_check=True)) == []
        assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        result.db.close()
    backup = sqlite3.connect(result.backup)
    try:
        assert backup.execute("SELECT MAX(version) FROM schema_migration").fetchone() == (5,)
        columns = [row[1] for row in backup.execute("PRAGMA table_info(customer)")]
        assert "phone_check" not in columns
    finally:
        backup.close()


def test_search_rows_built_from_data_match_the_index_build(db, add):
    """The bulk import builds search rows from memory (search.row_text): folded the same way."""
    anna = add("Bjørn", "Æbelø", city="Łódź")
    stored = db.execute_sql("SELECT names, details FROM customer_search WHERE rowid = ?",
                            (anna,)).fetchone()
    assert stored[0] == "Bjorn AEbelo Bjorn AEbelo"  # (the tokenizer folds the case)
    assert "Lódź" in stored[1]  # ó and ź: the tokenizer's remove_diacritics folds those
    assert search.match_expression("Bjørn") == '"Bjorn"*'
