"""Nothing a user entered is lost between an export and an import of the program's own files.

A rich book (every field, consents per channel with date and source, do-not-contact,
keep-in-touch, anniversaries and labelled dates, businesses, Trash, conversations, follow-ups,
appointments, purchases with lines, loyalty, products, categories, segments, settings, a sale
whose customer was erased) is exported, imported into an empty book, and exported again: the two
exports are the same, ids and the export's own time stamp aside.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from crmdesk.cli import main
from crmdesk.core import importing, restore
from crmdesk.core.customers import CustomerBook
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.core.segments import SegmentRules, SegmentStore
from crmdesk.formats import export, export_json, import_file, import_json, import_mapping
from crmdesk.store.db import open_database

NOW = dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC)
TODAY = NOW.date()


def clock() -> dt.datetime:
    return NOW


def fill(db) -> None:
    """Everything a shop may have typed in, once each."""
    book = CustomerBook(db, now=clock, default_country=lambda: "GB")
    anna = book.create(CustomerInput(
        first_name="Anna", last_name="Schmidt", business_name="Schmidt Tea Room",
        phone="+44 20 7946 0765", phone_alt="07911 123456", email="anna@example.com",
        whatsapp="+44 7911 123457", address="1 High St\nFlat 2", city="Bath",
        postcode="BA1 1AA", country="GB", notes="=1+2 is not a formula\nloves; commas",
        likes="tea", dislikes="coffee", diet="vegan", sizes="M", status="prospect",
        source="Instagram", keep_in_touch_days=30,
        tags=["vip", "Café regular", "gift, wrapped", 'the "good" ones'],
        dates=[DateInput("birthday", 12, 3, 1990), DateInput("anniversary", 1, 4, None),
               DateInput("custom", 5, 6, None, label="Name day", lead_days=3),
               DateInput("custom", 9, 9, 2015, label="First visit")],
        consents=[ConsentInput("email", True, dt.date(2026, 1, 5), "signup form"),
                  ConsentInput("sms", False, dt.date(2026, 2, 1), "asked at the till"),
                  ConsentInput("whatsapp", True, dt.date(2025, 12, 24), "")]))
    firm = book.create(CustomerInput(
        kind="business", business_name="Bolt & Nut Ltd", phone="+33 1 99 00 12 34",
        whatsapp="ask Tom for it",  # kept as written, marked "to check"
        status="former", do_not_contact=True, source="walk-in",
        consents=[ConsentInput("phone", False, dt.date(2026, 3, 1), "call")]))
    erased = book.create(CustomerInput(first_name="Erased", last_name="Person"))
    book.log_interaction(anna, "call", "Asked about the blue scarf")
    book.add_follow_up(anna, "Order the scarf", dt.date(2026, 3, 20))
    done = book.add_follow_up(anna, "Send the catalogue", dt.date(2026, 2, 1))
    book.set_follow_up_done(done, True)
    db.execute_sql(
        "INSERT INTO appointment (customer_id, starts_at, place, note, lead_minutes, created_at)"
        " VALUES (?, '2026-03-12 14:00:00', 'the shop', 'fitting', 30, '2026-03-01 09:00:00')",
        (anna,))
    db.execute_sql("INSERT INTO category (id, name) VALUES (7, 'Scarves'), (8, 'Tea')")
    db.execute_sql("INSERT INTO product (name, category_id, price_minor, archived) VALUES "
                   "('Blue scarf', 7, 2500, 0), ('Old tea', 8, NULL, 1)")
    for customer, day, total in ((anna, "2026-01-10", 3000), (firm, "2025-11-02", 12000),
                                 (erased, "2025-10-01", 999)):
        pid = db.execute_sql(
            "INSERT INTO purchase (customer_id, purchased_on, total_minor, currency, note, "
            "source, import_batch, created_at) VALUES (?, ?, ?, 'GBP', 'till 2', 'till', "
            "'b1', ?)", (customer, day, total, f"{day} 12:00:00")).lastrowid
        db.execute_sql(
            "INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, product_id, "
            "category_id, description, quantity, amount_minor) VALUES "
            "(?, ?, ?, 1, 7, 'Blue scarf', 1, 2500), (?, ?, ?, NULL, 8, 'tea', 2, 250)",
            (pid, customer, day, pid, customer, day))
        if customer == anna:
            db.execute_sql("INSERT INTO loyalty_entry (customer_id, purchase_id, kind, points, "
                           "reward, created_at) VALUES (?, ?, 'earn', 30, '', ?)",
                           (anna, pid, f"{day} 12:00:01"))
    db.execute_sql("INSERT INTO loyalty_entry (customer_id, kind, points, reward, created_at) "
                   "VALUES (?, 'redeem', -10, '£1 off', '2026-02-02 10:00:00')", (anna,))
    db.execute_sql("INSERT INTO setting (key, value) VALUES ('shop_name', 'Tea & Scarves'), "
                   "('loyalty_mode', 'stamps'), ('loyalty_stamp_category', '7')")
    SegmentStore(db, now=clock).save(
        "Scarf buyers", SegmentRules(bought_category="Scarves", tags=("vip",)))
    book.trash([erased])
    book.empty_trash()  # erased for good: the sale stays, without a customer
    gone = book.create(CustomerInput(first_name="Old", last_name="Friend",
                                     dates=[DateInput("birthday", 29, 2, None)]))
    book.trash([gone])  # in Trash when exported


def normalised(path: Path) -> dict:
    """The export with ids and the export's time stamp taken out (links kept by position)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("exported_at")
    categories = {c.pop("id"): c["name"] for c in document["categories"]}
    stamp = document["settings"].get("loyalty_stamp_category")
    if stamp:
        document["settings"]["loyalty_stamp_category"] = categories[int(stamp)]
    for item in document["customers"]:
        item.pop("id")
        for key in ("dates", "conversations", "follow_ups", "appointments"):
            for entry in item[key]:
                entry.pop("id")
        where = {p.pop("id"): index for index, p in enumerate(item["purchases"])}
        for entry in item["loyalty"]:
            entry.pop("id")
            entry["purchase_id"] = where.get(entry["purchase_id"])
    for purchase in document["purchases"]:
        purchase.pop("id")
    return document


def test_json_export_of_everything_comes_back_whole_into_an_empty_book(tmp_path):
    source = open_database(tmp_path / "source.db")
    try:
        fill(source.db)
        export.export_json(source.db, tmp_path / "first.json", now=NOW)
    finally:
        source.db.close()
    first = normalised(tmp_path / "first.json")
    # Everything is there to begin with (so the comparison below compares something).
    assert len(first["customers"]) == 3 and first["customers"][2]["deleted_at"]
    anna = first["customers"][0]
    assert [len(anna[k]) for k in ("consents", "dates", "conversations", "follow_ups",
                                   "appointments", "purchases", "loyalty")] == \
        [3, 4, 1, 2, 1, 1, 2]
    assert anna["purchases"][0]["items"][0]["product"] == "Blue scarf"
    assert [p["total_minor"] for p in first["purchases"]] == [999]  # its customer was erased
    assert first["customers"][1]["phone_check"] == "whatsapp"
    assert first["settings"]["shop_name"] == "Tea & Scarves"
    assert [s["name"] for s in first["segments"]] == ["Scarf buyers"]

    target = open_database(tmp_path / "target.db")
    try:
        document = import_json.read_json(tmp_path / "first.json")
        plan = restore.plan(document, target.db, "GB", today=TODAY)
        assert [r.action for r in plan.rows] == ["create"] * 3
        restored = restore.apply(plan, target.db, document, now=clock)
        assert restored.added["purchases"] == 3 and restored.added["loyalty entries"] == 2
        export.export_json(target.db, tmp_path / "second.json", now=NOW)
        balance = target.db.execute_sql(
            "SELECT purchases, total_minor, loyalty_balance FROM customer_sales "
            "WHERE customer_id = ?", (restored.result.created_ids[0],)).fetchone()
        assert balance == (1, 3000, 20)  # the sums the triggers keep, rebuilt

        # Into the same book again: everyone is already there, nothing is doubled.
        again = restore.plan(document, target.db, "GB", today=TODAY)
        assert [r.action for r in again.rows] == ["skip"] * 3
        restore.apply(again, target.db, document, now=clock)
        export.export_json(target.db, tmp_path / "third.json", now=NOW)
    finally:
        target.db.close()
    assert normalised(tmp_path / "second.json") == first
    assert normalised(tmp_path / "third.json") == first


def test_two_customers_alike_in_the_file_stay_two(tmp_path):
    source = open_database(tmp_path / "source.db")
    try:
        book = CustomerBook(source.db, now=clock, default_country=lambda: "GB")
        for city in ("Leeds", "York"):  # two people of the same name: the shop keeps both
            book.create(CustomerInput(first_name="Sam", last_name="Lee", city=city))
        export.export_json(source.db, tmp_path / "all.json", now=NOW)
    finally:
        source.db.close()
    target = open_database(tmp_path / "target.db")
    try:
        document = import_json.read_json(tmp_path / "all.json")
        plan = restore.plan(document, target.db, "GB", today=TODAY)
        assert [r.action for r in plan.rows] == ["create", "create"]
        restore.apply(plan, target.db, document, now=clock)
        again = restore.plan(document, target.db, "GB", today=TODAY)
        assert [r.action for r in again.rows] == ["skip", "skip"]  # the book has them now
        merging = restore.plan(document, target.db, "GB", on_duplicate="merge", today=TODAY)
        assert [r.action for r in merging.rows] == ["merge", "merge"]
        assert len({r.existing_id for r in merging.rows}) == 2  # one each, not one twice
    finally:
        target.db.close()


def test_merge_adds_the_history_the_book_lacks_once(tmp_path):
    source = open_database(tmp_path / "source.db")
    try:
        fill(source.db)
        export.export_json(source.db, tmp_path / "all.json", now=NOW)
    finally:
        source.db.close()
    target = open_database(tmp_path / "target.db")
    try:
        db = target.db
        book = CustomerBook(db, now=clock, default_country=lambda: "GB")
        mine = book.create(CustomerInput(first_name="Anna", last_name="Schmidt",
                                         city="York", phone="020 7946 0765"))
        document = import_json.read_json(tmp_path / "all.json")
        for _ in range(2):  # twice: the second time adds nothing
            plan = restore.plan(document, db, "GB", on_duplicate="merge", today=TODAY)
            assert plan.rows[0].action == "merge" and plan.rows[0].existing_id == mine
            restore.apply(plan, db, document, now=clock)
        card = book.card(mine)
        assert card.data.city == "York"  # what the book had stays
        assert card.data.email == "anna@example.com"  # what it lacked is filled in
        assert {c.channel for c in card.data.consents} == {"email", "sms", "whatsapp"}
        assert [i.summary for i in card.interactions] == ["Asked about the blue scarf"]
        assert db.execute_sql("SELECT COUNT(*) FROM purchase WHERE customer_id = ?",
                              (mine,)).fetchone() == (1,)
    finally:
        target.db.close()


def test_version_1_exports_still_import(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "crmdesk", "version": 1,
                                "exported_at": "2025-01-01T00:00:00Z", "customers": [{
        "id": 4, "kind": "person", "first_name": "Vera", "last_name": "Old",
        "business_name": "", "display_name": "Vera Old", "phone": "+447911123456",
        "phone_alt": "", "email": "", "whatsapp": "", "address": "", "city": "",
        "postcode": "", "country": "", "notes": "", "likes": "", "dislikes": "", "diet": "",
        "sizes": "", "status": "customer", "source": "", "do_not_contact": False,
        "keep_in_touch_days": None, "last_contact_at": None,
        "created_at": "2024-05-01T09:00:00Z", "updated_at": "2024-05-01T09:00:00Z",
        "deleted_at": None, "tags": ["vip"],
        "consents": [{"channel": "email", "granted": True, "recorded_on": "2024-05-01",
                      "source": "form"}],
        "dates": [{"id": 9, "kind": "birthday", "label": "", "day": 2, "month": 3,
                   "year": None, "lead_days": None}],
        "conversations": [{"id": 1, "channel": "call", "direction": "in",
                           "occurred_at": "2024-06-01T10:00:00Z", "summary": "Hello",
                           "created_at": "2024-06-01T10:00:00Z"}],
        "follow_ups": [], "appointments": []}]}), encoding="utf-8")
    db_path = tmp_path / "book.db"
    assert main(["import", str(path), "--db", str(db_path)]) == 0
    opened = open_database(db_path)
    try:
        book = CustomerBook(opened.db, now=clock, default_country=lambda: "GB")
        card = book.card(1)
        assert (card.name, card.data.tags, card.data.consents[0].source) == \
            ("Vera Old", ["vip"], "form")
        assert [i.summary for i in card.interactions] == ["Hello"]
        assert card.created_at == dt.datetime(2024, 5, 1, 9, 0)
    finally:
        opened.db.close()


def test_cli_import_of_a_json_export_restores_everything(tmp_path):
    source = tmp_path / "source.db"
    opened = open_database(source)
    try:
        fill(opened.db)
    finally:
        opened.db.close()
    assert main(["export", "--db", str(source), "--out", str(tmp_path / "a.json")]) == 0
    target = tmp_path / "target.db"
    assert main(["import", str(tmp_path / "a.json"), "--db", str(target)]) == 0
    assert main(["export", "--db", str(target), "--out", str(tmp_path / "b.json")]) == 0
    assert normalised(tmp_path / "b.json") == normalised(tmp_path / "a.json")


def test_every_table_with_a_customer_reference_is_exported_or_said_why_not(tmp_path):
    opened = open_database(tmp_path / "book.db")
    try:
        db = opened.db
        tables = [row[0] for row in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        with_customer = {t for t in tables
                         if any(col[1] == "customer_id"
                                for col in db.execute_sql(f'PRAGMA table_info("{t}")'))}
    finally:
        opened.db.close()
    covered = set(export_json.CUSTOMER_TABLES) | set(export_json.NOT_EXPORTED)
    assert with_customer | {"customer"} <= covered, with_customer - covered


# --- CSV: the program's own spreadsheet export --------------------------------------------

def csv_rows(path: Path) -> list[dict]:
    """The rows without the columns a fresh book cannot have (times, which are the import's)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.pop("Created")
        row.pop("Last contact")  # from the conversation log, which a CSV does not carry
    return rows


def test_csv_export_comes_back_whole_into_an_empty_book(tmp_path):
    source = open_database(tmp_path / "source.db")
    try:
        fill(source.db)
        export.export_csv(source.db, tmp_path / "first.csv")
    finally:
        source.db.close()
    first = csv_rows(tmp_path / "first.csv")
    anna = next(r for r in first if r["First name"] == "Anna")
    assert anna["Email consent"] == "yes 2026-01-05 (signup form)"
    assert anna["SMS consent"] == "no 2026-02-01 (asked at the till)"
    assert anna["Other dates"] == "Name day --06-05; First visit 2015-09-09"
    assert anna["Keep in touch (days)"] == "30"
    assert anna["Tags"] == 'Café regular, "gift, wrapped", "the ""good"" ones", vip'

    firm = next(r for r in first if r["Business"] == "Bolt & Nut Ltd")
    assert (firm["Kind"], firm["Do not contact"], firm["Status"]) == ("business", "yes", "former")

    target = open_database(tmp_path / "target.db")
    try:
        table = import_file.read_file(tmp_path / "first.csv")
        mapping = import_mapping.build_mapping(table.headers)
        assert set(mapping.values()) >= {
            "kind", "business_name", "do_not_contact", "keep_in_touch_days", "consent_email",
            "consent_sms", "consent_whatsapp", "consent_phone", "other_dates", "status",
            "source"}
        plan = importing.plan(table, mapping, target.db, "GB", today=TODAY)
        assert not plan.rejected, [r.reason for r in plan.rejected]
        importing.apply(plan, target.db, now=clock)
        export.export_csv(target.db, tmp_path / "second.csv")
    finally:
        target.db.close()
    assert csv_rows(tmp_path / "second.csv") == first


def test_consent_columns_of_other_programs_are_recognised(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text(
        "Name,Mobile,Newsletter: yes/no,SMS opt in,Do not contact?,Opt in,Keep in touch\n"
        "Mia Rossi,07700 900123,Yes,n,no,,30 days\n"
        "Tom Berg,07700 900456,unsubscribed,YES,x,,\n"
        "Ida Lund,07700 900789,maybe,,,,\n", encoding="utf-8")
    opened = open_database(tmp_path / "book.db")
    try:
        db = opened.db
        table = import_file.read_file(path)
        mapping = import_mapping.build_mapping(table.headers)
        assert mapping["Newsletter: yes/no"] == "consent_email"
        assert mapping["SMS opt in"] == "consent_sms"
        assert mapping["Do not contact?"] == "do_not_contact"
        plan = importing.plan(table, mapping, db, "GB", today=TODAY)
        result = importing.apply(plan, db, now=clock)
        book = CustomerBook(db, now=clock, default_country=lambda: "GB")
        mia, tom, ida = (book.load_input(i) for i in result.created_ids)
        assert [(c.channel, c.granted, c.recorded_on) for c in mia.consents] == \
            [("email", True, TODAY), ("sms", False, TODAY)]
        assert (mia.do_not_contact, mia.keep_in_touch_days) == (False, 30)
        assert [(c.channel, c.granted) for c in tom.consents] == [("email", False),
                                                                  ("sms", True)]
        assert tom.do_not_contact is True
        assert ida.consents == [] and "Email consent: maybe" in ida.notes  # kept, not lost
    finally:
        opened.db.close()


def test_a_large_export_is_read_a_customer_at_a_time_and_any_layout_still_reads(tmp_path):
    source = open_database(tmp_path / "source.db")
    try:
        fill(source.db)
        export.export_json(source.db, tmp_path / "all.json", now=NOW)
    finally:
        source.db.close()
    document = import_json.read_json(tmp_path / "all.json")
    assert isinstance(document.customers, import_json.CustomerLines)  # not held whole
    assert [c["first_name"] for c in document.customers] == ["Anna", "", "Old"]
    assert document.customers[2]["deleted_at"] and len(document.purchases) == 1
    # The same document laid out by another program (indented) reads the same.
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads((tmp_path / "all.json").read_text("utf-8")),
                                 indent=2), encoding="utf-8")
    other = import_json.read_json(pretty)
    assert list(other.customers) == list(document.customers)
    assert other.purchases == document.purchases and other.settings == document.settings
    # A damaged customer line: said plainly, nothing written.
    lines = (tmp_path / "all.json").read_text("utf-8").splitlines(keepends=True)
    lines[2] = lines[2][:40] + "\n"
    damaged = tmp_path / "damaged.json"
    damaged.write_text("".join(lines), encoding="utf-8")
    db_path = tmp_path / "book.db"
    assert main(["import", str(damaged), "--db", str(db_path)]) == 1
    opened = open_database(db_path)
    try:
        assert opened.db.execute_sql("SELECT COUNT(*) FROM customer").fetchone() == (0,)
    finally:
        opened.db.close()


def test_namesakes_of_the_programs_own_csv_stay_two(tmp_path):
    source = open_database(tmp_path / "source.db")
    try:
        book = CustomerBook(source.db, now=clock, default_country=lambda: "GB")
        for city in ("Leeds", "York"):
            book.create(CustomerInput(first_name="Sam", last_name="Lee", city=city))
        export.export_csv(source.db, tmp_path / "own.csv")
    finally:
        source.db.close()
    foreign = tmp_path / "foreign.csv"  # the same two rows in a list from elsewhere
    foreign.write_text("Name,City\nSam Lee,Leeds\nSam Lee,York\n", encoding="utf-8")
    target = open_database(tmp_path / "target.db")
    try:
        actions = {}
        for path in (tmp_path / "own.csv", foreign):
            table = import_file.read_file(path)
            plan = importing.plan(table, import_mapping.build_mapping(table.headers),
                                  target.db, "GB", today=TODAY)
            actions[path.name] = [r.action for r in plan.rows]
    finally:
        target.db.close()
    assert actions == {"own.csv": ["create", "create"],  # two customers of one book
                       "foreign.csv": ["create", "skip"]}  # likely one person entered twice


def test_a_persons_own_export_imports_too(tmp_path):
    """The "what do you hold about me?" file (version 1, its sales in words) brings the person
    back with dates, consents and conversations; its sales are for reading and stay out."""
    source = open_database(tmp_path / "source.db")
    try:
        fill(source.db)
        found = export.export_person(source.db, 1, tmp_path, now=NOW)
    finally:
        source.db.close()
    db_path = tmp_path / "book.db"
    assert main(["import", str(found.json_path), "--db", str(db_path)]) == 0
    opened = open_database(db_path)
    try:
        book = CustomerBook(opened.db, now=clock, default_country=lambda: "GB")
        card = book.card(1)
        assert card.name == "Anna Schmidt" and len(card.data.consents) == 3
        assert [i.summary for i in card.interactions] == ["Asked about the blue scarf"]
        assert opened.db.execute_sql("SELECT COUNT(*) FROM purchase").fetchone() == (0,)
    finally:
        opened.db.close()


def test_stopping_while_the_history_is_written_leaves_the_book_as_it_was(tmp_path):
    source = open_database(tmp_path / "source.db")
    try:
        book = CustomerBook(source.db, now=clock, default_country=lambda: "GB")
        for number in range(600):
            cid = book.create(CustomerInput(first_name=f"Person{number}", last_name="Test"))
            book.log_interaction(cid, "call", "hello")
        export.export_json(source.db, tmp_path / "all.json", now=NOW)
    finally:
        source.db.close()
    target = open_database(tmp_path / "target.db")
    try:
        document = import_json.read_json(tmp_path / "all.json")
        plan = restore.plan(document, target.db, "GB", today=TODAY)
        seen = []

        def progress(done, total):
            seen.append((done, total))
            return len(seen) < 3  # the customers are written (1, 2), then stop in the history

        with pytest.raises(importing.ImportCancelled):
            restore.apply(plan, target.db, document, progress=progress, now=clock)
        assert seen[-1] == (500, 600)
        assert target.db.execute_sql("SELECT COUNT(*) FROM customer").fetchone() == (0,)
        assert target.db.execute_sql("SELECT COUNT(*) FROM interaction").fetchone() == (0,)
    finally:
        target.db.close()
