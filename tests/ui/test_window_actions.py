"""The toolbar and menus act on the page the user sees; follow-ups are undoable."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from crmdesk.core.model import ListQuery
from crmdesk.ui.main_window import PAGE_CUSTOMERS, PAGE_TODAY, PAGE_TRASH


def _choose(win, session, name: str) -> int:
    customer_id = session.customers.find_ids(ListQuery(text=name))[0]
    win.open_customer(customer_id)
    return customer_id


def _live_ids(session) -> set[int]:
    return set(session.customers.find_ids(ListQuery()))


def test_move_to_trash_on_the_trash_page_leaves_the_hidden_list_alone(qtbot, filled_window,
                                                                      session):
    win = filled_window
    bob = _choose(win, session, "bob")
    assert win.trash_action.isEnabled()
    win.trash_action.trigger()  # Bob goes to Trash
    qtbot.waitUntil(lambda: win.trash_model.rowCount() == 1)
    anna = _choose(win, session, "anna")  # chosen on the Customers page, then hidden
    win.nav.setCurrentRow(PAGE_TRASH)
    assert not win.trash_action.isEnabled()
    assert not win.edit_action.isEnabled() and not win.log_action.isEnabled()
    win.trash_action.trigger()  # even when triggered (a shortcut), nothing is trashed
    assert anna in _live_ids(session)
    # Restore acts on the Trash's own selection, and only once something is chosen there.
    assert not win.restore_action.isEnabled()
    win.trash_page.table.selectRow(0)
    assert win.restore_action.isEnabled()
    win.restore_action.trigger()
    assert {anna, bob} <= _live_ids(session)
    assert not win.restore_action.isEnabled()  # Trash is empty again


def test_edit_log_and_sale_follow_todays_row_not_the_hidden_card(qtbot, filled_window,
                                                                 session, monkeypatch):
    from crmdesk.ui import today_actions
    from crmdesk.ui.customers import editor

    win = filled_window
    _choose(win, session, "zoë")  # Zoë's card on the Customers page
    anna = session.customers.find_ids(ListQuery(text="anna"))[0]
    win.nav.setCurrentRow(PAGE_TODAY)
    qtbot.waitUntil(lambda: bool(win.today_page.rows("dates")))
    assert not win.edit_action.isEnabled()  # no row chosen on Today yet
    win.today_page.tree.setCurrentItem(win.today_page.rows("dates")[0])  # Anna's birthday
    assert win.edit_action.isEnabled() and win.log_action.isEnabled()
    assert not win.trash_action.isEnabled()  # no deleting from the reminder list

    opened = []
    monkeypatch.setattr(editor.CustomerEditor, "open", lambda self: opened.append(self))
    win.edit_action.trigger()
    assert len(opened) == 1
    assert opened[0].first_name.text() == "Anna"

    monkeypatch.setattr(today_actions.ConversationDialog, "exec",
                        lambda self: self.summary.setText("Asked about a cake") or 1)
    win.log_action.trigger()
    assert session.book.card(anna).interaction_count == 1
    assert win.pages.currentIndex() == PAGE_TODAY  # the owner stays where they were


def test_person_menu_entries_follow_the_visible_page(qtbot, filled_window, session):
    win = filled_window
    win.install_data_menus()
    menu = win.data_menu
    _choose(win, session, "anna")
    assert menu.forget_action.isEnabled() and menu.person_export_action.isEnabled()
    win.nav.setCurrentRow(PAGE_TRASH)  # nobody chosen in Trash
    assert not menu.forget_action.isEnabled() and not menu.person_export_action.isEnabled()
    win.nav.setCurrentRow(4)  # Segments: no customer there either
    assert not menu.forget_action.isEnabled()
    win.nav.setCurrentRow(PAGE_CUSTOMERS)
    assert menu.forget_action.isEnabled()


def test_record_a_sale_on_trash_page_asks_who(qtbot, filled_window, session):
    win = filled_window
    win.install_data_menus()
    _choose(win, session, "anna")
    win.nav.setCurrentRow(PAGE_TRASH)
    actions = win.sales_actions
    actions.record_action.trigger()
    qtbot.waitUntil(lambda: actions.dialog is not None and actions.dialog.isVisible())
    assert actions.dialog.customer_id is None  # not Anna from the hidden list
    actions.dialog.reject()


def test_follow_up_added_and_ticked_on_the_card_can_be_undone(qtbot, filled_window, session):
    win = filled_window
    customer_id = _choose(win, session, "anna")
    qtbot.keyClicks(win.card._follow_title, "Ring about the order")
    qtbot.keyClick(win.card._follow_title, Qt.Key.Key_Return)
    assert [f.title for f in session.book.card(customer_id).follow_ups] == [
        "Ring about the order"]
    assert "Ring about the order" in win.card._follow_ups.item(0).text()
    win.card._follow_ups.item(0).setCheckState(Qt.CheckState.Checked)
    assert session.book.card(customer_id).follow_ups[0].done_at is not None

    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # untick
    assert session.book.card(customer_id).follow_ups[0].done_at is None
    assert win.card._follow_ups.item(0).checkState() == Qt.CheckState.Unchecked
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # un-add
    assert session.book.card(customer_id).follow_ups == []
    assert "Nothing to follow up" in win.card._follow_ups.item(0).text()
    win.undo_stack.redo()
    win.undo_stack.redo()
    follow_up = session.book.card(customer_id).follow_ups[0]
    assert follow_up.title == "Ring about the order" and follow_up.done_at is not None
    assert follow_up.due_on == dt.date(2026, 3, 17)
