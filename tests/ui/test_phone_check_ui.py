"""Phone numbers that could not be checked, as the shop owner sees them: kept, marked on the
card and in the list, filtered by "Phone to check", found by their digits, counted on import."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWizard

from crmdesk.core.model import CustomerInput
from crmdesk.ui import import_wizard
from crmdesk.ui.customers.table_model import PHONE_COLUMN


@pytest.fixture
def people(session):
    """Made before the window opens (list the fixture before `window`)."""
    book = session.book
    return {
        "anna": book.create(CustomerInput(first_name="Anna", last_name="Berg",
                                          phone="07700 900123")),  # a range not in use
        "ben": book.create(CustomerInput(first_name="Ben", last_name="Cole",
                                         phone="07400 123456", whatsapp="ask at the till")),
        "cara": book.create(CustomerInput(first_name="Cara", last_name="Diaz",
                                          phone="07911 123456")),
    }


def names(win) -> list[str]:
    return [win.model.index(r, 0).data() for r in range(win.model.rowCount())]


def row_of(win, customer_id: int) -> int:
    row = win.model.row_of(customer_id)
    assert row >= 0
    return row


def test_the_list_marks_numbers_to_check(qtbot, people, window):
    model = window.model
    for key, marked in (("anna", True), ("ben", True), ("cara", False)):
        index = model.index(row_of(window, people[key]), PHONE_COLUMN)
        assert (index.data(Qt.ItemDataRole.DecorationRole) is not None) is marked, key
        tip = index.data(Qt.ItemDataRole.ToolTipRole) or ""
        assert ("kept as written" in tip) is marked, key
    ben_tip = model.index(row_of(window, people["ben"]), PHONE_COLUMN).data(
        Qt.ItemDataRole.ToolTipRole)
    assert "WhatsApp: to check" in ben_tip
    assert model.index(row_of(window, people["cara"]), 0).data(
        Qt.ItemDataRole.DecorationRole) is None


def test_the_phone_to_check_filter(qtbot, people, window):
    page = window.customers_page
    box = page.phone_check_filter
    assert box.text() == "Phone to check"
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    qtbot.waitUntil(lambda: names(window) == ["Anna Berg", "Ben Cole"])
    assert "2 customers found" in page.count_label.text()
    qtbot.keyClicks(page.search, "ben")
    qtbot.waitUntil(lambda: names(window) == ["Ben Cole"])
    page.show_everyone()
    assert not box.isChecked()
    qtbot.waitUntil(lambda: len(names(window)) == 3)


def test_the_card_shows_the_mark(qtbot, people, window):
    window.open_customer(people["anna"])
    card = window.card
    assert "to check: kept as written" in card._details.text()
    assert "could not be checked" in card._warning.text()
    window.open_customer(people["cara"])
    assert "to check" not in card._details.text()
    assert "could not be checked" not in card._warning.text()


def test_digits_find_a_number_kept_as_written(qtbot, session, window):
    kept = session.book.create(CustomerInput(first_name="Dora", phone="ring 0161 555 7788"))
    window.customers_page.refresh()
    qtbot.keyClicks(window.customers_page.search, "7788")
    qtbot.waitUntil(lambda: names(window) == ["Dora"])
    assert window.model.customer_id(0) == kept


# --- the import wizard's summary -----------------------------------------------------------


@pytest.fixture
def no_modal_dialogs(monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.StandardButton.Ok)


def _next(qtbot, wizard) -> None:
    button = wizard.button(QWizard.WizardButton.CommitButton
                           if wizard.currentPage().isCommitPage()
                           else QWizard.WizardButton.NextButton)
    assert button.isEnabled(), wizard.currentPage().title()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_wizard_counts_numbers_kept_as_written(qtbot, no_modal_dialogs, window, session,
                                                   tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("Name,Phone,E-mail\nAnna Berg,07700 900123,anna@example.com\n"
                    "Ben Cole,07400 123456,\nCara Diaz,call after six,\n", encoding="utf-8")
    import_wizard.install(window)
    window.import_action.trigger()
    wizard = window.import_wizard
    qtbot.waitExposed(wizard)
    wizard.set_file(path)
    qtbot.waitUntil(lambda: not wizard.file_page.busy())
    for _ in range(4):  # file, preview, columns, duplicates
        _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.summary_page.job is None)
    text = wizard.summary_page.summary.text()
    assert "3 new customers" in text and "0 can't be imported" in text
    assert "Kept as written: 2" in text
    with qtbot.waitSignal(wizard.import_page.done, timeout=10000):
        _next(qtbot, wizard)
    assert "Kept as written: 2" in wizard.import_page.message.text()
    assert [c.phone for c in (session.book.load_input(i) for i in
                              wizard.import_page.result.created_ids)] == \
        ["+447700900123", "+447400123456", "call after six"]
