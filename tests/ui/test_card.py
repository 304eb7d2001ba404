"""The customer card: details, dates with days left, quick conversation log, follow-ups."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from crmdesk.core.model import ListQuery


def anna(win, session) -> int:
    customer_id = session.customers.find_ids(ListQuery(text="anna"))[0]
    win.open_customer(customer_id)
    return customer_id


def test_card_shows_details_and_the_next_birthday(qtbot, filled_window, session):
    win = filled_window
    anna(win, session)
    card = win.card
    assert card._name.text() == "Anna Schmidt"
    # Clock: 10 March 2026; born 12 March 1990 -> in 2 days, turns 36.
    dates = card._dates.text()
    assert "in 2 days" in dates and "turns 36" in dates
    details = card._details.text()
    assert "020 7946 0123" in details  # shown in national form for the shop's country
    assert "Leeds" in details
    assert card._call.isEnabled()
    assert not card._mail.isEnabled()  # no email address


def test_quick_log_with_enter_adds_to_timeline_and_undo_removes_it(qtbot, filled_window,
                                                                    session):
    win = filled_window
    customer_id = anna(win, session)
    qtbot.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert win.card._log.hasFocus()
    win.card._channel.setCurrentIndex(win.card._channel.findData("call"))
    qtbot.keyClicks(win.card._log, "Asked about the new cheese")
    qtbot.keyClick(win.card._log, Qt.Key.Key_Return)
    assert "Asked about the new cheese" in win.card._timeline.text()
    assert "Conversations (1)" in win.card._timeline_title.text()
    assert win.card._log.text() == ""
    card = session.book.card(customer_id)
    assert card.interactions[0].channel == "call"
    # Last contact is derived from the log and shows in the list.
    row = win.model.row_of(customer_id)
    assert win.model.index(row, 4).data() == "today"
    win.undo_stack.undo()
    assert session.book.card(customer_id).interaction_count == 0
    assert "No conversations" in win.card._timeline.text()


def test_follow_up_added_and_ticked(qtbot, filled_window, session):
    win = filled_window
    customer_id = anna(win, session)
    qtbot.keyClicks(win.card._follow_title, "Call when the order arrives")
    qtbot.keyClick(win.card._follow_title, Qt.Key.Key_Return)
    card = session.book.card(customer_id)
    assert [f.title for f in card.follow_ups] == ["Call when the order arrives"]
    assert card.follow_ups[0].due_on == dt.date(2026, 3, 17)
    item = win.card._follow_ups.item(0)
    item.setCheckState(Qt.CheckState.Checked)
    assert session.book.card(customer_id).follow_ups[0].done_at is not None


def test_trashed_customer_card_is_read_only(qtbot, filled_window, session):
    win = filled_window
    customer_id = anna(win, session)
    session.book.trash([customer_id])
    win.card.show_card(session.book.card(customer_id))
    assert not win.card._log.isEnabled()
    assert "Trash" in win.card._warning.text()


def test_today_page_lists_the_coming_birthday(qtbot, filled_window, session):
    win = filled_window
    win.nav.setCurrentRow(1)
    page = win.today_page
    [row] = page.rows("dates")
    assert row.text(1) == "Anna Schmidt" and "turns 36" in row.text(2)
    assert "Nothing to follow up" in page.rows("follow_ups")[0].text(0)
    # Double-clicking the entry opens the customer's card.
    rect = page.tree.visualItemRect(row)
    qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.pages.currentIndex() == 0
    assert win.card.card.name == "Anna Schmidt"


def test_first_run_page_on_an_empty_book_and_samples_load(qtbot, window, session):
    win = window
    assert win.customers_stack.currentWidget() is win.first_run
    intro = win.first_run.intro
    assert intro.height() >= intro.heightForWidth(intro.width())  # every line is readable
    qtbot.mouseClick(win.first_run.sample_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.customers_stack.currentWidget() is win.customers_page,
                    timeout=30000)
    assert session.customers.count() > 0
    assert win.model.rowCount() == session.customers.count()


def test_today_badge_counts_what_is_due(qtbot, filled_window, session):
    win = filled_window
    assert win.nav.item(1).text() == "Today"  # Anna's birthday is in two days, not today
    customer_id = anna(win, session)
    qtbot.keyClicks(win.card._follow_title, "Ring back")
    win.card._follow_due.setDate(win.card._follow_due.date().addDays(-7))  # due today
    qtbot.keyClick(win.card._follow_title, Qt.Key.Key_Return)
    assert session.book.card(customer_id).follow_ups[0].due_on == dt.date(2026, 3, 10)
    assert win.nav.item(1).text() == "Today (1)"


def test_card_shows_where_each_consent_was_given(qtbot, filled_window, session):
    from crmdesk.core.model import ConsentInput

    customer_id = session.customers.find_ids(ListQuery(text="anna"))[0]
    data = session.book.load_input(customer_id)
    data.consents = [ConsentInput("email", True, dt.date(2026, 3, 3), "at the till"),
                     ConsentInput("sms", True, dt.date(2026, 3, 4), ""),
                     ConsentInput("phone", False, dt.date(2026, 3, 5), "by letter")]
    session.book.update(customer_id, data)
    filled_window.card.show_card(session.book.card(customer_id))
    details = filled_window.card._details.text()
    assert "Email (since " in details and ", at the till)" in details
    sms = details.split("SMS", 1)[1]
    assert sms.startswith(" (since ") and sms.split(")", 1)[0].count(",") <= 1
    assert "at the till" not in sms.split(")", 1)[0]
    assert "Phone calls" not in details and "by letter" not in details  # not granted
