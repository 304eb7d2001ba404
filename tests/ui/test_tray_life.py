"""Living in the tray: closing hides the window, Quit quits, notifications open the card."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication

from crmdesk.core.model import ListQuery


@pytest.fixture
def life(qtbot, filled_window, qsettings, qapp):
    from crmdesk.ui.tray_life import TrayLife

    result = TrayLife(qapp, filled_window, qsettings, tray_available=True)
    yield result
    result.close()
    qapp.setQuitOnLastWindowClosed(True)


def test_closing_the_window_hides_it_to_the_tray_and_says_so_once(qtbot, life, filled_window,
                                                                   qsettings, monkeypatch):
    told = []
    monkeypatch.setattr(life.tray, "showMessage", lambda *args: told.append(args))
    win = filled_window
    win.close()
    assert not win.isVisible()
    assert len(told) == 1 and "Quit" in told[0][1]
    life.bring_forward()
    assert win.isVisible()
    win.close()
    assert len(told) == 1  # only the first time
    assert qsettings.value("tray/told") == "true"


def test_quit_from_the_tray_really_quits(qtbot, life, filled_window, monkeypatch):
    quits = []
    monkeypatch.setattr(QCoreApplication, "quit", lambda: quits.append(True))
    life.tray.quitRequested.emit()
    assert filled_window.quitting and not filled_window.isVisible()
    assert quits


def test_clicking_a_notification_opens_the_customers_card(qtbot, life, filled_window, session):
    win = filled_window
    win.hide()
    bob = session.customers.find_ids(ListQuery(text="bob"))[0]
    life.notifier.activated.emit(f"customer:{bob}")
    assert win.isVisible()
    assert win.card.card.name == "Bob Baker"
    life.notifier.activated.emit("today")
    assert win.pages.currentIndex() == 1


def test_a_second_launch_brings_the_window_forward(qtbot, life, filled_window):
    filled_window.hide()
    life.on_second_launch(["--db", "x.db"])
    assert filled_window.isVisible()


def test_tray_menu_add_customer_opens_the_editor(qtbot, life, filled_window):
    life.tray.addRequested.emit()
    qtbot.waitUntil(lambda: filled_window.editor is not None and filled_window.editor.isVisible())
    filled_window.editor.done(0)


def attach(qtbot, life, session) -> None:
    """Start the scheduler and wait for its first check, which runs in a worker thread."""
    life.attach_scheduler(session)
    qtbot.waitUntil(lambda: not life.scheduler.starting, timeout=10_000)


def test_due_reminders_are_shown_and_not_again_after_a_restart(qtbot, life, session, monkeypatch):
    sent = []
    monkeypatch.setattr(life.notifier, "send",
                        lambda title, body, key: sent.append((title, body, key)) or "native")
    # Anna's birthday is on 12 March; a week-before reminder came due on 5 March, and the
    # clock says 10 March: it went out while the app was closed.
    attach(qtbot, life, session)
    assert len(sent) == 1
    title, body, key = sent[0]
    assert "Anna Schmidt" in title + body and key.startswith("reminder:birthday:")
    life.scheduler.stop()
    sent.clear()
    attach(qtbot, life, session)  # as after a restart of the app
    assert sent == []


def test_a_failed_delivery_is_kept_and_retried(qtbot, life, session, monkeypatch):
    from crmdesk.desktop.notify import DeliveryError

    attempts = []

    def broken(title, body, key):
        attempts.append(key)
        raise DeliveryError("no notification daemon")

    monkeypatch.setattr(life.notifier, "send", broken)
    attach(qtbot, life, session)
    assert attempts and session.reminders_due()  # still due: nothing was recorded as shown
    monkeypatch.setattr(life.notifier, "send", lambda title, body, key: "native")
    life.scheduler.tick()
    assert session.reminders_due() == []


def reminder_key(qtbot, life, session, monkeypatch) -> str:
    sent = []
    monkeypatch.setattr(life.notifier, "send",
                        lambda title, body, key: sent.append(key) or "native")
    attach(qtbot, life, session)
    assert len(sent) == 1
    return sent[0]


def test_clicking_a_reminder_opens_the_card(qtbot, life, filled_window, session, monkeypatch):
    key = reminder_key(qtbot, life, session, monkeypatch)
    filled_window.hide()
    life.notifier.activated.emit(key)
    assert filled_window.isVisible() and filled_window.card.card.name == "Anna Schmidt"


def test_snooze_from_the_notification_brings_it_back_in_an_hour(qtbot, life, session, clock,
                                                                 monkeypatch):
    key = reminder_key(qtbot, life, session, monkeypatch)
    life.notifier.activated.emit(key + "#snooze")
    clock.advance(minutes=59)
    assert session.reminders_due() == []
    clock.advance(minutes=2)
    assert [o.customer_name for o in session.reminders_due()] == ["Anna Schmidt"]


def test_done_from_the_notification_closes_the_reminder(qtbot, life, session, clock,
                                                        monkeypatch):
    key = reminder_key(qtbot, life, session, monkeypatch)
    life.notifier.activated.emit(key + "#done")
    clock.advance(days=2)  # her birthday itself: the occurrence is done, all its steps
    assert [o for o in session.reminders_due() if o.kind == "birthday"] == []


def test_freedesktop_notification_offers_snooze_and_done_for_a_reminder(qtbot):
    from crmdesk.desktop.notify import FreedesktopBackend

    backend = FreedesktopBackend("crmdesk", None)
    calls = []
    backend.bus.notify = lambda *args, **kwargs: calls.append(kwargs["actions"]) or 7
    backend.show("crmdesk", "Anna turns 36", "reminder:birthday:1:2026-03-12:lead7")
    assert "snooze" in calls[0] and "done" in calls[0]
    got = []
    backend.activated.connect(got.append)
    backend._action(7, "snooze")
    backend._action(7, "default")
    assert got == ["reminder:birthday:1:2026-03-12:lead7#snooze",
                   "reminder:birthday:1:2026-03-12:lead7"]
    backend.show("Today", "3 birthdays", "today")
    assert "snooze" not in calls[1]


def test_a_summary_says_the_badges_number_even_before_the_first_count(
        qtbot, life, filled_window, session, sample_people, clock, monkeypatch):
    """Many reminders at start make one summary. On a big book the first "need you today"
    count comes from a worker: the summary waits for it and says the same number as the side
    bar, not a tally of its own (a birthday next week is on Today but does not need you now)."""
    sent = []
    monkeypatch.setattr(life.notifier, "send",
                        lambda title, body, key: sent.append((title, body, key)) or "native")
    for number in range(6):
        session.book.add_follow_up(sample_people[number % 3], f"Call back {number}",
                                   clock().date())
    counter = filled_window.needs_you
    counter.value = None
    session.needs_you_ms = None  # as at the start of a big book: counted in a worker
    monkeypatch.setattr(session, "needs_you_known", lambda: None)
    counter.customers = 100_000
    attach(qtbot, life, session)
    qtbot.waitUntil(lambda: len(sent) == 1, timeout=10_000)
    title, body, key = sent[0]
    assert counter.value is not None and counter.value.total == 6
    assert title == "6 things need you today" and key == "today"
    assert "6 follow-ups" in body
    assert session.reminders_due() == []  # recorded: the next tick does not offer them again
