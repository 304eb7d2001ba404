"""Appointments: added from the card or from Today, shown on both, checked in the dialog,
marked done or removed on the card, every step undoable. Clock: Tuesday 10 March 2026."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QDialogButtonBox, QToolButton

from crmdesk.core.appointments import AppointmentInput
from crmdesk.core.model import ListQuery


def open_anna(win, session) -> int:
    customer_id = session.customers.find_ids(ListQuery(text="anna"))[0]
    win.open_customer(customer_id)
    return customer_id


def press_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)


def fill(dialog, day: dt.date, hour: int, minute: int, place: str = "") -> None:
    dialog.day.setDate(QDate(day.year, day.month, day.day))
    dialog.time.setTime(QTime(hour, minute))
    dialog.place.setText(place)


def test_appointment_added_from_the_card_shows_on_card_and_today_and_undo_removes_it(
        qtbot, filled_window, session):
    win = filled_window
    customer_id = open_anna(win, session)
    section = win.card.appointments
    assert section.rows.itemAt(0).widget().text() == "No appointments coming up."
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    dialog = win.today_actions.dialog
    assert dialog.isVisible()
    assert dialog.lead.value() == 60  # the setting's default
    fill(dialog, dt.date(2026, 3, 12), 14, 30, "Café Rosa")
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()

    [saved] = session.appointments.for_customer(customer_id)
    assert saved.place == "Café Rosa" and saved.lead_minutes is None
    assert section.texts() == ["12 Mar 2026 14:30 · Café Rosa"]
    assert section.title.text() == "Appointments (1)"
    win.nav.setCurrentRow(1)
    page = win.today_page
    [row] = page.rows("appointments")
    assert (row.text(0), row.text(1)) == ("in 2 days at 14:30", "Anna Schmidt")
    assert row.text(2) == "Appointment at 14:30, Café Rosa"

    win.undo_stack.undo()
    assert session.appointments.for_customer(customer_id) == []
    assert "No appointments" in page.rows("appointments")[0].text(0)
    win.undo_stack.redo()  # back, with the same id
    assert [a.id for a in session.appointments.for_customer(customer_id)] == [saved.id]


def test_appointment_without_a_day_keeps_the_dialog_open_and_says_why(qtbot, filled_window,
                                                                      session):
    win = filled_window
    customer_id = open_anna(win, session)
    qtbot.mouseClick(win.card.appointments.add_button, Qt.MouseButton.LeftButton)
    dialog = win.today_actions.dialog
    assert dialog.day.text() == "Choose a day"
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog._errors["on"].isVisible()
    assert dialog._errors["on"].text() == "Choose the day."
    assert session.appointments.for_customer(customer_id) == []
    fill(dialog, dt.date(2026, 3, 10), 17, 0)
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert len(session.appointments.for_customer(customer_id)) == 1


def test_add_appointment_from_today_asks_who_it_is_with(qtbot, filled_window, session):
    win = filled_window
    win.nav.setCurrentRow(1)
    qtbot.mouseClick(win.today_page.add_button, Qt.MouseButton.LeftButton)
    dialog = win.today_actions.dialog
    fill(dialog, dt.date(2026, 3, 11), 9, 15)
    dialog.customer_id = None
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog._errors["customer"].text() == "Choose who the appointment is with."
    qtbot.keyClicks(dialog.search, "schmidt")
    qtbot.waitUntil(lambda: dialog.matches.count() == 1
                    and dialog.matches.item(0).text().startswith("Anna Schmidt"))
    assert dialog.customer_id is not None  # the only match is chosen
    press_ok(qtbot, dialog)
    assert not dialog.isVisible()
    [row] = win.today_page.rows("appointments")
    assert (row.text(0), row.text(1)) == ("tomorrow at 09:15", "Anna Schmidt")


def test_mark_done_and_remove_on_the_card_are_undoable(qtbot, filled_window, session):
    win = filled_window
    customer_id = open_anna(win, session)
    session.appointments.add(customer_id, AppointmentInput(dt.date(2026, 3, 13),
                                                           dt.time(11, 0), "In the shop"))
    win._changed(None)
    section = win.card.appointments
    assert section.texts() == ["13 Mar 2026 11:00 · In the shop"]
    row = section.rows.itemAt(0).widget()
    qtbot.mouseClick(row.findChild(QToolButton, "appointmentDone"), Qt.MouseButton.LeftButton)
    assert section.texts() == ["13 Mar 2026 11:00 · In the shop (done)"]
    assert session.appointments.for_customer(customer_id)[0].done_at is not None
    win.undo_stack.undo()
    assert section.texts() == ["13 Mar 2026 11:00 · In the shop"]

    row = section.rows.itemAt(0).widget()
    qtbot.mouseClick(row.findChild(QToolButton, "appointmentRemove"), Qt.MouseButton.LeftButton)
    assert section.texts() == []
    assert session.appointments.for_customer(customer_id) == []
    win.undo_stack.undo()
    assert section.texts() == ["13 Mar 2026 11:00 · In the shop"]


def test_done_in_today_marks_the_appointment_done_and_undo_opens_it(qtbot, filled_window,
                                                                    session):
    win = filled_window
    customer_id = open_anna(win, session)
    session.appointments.add(customer_id, AppointmentInput(dt.date(2026, 3, 10),
                                                           dt.time(16, 0), "In the shop"))
    win.nav.setCurrentRow(1)
    page = win.today_page
    [row] = page.rows("appointments")
    assert row.text(0) == "today at 16:00"
    page.row_widget(row).findChild(QToolButton, "done").click()
    [row] = page.rows("appointments")  # still listed, greyed: done today
    assert row.text(2) == "Appointment at 16:00, In the shop  —  done"
    assert session.appointments.for_customer(customer_id)[0].done_at is not None
    win.undo_stack.undo()
    assert session.appointments.for_customer(customer_id)[0].done_at is None
    assert page.rows("appointments")[0].text(2) == "Appointment at 16:00, In the shop"
