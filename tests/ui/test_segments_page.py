"""Segments: build one with a live count, save it, open it as a customer list, export it."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox
from ui_helpers import add_people

from crmdesk.core.model import CustomerInput
from crmdesk.core.sales import SaleInput
from crmdesk.core.segments import SegmentRules, SegmentStore
from crmdesk.ui import data_menu
from crmdesk.ui.main_window import PAGE_CUSTOMERS, PAGE_SEGMENTS, MainWindow


@pytest.fixture
def book_of_four(session):
    """Anna and Bob live in Leeds, Cleo and Dan in York; Anna and Cleo have bought."""
    ids = add_people(session.book, "Anna Schmidt", "Bob Baker", "Cleo Jones", "Dan Evans")
    for customer_id, city in zip(ids, ("Leeds", "Leeds", "York", "York"), strict=True):
        first, _, last = session.book.card(customer_id).name.partition(" ")
        session.book.update(customer_id, CustomerInput(first_name=first, last_name=last,
                                                       city=city))
    session.sales.record(SaleInput(ids[0], dt.date(2026, 3, 1), total_minor=4000))
    session.sales.record(SaleInput(ids[2], dt.date(2026, 2, 1), total_minor=1500))
    return ids


def open_window(qtbot, session, qsettings) -> MainWindow:
    win = MainWindow(session, qsettings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: not win._deferring)
    return win


def shown_names(win) -> list[str]:
    model = win.model
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


def test_build_and_save_a_segment_with_a_live_count(qtbot, book_of_four, session, qsettings):
    win = open_window(qtbot, session, qsettings)
    win.nav.setCurrentRow(PAGE_SEGMENTS)
    page = win.insight.segments_page
    assert page.empty_state.isVisible()

    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    builder = win.insight.builder
    assert builder.isVisible()
    qtbot.waitUntil(lambda: builder.count_label.text() == "4 customers match", timeout=5000)

    qtbot.keyClicks(builder.city, "leeds")
    qtbot.waitUntil(lambda: builder.count_label.text() == "2 customers match", timeout=5000)
    builder.visits_min.setValue(1)
    qtbot.waitUntil(lambda: builder.count_label.text() == "1 customer matches", timeout=5000)
    assert "Lives in leeds" in builder.summary.text()

    qtbot.keyClicks(builder.name, "Leeds buyers")
    builder.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    assert not builder.isVisible()
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == 1)
    item = page.tree.topLevelItem(0)
    assert item.text(0) == "Leeds buyers"
    assert "Lives in leeds" in item.text(1)
    qtbot.waitUntil(lambda: item.text(2) == "1", timeout=5000)


def test_an_empty_or_taken_name_is_refused_inline(qtbot, book_of_four, session, qsettings):
    SegmentStore(session.db).save("Everyone in York", SegmentRules(city="York"))
    win = open_window(qtbot, session, qsettings)
    win.nav.setCurrentRow(PAGE_SEGMENTS)
    builder = win.insight.edit_segment(None)
    save = builder.buttons.button(QDialogButtonBox.StandardButton.Save)

    save.click()
    assert builder.isVisible()
    assert builder.name_error.text() == "Give the segment a name."

    qtbot.keyClicks(builder.name, "Everyone in York")
    save.click()
    assert builder.isVisible()
    assert builder.name_error.text() == "There is already a segment called “Everyone in York”."
    assert len(SegmentStore(session.db).all()) == 1
    builder.reject()


def test_a_segment_opens_as_a_customer_list(qtbot, book_of_four, session, qsettings):
    SegmentStore(session.db).save("York", SegmentRules(city="York"))
    win = open_window(qtbot, session, qsettings)
    win.nav.setCurrentRow(PAGE_SEGMENTS)
    page = win.insight.segments_page

    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: win.nav.currentRow() == PAGE_CUSTOMERS, timeout=5000)
    assert shown_names(win) == ["Cleo Jones", "Dan Evans"]
    assert win.customers_page.banner_text() == "Segment: York — 2 customers"
    qtbot.mouseClick(win.customers_page.everyone_button, Qt.MouseButton.LeftButton)
    assert len(shown_names(win)) == 4


def test_editing_a_segment_changes_its_rules(qtbot, book_of_four, session, qsettings):
    segment_id = SegmentStore(session.db).save("Town", SegmentRules(city="York"))
    win = open_window(qtbot, session, qsettings)
    win.nav.setCurrentRow(PAGE_SEGMENTS)
    builder = win.insight.edit_segment(segment_id)
    assert builder.city.text() == "York"
    qtbot.waitUntil(lambda: builder.count_label.text() == "2 customers match", timeout=5000)

    builder.city.setText("Leeds")
    builder.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    assert SegmentStore(session.db).get(segment_id).rules.city == "Leeds"


def test_deleting_a_segment_asks_first(qtbot, book_of_four, session, qsettings, monkeypatch):
    SegmentStore(session.db).save("York", SegmentRules(city="York"))
    win = open_window(qtbot, session, qsettings)
    win.nav.setCurrentRow(PAGE_SEGMENTS)
    page = win.insight.segments_page
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *args, **kwargs: QMessageBox.StandardButton.Yes))

    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)

    assert page.tree.topLevelItemCount() == 0
    assert SegmentStore(session.db).all() == []


def test_export_a_segment(qtbot, book_of_four, session, qsettings, monkeypatch, tmp_path):
    SegmentStore(session.db).save("York", SegmentRules(city="York"))
    win = open_window(qtbot, session, qsettings)
    data_menu.install(win)
    win.nav.setCurrentRow(PAGE_SEGMENTS)
    page = win.insight.segments_page
    qtbot.waitUntil(lambda: page.tree.topLevelItem(0).text(2) == "2", timeout=5000)
    target = tmp_path / "york.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "")))

    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    dialog = win.data_menu.dialog
    assert dialog.chosen.isChecked()
    assert dialog.chosen.text() == "The customers in “York” (2)"
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    with qtbot.waitSignal(win.data_menu.job.finished, timeout=20000):
        pass

    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    names = {" ".join(cell for cell in row[:3] if cell) for row in rows[1:]}
    assert len(rows) == 3  # header, Cleo and Dan
    assert any("Cleo" in name for name in names) and any("Dan" in name for name in names)
    assert win.data_menu.last_message == f"Exported 2 customers to {target}."
