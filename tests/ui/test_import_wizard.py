"""The import wizard as a shop owner uses it: File ▸ Import customers…, through every page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWizard

from crmdesk.ui import import_wizard

GOOGLE_CSV = (
    "Name,Given Name,Family Name,Birthday,Phone 1 - Value,E-mail 1 - Value,Notes\n"
    "Carla Diaz,Carla,Diaz,1985-07-21,07911 123456,carla@example.com,Likes green tea\n"
    "Dev Patel,Dev,Patel,,07400 123456,dev@example.com,\n"
    ",,,not a date,,,\n"
    "Anna Schmidt,Anna,Schmidt,,020 7946 0123,anna.new@example.com,From the file\n"
)


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch, tmp_path):
    """Nothing modal may block a test: file dialogs and message boxes answer at once."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "to-fix.csv"), ""))
    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name,
                            lambda *a, **k: QMessageBox.StandardButton.Ok)


def visible_names(win) -> list[str]:
    model = win.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def write(tmp_path, text: str, name: str = "contacts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def start(qtbot, window, path):
    import_wizard.install(window)
    window.import_action.trigger()
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


def to_summary(qtbot, wizard, preset: str = "auto", duplicate: str = "skip"):
    click_next(qtbot, wizard)  # file -> preview
    preview = wizard.preview_page
    preview.preset.setCurrentIndex(preview.preset.findData(preset))
    click_next(qtbot, wizard)  # preview -> columns
    click_next(qtbot, wizard)  # columns -> duplicates
    wizard.duplicates_page.choose(duplicate)
    click_next(qtbot, wizard)  # duplicates -> dry run
    qtbot.waitUntil(lambda: wizard.summary_page.job is None)
    return wizard.summary_page


def finish_import(qtbot, wizard) -> None:
    with qtbot.waitSignal(wizard.import_page.done, timeout=10000):
        click_next(qtbot, wizard)  # Import
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)


def test_menu_entry_sits_before_settings(window):
    import_wizard.install(window)
    actions = window.file_menu.actions()
    assert window.import_action in actions
    assert actions.index(window.import_action) < actions.index(window.settings_action)
    assert window.import_action.shortcut().toString() == "Ctrl+I"
    import_wizard.install(window)
    assert [a.text() for a in window.file_menu.actions()].count("Import customers…") == 1


def test_google_csv_through_the_whole_wizard(qtbot, filled_window, tmp_path, session):
    win = filled_window
    wizard = start(qtbot, win, write(tmp_path, GOOGLE_CSV))
    assert "commas" in wizard.file_page.message.text()
    click_next(qtbot, wizard)
    preview = wizard.preview_page
    assert preview.table.rowCount() == 4
    assert preview.table.item(0, 0).text() == "Carla Diaz"
    assert "commas" in preview.found.text()
    preview.preset.setCurrentIndex(preview.preset.findData("google"))
    click_next(qtbot, wizard)
    mapping = wizard.mapping_page
    assert mapping.combos["Phone 1 - Value"].currentData() == "phone"
    assert mapping.combos["E-mail 1 - Value"].currentData() == "email"
    assert not mapping.dates.isVisibleTo(wizard)
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    summary = wizard.summary_page
    qtbot.waitUntil(lambda: summary.job is None)
    text = summary.summary.text()
    assert "2 new customers" in text and "1 skipped" in text and "1 can't be imported" in text
    assert summary.rejected.count() == 1
    assert summary.rejected.item(0).text().startswith("Row 4:")
    qtbot.mouseClick(summary.save, Qt.MouseButton.LeftButton)
    assert (tmp_path / "to-fix.csv").read_text(encoding="utf-8-sig").startswith("reason,")
    finish_import(qtbot, wizard)
    assert "2 new customers added" in wizard.import_page.message.text()
    qtbot.waitUntil(lambda: "Carla Diaz" in visible_names(win))
    assert "Dev Patel" in visible_names(win)
    assert win.count_label.text() == "5 customers"
    carla = session.book.load_input(win.model.customer_id(visible_names(win).index("Carla Diaz")))
    assert carla.email == "carla@example.com"
    assert [(d.day, d.month, d.year) for d in carla.dates] == [(21, 7, 1985)]


def test_unreadable_file_says_so_and_stays_on_the_first_page(qtbot, window, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    wizard = start(qtbot, window, path)
    assert wizard.currentPage() is wizard.file_page
    assert "picture" in wizard.file_page.message.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert window.session.customers.count() == 0


@pytest.mark.parametrize(("answer", "expected"), [("day", (3, 4)), ("month", (4, 3))])
def test_ambiguous_dates_ask_and_the_answer_is_used(qtbot, window, tmp_path, session,
                                                    answer, expected):
    wizard = start(qtbot, window, write(tmp_path, "Name,Birthday\nAnna Berg,03/04/1990\n"))
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    mapping = wizard.mapping_page
    assert mapping.dates.isVisibleTo(wizard)
    assert "03/04/1990" in mapping.question.text()
    assert "April" in mapping.day_first.text() and "March" in mapping.month_first.text()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # the question must be answered
    button = mapping.day_first if answer == "day" else mapping.month_first
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    assert next_button.isEnabled()
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.summary_page.job is None)
    finish_import(qtbot, wizard)
    qtbot.waitUntil(lambda: visible_names(window) == ["Anna Berg"])
    anna = session.book.load_input(window.model.customer_id(0))
    assert [(d.day, d.month, d.year) for d in anna.dates] == [(*expected, 1990)]


def test_skip_duplicates_leaves_existing_customers_unchanged(qtbot, filled_window, tmp_path,
                                                             session, sample_people):
    anna_id = sample_people[0]
    before = session.book.load_input(anna_id)
    wizard = start(qtbot, filled_window, write(tmp_path, GOOGLE_CSV))
    summary = to_summary(qtbot, wizard, "google", "skip")
    assert "1 skipped" in summary.summary.text()
    finish_import(qtbot, wizard)
    assert session.book.load_input(anna_id) == before
    assert visible_names(filled_window).count("Anna Schmidt") == 1


def test_merge_fills_in_what_is_missing(qtbot, filled_window, tmp_path, session,
                                        sample_people):
    anna_id = sample_people[0]
    wizard = start(qtbot, filled_window, write(tmp_path, GOOGLE_CSV))
    summary = to_summary(qtbot, wizard, "google", "merge")
    assert "1 updated" in summary.summary.text()
    finish_import(qtbot, wizard)
    anna = session.book.load_input(anna_id)
    assert anna.email == "anna.new@example.com" and anna.city == "Leeds"


def test_cancel_during_import_writes_nothing(qtbot, filled_window, tmp_path, session):
    wizard = start(qtbot, filled_window, write(tmp_path, GOOGLE_CSV))
    to_summary(qtbot, wizard, "google")
    page = wizard.import_page
    # Stop is pressed as soon as the import exists, before its thread runs.
    page.starting.connect(lambda: qtbot.mouseClick(page.stop, Qt.MouseButton.LeftButton))
    with qtbot.waitSignal(page.done, timeout=10000):
        click_next(qtbot, wizard)
    assert "Nothing was written" in page.message.text()
    assert page.result is None
    assert session.customers.count() == 3
    assert filled_window.undo_stack.count() == 0
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()


def test_undo_moves_the_imported_customers_to_trash_and_redo_brings_them_back(
        qtbot, filled_window, tmp_path, session):
    win = filled_window
    wizard = start(qtbot, win, write(tmp_path, GOOGLE_CSV))
    to_summary(qtbot, wizard, "google")
    finish_import(qtbot, wizard)
    qtbot.waitUntil(lambda: "Carla Diaz" in visible_names(win))
    assert win.undo_stack.undoText() == "import 2 customers"
    win.undo_action.trigger()
    qtbot.waitUntil(lambda: "Carla Diaz" not in visible_names(win))
    assert sorted(visible_names(win)) == ["Anna Schmidt", "Bob Baker", "Zoë Müller"]
    assert session.customers.count(trash=True) == 2
    win.redo_action.trigger()
    qtbot.waitUntil(lambda: "Carla Diaz" in visible_names(win))
    assert session.customers.count() == 5


def test_undo_of_a_merge_gives_back_the_earlier_details(qtbot, filled_window, tmp_path,
                                                       session, sample_people):
    anna_id = sample_people[0]
    before = session.book.load_input(anna_id)
    wizard = start(qtbot, filled_window, write(tmp_path, GOOGLE_CSV))
    to_summary(qtbot, wizard, "google", "merge")
    finish_import(qtbot, wizard)
    filled_window.undo_stack.undo()
    assert session.book.load_input(anna_id).email == before.email
    filled_window.undo_stack.redo()
    assert session.book.load_input(anna_id).email == "anna.new@example.com"


def test_duplicates_can_be_chosen_row_by_row(qtbot, filled_window, tmp_path, session,
                                             sample_people):
    anna_id = sample_people[0]
    wizard = start(qtbot, filled_window, write(tmp_path, GOOGLE_CSV))
    summary = to_summary(qtbot, wizard, "google", "skip")
    assert summary.dupes.rowCount() == 1
    assert summary.dupes.item(0, 0).text() == "Row 5"
    combo = summary.dupes.cellWidget(0, 2)
    combo.setCurrentIndex(combo.findData("merge"))
    assert "1 updated" in summary.summary.text() and "0 skipped" in summary.summary.text()
    finish_import(qtbot, wizard)
    assert session.book.load_input(anna_id).email == "anna.new@example.com"


def test_a_workbook_sheet_can_be_chosen(qtbot, window, tmp_path, session):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Old list"
    book.active.append(["Name", "Phone"])
    book.active.append(["Old Person", ""])
    sheet = book.create_sheet("Customers")
    sheet.append(["First name", "Last name"])
    sheet.append(["Eve", "Adams"])
    path = tmp_path / "customers.xlsx"
    book.save(path)
    wizard = start(qtbot, window, path)
    click_next(qtbot, wizard)
    preview = wizard.preview_page
    assert preview.sheet.isVisibleTo(wizard)
    assert "Old list" in preview.found.text()
    preview.sheet.setCurrentIndex(preview.sheet.findText("Customers"))
    qtbot.waitUntil(lambda: preview.isComplete()
                    and preview.table.item(0, 0).text() == "Eve")
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.summary_page.job is None)
    finish_import(qtbot, wizard)
    qtbot.waitUntil(lambda: visible_names(window) == ["Eve Adams"])


def test_cancel_button_while_importing_stops_and_stays_to_say_so(qtbot, filled_window,
                                                                 tmp_path, session):
    wizard = start(qtbot, filled_window, write(tmp_path, GOOGLE_CSV))
    to_summary(qtbot, wizard, "google")
    page = wizard.import_page
    page.starting.connect(wizard.reject)  # as the wizard's Cancel button or Escape does
    with qtbot.waitSignal(page.done, timeout=10000):
        click_next(qtbot, wizard)
    assert wizard.isVisible()
    assert page.title() == "Import stopped"
    assert session.customers.count() == 3


def test_going_back_from_the_summary_and_changing_the_choice(qtbot, filled_window, tmp_path):
    wizard = start(qtbot, filled_window, write(tmp_path, GOOGLE_CSV))
    summary = to_summary(qtbot, wizard, "google", "skip")
    assert "1 skipped" in summary.summary.text()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    wizard.duplicates_page.choose("create")
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: summary.job is None)
    assert "3 new customers" in summary.summary.text()


def test_a_crmdesk_json_export_comes_back_whole_through_the_wizard(qtbot, filled_window,
                                                                    tmp_path, session):
    """No columns to match: the customers come back with their history, and Undo takes the
    new ones back to Trash."""
    import datetime as dt

    from crmdesk.core.customers import CustomerBook
    from crmdesk.core.model import ConsentInput, CustomerInput, ListQuery
    from crmdesk.formats import export
    from crmdesk.store.db import open_database
    from crmdesk.store.models import MODELS

    source = open_database(tmp_path / "other.db")
    try:
        book = CustomerBook(source.db, default_country=lambda: "GB")
        mia = book.create(CustomerInput(
            first_name="Mia", last_name="Rossi", phone="07700 900123",
            consents=[ConsentInput("sms", True, dt.date(2026, 1, 2), "form")]))
        book.log_interaction(mia, "call", "Wants the red coat")
        export.export_json(source.db, tmp_path / "copy.json")
    finally:
        source.db.close()
        session.db.bind(MODELS)  # opening the other book bound the models to it
    wizard = start(qtbot, filled_window, tmp_path / "copy.json")
    click_next(qtbot, wizard)  # file -> preview
    click_next(qtbot, wizard)  # preview -> duplicates (no columns to match)
    assert wizard.currentPage() is wizard.duplicates_page
    click_next(qtbot, wizard)  # -> dry run
    qtbot.waitUntil(lambda: wizard.summary_page.job is None)
    assert "1 new customer" in wizard.summary_page.summary.text()
    finish_import(qtbot, wizard)
    (new_id,) = [r[0] for r in session.db.execute_sql(
        "SELECT id FROM customer WHERE first_name = 'Mia'")]
    card = session.book.card(new_id)
    assert [i.summary for i in card.interactions] == ["Wants the red coat"]
    assert [(c.channel, c.source) for c in card.data.consents] == [("sms", "form")]
    qtbot.waitUntil(lambda: "Mia Rossi" in visible_names(filled_window))
    filled_window.undo_action.trigger()
    qtbot.waitUntil(lambda: "Mia Rossi" not in visible_names(filled_window))
    assert session.customers.count(trash=True) == 1  # Mia, in Trash
    assert new_id in session.customers.find_ids(ListQuery(trash=True))
