"""The customer list as a shop owner uses it: search as you type, filters, sort, delete, undo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from ui_helpers import add_people

from crmdesk.core.model import ListQuery
from crmdesk.ui.customers.table_model import CustomerTableModel
from crmdesk.ui.formatting import Formatter


def visible_names(win) -> list[str]:
    model = win.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_model_passes_qt_model_tester(qtmodeltester, session):
    add_people(session.book, *[f"Person{i} Tester" for i in range(450)])
    model = CustomerTableModel(session.customers, Formatter(session.settings))
    model.set_query(ListQuery())
    qtmodeltester.check(model)
    assert model.rowCount() == 450
    # Rows far down are built lazily from their page.
    assert model.index(449, 0).data().startswith("Person")


def test_model_keeps_only_ids_and_a_few_pages(session):
    add_people(session.book, *[f"P{i} X" for i in range(1000)])
    model = CustomerTableModel(session.customers, Formatter(session.settings))
    model.set_query(ListQuery())
    for row in range(0, 1000, 7):
        model.index(row, 0).data()
    from crmdesk.ui.customers import table_model

    assert len(model._pages) <= table_model.CACHE_PAGES


def test_search_updates_as_each_key_is_typed(qtbot, filled_window):
    win = filled_window
    assert len(visible_names(win)) == 3
    win.customers_page.focus_search()
    qtbot.keyClicks(win.customers_page.search, "z")
    qtbot.waitUntil(lambda: visible_names(win) == ["Zoë Müller"])
    qtbot.keyClick(win.customers_page.search, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: len(visible_names(win)) == 3)
    qtbot.keyClicks(win.customers_page.search, "muller")  # accents do not matter
    qtbot.waitUntil(lambda: visible_names(win) == ["Zoë Müller"])
    # The best match's card follows the typing.
    assert win.card.card is not None and win.card.card.name == "Zoë Müller"
    assert "1 customer found" in win.customers_page.count_label.text()


def test_search_by_last_four_phone_digits(qtbot, filled_window):
    win = filled_window
    qtbot.keyClicks(win.customers_page.search, "0123")
    qtbot.waitUntil(lambda: visible_names(win) == ["Anna Schmidt"])


def test_ctrl_f_focuses_search(qtbot, filled_window):
    win = filled_window
    win.customers_page.table.setFocus()
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.customers_page.search.hasFocus())


def test_search_is_focused_on_start(qtbot, filled_window):
    qtbot.waitUntil(lambda: filled_window.customers_page.search.hasFocus())


def test_status_and_tag_filters(qtbot, filled_window, session):
    win = filled_window
    page = win.customers_page
    page.tag_filter.setCurrentIndex(page.tag_filter.findData("vip"))
    assert visible_names(win) == ["Anna Schmidt"]
    page.tag_filter.setCurrentIndex(0)
    page.status_filter.setCurrentIndex(page.status_filter.findData("prospect"))
    assert visible_names(win) == []
    page.status_filter.setCurrentIndex(0)
    assert len(visible_names(win)) == 3


def test_sorting_by_clicking_a_header_keeps_the_chosen_customer(qtbot, filled_window):
    win = filled_window
    page = win.customers_page
    assert visible_names(win) == ["Anna Schmidt", "Bob Baker", "Zoë Müller"]
    page.select_customer(win.model.customer_id(2))
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert visible_names(win) == ["Zoë Müller", "Bob Baker", "Anna Schmidt"]
    assert win.card.card.name == "Zoë Müller"
    assert page.current_id() == win.model.customer_id(0)


def test_delete_goes_to_trash_and_undo_brings_it_back(qtbot, filled_window, session):
    win = filled_window
    page = win.customers_page
    page.select_customer(win.model.customer_id(win.model.row_of(
        session.customers.find_ids(ListQuery(text="bob"))[0])))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert "Bob Baker" not in visible_names(win)
    assert win.trash_model.rowCount() == 1
    assert "2 customers" in win.count_label.text()
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Bob Baker" in visible_names(win)
    assert win.trash_model.rowCount() == 0


def test_restore_from_trash(qtbot, filled_window, session):
    win = filled_window
    ids = session.customers.find_ids(ListQuery(text="anna"))
    win.trash(ids)
    win.nav.setCurrentRow(2)
    trash = win.trash_page
    assert trash.table.isVisible()
    trash.table.selectRow(0)
    qtbot.mouseClick(trash.restore_button, Qt.MouseButton.LeftButton)
    assert "Anna Schmidt" in visible_names(win)
    assert trash.empty_state.isVisible()


def test_empty_trash_asks_first_and_erases(qtbot, filled_window, session, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    win = filled_window
    win.trash(session.customers.find_ids(ListQuery(text="bob")))
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda *a, **k: QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(win.trash_page.empty_button, Qt.MouseButton.LeftButton)
    assert session.customers.count(trash=True) == 1
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    qtbot.mouseClick(win.trash_page.empty_button, Qt.MouseButton.LeftButton)
    assert session.customers.count(trash=True) == 0
    assert session.customers.count() == 2


def test_column_layout_and_sort_are_remembered(qtbot, session, sample_people, qsettings):
    from crmdesk.ui.main_window import MainWindow

    first = MainWindow(session, qsettings)
    qtbot.addWidget(first)
    header = first.customers_page.table.horizontalHeader()
    header.resizeSection(2, 233)
    header.moveSection(3, 1)
    first.customers_page.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    first.close()

    second = MainWindow(session, qsettings)
    qtbot.addWidget(second)
    header = second.customers_page.table.horizontalHeader()
    assert header.sectionSize(2) == 233
    assert header.visualIndex(3) == 1
    assert second.model.query.sort == "city" and second.model.query.descending


def test_a_big_list_shows_its_first_rows_at_once_and_fetches_the_rest(qtbot, session):
    from crmdesk.ui.customers import table_model

    add_people(session.book, *[f"P{i:04d} X" for i in range(1000)])
    model = CustomerTableModel(session.customers, Formatter(session.settings))
    model.set_query(ListQuery())
    assert model.rowCount() == 1000
    assert len(model._ids) == table_model.FIRST_IDS  # only the first ids so far
    qtbot.waitUntil(lambda: len(model._ids) == 1000)  # the rest arrive after the paint
    assert model.index(999, 0).data() == "P0999 X"
    # Reaching far rows before that works too: they are fetched on demand.
    model.set_query(ListQuery())
    assert model.index(998, 0).data() == "P0998 X"
    assert model.row_of(model.customer_id(999)) == 999
