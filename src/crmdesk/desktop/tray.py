"""crmdesk in the system tray: its icon (with today's count as a badge), a tooltip and a menu.

The icon only asks: each menu entry emits a signal and the app decides what happens.
A click or double click on the icon emits `openRequested`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QDateTime, QLocale, QObject, QRectF, Qt, QTime, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from crmdesk.core.clock import system_now
from crmdesk.desktop.scheduler import in_one_hour, start_of_tomorrow
from crmdesk.ui.formatting import needs_you_words

BADGE_SIZES = (16, 22, 24, 32, 48, 64)
BADGE_COLOR = QColor("#d93025")


def badge_icon(base: QIcon, number: int, sizes: tuple[int, ...] = BADGE_SIZES) -> QIcon:
    """`base` with a red disc in the top right corner showing `number` ("9+" above 9);
    `base` itself when `number` is 0."""
    if number <= 0:
        return base
    text = str(number) if number < 10 else "9+"
    result = QIcon()
    for size in sizes:
        pixmap = QPixmap(base.pixmap(size, size))
        if pixmap.isNull() or pixmap.width() != size:
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        diameter = size * 0.62
        disc = QRectF(size - diameter, 0, diameter, diameter)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BADGE_COLOR)
        painter.drawEllipse(disc)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, round(diameter * (0.72 if len(text) == 1 else 0.55))))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(disc, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        result.addPixmap(pixmap)
    return result


class TrayIcon(QSystemTrayIcon):
    """The tray icon and its menu: Open crmdesk, Today's reminders, Add customer,
    Pause reminders > (for 1 hour, until tomorrow, resume), Quit."""

    openRequested = Signal()
    todayRequested = Signal()
    addRequested = Signal()
    pauseRequested = Signal(object)  # a datetime to pause until, or None to resume
    quitRequested = Signal()

    def __init__(self, icon: QIcon | None = None, parent: QObject | None = None, *,
                 now: Callable[[], dt.datetime] = system_now, show_badge: bool = True):
        super().__init__(parent)
        if icon is None:
            from crmdesk.ui.icons import app_icon

            icon = app_icon()
        self.base_icon = icon
        self.now = now
        self.show_badge = show_badge
        self.today_count = 0
        self.paused_until: dt.datetime | None = None
        #: writes a local moment the shop's way (the window's formatter), set by the app
        self.describe_moment: Callable[[dt.datetime, dt.date], str] | None = None
        self.setIcon(icon)
        self.menu = self._build_menu()
        self.setContextMenu(self.menu)
        self.activated.connect(self._on_activated)
        self._refresh()

    def _build_menu(self) -> QMenu:
        menu = QMenu()
        self.open_action = menu.addAction(self.tr("Open crmdesk"))
        self.open_action.triggered.connect(self.openRequested)
        self.today_action = menu.addAction(self.tr("Today's reminders"))
        self.today_action.triggered.connect(self.todayRequested)
        self.add_action = menu.addAction(self.tr("Add customer"))
        self.add_action.triggered.connect(self.addRequested)
        menu.addSeparator()
        self.pause_menu = menu.addMenu(self.tr("Pause reminders"))
        self.pause_hour_action = self.pause_menu.addAction(self.tr("For 1 hour"))
        self.pause_hour_action.triggered.connect(
            lambda: self.pauseRequested.emit(in_one_hour(self.now())))
        self.pause_tomorrow_action = self.pause_menu.addAction(self.tr("Until tomorrow"))
        self.pause_tomorrow_action.triggered.connect(
            lambda: self.pauseRequested.emit(start_of_tomorrow(self.now())))
        self.resume_action = self.pause_menu.addAction(self.tr("Resume reminders"))
        self.resume_action.triggered.connect(lambda: self.pauseRequested.emit(None))
        menu.addSeparator()
        self.quit_action: QAction = menu.addAction(self.tr("Quit"))
        self.quit_action.triggered.connect(self.quitRequested)
        return menu

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self.openRequested.emit()

    def set_today_count(self, number: int) -> None:
        """Today's reminder count, shown in the tooltip and as a badge on the icon."""
        if number != self.today_count:
            self.today_count = number
            self._refresh()

    def set_paused_until(self, until: dt.datetime | None) -> None:
        """Show that reminders are paused (the scheduler's pausedChanged)."""
        self.paused_until = until
        self._refresh()

    def _refresh(self) -> None:
        line = needs_you_words(self.today_count)  # the side bar's and Today's number
        tooltip = self.tr("crmdesk — %1").replace("%1", line)
        if self.paused_until is not None:
            tooltip += "\n" + self.tr("Reminders paused until %1").replace(
                "%1", self._moment(self.paused_until))
        self.setToolTip(tooltip)
        self.resume_action.setEnabled(self.paused_until is not None)
        if self.show_badge:
            self.setIcon(badge_icon(self.base_icon, self.today_count))

    def _moment(self, moment: dt.datetime) -> str:
        """16:30 today, or the date (the shop's way) and time on another day."""
        if self.describe_moment is not None:
            return self.describe_moment(moment, self.now().date())
        same_day = moment.date() == self.now().date()
        when = QDateTime(QDate(moment.year, moment.month, moment.day),
                         QTime(moment.hour, moment.minute))
        if same_day:
            return QLocale().toString(when.time(), QLocale.FormatType.ShortFormat)
        return QLocale().toString(when, QLocale.FormatType.ShortFormat)
