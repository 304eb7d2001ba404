"""Sales and loyalty in the window: record a sale from the card or the toolbar, redeem a
reward on the card and on Today, keep products and categories, set up the program.

The clock is fixed at Tuesday 10 March 2026, 10:30 UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QToolButton

from crmdesk.core.model import ListQuery
from crmdesk.core.sales import SaleInput
from crmdesk.ui import sales_actions

STAMPS = dict(loyalty_mode="stamps", loyalty_stamps_needed=2,
              loyalty_stamp_reward="a free coffee")


def anna(win, session) -> int:
    customer_id = session.customers.find_ids(ListQuery(text="anna"))[0]
    win.open_customer(customer_id)
    return customer_id


@pytest.fixture
def shop(qtbot, filled_window, session):
    """The window with the sales actions installed."""
    win = filled_window
    sales_actions.install(win)
    return win


def loyalty_on(session, **more):
    session.save_settings(dataclasses.replace(session.settings, **{**STAMPS, **more}))


def sell(session, customer_id, minor=300, times=1):
    for _ in range(times):
        session.sales.record(SaleInput(customer_id, dt.date(2026, 3, 10), minor))


def test_record_a_sale_from_the_card_then_the_card_shows_the_total(qtbot, shop, session):
    win = shop
    customer_id = anna(win, session)
    section = win.card.sales
    assert section.isVisible() and "No purchases yet" in section.totals.text()
    qtbot.mouseClick(section.record_button, Qt.MouseButton.LeftButton)
    dialog = win.sales_actions.dialog
    qtbot.waitExposed(dialog)
    # customer and day are filled in: the amount has the focus
    assert dialog.focusWidget() is dialog.amount
    qtbot.keyClicks(dialog.amount, "12.50")
    qtbot.keyClicks(dialog.items, "2 x Croissant, Coffee")
    dialog.items.completer().popup().hide()
    qtbot.keyClick(dialog.items, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: not dialog.isVisible())
    money = win.formatter.money(1250)
    assert money in section.totals.text() and "1 visit" in section.totals.text()
    assert section.history_texts() == [f"{win.formatter.date(dt.date(2026, 3, 10))} {money} "
                                       "2 × Croissant, Coffee"]
    assert session.sales.summary(customer_id).total_minor == 1250
    assert "Sale saved" in win.statusBar().currentMessage()
    win.undo_stack.undo()
    assert "No purchases yet" in section.totals.text()
    win.undo_stack.redo()
    assert money in section.totals.text()


def test_the_amount_is_checked_while_typing_and_nothing_is_saved(qtbot, shop, session):
    win = shop
    customer_id = anna(win, session)
    win.sales_actions.record_sale(customer_id)
    dialog = win.sales_actions.dialog
    qtbot.keyClicks(dialog.amount, "twelve")
    error = dialog._errors["total"]
    assert error.isVisible() and "is not an amount" in error.text()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.isVisible()
    dialog.amount.clear()
    assert not error.isVisible()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # no amount and no priced items
    assert dialog.isVisible() and "Enter the amount" in error.text()
    dialog.reject()
    assert session.sales.summary(customer_id).visits == 0


def test_record_from_the_toolbar_asks_who_and_prices_items_from_the_list(qtbot, shop,
                                                                        session):
    win = shop
    catalogue = session.sales.catalogue
    coffee = catalogue.add_category("Coffee")
    catalogue.add_product("Flat white", coffee, 320)
    bob = session.customers.find_ids(ListQuery(text="bob"))[0]
    win.nav.setCurrentRow(1)  # on Today: no card to take the customer from
    win.sales_actions.record_action.trigger()
    dialog = win.sales_actions.dialog
    qtbot.keyClicks(dialog.search, "bob")
    dialog.run_search()
    assert dialog.customer_id == bob
    qtbot.keyClicks(dialog.items, "2 x Flat white")
    dialog.accept()
    assert not dialog.isVisible()
    summary = session.sales.summary(bob)
    assert (summary.total_minor, summary.favourite_categories) == (640, (("Coffee", 1),))


def test_redeem_a_reward_on_the_card(qtbot, shop, session):
    win = shop
    loyalty_on(session)
    customer_id = anna(win, session)
    sell(session, customer_id, times=2)
    win.show_card(customer_id)
    section = win.card.sales
    assert "2 of 2" in section.loyalty.text()
    (button,) = section.findChildren(QPushButton, "redeem")
    assert button.text() == "Redeem a free coffee"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert session.loyalty.balance(customer_id) == 0
    assert "0 of 2" in section.loyalty.text()
    assert section.redeem_buttons == []  # nothing more to redeem
    assert "Redeemed: a free coffee" in win.card._timeline.text()
    win.undo_stack.undo()
    assert session.loyalty.balance(customer_id) == 2
    assert "Redeemed" not in win.card._timeline.text()


def test_a_reward_waits_on_today_and_redeem_there_takes_it_away(qtbot, shop, session):
    win = shop
    loyalty_on(session)
    customer_id = anna(win, session)
    sell(session, customer_id, times=2)
    win.nav.setCurrentRow(1)
    win.refresh_today()
    page = win.today_page
    (row,) = page.rows("rewards")
    assert row.text(1) == "Anna Schmidt" and row.text(2) == "Reward: a free coffee"
    redeem = page.row_widget(row).findChild(QToolButton, "redeem")
    qtbot.mouseClick(redeem, Qt.MouseButton.LeftButton)
    assert session.loyalty.balance(customer_id) == 0
    rows = page.rows("rewards")
    assert len(rows) == 1 and "No loyalty rewards waiting" in rows[0].text(0)
    assert "Anna Schmidt got a free coffee" in win.statusBar().currentMessage()


def test_today_has_no_rewards_section_while_the_program_is_off(qtbot, shop):
    win = shop
    win.nav.setCurrentRow(1)
    win.refresh_today()
    assert "rewards" not in win.today_page.heads


def test_products_and_categories_dialog(qtbot, shop, session):
    win = shop
    win.sales_actions.catalogue_action.trigger()
    dialog = win.sales_actions.catalogue_dialog
    qtbot.waitExposed(dialog)
    dialog.tabs.setCurrentIndex(1)
    qtbot.keyClicks(dialog.category_name, "Bakery")
    qtbot.mouseClick(dialog.add_category, Qt.MouseButton.LeftButton)
    assert dialog.category_names() == ["Bakery"]
    qtbot.keyClicks(dialog.category_name, "bakery")
    qtbot.mouseClick(dialog.add_category, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and "already" in dialog.error.text()
    dialog.tabs.setCurrentIndex(0)
    qtbot.keyClicks(dialog.product_name, "Croissant")
    dialog.product_category.setCurrentIndex(dialog.product_category.findText("Bakery"))
    qtbot.keyClicks(dialog.product_price, "1.80")
    qtbot.mouseClick(dialog.add_product, Qt.MouseButton.LeftButton)
    (product,) = session.sales.catalogue.products()
    assert (product.name, product.category_name, product.price_minor) == (
        "Croissant", "Bakery", 180)
    assert dialog.product_names() == ["Croissant"]
    assert session.sales.item_names() == ["Croissant", "Bakery"]


def test_loyalty_settings_tab(qtbot, shop, session):
    win = shop
    win.sales_actions.loyalty_action.trigger()
    dialog = win.settings_dialog
    page = dialog.loyalty
    assert dialog.tabs.currentWidget() is page
    page.mode.setCurrentIndex(page.mode.findData("points"))
    page.rewards.setPlainText("a hundred = a treat")
    assert not dialog.save()
    assert page.error.isVisible() and "Line 1" in page.error.text()
    page.rewards.setPlainText("250 = £15 off\n100 = £5 off")
    page.per_unit.setValue(2)
    assert dialog.save()
    qtbot.waitUntil(lambda: session.settings.loyalty_mode == "points")
    assert session.settings.loyalty_rewards == "100 = £5 off\n250 = £15 off"
    assert session.settings.loyalty_points_per_unit == 2


def test_install_twice_adds_one_action(qtbot, shop):
    win = shop
    again = sales_actions.install(win)
    assert again is win.sales_actions
    menus = [a.text() for a in win.menuBar().actions()]
    assert menus.count("&Sales") == 1


def test_remove_a_sale_from_the_card_and_undo(qtbot, shop, session):
    win = shop
    customer_id = anna(win, session)
    sell(session, customer_id, 500)
    sell(session, customer_id, 700)
    win.show_card(customer_id)
    section = win.card.sales
    assert "2 visits" in section.totals.text()
    newest = section.summary.recent[0].id
    section.history.linkActivated.emit(f"remove:{newest}")
    assert "1 visit" in section.totals.text()
    assert "Sale removed" in win.statusBar().currentMessage()
    win.undo_stack.undo()
    assert "2 visits" in section.totals.text()
    assert section.summary.recent[0].id == newest


def test_stamp_card_for_one_category_in_the_settings_dialog(qtbot):
    from crmdesk.core.settings import BusinessSettings
    from crmdesk.ui.settings_dialog import SettingsDialog

    class NoAutostart:
        def is_enabled(self):
            return False

    dialog = SettingsDialog(BusinessSettings(loyalty_rewards="not readable"),
                            today=dt.date(2026, 3, 10), autostart=NoAutostart(),
                            categories=[(3, "Coffee"), (4, "Cake")])
    qtbot.addWidget(dialog)
    page = dialog.loyalty
    assert page.stamps.isHidden() and page.points.isHidden()  # off: no stamp or points settings shown
    page.mode.setCurrentIndex(page.mode.findData("stamps"))
    assert not page.stamps.isHidden() and page.points.isHidden()
    page.stamp_category.setCurrentIndex(page.stamp_category.findText("Sales with Coffee"))
    page.stamps_needed.setValue(9)
    page.stamp_reward.setText("  a free   flat white ")
    assert dialog.save()
    value = dialog.value
    assert (value.loyalty_mode, value.loyalty_stamp_category, value.loyalty_stamps_needed,
            value.loyalty_stamp_reward) == ("stamps", 3, 9, "a free flat white")
    assert value.loyalty_rewards == "not readable"  # not shown, so kept as it was


def test_items_are_offered_from_the_list_while_typing(qtbot, shop, session):
    win = shop
    catalogue = session.sales.catalogue
    catalogue.add_product("Flat white", catalogue.add_category("Coffee"), 320)
    win.sales_actions.record_sale(anna(win, session))
    dialog = win.sales_actions.dialog
    completer = dialog.items.completer()
    qtbot.keyClicks(dialog.items, "Cake, 2 x fla")
    (prefix,) = completer.splitPath(dialog.items.text())
    assert prefix == "fla"
    completer.setCompletionPrefix(prefix)
    assert completer.completionCount() == 1
    # choosing it keeps what was typed before, and the count
    assert completer.currentCompletion() == "Cake, 2 x Flat white"
    dialog.reject()


def test_the_shortcut_opens_the_sale_dialog_for_the_open_card(qtbot, shop, session):
    win = shop
    customer_id = anna(win, session)
    qtbot.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    dialog = win.sales_actions.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.customer_id == customer_id
    shortcuts = [a.shortcut().toString() for a in win.findChildren(type(win.new_action))
                 if not a.shortcut().isEmpty()]
    assert shortcuts.count("Ctrl+Shift+S") == 1
    dialog.reject()


def test_change_a_sale_from_the_card_and_undo(qtbot, shop, session):
    win = shop
    customer_id = anna(win, session)
    session.sales.record(SaleInput(customer_id, dt.date(2026, 3, 9), 500, note="first"))
    win.show_card(customer_id)
    section = win.card.sales
    sale_id = section.summary.recent[0].id
    section.history.linkActivated.emit(f"change:{sale_id}")
    dialog = win.sales_actions.dialog
    assert dialog.windowTitle() == "Change a sale"
    assert (dialog.amount.text(), dialog.note.text()) == (win.formatter.money_plain(500), "first")
    dialog.amount.setText(win.formatter.money_plain(750))
    dialog.accept()
    assert session.sales.get(sale_id).total_minor == 750
    assert win.formatter.money(750) in section.totals.text()
    win.undo_stack.undo()
    assert session.sales.get(sale_id).total_minor == 500


def test_the_sale_dialog_says_where_the_customer_stands(qtbot, shop, session):
    win = shop
    loyalty_on(session, loyalty_mode="points", loyalty_rewards="100 = £5 off")
    customer_id = anna(win, session)
    sell(session, customer_id, 9000)
    win.sales_actions.record_sale(customer_id)
    dialog = win.sales_actions.dialog
    assert dialog.loyalty_hint.text() == "90 points."
    qtbot.keyClicks(dialog.amount, "12.99")
    assert dialog.loyalty_hint.text() == "90 points. This sale adds 12. Then £5 off is due."
    dialog.reject()
