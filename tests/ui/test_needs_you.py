"""One number for what needs the owner today: the side bar's Today badge, the tray's badge and
tooltip, the notification summary and the Today page's heading count the same things, and say
what they count. The clock is Tuesday 10 March 2026."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton, QWidget

from crmdesk.core.model import DateInput, ListQuery
from crmdesk.ui.main_window import PAGE_TODAY


@pytest.fixture
def life(qtbot, filled_window, qsettings, qapp, monkeypatch):
    from crmdesk.ui.tray_life import TrayLife

    result = TrayLife(qapp, filled_window, qsettings, tray_available=True)
    result.sent = []
    monkeypatch.setattr(result.notifier, "send",
                        lambda title, body, key: result.sent.append((title, body)) or "native")
    yield result
    result.close()
    qapp.setQuitOnLastWindowClosed(True)


def _id(session, name: str) -> int:
    return session.customers.find_ids(ListQuery(text=name))[0]


def test_badge_tray_summary_and_today_say_the_same_number(qtbot, filled_window, session, life):
    win = filled_window
    zoe, bob, anna = _id(session, "zoë"), _id(session, "bob"), _id(session, "anna")
    data = session.book.load_input(zoe)
    data.dates = [DateInput("birthday", 10, 3, None)]  # today
    session.book.update(zoe, data)
    session.book.add_follow_up(bob, "Send the invoice", dt.date(2026, 3, 8))  # overdue
    session.book.add_follow_up(anna, "Ask about the wedding", dt.date(2026, 3, 20))  # later
    # Anna's birthday (12 March) and her follow-up are on Today but do not need you today.

    win.reminders_delivered()  # as after a change: the count is asked for again
    qtbot.waitUntil(lambda: win.nav.item(PAGE_TODAY).text() == "Today (2)")
    life.attach_scheduler(session)
    qtbot.waitUntil(lambda: not life.scheduler.starting and bool(life.sent), timeout=10_000)
    badge = win.nav.item(PAGE_TODAY)
    assert badge.toolTip() == "2 things need you today: 1 birthday, 1 follow-up"
    assert life.tray.toolTip() == "crmdesk — 2 things need you today"
    assert life.tray.today_count == 2
    # What came due while crmdesk was closed went out as one summary titled with that number.
    assert life.sent[0][0] == "2 things need you today"
    assert life.sent[0][1] == ("1 birthday, 1 follow-up. Open Today to see them, and what is "
                               "coming.")

    win.nav.setCurrentRow(PAGE_TODAY)
    page = win.today_page
    qtbot.waitUntil(lambda: bool(page.rows("follow_ups")))
    assert page.needs_label.text() == "2 things need you today: 1 birthday, 1 follow-up."

    # Done on Bob's follow-up: every count goes down by one, at once or at the next check.
    row = [r for r in page.rows("follow_ups") if r.text(1) == "Bob Baker"][0]
    done = page.row_widget(row).findChild(QToolButton, "done")
    qtbot.mouseClick(done, Qt.MouseButton.LeftButton)
    assert badge.text() == "Today (1)"
    assert badge.toolTip() == "1 thing needs you today: 1 birthday"
    assert page.needs_label.text() == "1 thing needs you today: 1 birthday."
    life.scheduler.check_now()
    assert life.tray.toolTip() == "crmdesk — 1 thing needs you today"


def test_nothing_needs_you_says_so(qtbot, filled_window, session):
    win = filled_window
    qtbot.waitUntil(lambda: win.needs_you.value is not None)
    assert win.nav.item(PAGE_TODAY).text() == "Today"
    assert win.nav.item(PAGE_TODAY).toolTip() == "nothing needs you today"
    win.nav.setCurrentRow(PAGE_TODAY)
    assert win.today_page.needs_label.text() == "Nothing needs you today."


def test_a_big_book_is_counted_in_a_worker_and_the_ui_keeps_the_last_number(qtbot, session,
                                                                           sample_people):
    from crmdesk.ui.needs_you_count import NeedsYouCount

    session.book.add_follow_up(sample_people[1], "Ring back", dt.date(2026, 3, 9))
    holder = QWidget()  # the counter lives on a window, as in the app
    qtbot.addWidget(holder)
    counter = NeedsYouCount(session, holder)
    counter.customers = 100_000  # as the window says for a big book: not counted at once
    with qtbot.waitSignal(counter.changed, timeout=10_000) as counted:
        counter.request()
        assert counter.is_counting() and counter.value is None  # the UI thread went on
    assert counted.args[0].total == 1 and counted.args[0].by_kind == {"follow_up": 1}
    qtbot.waitUntil(lambda: not counter.is_counting())
    counter.request()  # nothing changed: known at once, no second count
    assert not counter.is_counting()
    # Slow last time: a change is counted in the worker again, the old number standing.
    session.needs_you_ms = 500.0
    session.book.add_follow_up(sample_people[2], "Send the catalogue", dt.date(2026, 3, 10))
    with qtbot.waitSignal(counter.changed, timeout=10_000) as counted:
        counter.request()
        assert counter.is_counting() and counter.value.total == 1
    assert counted.args[0].total == 2
    qtbot.waitUntil(lambda: not counter.is_counting())
