"""The settings dialog edits BusinessSettings and hands them back; it never writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from crmdesk.core import settings as settings_store
from crmdesk.core.settings import DATE_FORMATS, BusinessSettings
from crmdesk.ui.settings_dialog import SettingsDialog, countries

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def open_dialog(qtbot):
    def make(current: BusinessSettings) -> SettingsDialog:
        dialog = SettingsDialog(current, today=TODAY)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def save(qtbot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_round_trip_through_the_database(qtbot, open_dialog, db):
    settings_store.save(db, BusinessSettings(shop_name="Old name", default_country="GB",
                                             currency="EUR", date_format="yyyy-MM-dd"))
    dialog = open_dialog(settings_store.load(db))
    assert dialog.shop_name.text() == "Old name"
    assert dialog.country.currentText() == "United Kingdom"
    assert dialog.currency.currentData() == "EUR"
    assert dialog.date_format.currentText() == "2026-03-10 (year-month-day)"

    dialog.shop_name.selectAll()
    qtbot.keyClicks(dialog.shop_name, "  Maria's   Jewels ")
    dialog.country.setCurrentIndex(dialog.country.findData("DE"))
    dialog.currency.lineEdit().selectAll()
    qtbot.keyClicks(dialog.currency.lineEdit(), "chf")
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.date_format.setCurrentIndex(dialog.date_format.findData("d MMM yyyy"))
    save(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    expected = BusinessSettings(shop_name="Maria's Jewels", default_country="DE",
                                currency="CHF", language="en", date_format="d MMM yyyy")
    assert dialog.value == expected
    assert settings_store.load(db).shop_name == "Old name"  # the caller saves, not the dialog
    settings_store.save(db, dialog.value)
    assert settings_store.load(db) == expected


def test_defaults_come_back_as_defaults(qtbot, open_dialog):
    dialog = open_dialog(BusinessSettings())
    assert dialog.country.currentText() == "Use this computer's setting"
    assert dialog.currency.currentText().startswith("This computer's currency")
    assert dialog.date_format.currentText().startswith("This computer's format")
    save(qtbot, dialog)
    assert dialog.value == BusinessSettings()


def test_every_date_format_shows_today_as_an_example(open_dialog):
    dialog = open_dialog(BusinessSettings())
    shown = {dialog.date_format.itemData(i): dialog.date_format.itemText(i)
             for i in range(dialog.date_format.count())}
    assert list(shown) == list(DATE_FORMATS)
    assert shown["dd/MM/yyyy"] == "10/03/2026 (day/month/year)"
    assert shown["MM/dd/yyyy"] == "03/10/2026 (month/day/year)"
    assert shown["d MMM yyyy"].startswith("10 ") and shown["d MMM yyyy"].endswith(" 2026")


def test_a_currency_that_is_not_a_code_is_refused(qtbot, open_dialog):
    dialog = open_dialog(BusinessSettings())
    dialog.currency.lineEdit().selectAll()
    qtbot.keyClicks(dialog.currency.lineEdit(), "12")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.value is None
    assert dialog.currency_error.isVisible()

    dialog.currency.lineEdit().selectAll()
    qtbot.keyClicks(dialog.currency.lineEdit(), "usd")
    assert not dialog.currency_error.isVisible()
    save(qtbot, dialog)
    assert dialog.value.currency == "USD"


def test_cancel_gives_no_value(qtbot, open_dialog):
    dialog = open_dialog(BusinessSettings(shop_name="Shop"))
    qtbot.keyClicks(dialog.shop_name, " more")
    qtbot.keyClick(dialog.shop_name, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.value is None


def test_countries_are_iso_codes_with_names():
    listed = dict(countries())
    assert listed["GB"] == "United Kingdom"
    assert listed["DE"] == "Germany"
    assert "EU" not in listed
    assert all(len(code) == 2 and code.isupper() for code in listed)
