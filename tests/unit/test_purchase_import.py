"""Purchase history from a till export: reading, matching, receipts, undo, cancel, re-import."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from unit_helpers import FIXTURES

from crmdesk.core import importing, purchase_import
from crmdesk.core.model import CustomerInput
from crmdesk.formats import import_file
from crmdesk.formats import purchase_import as sales_format
from crmdesk.formats.import_mapping import AmbiguousDates

TILL = FIXTURES / "purchases" / "till_semicolon_cp1252.csv"
SIMPLE = FIXTURES / "purchases" / "one_row_per_sale.csv"
TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def people(book):
    """Zoë (phone), Bob (e-mail), two Anna Smiths, and Tom in Trash."""
    ids = {
        "zoe": book.create(CustomerInput(first_name="Zoë", last_name="Müller",
                                         phone="020 7946 0111")),
        "bob": book.create(CustomerInput(first_name="Bob", last_name="Baker",
                                         email="bob@example.com")),
        "anna1": book.create(CustomerInput(first_name="Anna", last_name="Smith")),
        "anna2": book.create(CustomerInput(first_name="Anna", last_name="Smith", city="York")),
        "tom": book.create(CustomerInput(first_name="Tom", last_name="Gone",
                                         phone="020 7946 0222")),
    }
    book.trash([ids["tom"]])
    return ids


def plan_file(db, path, currency="EUR", **kwargs):
    table = import_file.read_file(path)
    mapping = sales_format.build_mapping(table.headers)
    return purchase_import.plan(table, mapping, db, "GB", currency, today=TODAY, **kwargs)


def write(tmp_path, text, name="sales.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sales_of(db, cid):
    return db.execute_sql("SELECT purchased_on, total_minor, currency, note, source FROM purchase "
                          "WHERE customer_id = ? ORDER BY id", (cid,)).fetchall()


def test_columns_of_a_german_till_export_are_recognised():
    table = import_file.read_file(TILL)
    assert table.delimiter == ";" and table.encoding == "cp1252"
    assert sales_format.build_mapping(table.headers) == {
        "Datum": "date", "Bonnummer": "receipt", "Kunde": "name", "Telefon": "phone",
        "Artikel": "product", "Warengruppe": "category", "Menge": "quantity",
        "Betrag": "amount"}
    assert sales_format.looks_like_purchases(table.headers)
    assert not sales_format.looks_like_purchases(["Name", "Phone", "E-mail", "Birthday"])
    assert sales_format.decimal_point(table, sales_format.build_mapping(table.headers)) == ","


def test_english_headers_are_guessed():
    mapping = sales_format.build_mapping(
        ["Transaction ID", "Sale Date", "Customer Phone", "Customer Email", "Item Name",
         "Qty", "Unit Price", "Receipt Total", "Comments"])
    assert mapping == {"Transaction ID": "receipt", "Sale Date": "date",
                       "Customer Phone": "phone", "Customer Email": "email",
                       "Item Name": "product", "Qty": "quantity", "Unit Price": "unit_price",
                       "Receipt Total": "total", "Comments": "note"}


def test_till_export_matches_groups_and_rejects(db, people):
    plan = plan_file(db, TILL)
    by_row = {r.label: r for r in plan.rows}
    # Receipt 1001: two rows, one purchase of 8.00 for Zoë, matched by phone.
    assert by_row["Row 2"].status == by_row["Row 3"].status == "import"
    first = plan.purchases[0]
    assert (first.customer_id, first.day, first.total) == (people["zoe"], dt.date(2026, 2, 3), 800)
    assert [(i.product, i.category, i.quantity, i.amount) for i in first.items] == [
        ("Croissant", "Bäckerei", 2, 480), ("Café au lait", "Getränke", 1, 320)]
    # Tom's phone: he is in Trash, so nobody is matched.
    assert by_row["Row 4"].status == "unmatched"
    assert by_row["Row 4"].reason == ("The customer with phone “020 7946 0222” is in Trash: "
                                      "restore them to import their sales.")
    assert by_row["Row 5"].status == "unmatched" and "Unknown Person" in by_row["Row 5"].reason
    assert by_row["Row 6"].status == "ambiguous"
    assert "2 customers are called “Anna Smith”" in by_row["Row 6"].reason
    assert by_row["Row 7"].status == "reject" and "zwölf" in by_row["Row 7"].reason
    assert by_row["Row 8"].status == "reject" and "31.02.2026" in by_row["Row 8"].reason
    assert (len(plan.matched), len(plan.unmatched), len(plan.rejected)) == (2, 3, 2)
    assert plan.new_categories == ["Bäckerei", "Getränke"]


def test_apply_writes_purchases_items_catalogue_and_sums(db, people, clock):
    plan = plan_file(db, TILL)
    result = purchase_import.apply(plan, db, now=clock)
    assert len(result.purchase_ids) == 1 and result.items == 2
    assert sales_of(db, people["zoe"]) == [
        ("2026-02-03", 800, "EUR", "Receipt 1001", "import")]
    items = db.execute_sql(
        "SELECT pi.customer_id, pi.purchased_on, p.name, c.name, pi.quantity, pi.amount_minor "
        "FROM purchase_item pi JOIN product p ON p.id = pi.product_id "
        "JOIN category c ON c.id = pi.category_id ORDER BY pi.id").fetchall()
    assert items == [(people["zoe"], "2026-02-03", "Croissant", "Bäckerei", 2, 480),
                     (people["zoe"], "2026-02-03", "Café au lait", "Getränke", 1, 320)]
    sums = db.execute_sql("SELECT purchases, total_minor, last_purchase_on, loyalty_balance "
                          "FROM customer_sales WHERE customer_id = ?",
                          (people["zoe"],)).fetchone()
    assert sums == (1, 800, "2026-02-03", 0)
    assert db.execute_sql("SELECT count(*) FROM loyalty_entry").fetchone()[0] == 0


def test_existing_catalogue_names_are_matched_case_insensitively(db, people):
    db.execute_sql("INSERT INTO category (name) VALUES ('BÄCKEREI')")
    db.execute_sql("INSERT INTO product (name, category_id) VALUES ('croissant', 1)")
    plan = plan_file(db, TILL)
    assert plan.new_categories == ["Getränke"] and plan.new_products == ["Café au lait"]
    purchase_import.apply(plan, db)
    assert db.execute_sql("SELECT count(*) FROM category").fetchone()[0] == 2
    assert db.execute_sql("SELECT count(*) FROM product").fetchone()[0] == 2


def test_one_row_per_sale_email_case_and_refunds(db, people):
    plan = plan_file(db, SIMPLE)
    assert [(p.customer_id, p.total, p.note) for p in plan.purchases] == [
        (people["bob"], 1999, ""), (people["bob"], 500, "paid cash"),
        (people["bob"], -300, "refund")]
    assert plan.unmatched[0].label == "Row 4"
    purchase_import.apply(plan, db)
    assert db.execute_sql("SELECT purchases, total_minor FROM customer_sales WHERE customer_id "
                          "= ?", (people["bob"],)).fetchone() == (3, 2199)


def test_matching_order_phone_then_email_then_name(db, book, people, tmp_path):
    # The phone is Zoë's, the e-mail Bob's, the name Anna's: the phone wins.
    path = write(tmp_path, "Date,Phone,Email,Name,Amount\n"
                           "2026-03-01,+44 20 7946 0111,bob@example.com,Anna Smith,1\n"
                           "2026-03-01,,Bob@Example.COM,Zoë Müller,2\n"
                           "2026-03-01,,,  zoe   MULLER ,3\n"
                           "2026-03-01,,,\"Müller, Zoë\",4\n"
                           "2026-03-01,12,,Bob Baker,5\n")
    plan = plan_file(db, path)
    assert [p.customer_id for p in plan.purchases] == [
        people["zoe"], people["bob"], people["zoe"], people["zoe"], people["bob"]]


def test_a_phone_shared_by_two_customers_falls_through_to_the_email(db, book, people, tmp_path):
    book.create(CustomerInput(first_name="Zara", last_name="Müller", phone="020 7946 0111",
                              email="zara@example.com"))
    path = write(tmp_path, "Date,Phone,Email,Amount\n2026-03-01,020 7946 0111,zara@example.com,1\n"
                           "2026-03-01,020 7946 0111,,2\n")
    plan = plan_file(db, path)
    assert plan.rows[0].status == "import"
    assert plan.rows[1].status == "ambiguous" and "phone number" in plan.rows[1].reason


def test_receipt_spanning_rows_takes_the_customer_and_total_of_its_rows(db, people, tmp_path):
    path = write(tmp_path, "Order,Date,Email,Total,Lineitem name,Lineitem quantity,"
                           "Lineitem price\n"
                           "#1001,2026-03-02,bob@example.com,12.00,Tea,2,3.00\n"
                           "#1001,2026-03-02,,,Cake,1,6.00\n"
                           "#1002,2026-03-03,bob@example.com,,Tea,1,3.00\n")
    plan = plan_file(db, path)
    assert plan.mapping["Lineitem price"] == "unit_price"
    assert [(p.total, len(p.items), p.receipt) for p in plan.purchases] == [
        (1200, 2, "#1001"), (300, 1, "#1002")]
    assert [i.amount for i in plan.purchases[0].items] == [600, 600]


def test_a_receipt_with_a_bad_row_is_left_out_whole(db, people, tmp_path):
    path = write(tmp_path, "Receipt,Date,Email,Amount\n"
                           "7,2026-03-02,bob@example.com,1.00\n7,2026-03-02,,oops\n"
                           "8,2026-03-02,bob@example.com,2.00\n")
    plan = plan_file(db, path)
    assert [r.status for r in plan.rows] == ["reject", "reject", "import"]
    assert "row 3" in plan.rows[0].reason


def test_rows_of_one_receipt_naming_two_customers_are_rejected(db, people, tmp_path):
    path = write(tmp_path, "Receipt,Date,Email,Amount\n9,2026-03-02,bob@example.com,1\n"
                           "9,2026-03-02,,2\n9,2026-03-02,,3\n")
    path.write_text(path.read_text().replace("9,2026-03-02,,3",
                                             "9,2026-03-02,zoe@none.example,3"))
    plan = plan_file(db, path)
    assert len(plan.purchases) == 1  # the unknown e-mail does not outweigh Bob's
    path.write_text("Receipt,Date,Name,Amount\n9,2026-03-02,Bob Baker,1\n"
                    "9,2026-03-02,Zoë Müller,2\n")
    plan = plan_file(db, path)
    assert {r.status for r in plan.rows} == {"reject"}
    assert "different customers" in plan.rows[0].reason


def test_bad_dates_and_amounts_say_why(db, people, tmp_path):
    path = write(tmp_path, "Date,Name,Amount\n2026-03-01,Bob Baker,\n,Bob Baker,1\n"
                           "2027-01-01,Bob Baker,1\n15/03,Bob Baker,1\n2026-03-01,Bob Baker,1.234\n"
                           "2026-03-01,Bob Baker,1.5\n")
    plan = plan_file(db, path)
    reasons = [r.reason for r in plan.rejected]
    assert reasons[:4] == ["No amount on this row.", "No date on this row.",
                           "Date “2027-01-01” is in the future.", "Date “15/03” has no year."]
    assert "more decimals" in reasons[4]  # 1.234 with "." as the file's decimal point
    assert len(plan.matched) == 1


def test_dates_that_read_both_ways_need_the_order(db, people, tmp_path):
    path = write(tmp_path, "Date,Name,Amount\n03/04/2025,Bob Baker,1\n05/06/2025,Bob Baker,2\n")
    with pytest.raises(AmbiguousDates):
        plan_file(db, path)
    plan = plan_file(db, path, date_order="mdy")
    assert [p.day for p in plan.purchases] == [dt.date(2025, 3, 4), dt.date(2025, 5, 6)]


def test_undo_removes_the_batch_and_the_catalogue_it_added(db, people):
    db.execute_sql("INSERT INTO category (name) VALUES ('Getränke')")
    before = db.execute_sql("SELECT count(*) FROM category").fetchone()[0]
    manual = db.execute_sql(
        "INSERT INTO purchase (customer_id, purchased_on, total_minor, created_at) "
        "VALUES (?, '2026-01-01', 100, '2026-01-01')", (people["zoe"],)).lastrowid
    result = purchase_import.apply(plan_file(db, TILL), db)
    assert purchase_import.undo(db, result.batch, result.new_category_ids,
                                result.new_product_ids) == 1
    assert [r[0] for r in db.execute_sql("SELECT id FROM purchase")] == [manual]
    assert db.execute_sql("SELECT count(*) FROM purchase_item").fetchone()[0] == 0
    assert db.execute_sql("SELECT count(*) FROM category").fetchone()[0] == before
    assert db.execute_sql("SELECT count(*) FROM product").fetchone()[0] == 0
    assert db.execute_sql("SELECT purchases, total_minor FROM customer_sales WHERE "
                          "customer_id = ?", (people["zoe"],)).fetchone() == (1, 100)


def test_cancel_writes_nothing(db, people, tmp_path):
    lines = "".join(f"2026-02-{1 + i % 28:02d},Bob Baker,{i}.00,{i}\n" for i in range(12000))
    plan = plan_file(db, write(tmp_path, "Date,Name,Amount,Receipt\n" + lines))
    calls = []

    def stop(done, total):
        calls.append(done)
        return False

    with pytest.raises(importing.ImportCancelled):
        purchase_import.apply(plan, db, progress=stop)
    assert calls == [purchase_import.CHUNK]
    for table in ("purchase", "purchase_item", "customer_sales", "product", "category"):
        assert db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_importing_the_same_file_twice_skips_what_is_there(db, people, tmp_path):
    path = write(tmp_path, "Date,Name,Amount,Receipt\n2026-03-01,Bob Baker,2.50,\n"
                           "2026-03-01,Bob Baker,2.50,\n2026-03-02,Bob Baker,4.00,A 17\n")
    purchase_import.apply(plan_file(db, path), db)
    again = plan_file(db, path)
    assert (len(again.to_import), again.duplicate_purchases, len(again.duplicates)) == (0, 3, 3)
    assert "Already imported" in again.duplicates[0].reason
    # One more coffee in a longer export: only that one is new.
    path.write_text(path.read_text() + "2026-03-01,Bob Baker,2.50,\n")
    third = plan_file(db, path)
    assert (len(third.to_import), third.duplicate_purchases) == (1, 3)


def test_rows_not_imported_saved_with_reasons(db, people, tmp_path):
    plan = plan_file(db, TILL)
    out = tmp_path / "not-imported.csv"
    assert purchase_import.rejected_csv(plan, out) == 5
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["reason", "Datum", "Bonnummer"]
    assert rows[1][1:4] == ["04.02.2026", "1002", ""]
    assert rows[3][3] == "Anna Smith" and "2 customers" in rows[3][0]


def test_a_shared_phone_and_a_common_name_together_find_one_customer(db, book, people,
                                                                       tmp_path):
    # Two Anna Smiths, and Anna of York shares Zoë's phone: phone + name tell who it is.
    book.update(people["anna2"], CustomerInput(first_name="Anna", last_name="Smith",
                                               phone="020 7946 0111"))
    path = write(tmp_path, "Date,Phone,Name,Amount\n2026-03-01,020 7946 0111,Anna Smith,1\n")
    plan = plan_file(db, path)
    assert plan.purchases[0].customer_id == people["anna2"]


def test_weights_returns_and_spreadsheet_cells(db, people):
    from crmdesk.formats.import_common import make_table

    grid = [["Date", "Email", "Item", "Qty", "Price"],
            [dt.datetime(2026, 3, 1, 9, 30), "bob@example.com", "Cheese", 0.5, 18.4],
            [dt.date(2026, 3, 2), "bob@example.com", "Cheese", -1, -9.2],
            ["2026-03-02", "bob@example.com", "Cheese", "100001", "1"]]
    table = make_table(grid, [1, 2, 3, 4], "xlsx")
    plan = purchase_import.plan(table, sales_format.build_mapping(table.headers), db, "GB",
                                "EUR", today=TODAY)
    first, refund = plan.purchases
    assert (first.day, first.total) == (dt.date(2026, 3, 1), 920)
    assert [(i.product, i.description, i.quantity) for i in first.items] == [
        ("Cheese", "0.5 × Cheese", 1)]
    assert (refund.total, refund.items[0].quantity) == (-920, 1)
    assert plan.rejected[0].reason == "Quantity “100001” is too large."
    assert plan.new_products == ["Cheese"]


def test_a_time_column_does_not_take_the_date():
    mapping = sales_format.build_mapping(["Time", "Date", "Item", "Gross Sales", "Transaction ID",
                                          "Customer ID", "Customer Name"])
    assert mapping == {"Date": "date", "Item": "product", "Gross Sales": "amount",
                       "Transaction ID": "receipt", "Customer Name": "name"}


def test_a_business_is_found_by_its_name(db, book, people, tmp_path):
    deli = book.create(CustomerInput(kind="business", business_name="Corner Délï Ltd"))
    path = write(tmp_path, "Date,Customer,Amount\n2026-03-01,corner deli ltd,99.00\n")
    assert plan_file(db, path).purchases[0].customer_id == deli


def test_a_big_import_works_out_the_dashboard_figures_once(db, people, monkeypatch):
    from crmdesk.core import report

    monkeypatch.setattr(purchase_import, "WARM_DASHBOARD_FROM", 1)
    warmed = []
    monkeypatch.setattr(report, "warm_up", lambda db_, today: warmed.append(today))
    purchase_import.apply(plan_file(db, TILL), db)
    assert len(warmed) == 1

    def broken(db_, today):
        raise RuntimeError("no figures today")

    monkeypatch.setattr(report, "warm_up", broken)
    result = purchase_import.apply(plan_file(db, SIMPLE), db)  # the sales are in all the same
    assert result.purchase_ids and db.execute_sql(
        "SELECT count(*) FROM purchase WHERE import_batch = ?", (result.batch,)).fetchone()[0]


def test_warm_up_keeps_the_figures_for_the_next_dashboard(db, people):
    from crmdesk.core import report

    purchase_import.apply(plan_file(db, TILL), db)
    assert db.execute_sql("SELECT count(*) FROM setting WHERE key = 'insight_cache'"
                          ).fetchone()[0] == 0
    report.warm_up(db, TODAY)
    assert db.execute_sql("SELECT count(*) FROM setting WHERE key = 'insight_cache'"
                          ).fetchone()[0] == 1
