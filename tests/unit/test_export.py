"""Exports read back by real parsers: csv, vobject, icalendar, json."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import stat

import icalendar
import pytest
import vobject

from crmdesk.core.model import ConsentInput, CustomerInput, DateInput, ListQuery
from crmdesk.formats import export
from crmdesk.formats.export_csv import COLUMNS, guard, unguard
from crmdesk.formats.export_json import customer_input


@pytest.fixture
def anna(book):
    return book.create(CustomerInput(
        first_name="Anna", last_name="Schmidt", phone="+44 7911 123456",
        phone_alt="020 7946 0958", email="anna@example.com", whatsapp="+44 7911 123457",
        address="1 High St\nFlat 2", city="Bath", postcode="BA1 1AA", country="GB",
        notes="=HYPERLINK(\"http://evil.example\",\"click\")\nloves; commas, and \\ slashes",
        likes="tea", tags=["vip", "gift, wrapped"],
        dates=[DateInput("birthday", 12, 3, 1990), DateInput("anniversary", 1, 4, None)],
        consents=[ConsentInput("email", True, dt.date(2026, 1, 5), "signup form")]))


@pytest.fixture
def bob(book):
    return book.create(CustomerInput(first_name="Bob", last_name="-Minus", do_not_contact=True,
                                     dates=[DateInput("birthday", 29, 2, None)]))


def read_csv(path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_every_column_guards_formulas_and_keeps_phones(db, tmp_path, anna, bob):
    out = tmp_path / "list.csv"
    result = export.export_csv(db, out, tz=dt.UTC)
    assert result.customers == 2
    rows = read_csv(out)
    assert list(rows[0]) == [header for header, _ in COLUMNS.values()]
    anna_row = next(r for r in rows if r["First name"] == "Anna")
    # The formula is neutralised: the cell starts with a quote, not with =
    assert anna_row["Notes"].startswith("'=HYPERLINK")
    assert unguard(anna_row["Notes"]).startswith("=HYPERLINK")
    # Phones: no quote (it would show), the country code apart so no spreadsheet reads a number
    assert anna_row["Phone"] == "+44 7911123456"
    assert unguard(anna_row["Phone"]) == "+44 7911123456"
    assert anna_row["Birthday"] == "1990-03-12"
    assert anna_row["Anniversary"] == "'--04-01"  # yearless; guarded so it is not -3
    assert anna_row["Tags"] == '"gift, wrapped", vip'  # a tag with a comma stays one
    assert anna_row["Email consent"] == "yes 2026-01-05 (signup form)"
    assert anna_row["Address"] == "1 High St\nFlat 2"
    assert anna_row["Created"] == "2026-03-10 10:30"
    bob_row = next(r for r in rows if r["First name"] == "Bob")
    assert bob_row["Last name"] == "'-Minus"
    assert bob_row["Do not contact"] == "yes"
    for row in rows:
        for value in row.values():  # nothing a spreadsheet would run: only numbers unquoted
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or \
                re.fullmatch(r"[+-][0-9 ()./-]+", value), value


def test_csv_columns_selection_order_and_marketing(db, tmp_path, anna, bob, customer_list):
    out = tmp_path / "some.csv"
    export.export_csv(db, out, [bob, anna], columns=["name", "email"])
    rows = read_csv(out)
    assert [list(r.values()) for r in rows] == [["Bob -Minus", ""],
                                                ["Anna Schmidt", "anna@example.com"]]
    export.export_csv(db, out, ListQuery(text="Schmidt"), columns=["name"])
    assert [r["Name"] for r in read_csv(out)] == ["Anna Schmidt"]
    result = export.export_csv(db, out, marketing=True, columns=["name"])
    assert [r["Name"] for r in read_csv(out)] == ["Anna Schmidt"] and result.customers == 1
    with pytest.raises(ValueError, match="Unknown CSV columns: shoe"):
        export.export_csv(db, out, columns=["name", "shoe"])


def test_marketing_channel_needs_consent(book, db, tmp_path, anna):
    book.create(CustomerInput(first_name="Cara", email="cara@example.com",
                              consents=[ConsentInput("email", False)]))
    out = tmp_path / "m.vcf"
    export.export_vcard(db, out, marketing=True, channel="email")
    names = [c.fn.value for c in vobject.readComponents(out.read_text(encoding="utf-8"))]
    assert names == ["Anna Schmidt"]
    export.export_vcard(db, out, marketing=True)
    assert len(list(vobject.readComponents(out.read_text(encoding="utf-8")))) == 2


@pytest.mark.parametrize(("text", "safe"), [
    ("=1+1", "'=1+1"), ("+44", "+44"), ("-3", "-3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("+44 20 7946 0765", "+44 20 7946 0765"), ("+1 (555) 123-4567", "+1 (555) 123-4567"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3+cmd|x", "'-2+3+cmd|x"),
    ("-1+A1", "'-1+A1"), ("+", "'+"), ("--03-10", "'--03-10"), ("'+44", "''+44"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("'=x", "''=x"), ("'Tis", "'Tis"), ("a=b", "a=b"),
    ("", ""), ("'", "'"), ("\uff1d1", "'\uff1d1")])
def test_guard_is_safe_and_reversible(text, safe):
    assert guard(text) == safe
    assert unguard(guard(text)) == text


def test_vcard_read_by_vobject(db, tmp_path, anna, bob):
    out = tmp_path / "all.vcf"
    export.export_vcard(db, out)
    raw = out.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    cards = {c.fn.value: c for c in vobject.readComponents(raw.decode("utf-8"))}
    anna_card = cards["Anna Schmidt"]
    assert anna_card.version.value == "3.0"
    assert (anna_card.n.value.given, anna_card.n.value.family) == ("Anna", "Schmidt")
    tels = {(t.params["TYPE"][0], t.value) for t in anna_card.contents["tel"]}
    assert tels == {("CELL", "+447911123456"), ("HOME", "+442079460958"),
                    ("CELL", "+447911123457")}
    assert anna_card.email.value == "anna@example.com"
    assert anna_card.bday.value == "1990-03-12"
    assert anna_card.contents["x-anniversary"][0].value == "--0401"
    assert anna_card.note.value.startswith('=HYPERLINK("http://evil.example","click")\nloves; '
                                           'commas, and \\ slashes\nLikes: tea')
    assert anna_card.categories.value == ["gift, wrapped", "vip"]
    assert anna_card.adr.value.street == "1 High St\nFlat 2"
    assert anna_card.adr.value.city == "Bath"
    assert cards["Bob -Minus"].bday.value == "--0229"


def test_ical_read_by_icalendar(db, tmp_path, anna, bob, book):
    book.create(CustomerInput(first_name="Dora", dates=[DateInput("custom", 5, 6, None, "Name day")]))
    out = tmp_path / "dates.ics"
    result = export.export_ical(db, out, now=dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC))
    assert (result.customers, result.items) == (2, 3)
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Anna Schmidt's birthday", "Anna Schmidt's anniversary",
                           "Bob -Minus's birthday"}
    birthday = events["Anna Schmidt's birthday"]
    assert birthday.decoded("DTSTART") == dt.date(1990, 3, 12)
    assert birthday["RRULE"]["FREQ"] == ["YEARLY"]
    assert str(birthday["DESCRIPTION"]) == "Born 1990"
    assert events["Anna Schmidt's anniversary"].decoded("DTSTART") == dt.date(2000, 4, 1)
    feb29 = events["Bob -Minus's birthday"]
    assert feb29.decoded("DTSTART") == dt.date(2000, 2, 29)
    assert feb29["RRULE"]["BYMONTHDAY"] == [-1] and feb29["RRULE"]["BYMONTH"] == [2]
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == 3
    export.export_ical(db, out)  # the same dates keep their UIDs
    again = icalendar.Calendar.from_ical(out.read_bytes())
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(uids)


def test_json_round_trip_matches_load_input(db, tmp_path, anna, bob, book, clock):
    book.log_interaction(anna, "call", "Asked about the blue scarf")
    book.add_follow_up(anna, "Order the scarf", dt.date(2026, 3, 20))
    book.trash([bob])
    out = tmp_path / "all.json"
    export.export_json(db, out, now=clock())
    document = json.loads(out.read_text(encoding="utf-8"))
    assert (document["format"], document["version"]) == ("crmdesk", 2)
    assert document["exported_at"] == "2026-03-10T10:30:00Z"
    assert [c["id"] for c in document["customers"]] == [anna, bob]  # Trash included, by id
    for item in document["customers"]:
        assert customer_input(item) == book.load_input(item["id"])
    first = document["customers"][0]
    assert first["conversations"][0]["summary"] == "Asked about the blue scarf"
    assert first["follow_ups"][0]["due_on"] == "2026-03-20"
    assert first["appointments"] == []
    assert document["customers"][1]["deleted_at"] == "2026-03-10T10:30:00Z"


def test_person_export(db, tmp_path, anna, book):
    book.log_interaction(anna, "visit", "Bought a hat")
    found = export.export_person(db, anna, tmp_path)
    assert found.json_path.name == f"crmdesk-Anna-Schmidt-{anna}.json"
    person = json.loads(found.json_path.read_text(encoding="utf-8"))["customers"]
    assert len(person) == 1 and person[0]["conversations"][0]["summary"] == "Bought a hat"
    assert person[0]["consents"][0]["source"] == "signup form"
    cards = list(vobject.readComponents(found.vcard_path.read_text(encoding="utf-8")))
    assert [c.fn.value for c in cards] == ["Anna Schmidt"]
    with pytest.raises(LookupError):
        export.export_person(db, 9999, tmp_path)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_files_are_owner_only_and_replace_atomically(db, tmp_path, anna):
    out = tmp_path / "x.csv"
    out.write_text("old")
    out.chmod(0o644)
    export.export_csv(db, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_missing_folder_and_cancel_leave_no_file(db, tmp_path, anna):
    with pytest.raises(export.ExportError, match="does not exist"):
        export.export_json(db, tmp_path / "nowhere" / "x.json")
    out = tmp_path / "x.vcf"
    out.write_text("previous export")
    with pytest.raises(export.ExportCancelled):
        export.export_vcard(db, out, progress=lambda done, total: False)
    assert out.read_text() == "previous export"
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []
