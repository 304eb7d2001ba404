"""The Today page: what is coming, with one-click actions (call, note, snooze, done) and undo.

The clock is fixed at Tuesday 10 March 2026, 10:30 UTC; Anna Schmidt (phone +44 20 7946 0123)
was born on 12 March 1990.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QDialog, QToolButton

from crmdesk.core import reminders
from crmdesk.core.model import CustomerInput, ListQuery
from crmdesk.ui import today_actions
from crmdesk.ui.today import WARNING

PAGE_TODAY = 1


def anna_id(session) -> int:
    return session.customers.find_ids(ListQuery(text="anna"))[0]


def go_today(win):
    win.nav.setCurrentRow(PAGE_TODAY)
    return win.today_page


def button(page, item, name: str) -> QToolButton:
    return page.row_widget(item).findChild(QToolButton, name)


def menu_action(page, item, button_name: str, action_name: str) -> QAction:
    return button(page, item, button_name).menu().findChild(QAction, action_name)


@pytest.fixture
def say(monkeypatch):
    """Answer the "note a conversation" dialog: keep (or replace) its text and press Save."""
    answers = {}

    def exec_(dialog):
        answers["prefilled"] = dialog.summary.text()
        answers["channel"] = dialog.channel.currentData()
        if answers.get("text") is not None:
            dialog.summary.setText(answers["text"])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(today_actions.ConversationDialog, "exec", exec_)
    return answers


def test_today_lists_annas_birthday_in_two_days(qtbot, filled_window, session):
    page = go_today(filled_window)
    assert page.heads["dates"].text(0) == "Important dates (1)"
    [row] = page.rows("dates")
    assert (row.text(0), row.text(1)) == ("in 2 days", "Anna Schmidt")
    assert row.text(2) == "Birthday · turns 36"
    # The other sections say so in plain words.
    assert page.rows("appointments")[0].text(0).strip() == (
        "No appointments in the next two weeks.")
    assert "Nothing to follow up" in page.rows("follow_ups")[0].text(0)
    assert page.heads["keep_in_touch"].text(0) == "Keep in touch (0)"
    # Enter on the row opens Anna's card.
    page.tree.setCurrentItem(row)
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert filled_window.pages.currentIndex() == 0
    assert filled_window.card.card.name == "Anna Schmidt"


def test_snooze_an_hour_keeps_the_row_greyed_with_its_state_and_undo_opens_it(
        qtbot, filled_window, session):
    win = filled_window
    page = go_today(win)
    [row] = page.rows("dates")
    menu_action(page, row, "snooze", "snooze-hour").trigger()
    [row] = page.rows("dates")
    assert row.text(2) == "Birthday · turns 36  —  snoozed until 11:30"
    assert row.foreground(1).color() != page.palette().text().color()  # greyed
    assert page.heads["dates"].text(0).startswith("Important dates (0)")
    assert "1 handled" in page.heads["dates"].text(0)
    assert button(page, row, "snooze") is None  # nothing left to snooze on it
    occ = session.reminders_coming()[0]
    assert reminders.deliveries(session.db, [occ.key])[occ.key].state == "snoozed"

    qtbot.keyClick(page.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    [row] = page.rows("dates")
    assert row.text(2) == "Birthday · turns 36"
    assert reminders.deliveries(session.db, [occ.key]) == {}


def test_done_with_a_note_logs_the_conversation_and_undo_takes_it_back(
        qtbot, filled_window, session, say):
    win = filled_window
    page = go_today(win)
    [row] = page.rows("dates")
    menu_action(page, row, "done", "done-note").trigger()
    assert say["prefilled"] == "Sent birthday wishes"
    [row] = page.rows("dates")
    assert row.text(2).endswith("—  done")
    customer_id = anna_id(session)
    win.open_customer(customer_id)
    assert "Sent birthday wishes" in win.card._timeline.text()
    assert session.book.card(customer_id).interaction_count == 1

    go_today(win)
    qtbot.keyClick(page.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert session.book.card(customer_id).interaction_count == 0
    [row] = page.rows("dates")
    assert row.text(2) == "Birthday · turns 36"
    win.open_customer(customer_id)
    assert "No conversations" in win.card._timeline.text()


def test_follow_up_due_today_shows_and_done_ticks_it_on_the_card(qtbot, filled_window,
                                                                 session):
    win = filled_window
    customer_id = anna_id(session)
    session.book.add_follow_up(customer_id, "Ring about the order", dt.date(2026, 3, 10))
    page = go_today(win)
    assert page.heads["follow_ups"].text(0) == "Follow-ups (1)"
    [row] = page.rows("follow_ups")
    assert (row.text(0), row.text(1), row.text(2)) == ("today", "Anna Schmidt",
                                                      "Ring about the order")
    button(page, row, "done").click()
    # Still on show, greyed, so the owner sees what got done today.
    [row] = page.rows("follow_ups")
    assert row.text(2) == "Ring about the order  —  done"
    assert page.heads["follow_ups"].text(0).startswith("Follow-ups (0)")
    win.open_customer(customer_id)
    assert win.card._follow_ups.item(0).checkState() == Qt.CheckState.Checked
    assert win.nav.item(PAGE_TODAY).text() == "Today"  # nothing left due today

    win.undo_stack.undo()
    assert session.book.card(customer_id).follow_ups[0].done_at is None
    assert win.card._follow_ups.item(0).checkState() == Qt.CheckState.Unchecked
    assert win.nav.item(PAGE_TODAY).text() == "Today (1)"


def test_overdue_follow_up_is_marked_in_the_warning_colour(qtbot, filled_window, session):
    session.book.add_follow_up(anna_id(session), "Send the invoice", dt.date(2026, 3, 7))
    page = go_today(filled_window)
    [row] = page.rows("follow_ups")
    assert row.text(0) == "3 days overdue"
    assert row.foreground(0).color() == WARNING


def test_call_whatsapp_and_email_buttons_open_the_right_links(qtbot, filled_window, session,
                                                              monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    page = go_today(filled_window)
    [row] = page.rows("dates")
    qtbot.mouseClick(button(page, row, "call"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(page, row, "whatsapp"), Qt.MouseButton.LeftButton)
    assert opened == ["tel:+442079460123", "https://wa.me/442079460123"]
    assert not button(page, row, "email").isEnabled()  # Anna has no email address


def test_note_a_conversation_from_today_is_undoable(qtbot, filled_window, session, say):
    win = filled_window
    page = go_today(win)
    say["text"] = "Asked what she would like"
    [row] = page.rows("dates")
    button(page, row, "log").click()
    customer_id = anna_id(session)
    card = session.book.card(customer_id)
    assert [i.summary for i in card.interactions] == ["Asked what she would like"]
    win.undo_stack.undo()
    assert session.book.card(customer_id).interaction_count == 0


def test_keep_in_touch_says_how_long_it_has_been(qtbot, filled_window, session, clock):
    session.book.create(CustomerInput(first_name="Bea", last_name="Long",
                                      keep_in_touch_days=30))
    clock.advance(days=45)
    page = go_today(filled_window)
    [row] = page.rows("keep_in_touch")
    assert row.text(1) == "Bea Long"
    assert row.text(2) == "Not in touch since you added them 45 days ago"
    assert row.text(0) == "15 days overdue"


def test_a_long_section_stops_at_100_rows_with_a_more_line(qtbot, filled_window, session):
    customer_id = anna_id(session)
    for n in range(130):
        session.book.add_follow_up(customer_id, f"Task {n}", dt.date(2026, 3, 11))
    page = go_today(filled_window)
    rows = page.rows("follow_ups")
    assert len(rows) == 101
    assert rows[-1].text(0).strip() == "…and 30 more"
    assert page.heads["follow_ups"].text(0) == "Follow-ups (130)"
    # Buttons are made for the rows on screen; any row gets them when asked.
    assert button(page, rows[99], "done") is not None


def test_snooze_to_a_picked_day_and_dismiss(qtbot, filled_window, session, monkeypatch):
    def pick(dialog):
        dialog.calendar.setSelectedDate(dialog.calendar.minimumDate().addDays(2))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(today_actions.DayDialog, "exec", pick)
    customer_id = anna_id(session)
    session.book.add_follow_up(customer_id, "Ring back", dt.date(2026, 3, 10))
    page = go_today(filled_window)
    [row] = page.rows("dates")
    menu_action(page, row, "snooze", "snooze-pick").trigger()
    assert page.rows("dates")[0].text(2).endswith("snoozed until 13 Mar 2026")
    [row] = page.rows("follow_ups")
    menu_action(page, row, "done", "dismiss").trigger()
    assert page.rows("follow_ups")[0].text(2) == "Ring back  —  dismissed"
    # Dismissing stops the reminder; the follow-up itself stays open on the card.
    assert session.book.card(customer_id).follow_ups[0].done_at is None
    filled_window.undo_stack.undo()
    assert page.rows("follow_ups")[0].text(2) == "Ring back"
