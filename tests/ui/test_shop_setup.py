"""A new book's first start asks the shop's country, currency and date format (prefilled from
the computer), so national phone numbers and money work from the first customer."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QLocale, Qt

from crmdesk.core import settings as settings_store
from crmdesk.core.session import Session


@pytest.fixture
def german_computer(monkeypatch):
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("de_DE")))


def first_start(qtbot, session, qsettings):
    from crmdesk.ui.main_window import MainWindow

    win = MainWindow(session, qsettings, ask_shop_setup=session.needs_shop_setup())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_first_start_asks_prefilled_then_national_numbers_and_money_work(
        qtbot, session, qsettings, german_computer, opened, clock):
    assert session.needs_shop_setup()
    win = first_start(qtbot, session, qsettings)
    setup = win.shop_setup
    assert setup is not None and setup.isVisible()
    assert not win.first_run.add_button.isVisible()  # the questions come first
    assert setup.country.currentData() == "DE"  # from the computer's locale
    assert setup.currency.currentData() == "EUR"
    assert setup.date_format.currentData() == "dd/MM/yyyy"
    # The shop is in Austria, whatever the PC says.
    setup.country.setCurrentIndex(setup.country.findData("AT"))
    qtbot.keyClicks(setup.shop_name, "Corner Cafe")
    qtbot.mouseClick(setup.continue_button, Qt.MouseButton.LeftButton)

    assert win.first_run.add_button.isVisible() and win.shop_setup is None
    saved = settings_store.load(session.db)
    assert (saved.default_country, saved.currency, saved.date_format, saved.shop_name) == (
        "AT", "EUR", "dd/MM/yyyy", "Corner Cafe")
    assert win.windowTitle().startswith("Corner Cafe")
    assert win.formatter.date(dt.date(2026, 3, 10)) == "10/03/2026"
    # The first customer's national number is read as Austrian.
    qtbot.mouseClick(win.first_run.add_button, Qt.MouseButton.LeftButton)
    editor = win.editor
    qtbot.waitUntil(editor.isVisible)
    qtbot.keyClicks(editor.first_name, "Lena")
    qtbot.keyClicks(editor.phone, "0664 1234567")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert win.card.card.data.phone == "+436641234567"
    # Never asked again for this book.
    assert not Session(opened.db, opened.path, now=clock).needs_shop_setup()


def test_adding_a_customer_while_asked_keeps_the_prefilled_answers(qtbot, session, qsettings,
                                                                  german_computer):
    win = first_start(qtbot, session, qsettings)
    win.new_action.trigger()  # File > New customer, without answering
    qtbot.waitUntil(lambda: win.editor is not None and win.editor.isVisible())
    saved = settings_store.load(session.db)
    assert (saved.default_country, saved.currency, saved.shop_setup_done) == ("DE", "EUR", True)
    assert win.first_run.asking_setup() is False
    win.editor.done(0)
    assert not session.needs_shop_setup()  # even though the book is still empty


def test_a_book_with_customers_or_settings_is_not_asked(qtbot, session, sample_people, db_path,
                                                        clock):
    assert not session.needs_shop_setup()  # customers
    from crmdesk.store.db import open_database

    other = open_database(db_path.with_name("other.db"))
    try:
        fresh = Session(other.db, other.path, now=clock)
        assert fresh.needs_shop_setup()
        fresh.save_settings(settings_store.BusinessSettings(shop_name="Corner shop"))
        assert not Session(other.db, other.path, now=clock).needs_shop_setup()
    finally:
        other.db.close()


def test_existing_windows_are_not_asked_without_the_flag(qtbot, window):
    assert window.shop_setup is None and window.first_run.add_button.isVisible()
