"""Life in the system tray: the tray icon, native notifications, closing to the tray.

Built by the composition root (app.py); the reminder scheduler is attached with
`attach_scheduler` once there is something to remind of.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from crmdesk.desktop.notify import ACTION_DONE, ACTION_SNOOZE, REMINDER_PREFIX, Notifier
from crmdesk.desktop.scheduler import in_one_hour
from crmdesk.desktop.tray import TrayIcon
from crmdesk.ui.icons import app_icon

log = logging.getLogger(__name__)


class TrayLife(QObject):
    """Owns the tray icon and the notifier, and keeps the window reachable from the tray."""

    def __init__(self, app: QApplication, window, state: QSettings, parent=None,
                 tray_available: bool | None = None):
        super().__init__(parent)
        self.app = app
        self.window = window
        self.state = state
        self.tray: TrayIcon | None = None
        self.available = (QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None
                          else tray_available)
        if self.available:
            self.tray = TrayIcon(app_icon())
            self.tray.describe_moment = lambda moment, today: window.formatter.local_moment(
                moment, today)
            self.tray.openRequested.connect(self.bring_forward)
            self.tray.todayRequested.connect(self.show_today)
            self.tray.addRequested.connect(self.add_customer)
            self.tray.quitRequested.connect(window.request_quit)
            self.tray.show()
            # With a tray icon, closing the window hides it; Quit quits.
            app.setQuitOnLastWindowClosed(False)
            window.closeToTray = True
        else:
            log.info("no system tray: closing the window quits")
        window.hiddenToTray.connect(self._told_once)
        self.notifier = Notifier(self.tray, parent=self)
        self.notifier.activated.connect(self.open_from_notification)
        self.session = None
        self.scheduler = None
        self._shown: dict = {}  # occurrence key -> occurrence, for actions on notifications
        if self.tray is not None:
            self.tray.pauseRequested.connect(self._pause)

    # --- reminders -------------------------------------------------------------------------

    def attach_scheduler(self, session, interval_ms: int = 60_000) -> None:
        """Start asking "what is due?" at start and every minute, and deliver the answers."""
        from crmdesk.core import reminders
        from crmdesk.desktop.scheduler import ReminderScheduler

        self.session = session

        def first_check(now):  # in a worker thread: a big book's first check takes ~0.3 s
            return reminders.due_in_worker(session.db, now, session.settings)

        self.scheduler = ReminderScheduler(
            session.reminders_due, self._deliver, session.now, parent=self,
            interval_ms=interval_ms, deliver_summary=self._deliver_summary,
            next_due_at=session.next_reminder_at, today_count=self.window.needs_you.total,
            first_check=first_check if session.path is not None else None)
        self.scheduler.delivered.connect(lambda _shown: self.window.reminders_delivered())
        if self.tray is not None:
            self.scheduler.countChanged.connect(self.tray.set_today_count)
            # The scheduler asks after each check; a count made in a worker comes later.
            self.window.needs_you.changed.connect(
                lambda needs: self.tray.set_today_count(needs.total))
            self.scheduler.pausedChanged.connect(self.tray.set_paused_until)
        self.scheduler.start()
        log.info("reminder scheduler started (checks every %d s)", interval_ms // 1000)

    def _reminder_action(self, key: str) -> None:
        """A single reminder's notification: clicked (open the card), Snooze or Done."""
        occurrence_key, _, action = key[len(REMINDER_PREFIX):].partition("#")
        occurrence = self._shown.get(occurrence_key)
        if occurrence is None:  # from before a restart: Today has it
            self.show_today()
            return
        if action == ACTION_SNOOZE:
            self.session.snooze_reminder(occurrence, in_one_hour(self.session.now()))
        elif action == ACTION_DONE:
            self.session.reminder_done(occurrence)
        else:
            self.bring_forward()
            self.window.open_customer(occurrence.customer_id)
            return
        self.window.reminders_delivered()  # Today and its badge show the change

    def _deliver(self, occurrence) -> bool:
        """Show one reminder; it is recorded only once it was shown (else retried next tick)."""
        from crmdesk.desktop.notify import DeliveryError

        try:
            self.notifier.send("crmdesk", occurrence.title,
                               f"{REMINDER_PREFIX}{occurrence.key}")
        except DeliveryError as exc:
            self.session.reminder_failed(occurrence, str(exc))
            return False
        self.session.reminders_shown([occurrence])
        self._shown[occurrence.key] = occurrence
        while len(self._shown) > 500:  # the notifications of a day, not of a year
            self._shown.pop(next(iter(self._shown)))
        return True

    def _deliver_summary(self, occurrences: list, title: str, body: str) -> bool:
        counter = self.window.needs_you
        if counter.value is None:
            counter.request()  # at once on a small book
        if counter.value is None:
            # A big book's first count is on its way from a worker: the summary waits for it,
            # so it says the same number as the badge (the reminders are on Today meanwhile).
            # They are recorded as shown now, so the next tick does not offer them again.
            def send_when_counted(_needs) -> None:
                counter.changed.disconnect(send_when_counted)
                self._send_summary(occurrences, title, body, record=False)

            counter.changed.connect(send_when_counted)
            self.session.reminders_shown(occurrences)
            return True
        return self._send_summary(occurrences, title, body)

    def _send_summary(self, occurrences: list, title: str, body: str,
                      record: bool = True) -> bool:
        from crmdesk.desktop.notify import DeliveryError
        from crmdesk.ui.formatting import needs_you_detail, needs_you_words

        # The same number and words as the side bar, the tray and Today ("26 things need you
        # today: 1 anniversary, 10 follow-ups"); what is coming later waits on Today.
        needs = self.window.needs_you.value  # the last count (a new one may be on its way)
        if needs is not None and needs.total:
            words = needs_you_words(needs.total)
            title = words[:1].upper() + words[1:]
            body = self.tr("%1. Open Today to see them, and what is coming.").replace(
                "%1", needs_you_detail(needs.by_kind))
        try:
            self.notifier.send(title, body, "today")
        except DeliveryError as exc:
            for occurrence in occurrences:
                self.session.reminder_failed(occurrence, str(exc))
            return False
        if record:
            self.session.reminders_shown(occurrences)
        return True

    def _pause(self, until) -> None:
        if self.scheduler is not None:
            self.scheduler.pause_until(until)

    # --- the window ------------------------------------------------------------------------

    def bring_forward(self) -> None:
        window = self.window
        window.show()
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()

    def show_today(self) -> None:
        self.bring_forward()
        self.window.nav.setCurrentRow(1)

    def add_customer(self) -> None:
        self.bring_forward()
        self.window.new_customer()

    def open_from_notification(self, key: str) -> None:
        if key.startswith(REMINDER_PREFIX):
            self._reminder_action(key)
        elif key.startswith("customer:"):
            try:
                customer_id = int(key.split(":", 1)[1])
            except ValueError:
                return
            self.bring_forward()
            self.window.open_customer(customer_id)
        else:
            self.show_today()

    def on_second_launch(self, argv: list) -> None:
        """Another `crmdesk` was started: show this window instead of opening the book twice."""
        log.info("second launch with %s: bringing the window forward", argv)
        if "--minimized" not in argv:
            self.bring_forward()

    def on_other_book(self, wanted: str) -> None:
        """A later launch asked for another book: that launch tells the user and ends; this
        window (brought forward) says why it is the one showing."""
        self.window.statusBar().showMessage(
            self.tr("crmdesk was started again for the book %1. Quit this one first to open "
                    "that book.").replace("%1", wanted), 15000)

    def _told_once(self) -> None:
        if self.state.value("tray/told", "false") in ("true", True):
            return
        self.state.setValue("tray/told", "true")
        if self.tray is not None:
            self.tray.showMessage(
                "crmdesk",
                self.tr("crmdesk keeps running in the tray so it can remind you. "
                        "Choose Quit in its menu to close it."),
                QSystemTrayIcon.MessageIcon.Information, 8000)

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        self.notifier.close()
        if self.tray is not None:
            self.tray.hide()
