"""Property: export then import gives back the same customers, for CSV, vCard and JSON.

Customers are created in a fresh book, exported, and the file is imported into another fresh
book (on_duplicate="create"). CSV and JSON carry names, phones, e-mail, tags, notes and
birthday; vCard carries names, phones, e-mail and birthday. (That no generated input crashes an
importer is tested in test_import_props.py.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.core import importing, restore
from crmdesk.core.customers import CustomerBook
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.formats import export, import_file, import_json, import_mapping
from crmdesk.formats.import_common import ImportFileError
from crmdesk.store.db import open_database

NOW = dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC)
TODAY = NOW.date()

AWKWARD = "aéÅøßçñ ,;\"'"
names = st.text(alphabet=st.sampled_from(AWKWARD) | st.sampled_from("BcdMoxyzÉü"),
                max_size=14).filter(lambda s: any(c.isalpha() for c in s))
phones = st.one_of(
    st.integers(0, 999).map(lambda n: f"+44 20 7946 0{n:03d}"),
    st.integers(0, 9999).map(lambda n: f"+33 1 99 00 {n // 100:02d} {n % 100:02d}"),
)
emails = st.sampled_from(["", "anna@example.com", "o'brien+shop@mail.example.org",
                          "zoë.l@example.net"])
tags = st.lists(st.sampled_from(["VIP", "Café regular", "Noël", "wholesale", "late payer"]),
                max_size=3, unique=True)
notes = st.text(alphabet=st.sampled_from("ab é\n=+-@,;\"'"), max_size=25)
birthdays = st.one_of(
    st.none(),
    st.tuples(st.integers(1, 28), st.integers(1, 12),
              st.one_of(st.none(), st.integers(1930, 2020))))
people = st.builds(
    lambda first, last, phone, alt, email, tag_list, note, birthday: CustomerInput(
        first_name=first, last_name=last, phone=phone, phone_alt=alt, email=email,
        tags=tag_list, notes=note,
        dates=[DateInput(kind="birthday", day=birthday[0], month=birthday[1],
                         year=birthday[2])] if birthday else []),
    names, names, phones, st.one_of(st.just(""), phones), emails, tags, notes,
    birthdays).filter(lambda d: d.phone != d.phone_alt)

SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def clock() -> dt.datetime:
    return NOW


def summary(data: CustomerInput, *, everything: bool) -> tuple:
    birthday = [(d.day, d.month, d.year) for d in data.dates if d.kind == "birthday"]
    phones = tuple(p for p in (data.phone, data.phone_alt) if p)
    base = (data.first_name, data.last_name, phones, data.email, birthday)
    if everything:
        return (*base, sorted(t.casefold() for t in data.tags), data.notes)
    return base


def import_into_fresh(folder: Path, name: str, path: Path) -> list[CustomerInput]:
    opened = open_database(folder / f"{name}.db")
    try:
        db = opened.db
        if name == "json":
            document = import_json.read_json(path)
            plan = restore.plan(document, db, "GB", on_duplicate="create", today=TODAY)
            assert not plan.rejected, [r.reason for r in plan.rejected]
            result = restore.apply(plan, db, document, now=clock).result
        else:
            table = import_file.read_file(path)
            mapping = import_mapping.build_mapping(table.headers)
            plan = importing.plan(table, mapping, db, "GB", on_duplicate="create",
                                  today=TODAY, date_order="dmy")
            assert not plan.rejected, [r.reason for r in plan.rejected]
            result = importing.apply(plan, db, now=clock)
        book = CustomerBook(db, now=clock, default_country=lambda: "GB")
        return [book.load_input(i) for i in result.created_ids]
    finally:
        opened.db.close()


def same(found: list[CustomerInput], stored: list[CustomerInput], everything: bool) -> None:
    def key(x: tuple) -> str:
        return repr(x)

    assert sorted((summary(d, everything=everything) for d in found), key=key) == \
        sorted((summary(d, everything=everything) for d in stored), key=key)


@SETTINGS
@given(inputs=st.lists(people, min_size=1, max_size=4))
def test_export_then_import_gives_back_the_same_customers(inputs):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = open_database(folder / "source.db")
        try:
            book = CustomerBook(source.db, now=clock, default_country=lambda: "GB")
            ids = [book.create(data) for data in inputs]
            stored = [book.load_input(i) for i in ids]
            export.export_csv(source.db, folder / "out.csv", ids)  # guarded, as users get it
            export.export_vcard(source.db, folder / "out.vcf", ids)
            export.export_json(source.db, folder / "out.json", ids, now=NOW)
        finally:
            source.db.close()
        same(import_into_fresh(folder, "csv", folder / "out.csv"), stored, everything=True)
        same(import_into_fresh(folder, "json", folder / "out.json"), stored, everything=True)
        same(import_into_fresh(folder, "vcard", folder / "out.vcf"), stored, everything=False)


# --- JSON import: what only the lossless path carries, and files that are not ours ----------

def test_json_import_restores_consents_and_history_and_checks_duplicates(tmp_path):
    source = open_database(tmp_path / "source.db")
    try:
        book = CustomerBook(source.db, now=clock, default_country=lambda: "GB")
        anna = book.create(CustomerInput(
            first_name="Anna", last_name="Schmidt", phone="020 7946 0123", city="Leeds",
            tags=["vip"], consents=[ConsentInput("email", True, dt.date(2026, 3, 3),
                                                 "at the till")],
            dates=[DateInput("custom", 5, 6, None, label="Shop opening")]))
        book.log_interaction(anna, "call", "Asked about cheese")
        book.add_follow_up(anna, "Call back", dt.date(2026, 3, 17))
        gone = book.create(CustomerInput(first_name="Old", last_name="Friend"))
        book.trash([gone])
        stored = book.load_input(anna)
        export.export_json(source.db, tmp_path / "all.json", now=NOW)
    finally:
        source.db.close()

    target = open_database(tmp_path / "target.db")
    try:
        db = target.db
        document = import_json.read_json(tmp_path / "all.json")
        plan = restore.plan(document, db, "GB", today=TODAY)
        assert [r.action for r in plan.rows] == ["create", "create"]  # Trash comes back too
        restored = restore.apply(plan, db, document, now=clock)
        result = restored.result
        book = CustomerBook(db, now=clock, default_country=lambda: "GB")
        back = book.load_input(result.created_ids[0])
        stored.dates = [dataclass_without_id(d) for d in stored.dates]
        back.dates = [dataclass_without_id(d) for d in back.dates]
        assert back == stored  # every field, tags, dates and consents (date and source)
        card = book.card(result.created_ids[0])
        assert [i.summary for i in card.interactions] == ["Asked about cheese"]
        assert [(f.title, f.due_on) for f in card.follow_ups] == \
            [("Call back", dt.date(2026, 3, 17))]
        assert restored.added["customers in Trash"] == 1  # back in Trash
        assert db.execute_sql("SELECT first_name FROM customer WHERE deleted_at IS NOT NULL"
                              ).fetchall() == [("Old",)]
        again = restore.plan(document, db, "GB", today=TODAY)
        assert again.rows[0].action == "skip" and "same phone" in again.rows[0].reason
        assert again.rows[1].action == "skip"  # in Trash, and already in the book
        # The ordinary wizard's way in reads the same file too.
        table = import_file.read_file(tmp_path / "all.json")
        assert table.kind == "json" and len(table.rows) == 1  # the wizard's way: live only
        mapping = import_mapping.build_mapping(table.headers)
        row = importing.plan(table, mapping, db, "GB", on_duplicate="create",
                             today=TODAY).rows[0]
        assert (row.data.first_name, row.data.phone, row.data.tags) == \
            ("Anna", stored.phone, ["vip"])
    finally:
        target.db.close()


def dataclass_without_id(item):
    return dataclasses.replace(item, id=None)


def test_json_that_is_not_a_crmdesk_export_is_refused_clearly(tmp_path):
    cases = {"other.json": '{"contacts": [{"name": "Anna"}]}',
             "list.json": '[1, 2, 3]',
             "cut.json": '{"format": "crmdesk", "version": 1, "customers": [{"id"',
             "future.json": '{"format": "crmdesk", "version": 9, "customers": []}',
             "empty.json": '{"format": "crmdesk", "version": 1, "customers": []}'}
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        for read in (import_file.read_file, import_json.read_json):
            with pytest.raises(ImportFileError) as caught:
                read(path)
            assert caught.value.args[0].endswith(".")


def test_guarded_csv_export_round_trips(tmp_path):
    """The export's spreadsheet guard comes off again on import."""
    source = open_database(tmp_path / "source.db")
    try:
        book = CustomerBook(source.db, now=clock, default_country=lambda: "GB")
        ids = [book.create(CustomerInput(first_name="Ann", notes="=1+2",
                                         dates=[DateInput("birthday", 3, 4, None)]))]
        export.export_csv(source.db, tmp_path / "out.csv", ids)
    finally:
        source.db.close()
    back = import_into_fresh(tmp_path, "csv", tmp_path / "out.csv")
    assert [(b.notes, b.dates[0].year) for b in back] == [("=1+2", None)]
