"""Importing a till export through the wizard, as a shop owner does it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWizard
from ui_helpers import add_people

from crmdesk.core.model import CustomerInput
from crmdesk.ui import import_wizard

TILL = Path(__file__).resolve().parent.parent / "fixtures" / "purchases" / \
    "till_semicolon_cp1252.csv"


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "not-imported.csv"), ""))
    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.StandardButton.Ok)


@pytest.fixture
def shop(session):
    book = session.book
    ids = {"zoe": book.create(CustomerInput(first_name="Zoë", last_name="Müller",
                                            phone="020 7946 0111"))}
    ids["annas"] = add_people(book, "Anna Smith", "Anna Smith")
    return ids


def purchases(session) -> list[tuple]:
    return session.db.execute_sql(
        "SELECT customer_id, purchased_on, total_minor, note FROM purchase ORDER BY id"
    ).fetchall()


def start(qtbot, window, path, action: str = "import_action"):
    import_wizard.install(window)
    getattr(window, action).trigger()
    wizard = window.import_wizard
    qtbot.waitExposed(wizard)
    wizard.set_file(path)
    qtbot.waitUntil(lambda: not wizard.file_page.busy())
    return wizard


def click_next(qtbot, wizard) -> None:
    before = wizard.currentPage()
    button = wizard.button(QWizard.WizardButton.NextButton)
    if wizard.currentPage().isCommitPage():
        button = wizard.button(QWizard.WizardButton.CommitButton)
    assert button.isEnabled(), wizard.currentPage().title()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is not before


def to_check(qtbot, wizard):
    click_next(qtbot, wizard)  # file -> preview
    click_next(qtbot, wizard)  # preview -> columns
    click_next(qtbot, wizard)  # columns -> check (no duplicates page for sales)
    page = wizard.purchase_check_page
    assert wizard.currentPage() is page
    qtbot.waitUntil(lambda: page.job is None)
    return page


def test_till_export_is_recognised_checked_imported_and_undone(qtbot, window, session, shop,
                                                               tmp_path):
    path = tmp_path / "till.csv"
    shutil.copyfile(TILL, path)
    wizard = start(qtbot, window, path)
    files = wizard.file_page
    assert files.kinds["purchases"].isChecked()
    assert "look like sales" in files.kind_hint.text()
    assert wizard.windowTitle() == "Import purchase history"
    click_next(qtbot, wizard)
    assert not wizard.preview_page.preset.isVisibleTo(wizard)
    click_next(qtbot, wizard)
    columns = wizard.mapping_page
    assert columns.combos["Betrag"].currentData() == "amount"
    assert columns.combos["Bonnummer"].currentData() == "receipt"
    assert columns.combos["Datum"].currentText() == "Date of the sale"
    click_next(qtbot, wizard)
    check = wizard.purchase_check_page
    qtbot.waitUntil(lambda: check.job is None)
    text = check.summary.text()
    assert "1 sale will be added to 1 customer's history" in text
    assert "Matched to a customer: 2 rows." in text
    assert "Not matched to any customer: 3 rows." in text
    assert "Can't be read: 2 rows." in text
    assert "earn no loyalty points" in text
    listed = [check.left_out.rows.item(i).text() for i in range(check.left_out.rows.count())]
    assert len(listed) == 5 and listed[2].startswith("Row 6: Not matched: 2 customers")
    assert purchases(session) == []  # the check writes nothing

    with qtbot.waitSignal(wizard.purchase_import_page.done, timeout=10000):
        click_next(qtbot, wizard)  # Import
    page = wizard.purchase_import_page
    assert page.message.text().startswith("Done: 1 sale added to 1 customer's history")
    assert purchases(session) == [(shop["zoe"], "2026-02-03", 800, "Receipt 1001")]
    assert page.left_out.rows.count() == 5
    qtbot.mouseClick(page.left_out.save, Qt.MouseButton.LeftButton)
    saved = (tmp_path / "not-imported.csv").read_text(encoding="utf-8-sig")
    assert saved.startswith("reason,Datum") and "zwölf" in saved
    assert "5 rows saved" in page.left_out.saved.text()

    assert page.undo.isVisible()
    qtbot.mouseClick(page.undo, Qt.MouseButton.LeftButton)
    assert purchases(session) == []
    assert page.title() == "Import taken back" and not page.undo.isEnabled()
    window.undo_stack.redo()  # Edit ▸ Redo puts the sales back
    assert purchases(session) == [(shop["zoe"], "2026-02-03", 800, "Receipt 1001")]
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    window.undo_stack.undo()
    assert purchases(session) == []


def test_second_import_of_the_same_file_has_nothing_to_add(qtbot, window, session, shop,
                                                            tmp_path):
    wizard = start(qtbot, window, TILL, "import_purchases_action")
    to_check(qtbot, wizard)
    with qtbot.waitSignal(wizard.purchase_import_page.done, timeout=10000):
        click_next(qtbot, wizard)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    wizard = start(qtbot, window, TILL, "import_purchases_action")
    check = to_check(qtbot, wizard)
    assert "Already imported, skipped: 2 rows." in check.summary.text()
    assert "There is nothing to import." in check.summary.text()
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    assert len(purchases(session)) == 1


def test_a_customer_list_stays_customers_and_the_choice_is_kept(qtbot, window, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Name,Phone\nCarla Diaz,07911 123456\n", encoding="utf-8")
    wizard = start(qtbot, window, path)
    assert wizard.file_page.kinds["customers"].isChecked()
    qtbot.mouseClick(wizard.file_page.kinds["purchases"], Qt.MouseButton.LeftButton)
    wizard.set_file(path)  # read again: the user's choice wins over the guess
    qtbot.waitUntil(lambda: not wizard.file_page.busy())
    assert wizard.state.kind == "purchases"
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    columns = wizard.mapping_page
    assert "date of each sale" in columns.message.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_dates_that_read_both_ways_are_asked(qtbot, window, session, shop, tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("Date,Phone,Amount\n03/02/2026,020 7946 0111,5.00\n", encoding="utf-8")
    wizard = start(qtbot, window, path)
    assert wizard.state.kind == "purchases"
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    columns = wizard.mapping_page
    assert columns.dates.isVisibleTo(wizard)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    columns.day_first.click()
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.purchase_check_page.job is None)
    with qtbot.waitSignal(wizard.purchase_import_page.done, timeout=10000):
        click_next(qtbot, wizard)
    assert purchases(session) == [(shop["zoe"], "2026-02-03", 500, "")]


def test_stopping_the_import_writes_nothing(qtbot, window, session, shop, tmp_path):
    wizard = start(qtbot, window, TILL)
    to_check(qtbot, wizard)
    page = wizard.purchase_import_page
    page.starting.connect(wizard.reject)  # as the wizard's Cancel button or Escape does
    with qtbot.waitSignal(page.done, timeout=10000):
        click_next(qtbot, wizard)
    assert wizard.isVisible() and page.title() == "Import stopped"
    assert purchases(session) == []
    assert session.db.execute_sql("SELECT count(*) FROM category").fetchone()[0] == 0
