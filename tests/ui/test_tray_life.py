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


def test_due_reminders_are_shown_and_not_again_after_a_restart(qtbot, life, session, monkeypatch):
    sent = []
    monkeypatch.setattr(life.notifier, "send",
                        lambda title, body, key: sent.append((title, body, key)) or "native")
    # Anna's birthday is on 12 March; a week-before reminder came due on 5 March, and the
    # clock says 10 March: it went out while the app was closed.
    life.attach_scheduler(session)
    assert len(sent) == 1
    title, body, key = sent[0]
    assert "Anna Schmidt" in title + body and key.startswith("customer:")
    life.scheduler.stop()
    sent.clear()
    life.attach_scheduler(session)  # as after a restart of the app
    assert sent == []


def test_a_failed_delivery_is_kept_and_retried(qtbot, life, session, monkeypatch):
    from crmdesk.desktop.notify import DeliveryError

    attempts = []

    def broken(title, body, key):
        attempts.append(key)
        raise DeliveryError("no notification daemon")

    monkeypatch.setattr(life.notifier, "send", broken)
    life.attach_scheduler(session)
    assert attempts and session.reminders_due()  # still due: nothing was recorded as shown
    monkeypatch.setattr(life.notifier, "send", lambda title, body, key: "native")
    life.scheduler.tick()
    assert session.reminders_due() == []
