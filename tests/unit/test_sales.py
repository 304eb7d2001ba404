"""Sales: recording, changing and removing a sale, the history and the card's summary."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.core.customers import NotFound
from crmdesk.core.sales import ItemInput, SaleInput, Sales, average
from crmdesk.core.settings import BusinessSettings
from crmdesk.core.validation import ValidationError

D = dt.date


@pytest.fixture
def sales(db, clock):
    return Sales(db, now=clock, settings=lambda: BusinessSettings(currency="GBP"))


@pytest.fixture
def anna(add):
    return add("Anna", "Schmidt")


def items_rows(db, purchase_id):
    return db.execute_sql(
        "SELECT customer_id, purchased_on, product_id, category_id, description, quantity, "
        "amount_minor FROM purchase_item WHERE purchase_id = ? ORDER BY id",
        (purchase_id,)).fetchall()


def test_record_writes_the_sale_and_its_lines_with_the_sales_customer_and_day(sales, db, anna):
    cat = sales.catalogue
    bakery = cat.add_category("Bakery")
    croissant = cat.add_product("Croissant", bakery, 180)
    sale_id = sales.record(SaleInput(anna, D(2026, 3, 9), None, (
        ItemInput(product_id=croissant, quantity=2),
        ItemInput(description="gift wrap", amount_minor=150)), note=" for her mum "))
    sale = sales.get(sale_id)
    assert sale.total_minor == 2 * 180 + 150  # no total given: the lines add up
    assert sale.currency == "GBP"
    assert sale.note == "for her mum"
    assert sale.items_text == "2 × Croissant, gift wrap"
    assert items_rows(db, sale_id) == [
        (anna, "2026-03-09", croissant, bakery, "", 2, 360),
        (anna, "2026-03-09", None, None, "gift wrap", 1, 150)]


def test_a_total_given_wins_over_the_lines(sales, anna):
    sale_id = sales.record(SaleInput(anna, D(2026, 3, 9), 1000,
                                     (ItemInput(description="tea", amount_minor=300),)))
    assert sales.get(sale_id).total_minor == 1000


def test_bad_input_names_each_problem_and_saves_nothing(sales, db, anna):
    with pytest.raises(ValidationError) as error:
        sales.record(SaleInput(None, D(2026, 3, 11), None,
                               (ItemInput(description="x", quantity=0),)))
    assert set(error.value.errors) == {"customer", "on", "items.0", "total"}
    with pytest.raises(ValidationError) as error:
        sales.record(SaleInput(anna, D(2026, 3, 10), None, (ItemInput(description="tea"),)))
    assert error.value.errors == {"total": "Enter the amount of the sale."}
    assert db.execute_sql("SELECT COUNT(*) FROM purchase").fetchone()[0] == 0


def test_no_sale_for_a_customer_in_trash(sales, book, anna):
    book.trash([anna])
    with pytest.raises(NotFound):
        sales.record(SaleInput(anna, D(2026, 3, 10), 500))


def test_update_rewrites_lines_and_keeps_them_equal_to_the_sale(sales, db, add, anna):
    bob = add("Bob", "Baker")
    sale_id = sales.record(SaleInput(anna, D(2026, 3, 1), 500, (ItemInput(description="a"),)))
    sales.update(sale_id, SaleInput(bob, D(2026, 3, 2), 700, (ItemInput(description="b"),
                                                              ItemInput(description="c"))))
    assert [r[:2] + (r[4],) for r in items_rows(db, sale_id)] == [
        (bob, "2026-03-02", "b"), (bob, "2026-03-02", "c")]
    assert sales.summary(anna).visits == 0
    assert sales.summary(bob).total_minor == 700


def test_remove_and_restore_put_the_sale_back_exactly(sales, anna):
    sale_id = sales.record(SaleInput(anna, D(2026, 3, 1), 500, (ItemInput(description="a"),)))
    before = sales.get(sale_id)
    removed = sales.remove(sale_id)
    assert sales.summary(anna).visits == 0
    assert sales.restore(removed) == sale_id
    assert sales.get(sale_id) == before
    assert sales.summary(anna).total_minor == 500


def test_summary_hand_computed(sales, anna, add):
    cat = sales.catalogue
    coffee, bakery, gifts, books = (cat.add_category(n) for n in
                                    ("Coffee", "Bakery", "Gifts", "Books"))
    for on, total, cats in ((D(2026, 1, 5), 1000, [coffee, bakery]),
                            (D(2026, 2, 1), 2500, [coffee, coffee, gifts]),
                            (D(2025, 12, 24), 1001, [coffee, bakery, books])):
        sales.record(SaleInput(anna, on, total, tuple(ItemInput(category_id=c) for c in cats)))
    sales.record(SaleInput(add("Bob", "Baker"), D(2026, 2, 2), 9999,
                           (ItemInput(category_id=books),) * 5))
    summary = sales.summary(anna)
    assert summary.visits == 3
    assert summary.total_minor == 4501
    assert summary.average_minor == 1500  # 4501 / 3 = 1500.33
    assert (summary.first_on, summary.last_on) == (D(2025, 12, 24), D(2026, 2, 1))
    assert summary.favourite_categories == (("Coffee", 4), ("Bakery", 2), ("Books", 1))
    assert [s.on for s in summary.recent] == [D(2026, 2, 1), D(2026, 1, 5), D(2025, 12, 24)]


def test_summary_of_someone_who_never_bought(sales, anna):
    summary = sales.summary(anna)
    assert (summary.visits, summary.total_minor, summary.average_minor, summary.last_on,
            summary.recent) == (0, 0, None, None, ())


def test_the_card_shows_only_the_last_ten(sales, anna):
    for day in range(1, 16):
        sales.record(SaleInput(anna, D(2026, 1, day), 100))
    summary = sales.summary(anna)
    assert summary.visits == 15
    assert [s.on.day for s in summary.recent] == list(range(15, 5, -1))


def test_average_rounds_half_up():
    assert average(5, 2) == 3
    assert average(4, 3) == 1
    assert average(-5, 2) == -3
    assert average(0, 0) is None


def test_parse_items_matches_products_then_categories_then_keeps_words(sales):
    cat = sales.catalogue
    bakery = cat.add_category("Bakery")
    croissant = cat.add_product("Croissant", bakery, 180)
    assert sales.parse_items("2 x croissant, bakery ,  Gift  wrap,") == (
        ItemInput(product_id=croissant, quantity=2), ItemInput(category_id=bakery),
        ItemInput(description="Gift wrap"))


def test_catalogue_names_unique_archive_and_bring_back(sales):
    cat = sales.catalogue
    tea = cat.add_category("Tea")
    with pytest.raises(ValidationError):
        cat.add_category("tea")
    cat.archive_category(tea)
    assert [c.name for c in cat.categories()] == []
    assert cat.add_category("Tea") == tea
    earl = cat.add_product("Earl Grey", tea, 450)
    cat.update_product(earl, "Earl Grey loose", tea, 500)
    assert [(p.name, p.category_name, p.price_minor) for p in cat.products()] == [
        ("Earl Grey loose", "Tea", 500)]
    cat.rename_category(tea, "Teas")
    assert sales.item_names() == ["Earl Grey loose", "Teas"]


def test_empty_trash_keeps_purchases_as_anonymous_rows(sales, book, db, anna):
    sale_id = sales.record(SaleInput(anna, D(2026, 3, 1), 500, (ItemInput(description="a"),)))
    book.trash([anna])
    assert sales.get(sale_id).customer_id == anna  # Trash keeps them linked
    book.empty_trash()
    sale = sales.get(sale_id)
    assert (sale.customer_id, sale.total_minor, sale.items_text) == (None, 500, "a")
    assert items_rows(db, sale_id)[0][0] is None
    assert db.execute_sql("SELECT COUNT(*) FROM customer_sales").fetchone()[0] == 0


def test_a_sale_is_written_in_the_computers_currency_when_the_shop_has_none(db, clock, anna):
    sales = Sales(db, now=clock, settings=BusinessSettings, fallback_currency=lambda: "jpy")
    assert sales.get(sales.record(SaleInput(anna, D(2026, 3, 9), 1500))).currency == "JPY"
