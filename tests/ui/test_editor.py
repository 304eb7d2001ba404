"""The customer editor, driven through its widgets and checked by the real rules (book.validate)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.ui.customers.editor import CustomerEditor


@pytest.fixture
def open_editor(qtbot, book, monkeypatch):
    # pytest-qt closes the dialogs after each test; an edited one would ask before closing.
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args: QMessageBox.StandardButton.Discard)

    def make(initial: CustomerInput | None = None, **kwargs) -> CustomerEditor:
        editor = CustomerEditor(book.validate, initial, **kwargs)
        qtbot.addWidget(editor)
        editor.show()
        qtbot.waitExposed(editor)
        return editor

    return make


def save(qtbot, editor: CustomerEditor) -> None:
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def tick(qtbot, box) -> None:
    """Click a check box on its tick mark (its centre may lie past the end of its text)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def add_date(qtbot, editor: CustomerEditor) -> None:
    editor.tabs.setCurrentIndex(2)
    qtbot.mouseClick(editor.dates.add_button, Qt.MouseButton.LeftButton)


def replace_text(qtbot, widget, text: str) -> None:
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def test_new_person_is_accepted_with_normalised_values(qtbot, open_editor):
    editor = open_editor(known_tags=["VIP", "Regular"])
    assert editor.windowTitle() == "New customer"
    qtbot.keyClicks(editor.first_name, "  Anna ")
    qtbot.keyClicks(editor.last_name, "Smith")
    qtbot.keyClicks(editor.phone, "07911 123456")
    qtbot.keyClicks(editor.email, "Anna@Example.COM")
    qtbot.keyClicks(editor.tags, "VIP, wedding, vip")
    replace_text(qtbot, editor.keep_in_touch_days, "30")
    save(qtbot, editor)

    assert editor.result() == QDialog.DialogCode.Accepted
    assert not editor.isVisible()
    value = editor.value
    assert (value.kind, value.first_name, value.last_name) == ("person", "Anna", "Smith")
    assert value.phone == "+447911123456"
    assert value.email == "anna@example.com"
    assert value.tags == ["VIP", "wedding"]
    assert value.keep_in_touch_days == 30
    assert editor.phone.text() == "+447911123456"  # the normalised number is shown


def test_keep_in_touch_off_means_none_and_whatsapp_can_follow_the_phone(qtbot, open_editor):
    editor = open_editor()
    qtbot.keyClicks(editor.first_name, "Anna")
    qtbot.keyClicks(editor.phone, "07911 123456")
    assert editor.keep_in_touch_days.text() == "Off"
    tick(qtbot, editor.same_as_phone)
    assert editor.same_as_phone.isChecked()
    assert not editor.whatsapp.isEnabled()
    save(qtbot, editor)
    assert editor.value.keep_in_touch_days is None
    assert editor.value.whatsapp == "+447911123456"


def test_enter_in_a_line_edit_saves(qtbot, open_editor):
    editor = open_editor()
    qtbot.keyClicks(editor.last_name, "Brown")
    qtbot.keyClick(editor.last_name, Qt.Key.Key_Return)
    assert editor.result() == QDialog.DialogCode.Accepted
    assert editor.value.last_name == "Brown"


def test_empty_name_keeps_the_dialog_open_and_marks_the_name(qtbot, open_editor):
    editor = open_editor()
    qtbot.keyClicks(editor.city, "Leeds")
    editor.tabs.setCurrentIndex(2)  # errors on another tab bring the user back to them
    save(qtbot, editor)

    assert editor.isVisible()
    assert editor.value is None
    assert editor.result() != QDialog.DialogCode.Accepted
    assert editor.first_name.property("invalid") is True
    message = editor.fields["first_name"].label
    assert message.isVisible()
    assert message.text() == "Enter a name, a phone number or an e-mail."
    assert editor.first_name.toolTip() == "Enter a name, a phone number or an e-mail."
    assert editor.tabs.currentIndex() == 0
    assert editor.focusWidget() is editor.first_name
    assert editor.city.text() == "Leeds"  # what was typed stays

    qtbot.keyClicks(editor.last_name, "Jones")  # either name answers the message
    assert not message.isVisible()
    assert not editor.first_name.property("invalid")
    save(qtbot, editor)
    assert editor.result() == QDialog.DialogCode.Accepted


def test_bad_email_and_bad_phone_are_marked_together(qtbot, open_editor):
    editor = open_editor()
    qtbot.keyClicks(editor.first_name, "Anna")
    qtbot.keyClicks(editor.phone, "12")
    qtbot.keyClicks(editor.phone_alt, "020 7946 0958")
    qtbot.keyClicks(editor.email, "anna@")
    save(qtbot, editor)

    assert editor.isVisible()
    assert editor.fields["email"].shown and editor.fields["email"].label.isVisible()
    assert editor.fields["email"].label.text().startswith("This is not an email address")
    # the number is no error: it is kept, with a warning under it
    assert not editor.fields["phone"].shown and editor.fields["phone"].warned
    assert editor.fields["phone"].label.isVisible()
    assert "kept as written" in editor.fields["phone"].label.text()
    assert not editor.fields["phone_alt"].shown and not editor.fields["phone_alt"].warned
    assert editor.focusWidget() is editor.email  # the first error in the form
    assert editor.phone.text() == "12"
    assert editor.email.text() == "anna@"
    assert editor.phone_alt.text() == "+442079460958"  # the good one is shown normalised

    qtbot.keyClicks(editor.email, "example.com")
    assert not editor.fields["email"].shown
    assert editor.fields["phone"].warned  # only the field being edited is cleared
    save(qtbot, editor)  # the number was warned about with the e-mail: saved now
    assert editor.result() == QDialog.DialogCode.Accepted
    assert (editor.value.phone, editor.value.phone_check) == ("12", "phone")


def test_a_number_that_cannot_be_checked_is_warned_about_then_saved(qtbot, open_editor):
    editor = open_editor()
    qtbot.keyClicks(editor.first_name, "Anna")
    qtbot.keyClicks(editor.phone, "07700 900123")
    save(qtbot, editor)

    assert editor.isVisible() and editor.value is None  # warned first
    assert editor.notice.isVisible() and "Save again" in editor.notice.text()
    assert editor.fields["phone"].warned and not editor.fields["phone"].shown
    assert editor.phone.text() == "+447700900123"
    assert editor.focusWidget() is editor.phone
    save(qtbot, editor)
    assert editor.result() == QDialog.DialogCode.Accepted
    assert (editor.value.phone, editor.value.phone_check) == ("+447700900123", "phone")


def test_a_changed_unchecked_number_is_warned_about_again(qtbot, open_editor):
    editor = open_editor()
    qtbot.keyClicks(editor.first_name, "Anna")
    qtbot.keyClicks(editor.phone, "07700 900123")
    save(qtbot, editor)
    replace_text(qtbot, editor.phone, "07700 900999")
    assert not editor.fields["phone"].warned  # editing the number takes the warning away
    save(qtbot, editor)
    assert editor.isVisible() and editor.fields["phone"].warned
    replace_text(qtbot, editor.phone, "07911 123456")
    save(qtbot, editor)  # a good number saves at once
    assert editor.result() == QDialog.DialogCode.Accepted
    assert (editor.value.phone, editor.value.phone_check) == ("+447911123456", "")


def test_a_customer_whose_number_is_to_check_opens_with_the_warning(qtbot, open_editor, book):
    anna = book.create(CustomerInput(first_name="Anna", whatsapp="call me"))
    editor = open_editor(book.load_input(anna))
    assert editor.fields["whatsapp"].warned
    assert not editor.fields["phone"].warned
    qtbot.keyClicks(editor.city, "Leeds")
    save(qtbot, editor)  # already known to be unchecked: saved at once
    assert editor.result() == QDialog.DialogCode.Accepted
    assert (editor.value.whatsapp, editor.value.phone_check) == ("call me", "whatsapp")


def test_feb_29_without_a_year_is_accepted(qtbot, open_editor):
    editor = open_editor()
    qtbot.keyClicks(editor.first_name, "Leap")
    add_date(qtbot, editor)
    row = editor.dates.rows[0]
    replace_text(qtbot, row.day, "29")
    row.month.setCurrentIndex(row.month.findData(2))
    assert row.year.text() == ""
    save(qtbot, editor)

    assert editor.result() == QDialog.DialogCode.Accepted
    assert editor.value.dates == [DateInput("birthday", 29, 2, None, "", None, None)]


def test_april_31_marks_its_date_row(qtbot, open_editor):
    editor = open_editor(CustomerInput(first_name="Anna", dates=[DateInput("birthday", 3, 5)]))
    add_date(qtbot, editor)
    row = editor.dates.rows[1]
    row.kind.setCurrentIndex(row.kind.findData("anniversary"))
    replace_text(qtbot, row.day, "31")
    row.month.setCurrentIndex(row.month.findData(4))
    qtbot.keyClicks(row.year, "2001")
    save(qtbot, editor)

    assert editor.isVisible()
    assert row.has_error() and row.property("invalid") is True
    assert row.error.isVisible()
    assert row.error.text() == "April 2001 has no day 31."
    assert not editor.dates.rows[0].has_error()
    assert editor.tabs.currentWidget().isAncestorOf(row)
    assert editor.focusWidget() is row.day

    replace_text(qtbot, row.day, "30")
    assert not row.has_error()
    save(qtbot, editor)
    assert editor.result() == QDialog.DialogCode.Accepted
    assert editor.value.dates[1] == DateInput("anniversary", 30, 4, 2001, "", None, None)


def test_a_custom_day_without_a_name_points_at_the_name(qtbot, open_editor):
    editor = open_editor(CustomerInput(first_name="Anna"))
    add_date(qtbot, editor)
    row = editor.dates.rows[0]
    row.kind.setCurrentIndex(row.kind.findData("custom"))
    assert row.label.isVisible()
    save(qtbot, editor)
    assert row.has_error()
    assert editor.focusWidget() is row.label


def test_editing_keeps_date_ids_and_consents(qtbot, open_editor, book, clock):
    customer_id = book.create(CustomerInput(
        first_name="Maria", last_name="Rossi", phone="07911 123456",
        dates=[DateInput("birthday", 14, 3, 1961), DateInput("custom", 5, 6, None, "Name day",
                                                              lead_days=3)],
        consents=[ConsentInput("email", True, dt.date(2026, 3, 3), "shop counter")]))
    initial = book.load_input(customer_id)
    ids = [d.id for d in initial.dates]
    clock.advance(days=5)

    editor = open_editor(initial)
    assert editor.windowTitle() == "Edit Maria Rossi"
    assert editor.consents.notes["email"].text() == "Agreed since 3 Mar 2026"
    assert editor.dates.rows[1].lead.value() == 3
    replace_text(qtbot, editor.city, "Rome")
    tick(qtbot, editor.consents.boxes["sms"])
    save(qtbot, editor)

    value = editor.value
    assert [d.id for d in value.dates] == ids
    assert value.dates[1] == DateInput("custom", 5, 6, None, "Name day", 3, ids[1])
    assert ConsentInput("email", True, dt.date(2026, 3, 3), "shop counter") in value.consents
    assert ConsentInput("sms", True) in value.consents

    book.update(customer_id, value)
    stored = book.load_input(customer_id)
    assert [d.id for d in stored.dates] == ids
    assert stored.city == "Rome"
    consents = {c.channel: c for c in stored.consents}
    assert consents["email"].recorded_on == dt.date(2026, 3, 3)
    assert consents["sms"].granted and consents["sms"].recorded_on == clock.today()


def test_a_business_needs_its_business_name(qtbot, open_editor):
    editor = open_editor()
    qtbot.mouseClick(editor.business_radio, Qt.MouseButton.LeftButton)
    assert editor.is_business()
    assert editor._business_label.text() == "Business name"
    qtbot.keyClicks(editor.first_name, "Tom")
    save(qtbot, editor)

    assert editor.isVisible()
    assert editor.fields["business_name"].label.isVisible()
    assert editor.fields["business_name"].label.text() == "Enter the business name."
    assert editor.focusWidget() is editor.business_name

    qtbot.keyClicks(editor.business_name, "Tom's Flowers")
    save(qtbot, editor)
    assert editor.result() == QDialog.DialogCode.Accepted
    assert (editor.value.kind, editor.value.business_name, editor.value.first_name) == (
        "business", "Tom's Flowers", "Tom")


def test_cancel_after_edits_asks_first(qtbot, open_editor, monkeypatch):
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Discard]
    asked = []

    def question(parent, title, text, *args):
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    editor = open_editor()
    qtbot.keyClicks(editor.first_name, "Anna")

    qtbot.mouseClick(editor.cancel_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and asked[0].startswith("Discard your changes?")
    assert editor.isVisible()
    assert editor.first_name.text() == "Anna"

    qtbot.keyClick(editor.first_name, Qt.Key.Key_Escape)
    assert len(asked) == 2
    assert not editor.isVisible()
    assert editor.result() == QDialog.DialogCode.Rejected
    assert editor.value is None


def test_cancel_without_edits_closes_at_once(qtbot, open_editor, monkeypatch, book):
    def question(*args):
        raise AssertionError("nothing changed, nothing to ask")

    monkeypatch.setattr(QMessageBox, "question", question)
    initial = CustomerInput(first_name="Anna", phone="+447911123456", whatsapp="+447911123456",
                            tags=["VIP"], dates=[DateInput("birthday", 1, 2, id=7)],
                            consents=[ConsentInput("sms", False, dt.date(2025, 1, 9))])
    editor = open_editor(initial)
    assert editor.same_as_phone.isChecked()
    qtbot.keyClick(editor.first_name, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert editor.result() == QDialog.DialogCode.Rejected


def test_tab_follows_the_names_as_they_are_shown(qtbot, open_editor):
    editor = open_editor()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)

    def after(widget):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        return QApplication.focusWidget()

    assert after(editor.first_name) is editor.last_name
    assert after(editor.business_name) is editor.phone
    qtbot.mouseClick(editor.business_radio, Qt.MouseButton.LeftButton)
    assert after(editor.business_name) is editor.first_name
    assert after(editor.last_name) is editor.phone
    assert after(editor.email) is editor.address
