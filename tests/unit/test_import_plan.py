"""The dry run, the one-transaction write, duplicates, undo, rejected rows and the command."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from crmdesk import cli
from crmdesk.core import importing
from crmdesk.core.model import CustomerInput, DateInput, ListQuery
from crmdesk.formats import import_file, import_mapping
from crmdesk.formats.import_common import ImportFileError
from crmdesk.formats.import_mapping import AmbiguousDates

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"
TABLES = ("customer", "important_date", "customer_tag", "tag", "consent", "customer_search")


def fingerprint(db) -> str:
    digest = hashlib.sha256()
    for table in TABLES:
        for row in db.execute_sql(f"SELECT * FROM {table} ORDER BY 1"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def table_of(tmp_path, text: str, name: str = "list.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_file.read_file(path)


def plan_for(db, clock, table, preset="auto", **kwargs):
    mapping = import_mapping.build_mapping(table.headers, preset)
    kwargs.setdefault("default_country", "GB")
    return importing.plan(table, mapping, db, today=clock.today(), **kwargs)


def test_dry_run_writes_nothing_then_apply_writes_everything(db, book, clock, tmp_path):
    table = table_of(tmp_path, "Name,Phone,E-mail,Birthday,Tags\n"
                               "Anna Berg,020 7946 0001,anna@example.com,1980-03-15,VIP\n"
                               "Ben Cole,12,,,\n"
                               "Chloé Dubois,+33 1 99 00 00 01,,--12-24,VIP; Paris\n")
    before = fingerprint(db)
    plan = plan_for(db, clock, table)
    assert fingerprint(db) == before
    assert [r.label for r in plan.to_create] == ["Row 2", "Row 3", "Row 4"]
    assert plan.rejected == []
    assert [r.label for r in plan.kept_as_written] == ["Row 3"]  # its number is to check
    result = importing.apply(plan, db, now=clock)
    assert len(result.created_ids) == 3 and result.rejected == 0
    assert result.kept_as_written == 1
    ben = book.load_input(result.created_ids[1])
    assert (ben.first_name, ben.phone, ben.phone_check) == ("Ben", "12", "phone")
    result.created_ids.pop(1)
    anna = book.card(result.created_ids[0])
    assert (anna.name, anna.data.phone, anna.data.email) == \
        ("Anna Berg", "+442079460001", "anna@example.com")
    assert anna.data.tags == ["VIP"]
    assert [(d.kind, d.day, d.month, d.year) for d in anna.data.dates] == \
        [("birthday", 15, 3, 1980)]
    chloe = book.load_input(result.created_ids[1])
    assert chloe.tags == ["Paris", "VIP"] and chloe.dates[0].year is None
    # what the import wrote is what the book's own rules would have stored, and is searchable
    from crmdesk.core.customer_list import CustomerList
    found = CustomerList(db, today=clock.today).find_ids(ListQuery(text="7946 0001"))
    assert found == [result.created_ids[0]]
    assert book.validate(chloe) == chloe


def test_duplicates_against_the_book_and_within_the_file(db, book, clock, tmp_path):
    old = book.create(CustomerInput(first_name="Anna", last_name="Berg", phone="020 7946 0001",
                                    notes="Likes tea", tags=["Regular"]))
    text = ("Name,Phone,E-mail,City,Birthday,Tags\n"
            "Anna Berg,+44 20 7946 0002,anna@example.com,London,1980-03-15,VIP\n"  # same name
            "Someone Else,020 7946 0001,,,,\n"  # same phone as Anna
            "Dan Ek,020 7946 0003,dan@example.com,,,\n"
            "DAN EK,,dan@example.com,Leeds,,\n")  # same e-mail as the row above
    table = table_of(tmp_path, text)

    skip = plan_for(db, clock, table, on_duplicate="skip")
    assert [(r.label, r.reason) for r in skip.skipped] == [
        ("Row 2", "Already in your book (same name)."),
        ("Row 3", "Already in your book (same phone number)."),
        ("Row 5", "Same customer as row 4 (same e-mail).")]
    assert [r.label for r in skip.to_create] == ["Row 4"]

    create = plan_for(db, clock, table, on_duplicate="create")
    assert len(create.to_create) == 4 and not create.skipped

    merge = plan_for(db, clock, table, on_duplicate="merge")
    assert [(r.label, r.existing_id) for r in merge.to_merge] == [("Row 2", old), ("Row 3", old)]
    dan = merge.to_create[0].data
    assert dan.city == "Leeds"  # row 5 filled in what row 4 lacked
    result = importing.apply(merge, db, now=clock)
    anna = book.load_input(old)
    assert (anna.phone, anna.phone_alt, anna.email, anna.city) == \
        ("+442079460001", "+442079460002", "anna@example.com", "London")
    assert anna.notes == "Likes tea" and anna.tags == ["Regular", "VIP"]
    assert [(d.kind, d.day, d.month) for d in anna.dates] == [("birthday", 15, 3)]
    assert [cid for cid, _ in result.merged] == [old, old]

    importing.undo(result, db, now=clock, default_country="GB")
    anna = book.load_input(old)
    assert (anna.phone_alt, anna.email, anna.tags, anna.dates) == ("", "", ["Regular"], [])
    assert db.execute_sql("SELECT count(*) FROM customer WHERE deleted_at IS NULL"
                          ).fetchone()[0] == 1  # Dan went to Trash


def test_undo_sends_created_customers_to_trash(db, book, clock, tmp_path):
    table = table_of(tmp_path, "Name\nAnna Berg\nBen Cole\n")
    result = importing.apply(plan_for(db, clock, table), db, now=clock)
    importing.undo(result, db, now=clock)
    rows = db.execute_sql("SELECT display_name, deleted_at IS NOT NULL FROM customer").fetchall()
    assert sorted(rows) == [("Anna Berg", 1), ("Ben Cole", 1)]  # in Trash, not erased


def test_trashed_customers_are_not_duplicates(db, book, clock, tmp_path):
    old = book.create(CustomerInput(first_name="Anna", last_name="Berg"))
    book.trash([old])
    plan = plan_for(db, clock, table_of(tmp_path, "Name\nAnna Berg\n"))
    assert len(plan.to_create) == 1


def test_cancel_mid_import_leaves_the_book_untouched(db, book, clock, tmp_path):
    book.create(CustomerInput(first_name="Zed", last_name="Old", dates=[DateInput(day=1)]))
    rows = "\n".join(f"Person {i},+44 20 7946 {i % 1000:04d},T{i % 3}" for i in range(5000))
    table = table_of(tmp_path, "Name,Phone,Tags\n" + rows + "\n")
    plan = plan_for(db, clock, table, on_duplicate="create")
    before = fingerprint(db)
    calls = []

    def progress(done, total):
        calls.append(done)
        return done < 4000

    with pytest.raises(importing.ImportCancelled):
        importing.apply(plan, db, progress=progress, now=clock)
    assert calls and calls[0] < 5000
    assert fingerprint(db) == before
    result = importing.apply(plan, db, now=clock)  # and the book still takes writes
    assert len(result.created_ids) == 5000


def test_ambiguous_dates_need_a_choice(db, clock, tmp_path):
    table = table_of(tmp_path, "Name,Birthday\nAnna Berg,03/04/1990\nBen Cole,01/02/1985\n")
    with pytest.raises(AmbiguousDates) as caught:
        plan_for(db, clock, table)
    assert "03/04/1990" in str(caught.value)
    dmy = plan_for(db, clock, table, date_order="dmy").to_create[0].data.dates[0]
    mdy = plan_for(db, clock, table, date_order="mdy").to_create[0].data.dates[0]
    assert (dmy.day, dmy.month, mdy.day, mdy.month) == (3, 4, 4, 3)


def test_a_file_without_names_is_refused(db, clock, tmp_path):
    table = table_of(tmp_path, "Colour,Price\nred,3\n")
    with pytest.raises(import_mapping.MappingError, match="names"):
        plan_for(db, clock, table)


def test_a_file_of_numbers_and_addresses_without_names_is_imported(db, clock, tmp_path):
    """A list of numbers from a phone or of addresses from a newsletter tool has no names:
    everyone in it arrives all the same, known by their number or address."""
    table = table_of(tmp_path, "Mobile,E-mail\n+44 20 7946 0001,\n,ann@example.com\n")
    plan = plan_for(db, clock, table)
    assert not plan.rejected
    assert [(r.data.phone, r.data.email) for r in plan.to_create] == \
        [("+442079460001", ""), ("", "ann@example.com")]


def test_rejected_rows_saved_to_fix_and_import_again(db, clock, tmp_path):
    table = table_of(tmp_path, "Name,Phone,Birthday\nAnna Berg,12,\n,,1980-01-01\n"
                               "Ben Cole,+44 20 7946 0002,2099-01-01\nOk Person,,\n"
                               ",+44 20 7946 0001,\n")
    plan = plan_for(db, clock, table)
    # Nothing lost: Ben Cole's birthday in 2099 cannot be right, so it is kept as written in
    # his notes and he is imported; only the row with nothing to know a person by is refused.
    assert [r.label for r in plan.to_create] == ["Row 2", "Row 4", "Row 5", "Row 6"]
    ben = plan.to_create[1].data
    assert ben.dates == [] and "Birthday as written in the imported file" in ben.notes
    assert "01/01/2099" in ben.notes
    out = tmp_path / "rejected.csv"
    assert importing.rejected_csv(plan, out) == 1
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["reason", "Name", "Phone", "Birthday"]
    assert rows[1][1:] == ["", "", "1980-01-01"]
    assert rows[1][0] == "Name: Enter a name, a phone number or an e-mail."
    again = import_file.read_file(out)
    assert again.headers == rows[0]


def test_a_date_or_email_that_fails_its_check_never_drops_the_person(db, clock, tmp_path):
    """31/02, a word where a date belongs, an e-mail without @: the person is imported and the
    value kept as written in their notes, for the owner to put right."""
    table = table_of(tmp_path, "Name,Email,Birthday,Anniversary\n"
                               "Mara Lind,mara@example.com,31/02/1980,12/06/2010\n"
                               "Olu Ade,olu at example,soon,\n")
    plan = plan_for(db, clock, table, date_order="dmy")
    assert not plan.rejected
    mara, olu = (r.data for r in plan.to_create)
    assert [(d.kind, d.day, d.month, d.year) for d in mara.dates] == \
        [("anniversary", 12, 6, 2010)]
    assert "Birthday as written in the imported file (to check): 31/02/1980" in mara.notes
    assert olu.email == "" and "E-mail as written in the imported file (to check): olu at " \
        "example" in olu.notes
    assert "Birthday as written in the imported file (to check): soon" in olu.notes


def test_cli_imports_and_summarises(db_path, tmp_path, capsys):
    status = cli.main(["import", str(FIXTURES / "google_contacts.csv"), "--db", str(db_path),
                       "--preset", "google", "--country", "GB"])
    out = capsys.readouterr().out
    assert status == 0
    assert "imported: 4" in out and "rejected: 0" in out
    assert "kept as written: 1 (a phone number to check)" in out
    status = cli.main(["import", str(FIXTURES / "google_contacts.csv"), "--db", str(db_path),
                       "--country", "GB"])
    assert status == 0 and "skipped:  4" in capsys.readouterr().out


def test_cli_lists_at_most_twenty_reasons(db_path, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("Name,Phone,Birthday,City\n" + "".join(f",,2000-01-01,Town {i}\n"
                                                           for i in range(25)), encoding="utf-8")
    assert cli.main(["import", str(path), "--db", str(db_path), "--country", "GB"]) == 0
    out = capsys.readouterr().out
    assert out.count("Enter a name") == 20 and "and 5 more" in out


def test_cli_refuses_ambiguous_dates_and_unreadable_files(db_path, tmp_path, capsys):
    path = tmp_path / "dates.csv"
    path.write_text("Name,Birthday\nAnna Berg,03/04/1990\n", encoding="utf-8")
    assert cli.main(["import", str(path), "--db", str(db_path)]) == 1
    assert "--date-order" in capsys.readouterr().err
    for name in ("empty.csv", "binary.csv", "truncated.csv", "truncated.vcf"):
        assert cli.main(["import", str(FIXTURES / name), "--db", str(db_path)]) == 1
        assert "Nothing was changed" in capsys.readouterr().err
    assert cli.main(["import", str(path), "--db", str(db_path), "--date-order", "dmy"]) == 0
    from crmdesk.store.db import open_database
    opened = open_database(db_path)
    assert opened.db.execute_sql("SELECT count(*) FROM customer").fetchone()[0] == 1
    opened.db.close()


def test_cli_database_cannot_be_opened(tmp_path, capsys):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    assert cli.main(["import", str(FIXTURES / "contacts_v40.vcf"), "--db", str(bad)]) == 2


def test_errors_are_plain_words():
    with pytest.raises(ImportFileError) as caught:
        import_file.read_file(FIXTURES / "binary.csv")
    assert "Traceback" not in str(caught.value)


def test_row_by_row_choice_after_the_dry_run(db, book, clock, tmp_path):
    old = book.create(CustomerInput(first_name="Anna", last_name="Berg"))
    table = table_of(tmp_path, "Name,City\nAnna Berg,Leeds\nBen Cole,York\n,\n")
    plan = plan_for(db, clock, table)
    anna, ben = plan.rows[0], plan.rows[1]
    assert anna.action == "skip" and anna.existing_id == old
    importing.choose(anna, "merge")
    importing.choose(ben, "skip")
    with pytest.raises(ValueError):
        importing.choose(ben, "merge")  # Ben matched nobody
    result = importing.apply(plan, db, now=clock)
    assert (result.created_ids, [cid for cid, _ in result.merged]) == ([], [old])
    assert book.load_input(old).city == "Leeds"


def test_cli_saves_rejected_rows(db_path, tmp_path, capsys):
    out = tmp_path / "fix-me.csv"
    assert cli.main(["import", str(FIXTURES / "excel_semicolon_cp1252.csv"), "--db",
                     str(db_path), "--country", "FR", "--rejected", str(out)]) == 0
    # Inès's birthday 31/13/1980 is no date: she is imported with it kept in her notes.
    assert "rejected: 0" in capsys.readouterr().out
    assert not out.exists()
    path = tmp_path / "bad.csv"
    path.write_text("Name;Phone;Birthday\n;;1980-01-01\nAna Lee;;\n", encoding="utf-8")
    assert cli.main(["import", str(path), "--db", str(db_path), "--rejected", str(out)]) == 0
    assert "rejected: 1" in capsys.readouterr().out
    assert "1980-01-01" in out.read_text(encoding="utf-8-sig")


def test_a_large_file_is_imported_whole(tmp_path):
    """2,000 rows of a realistic export all arrive (the speed is measured in bench/)."""
    from bench.import_speed import measure

    times = measure(2_000, tmp_path)  # asserts every row was created
    assert set(times) == {"read", "check", "write", "total"}
