"""Opening the customer book: pragmas, refusing files we must not touch, and the migration ladder."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from peewee import IntegrityError
from unit_helpers import FIXTURES, file_hash, sidecars

from crmdesk.core.customer_list import CustomerList
from crmdesk.core.customers import CustomerBook
from crmdesk.core.model import CustomerInput, ListQuery
from crmdesk.store import migrations
from crmdesk.store.db import DatabaseOpenError, open_database
from crmdesk.store.models import MODELS, Interaction


def _version(conn) -> int:
    """The schema version, through a peewee database or a plain sqlite3 connection."""
    execute = getattr(conn, "execute_sql", None) or conn.execute
    return execute("SELECT MAX(version) FROM schema_migration").fetchone()[0]


def _pragma(db, name):
    return db.execute_sql(f"PRAGMA {name}").fetchone()[0]


# --- a new customer book -------------------------------------------------------------------


def test_new_file_uses_wal_foreign_keys_and_normal_sync(opened, db_path):
    db = opened.db
    assert _pragma(db, "journal_mode") == "wal"
    assert _pragma(db, "foreign_keys") == 1
    assert _pragma(db, "synchronous") == 1  # NORMAL
    # WAL is a property of the file: another program opening it sees it too.
    with sqlite3.connect(db_path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_new_file_is_at_the_latest_schema(opened, db_path):
    assert opened.migrated == [number for number, _name, _step in migrations.MIGRATIONS]
    assert opened.backup is None  # nothing to back up in a new file
    assert _version(opened.db) == migrations.LATEST_VERSION
    assert list(db_path.parent.glob("*.before-*")) == []


def test_new_file_is_private_to_the_user(opened, db_path):
    if os.name != "posix":
        pytest.skip("file modes are a POSIX notion")
    assert db_path.stat().st_mode & 0o077 == 0


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError), db.atomic():
        Interaction.create(customer=999, occurred_at=dt.datetime(2026, 1, 1),
                           created_at=dt.datetime(2026, 1, 1), summary="ghost")


def test_reopening_an_up_to_date_file_migrates_nothing_and_copies_nothing(db_path):
    open_database(db_path).db.close()
    again = open_database(db_path)
    try:
        assert again.migrated == []
        assert again.backup is None
    finally:
        again.db.close()
    assert list(db_path.parent.glob("*.before-*")) == []


def test_an_empty_file_is_opened_as_a_new_book(db_path):
    db_path.touch()
    result = open_database(db_path)
    try:
        assert _version(result.db) == migrations.LATEST_VERSION
    finally:
        result.db.close()


def test_models_and_migrated_tables_have_the_same_columns(db):
    for model in MODELS:
        table = model._meta.table_name
        info = db.execute_sql(f"PRAGMA table_info({table})").fetchall()
        assert info, f"table {table} is missing"
        columns = {row[1]: row for row in info}
        fields = {f.column_name: f for f in model._meta.sorted_fields}
        assert set(fields) == set(columns), table
        for name, field in fields.items():
            _cid, _name, _type, notnull, _default, pk = columns[name]
            if not pk:
                assert bool(notnull) == (not field.null), f"{table}.{name} nullability"


# --- files that must be refused untouched ------------------------------------------------------


def _newer_book(path, journal_mode: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA journal_mode = {journal_mode}")
        conn.executescript(migrations.V1_SQL)
        conn.execute(migrations.VERSION_TABLE_SQL)
        conn.executemany(
            "INSERT INTO schema_migration VALUES (?, ?, '2030-01-01 00:00:00')",
            [(n, f"step {n}") for n in range(1, migrations.LATEST_VERSION + 2)])
    conn.close()


def _foreign_sqlite(path, journal_mode: str = "delete") -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA journal_mode = {journal_mode}")
        conn.execute("CREATE TABLE recipe (id INTEGER PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO recipe (title) VALUES ('Lemon cake')")
    conn.close()


def _refused(path) -> DatabaseOpenError:
    before_hash, before_mtime = file_hash(path), path.stat().st_mtime_ns
    before_listing = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(DatabaseOpenError) as caught:
        open_database(path)
    assert file_hash(path) == before_hash
    assert path.stat().st_mtime_ns == before_mtime
    assert sorted(p.name for p in path.parent.iterdir()) == before_listing
    assert sidecars(path) == []
    return caught.value


def test_a_book_from_a_newer_crmdesk_is_refused_untouched(db_path):
    _newer_book(db_path, "delete")
    error = _refused(db_path)
    assert "newer version" in str(error)
    assert f"schema {migrations.LATEST_VERSION + 1}" in str(error)
    assert "left untouched" in str(error)


def test_an_sqlite_file_of_another_program_is_refused_untouched(db_path):
    _foreign_sqlite(db_path)
    error = _refused(db_path)
    assert "not a crmdesk customer book" in str(error)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT title FROM recipe").fetchall() == [("Lemon cake",)]
        assert "schema_migration" not in {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()


def test_a_damaged_file_is_refused_untouched(db_path):
    db_path.write_bytes(bytes(range(256)) * 64)
    error = _refused(db_path)
    assert "damaged" in str(error)


def test_a_truncated_crmdesk_file_is_refused_untouched(db_path):
    open_database(db_path).db.close()
    with sqlite3.connect(db_path) as conn:  # WAL-mode files: see the xfail below
        conn.execute("PRAGMA journal_mode = delete")
    conn.close()
    db_path.write_bytes(db_path.read_bytes()[:1500])
    error = _refused(db_path)
    assert "damaged" in str(error)


@pytest.mark.parametrize("make", ["newer", "foreign"])
def test_a_refused_wal_mode_file_gets_no_files_beside_it(db_path, make):
    if make == "newer":
        _newer_book(db_path, "wal")
    else:
        _foreign_sqlite(db_path, "wal")
    assert sidecars(db_path) == []
    before = file_hash(db_path)
    with pytest.raises(DatabaseOpenError):
        open_database(db_path)
    assert file_hash(db_path) == before
    assert sidecars(db_path) == []


# --- the migration ladder --------------------------------------------------------------------


@pytest.fixture
def v1_path(tmp_path):
    path = tmp_path / "shop.db"
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def test_fixture_is_a_version_1_book(v1_path):
    conn = sqlite3.connect(v1_path)
    try:
        assert conn.execute("SELECT version FROM schema_migration").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM customer").fetchone()[0] == 3
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "customer_search" not in tables
    finally:
        conn.close()


def _dump(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_a_version_1_book_is_backed_up_then_migrated(v1_path):
    original = _dump(v1_path)
    result = open_database(v1_path)
    try:
        assert result.migrated == list(range(2, migrations.LATEST_VERSION + 1))
        assert _version(result.db) == migrations.LATEST_VERSION
        assert result.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert result.db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    finally:
        result.db.close()

    copies = list(v1_path.parent.glob("shop.before-v2-*.db"))
    assert copies == [result.backup]
    if os.name == "posix":
        assert result.backup.stat().st_mode & 0o077 == 0  # a copy of customer data stays private
    assert _dump(result.backup) == original
    conn = sqlite3.connect(result.backup)
    try:
        assert _version(conn) == 1
        names = [r[0] for r in conn.execute("SELECT display_name FROM customer ORDER BY id")]
        assert names == ["Zoë Ångström", "Café Übersee", "Siobhán O'Brien"]
    finally:
        conn.close()


def test_a_migrated_book_keeps_every_customer_detail(v1_path, clock):
    result = open_database(v1_path)
    try:
        book = CustomerBook(result.db, now=clock, default_country=lambda: "GB")
        zoe = book.load_input(1)
        assert (zoe.first_name, zoe.last_name, zoe.phone) == ("Zoë", "Ångström", "+447911123456")
        assert zoe.tags == ["Knitting", "VIP"]
        assert [(d.kind, d.day, d.month, d.year) for d in zoe.dates] == [
            ("birthday", 29, 2, 1988), ("anniversary", 14, 6, 2015)]
        assert [(c.channel, c.granted) for c in zoe.consents] == [("email", True),
                                                                  ("whatsapp", True)]
        card = book.card(1)
        assert card.last_contact == dt.datetime(2025, 7, 15, 16, 45)
        assert card.interaction_count == 2
        assert book.card(3).follow_ups[0].title == "Call about the wedding cake"
    finally:
        result.db.close()


def test_search_finds_customers_from_before_search_existed(v1_path, clock):
    result = open_database(v1_path)
    try:
        listing = CustomerList(result.db, today=clock.today)

        def find(text):
            return listing.find_ids(ListQuery(text=text))

        assert find("zoe") == [1]
        assert find("ANGSTROM") == [1]
        assert find("ubersee") == [2]
        assert find("siobhan") == [3]
        assert find("wholesale") == [2]
        assert find("coeliac") == [3]
        assert find("07911 123456") == [1]
        assert find("vip") == [3, 1]  # in name order: Siobhán, Zoë
    finally:
        result.db.close()


def test_a_migrated_book_can_be_edited_and_searched(v1_path, clock):
    result = open_database(v1_path)
    try:
        book = CustomerBook(result.db, now=clock, default_country=lambda: "GB")
        listing = CustomerList(result.db, today=clock.today)
        new_id = book.create(CustomerInput(first_name="Nadia", city="Leeds"))
        data = book.load_input(3)
        data.last_name = "Byrne"
        book.update(3, data)
        assert listing.find_ids(ListQuery(text="leeds")) == [new_id]
        assert listing.find_ids(ListQuery(text="byrne")) == [3]
        assert listing.find_ids(ListQuery(text="brien")) == []
    finally:
        result.db.close()


def test_a_failing_step_leaves_the_book_at_its_previous_version(db, monkeypatch):
    def broken(database):
        database.execute_sql("CREATE TABLE half_done (id INTEGER)")
        raise RuntimeError("disk full")

    monkeypatch.setattr(migrations, "MIGRATIONS",
                        [*migrations.MIGRATIONS, (migrations.LATEST_VERSION + 1, "x", broken)])
    with pytest.raises(RuntimeError):
        migrations.migrate(db, target=migrations.LATEST_VERSION + 1)
    assert _version(db) == migrations.LATEST_VERSION
    tables = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables
