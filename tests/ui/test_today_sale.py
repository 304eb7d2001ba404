"""Today's "Rewards to give" rows: "Sale…" records what the customer buys, for that customer.

The clock is fixed at Tuesday 10 March 2026, 10:30 UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from crmdesk.core.model import ListQuery
from crmdesk.core.sales import SaleInput
from crmdesk.ui import sales_actions


def anna_with_a_reward(session) -> int:
    session.save_settings(dataclasses.replace(
        session.settings, loyalty_mode="stamps", loyalty_stamps_needed=2,
        loyalty_stamp_reward="a free coffee"))
    anna = session.customers.find_ids(ListQuery(text="anna"))[0]
    for _ in range(2):
        session.sales.record(SaleInput(anna, dt.date(2026, 3, 10), 300))
    return anna


def today(win):
    win.nav.setCurrentRow(1)
    win.refresh_today()
    return win.today_page


def test_sale_on_a_reward_row_records_a_sale_for_that_customer(qtbot, filled_window, session):
    win = filled_window
    sales_actions.install(win)
    anna = anna_with_a_reward(session)
    page = today(win)
    (row,) = page.rows("rewards")
    sale = page.row_widget(row).findChild(QToolButton, "sale")
    assert sale.text() == "Sale…" and sale.toolTip() == "Record a sale for Anna Schmidt"
    qtbot.mouseClick(sale, Qt.MouseButton.LeftButton)
    dialog = win.sales_actions.dialog
    qtbot.waitExposed(dialog)
    assert (dialog.customer_id, dialog.customer_name) == (anna, "Anna Schmidt")
    assert dialog.focusWidget() is dialog.amount  # the customer is already chosen
    qtbot.keyClicks(dialog.amount, "4.20")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    summary = session.sales.summary(anna)
    assert (summary.visits, summary.total_minor) == (3, 1020)
    assert "Sale saved" in win.statusBar().currentMessage()
    win.undo_stack.undo()
    assert session.sales.summary(anna).visits == 2


def test_only_reward_rows_have_sale(qtbot, filled_window, session):
    win = filled_window
    anna_with_a_reward(session)
    page = today(win)
    (birthday,) = page.rows("dates")  # Anna's birthday in two days
    assert page.row_widget(birthday).findChild(QToolButton, "sale") is None
    (reward,) = page.rows("rewards")
    assert page.row_widget(reward).findChild(QToolButton, "sale") is not None
