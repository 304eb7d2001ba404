"""'Export this person's data': their purchases and loyalty ledger, in the JSON and the text."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import vobject

from crmdesk.core.loyalty import Loyalty
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.core.privacy import forget
from crmdesk.core.sales import ItemInput, SaleInput, Sales
from crmdesk.core.settings import BusinessSettings, save
from crmdesk.formats import import_json
from crmdesk.formats.export_person import export_person, read_sales

GBP_POINTS = BusinessSettings(currency="GBP", loyalty_mode="points", loyalty_points_per_unit=1,
                              loyalty_rewards="100 = £5 off")


class Shop:
    def __init__(self, db, clock, book, settings=GBP_POINTS):
        self.settings = settings
        save(db, settings)
        self.loyalty = Loyalty(db, now=clock, settings=lambda: self.settings, book=book)
        self.sales = Sales(db, now=clock, settings=lambda: self.settings, loyalty=self.loyalty)
        self.catalogue = self.sales.catalogue

    def sell(self, customer, on, total, *items, note=""):
        return self.sales.record(SaleInput(customer, on, total, tuple(items), note))


@pytest.fixture
def shop(db, clock, book):
    return Shop(db, clock, book)


@pytest.fixture
def people(book, shop, clock):
    """Anna: two sales and one redeemed reward. Bob: a sale of his own, never to show."""
    anna = book.create(CustomerInput(first_name="Anna", last_name="Schmidt"))
    bob = book.create(CustomerInput(first_name="Bob", last_name="Baker"))
    bakery = shop.catalogue.add_category("Bakery")
    flowers = shop.catalogue.add_category("Flowers")
    croissant = shop.catalogue.add_product("Croissant", bakery, 150)
    secret = shop.catalogue.add_product("Bob's whisky", None, 4999)
    first = shop.sell(anna, dt.date(2026, 3, 1), None,
                      ItemInput(product_id=croissant, quantity=2),
                      ItemInput(description="gift wrap", amount_minor=250))
    second = shop.sell(anna, dt.date(2026, 3, 9), 12050, ItemInput(category_id=flowers),
                       note="For her mother's birthday")
    shop.sell(bob, dt.date(2026, 3, 5), None, ItemInput(product_id=secret),
              note="Bob's private note")
    clock.advance(hours=1)
    shop.loyalty.redeem(anna)
    return {"anna": anna, "bob": bob, "first": first, "second": second}


def test_json_holds_exactly_her_sales_items_totals_and_ledger(db, tmp_path, clock, people):
    found = export_person(db, people["anna"], tmp_path, now=clock())
    person = json.loads(found.json_path.read_text(encoding="utf-8"))["customers"]
    assert [p["id"] for p in person] == [people["anna"]]
    anna = person[0]
    assert anna["purchases"] == [
        {"id": people["first"], "purchased_on": "2026-03-01", "total": "5.50", "currency": "GBP",
         "note": "", "source": "", "created_at": "2026-03-10T10:30:00Z", "items": [
             {"product": "Croissant", "category": "Bakery", "description": "", "quantity": 2,
              "amount": "3.00"},
             {"product": None, "category": None, "description": "gift wrap", "quantity": 1,
              "amount": "2.50"}]},
        {"id": people["second"], "purchased_on": "2026-03-09", "total": "120.50",
         "currency": "GBP", "note": "For her mother's birthday", "source": "",
         "created_at": "2026-03-10T10:30:00Z", "items": [
             {"product": None, "category": "Flowers", "description": "", "quantity": 1,
              "amount": None}]},
    ]
    summary = anna["sales_summary"]
    assert summary["purchases"] == 2
    assert summary["totals"] == [{"currency": "GBP", "total": "126.00"}]
    assert (summary["first_purchase_on"], summary["last_purchase_on"]) == (
        "2026-03-01", "2026-03-09")
    loyalty = anna["loyalty"]
    assert (loyalty["unit"], loyalty["balance"], loyalty["earned"], loyalty["redeemed"]) == (
        "points", 25, 125, 100)
    assert [(e["kind"], e["points"], e["reward"], e["purchase_id"], e["created_at"])
            for e in loyalty["entries"]] == [
        ("earn", 5, "", people["first"], "2026-03-10T10:30:00Z"),
        ("earn", 120, "", people["second"], "2026-03-10T10:30:00Z"),
        ("redeem", -100, "£5 off", None, "2026-03-10T11:30:00Z")]
    # The redeem is a conversation of hers too, so it is in the file twice, as it is in the book.
    assert [c["summary"] for c in anna["conversations"]] == ["Redeemed: £5 off"]
    text = found.json_path.read_text(encoding="utf-8")
    assert "Bob" not in text and "whisky" not in text and "49.99" not in text


def test_text_copy_says_the_same_in_plain_words(db, tmp_path, clock, people):
    found = export_person(db, people["anna"], tmp_path, now=clock())
    assert found.text_path.name == f"crmdesk-Anna-Schmidt-{people['anna']}.txt"
    text = found.text_path.read_text(encoding="utf-8")
    purchases = text.split("\nPurchases\n---------\n")[1].split("\n\n")[0].splitlines()
    assert purchases == [
        "2026-03-01  5.50 GBP",
        "    2 × Croissant (Bakery): 3.00 GBP",
        "    1 × gift wrap: 2.50 GBP",
        "2026-03-09  120.50 GBP",
        "    1 × Flowers",
        "    Note: For her mother's birthday",
    ]
    assert "Purchases: 2\nSpent: 126.00 GBP\nFirst: 2026-03-01, last: 2026-03-09" in text
    loyalty = text.split("\nLoyalty\n-------\n")[1].splitlines()
    assert loyalty == [
        "Balance: 25 points (earned 125, redeemed 100)",
        "2026-03-10 10:30 UTC  earned 5 points for the purchase of 2026-03-01",
        "2026-03-10 10:30 UTC  earned 120 points for the purchase of 2026-03-09",
        "2026-03-10 11:30 UTC  redeemed 100 points: £5 off",
    ]
    assert "Bob" not in text and "whisky" not in text


def test_the_other_customer_gets_only_his_own(db, tmp_path, clock, people):
    found = export_person(db, people["bob"], tmp_path, now=clock())
    bob = json.loads(found.json_path.read_text(encoding="utf-8"))["customers"][0]
    assert [(p["total"], p["note"]) for p in bob["purchases"]] == [("49.99", "Bob's private note")]
    assert bob["purchases"][0]["items"][0]["product"] == "Bob's whisky"
    assert [(e["kind"], e["points"]) for e in bob["loyalty"]["entries"]] == [("earn", 49)]
    assert bob["loyalty"]["balance"] == 49
    for path in (found.json_path, found.text_path):
        text = path.read_text(encoding="utf-8")
        assert "Anna" not in text and "Croissant" not in text and "mother" not in text


def test_a_customer_without_sales_has_empty_sections(db, tmp_path, book, shop):
    nobody = book.create(CustomerInput(first_name="Nora"))
    found = export_person(db, nobody, tmp_path)
    nora = json.loads(found.json_path.read_text(encoding="utf-8"))["customers"][0]
    assert nora["purchases"] == []
    assert nora["sales_summary"]["purchases"] == 0 and nora["sales_summary"]["totals"] == []
    assert (nora["loyalty"]["balance"], nora["loyalty"]["entries"]) == (0, [])
    text = found.text_path.read_text(encoding="utf-8")
    assert "\nPurchases\n---------\n(none)\n" in text and text.endswith("Loyalty\n-------\n(none)\n")


def test_amounts_keep_each_currency_s_decimals(db, clock, book):
    shop = Shop(db, clock, book, BusinessSettings(currency="JPY"))
    kim = book.create(CustomerInput(first_name="Kim"))
    shop.sell(kim, dt.date(2026, 3, 1), 1500)
    shop.settings = BusinessSettings(currency="KWD")
    shop.sell(kim, dt.date(2026, 3, 2), 1001, ItemInput(description="tea", amount_minor=1))
    sales = read_sales(db, kim)
    assert [(p["total"], p["currency"]) for p in sales["purchases"]] == [
        ("1500", "JPY"), ("1.001", "KWD")]
    assert sales["purchases"][1]["items"][0]["amount"] == "0.001"
    assert sales["sales_summary"]["totals"] == [
        {"currency": "JPY", "total": "1500"}, {"currency": "KWD", "total": "1.001"}]


def test_forgotten_and_trashed_people_still_get_their_sales(db, tmp_path, clock, people):
    forget(db, people["anna"], clock())
    found = export_person(db, people["anna"], tmp_path, now=clock())
    anna = json.loads(found.json_path.read_text(encoding="utf-8"))["customers"][0]
    assert [p["total"] for p in anna["purchases"]] == ["5.50", "120.50"]
    assert anna["purchases"][1]["note"] == ""  # forget emptied it
    assert anna["loyalty"]["balance"] == 25


def test_files_still_read_back_and_the_card_stays_a_contact_card(db, tmp_path, clock, people):
    found = export_person(db, people["anna"], tmp_path, now=clock())
    document = import_json.load(found.json_path.read_text(encoding="utf-8"))
    assert [c["first_name"] for c in document.customers] == ["Anna"]
    card_text = found.vcard_path.read_text(encoding="utf-8")
    assert [c.fn.value for c in vobject.readComponents(card_text)] == ["Anna Schmidt"]
    assert "120.50" not in card_text and "Croissant" not in card_text
    with pytest.raises(LookupError):
        export_person(db, 9999, tmp_path)


def test_text_copy_has_her_details_dates_and_consents(db, tmp_path, book):
    rosa = book.create(CustomerInput(
        first_name="Rosa", last_name="Diaz", email="rosa@example.com", address="1 High St\nFlat 2",
        dates=[DateInput("birthday", 12, 3, 1990), DateInput("anniversary", 1, 4, None)],
        consents=[ConsentInput("email", True, dt.date(2026, 1, 5), "signup form")]))
    text = export_person(db, rosa, tmp_path).text_path.read_text(encoding="utf-8")
    assert "Email: rosa@example.com\nAddress: 1 High St\n    Flat 2\n" in text
    assert "birthday: 1990-03-12\nanniversary: 04-01 (month-day)\n" in text
    assert "email: yes, recorded 2026-01-05 (signup form)" in text
