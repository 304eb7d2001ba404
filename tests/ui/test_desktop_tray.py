"""The tray icon: its menu asks for the right things, clicks open the window, the tooltip and the
badge show today's count."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon

from crmdesk.desktop.tray import TrayIcon, badge_icon


def plain_icon() -> QIcon:
    pixmap = QPixmap(64, 64)
    pixmap.fill(QColor("#1f8a88"))
    return QIcon(pixmap)


@pytest.fixture
def tray(qapp, clock):
    icon = TrayIcon(plain_icon(), now=clock)
    yield icon
    icon.hide()


def menu_texts(menu) -> list[str]:
    return [action.text() for action in menu.actions() if not action.isSeparator()]


def test_the_menu_offers_what_the_issue_asks(tray):
    assert menu_texts(tray.contextMenu()) == [
        "Open crmdesk", "Today's reminders", "Add customer", "Pause reminders", "Quit"]
    assert menu_texts(tray.pause_menu) == ["For 1 hour", "Until tomorrow", "Resume reminders"]


@pytest.mark.parametrize(("action", "signal"), [
    ("open_action", "openRequested"),
    ("today_action", "todayRequested"),
    ("add_action", "addRequested"),
    ("quit_action", "quitRequested"),
])
def test_each_menu_entry_emits_its_signal(tray, qtbot, action, signal):
    with qtbot.waitSignal(getattr(tray, signal)):
        getattr(tray, action).trigger()


def test_pause_for_an_hour_and_until_tomorrow_and_resume(tray, qtbot, clock):
    with qtbot.waitSignal(tray.pauseRequested) as hour:
        tray.pause_hour_action.trigger()
    with qtbot.waitSignal(tray.pauseRequested) as tomorrow:
        tray.pause_tomorrow_action.trigger()
    tray.set_paused_until(hour.args[0])
    with qtbot.waitSignal(tray.pauseRequested) as resume:
        tray.resume_action.trigger()

    assert hour.args == [clock() + dt.timedelta(hours=1)]
    assert tomorrow.args == [dt.datetime(2026, 3, 11, tzinfo=dt.UTC)]
    assert resume.args == [None]


def test_resume_is_offered_only_while_paused(tray, clock):
    assert not tray.resume_action.isEnabled()

    tray.set_paused_until(clock() + dt.timedelta(hours=1))
    assert tray.resume_action.isEnabled()
    assert "Reminders paused until 11:30" in tray.toolTip()

    tray.set_paused_until(None)
    assert not tray.resume_action.isEnabled()
    assert "paused" not in tray.toolTip()


@pytest.mark.parametrize("reason", [QSystemTrayIcon.ActivationReason.Trigger,
                                    QSystemTrayIcon.ActivationReason.DoubleClick])
def test_clicking_the_icon_opens_the_window(tray, qtbot, reason):
    with qtbot.waitSignal(tray.openRequested):
        tray.activated.emit(reason)


def test_the_context_click_only_shows_the_menu(tray, qtbot):
    with qtbot.assertNotEmitted(tray.openRequested):
        tray.activated.emit(QSystemTrayIcon.ActivationReason.Context)


@pytest.mark.parametrize(("count", "words"), [
    (0, "crmdesk — nothing needs you today"),
    (1, "crmdesk — 1 thing needs you today"),
    (3, "crmdesk — 3 things need you today"),
])
def test_the_tooltip_counts_todays_reminders(tray, count, words):
    tray.set_today_count(count)

    assert tray.toolTip() == words


def _corner_pixel(icon: QIcon, size: int = 32) -> QColor:
    image = icon.pixmap(size, size).toImage()
    return image.pixelColor(size - size // 5, size // 5)


def test_a_badge_appears_on_the_icon_with_a_count_and_goes_with_none(tray):
    tray.set_today_count(3)
    badged = _corner_pixel(tray.icon())

    tray.set_today_count(0)
    plain = _corner_pixel(tray.icon())

    assert badged.red() > 180 and badged.green() < 90, badged.name()
    assert plain.name() == "#1f8a88"


def test_the_badge_can_be_turned_off(qapp, clock):
    tray = TrayIcon(plain_icon(), now=clock, show_badge=False)

    tray.set_today_count(5)

    assert _corner_pixel(tray.icon()).name() == "#1f8a88"
    assert tray.toolTip() == "crmdesk — 5 things need you today"


def test_the_badge_draws_at_every_tray_size_even_for_big_counts(qapp):
    icon = badge_icon(plain_icon(), 42)

    for size in (16, 22, 32, 64):
        assert _corner_pixel(icon, size).red() > 150, size


def test_the_default_icon_is_the_app_icon(qapp):
    tray = TrayIcon()

    assert not tray.icon().isNull()
    assert tray.toolTip() == "crmdesk — nothing needs you today"
