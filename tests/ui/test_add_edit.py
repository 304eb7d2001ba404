"""Adding and editing customers from the main window, through the real editor dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt

from crmdesk.core.model import ListQuery


def names(win) -> list[str]:
    return [win.model.index(r, 0).data() for r in range(win.model.rowCount())]


def test_add_first_customer_from_the_welcome_page_with_ctrl_n(qtbot, window, session):
    win = window
    assert win.customers_stack.currentWidget() is win.first_run
    qtbot.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = win.editor
    qtbot.waitUntil(editor.isVisible)
    qtbot.keyClicks(editor.first_name, "Grace")
    qtbot.keyClicks(editor.last_name, "Hopper")
    qtbot.keyClicks(editor.phone, "020 7946 0999")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert win.customers_stack.currentWidget() is win.customers_page
    assert names(win) == ["Grace Hopper"]
    assert win.card.card.name == "Grace Hopper"
    assert win.card.card.data.phone == "+442079460999"
    # Undo of an add sends the customer to Trash: nothing typed is lost.
    win.undo_stack.undo()
    assert names(win) == []
    assert session.customers.count(trash=True) == 1
    win.undo_stack.redo()
    assert names(win) == ["Grace Hopper"]


def test_invalid_input_keeps_the_dialog_open_and_saves_nothing(qtbot, filled_window, session,
                                                               monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    win = filled_window
    win.new_customer()
    editor = win.editor
    qtbot.waitUntil(editor.isVisible)
    qtbot.keyClicks(editor.email, "not-an-email")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible()
    assert session.customers.count() == 3
    editor.reject()


def test_edit_changes_the_card_and_ctrl_z_undoes_the_edit(qtbot, filled_window, session):
    win = filled_window
    customer_id = session.customers.find_ids(ListQuery(text="bob"))[0]
    win.open_customer(customer_id)
    qtbot.mouseClick(win.card._edit, Qt.MouseButton.LeftButton)
    editor = win.editor
    qtbot.waitUntil(editor.isVisible)
    editor.last_name.clear()
    qtbot.keyClicks(editor.last_name, "Builder")
    qtbot.keyClicks(editor.city, "York")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert win.card.card.name == "Bob Builder"
    assert "Bob Builder" in names(win)
    assert session.book.load_input(customer_id).city == "York"
    win.customers_page.table.setFocus()
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Bob Baker" in names(win)
    assert session.book.load_input(customer_id).city == ""
    assert win.card.card.name == "Bob Baker"


def test_double_click_opens_the_editor(qtbot, filled_window):
    win = filled_window
    table = win.customers_page.table
    rect = table.visualRect(win.model.index(1, 0))
    # A real double click is a click followed by a double-click event.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: win.editor is not None and win.editor.isVisible())
    assert win.editor.last_name.text() == "Baker"
    win.editor.reject()


def test_settings_change_the_title_and_are_saved_in_the_book(qtbot, filled_window, session):
    from crmdesk.core import settings as settings_store

    win = filled_window
    win.open_settings()
    dialog = win.settings_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.shop_name, "Corner Deli")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert win.windowTitle().startswith("Corner Deli")
    assert settings_store.load(session.db).shop_name == "Corner Deli"


def test_the_data_menus_are_added_once_the_window_is_up(qtbot, filled_window):
    win = filled_window
    win.install_data_menus()
    file_entries = [a.text() for a in win.file_menu.actions() if a.text()]
    edit_entries = [a.text() for a in win.edit_menu.actions() if a.text()]
    for wanted in ("Import customers…", "Export…", "Back up now…", "Restore from a backup…"):
        assert wanted in file_entries, file_entries
    assert any("Forget this person" in text for text in edit_entries), edit_entries
    assert "Find duplicates…" in edit_entries, edit_entries
