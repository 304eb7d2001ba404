"""What the Today page's and the card's appointment buttons do: each through the session, as a
command on the window's undo stack, then a refresh.

Kept out of main_window.py (which wires app-level things) so Today and appointments live in
one place. The two small dialogs asked from here (note a conversation, pick a day) are here
too; `exec()` is what tests replace.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from crmdesk.core import reminders
from crmdesk.core.customers import NotFound
from crmdesk.ui import dialog_parts, undo
from crmdesk.ui.appointment_dialog import AppointmentDialog
from crmdesk.ui.formatting import CHANNEL_NAMES
from crmdesk.ui.today import ROLE

TODAY_DAYS = 14
#: "Done, and note a conversation…" starts with these words (kind -> (summary, channel)).
DONE_NOTES = {
    "birthday": ("Sent birthday wishes", "other"),
    "anniversary": ("Sent anniversary wishes", "other"),
    "custom": ("Got in touch about: %1", "other"),
    "appointment": ("Met as planned", "meeting"),
    "follow_up": ("Called about: %1", "call"),
    "keep_in_touch": ("Caught up", "call"),
    "reward": ("Told them about their reward", "other"),
}


class ConversationDialog(QDialog):
    """A short note of a conversation: how, and what about (one line)."""

    def __init__(self, name: str, summary: str = "", channel: str = "other", parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Note a conversation"))
        self.setMinimumWidth(420)
        self.channel = QComboBox()
        for key, text in CHANNEL_NAMES.items():
            self.channel.addItem(self.tr(text), key)
        self.channel.setCurrentIndex(max(0, self.channel.findData(channel)))
        self.summary = QLineEdit(summary)
        self.summary.setPlaceholderText(self.tr("What did you talk about?"))
        self.summary.selectAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Save"))
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("With %1").replace("%1", name)))
        layout.addWidget(self.channel)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)

    def _ok(self) -> None:
        if self.summary.text().strip():
            self.accept()
        else:
            self.summary.setFocus()

    def value(self) -> tuple[str, str]:
        return self.channel.currentData(), self.summary.text().strip()


class DayDialog(QDialog):
    """Pick the day to be reminded again."""

    def __init__(self, first: dt.date, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Remind me on…"))
        self.calendar = QCalendarWidget()
        self.calendar.setMinimumDate(QDate(first.year, first.month, first.day))
        self.calendar.setSelectedDate(self.calendar.minimumDate())
        self.calendar.activated.connect(lambda _d: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addWidget(buttons)

    def value(self) -> dt.date:
        day = self.calendar.selectedDate()
        return dt.date(day.year(), day.month(), day.day())


class TodayActions:
    """Fills the Today page and the card's appointments; carries out their buttons."""

    def __init__(self, window):
        self.window = window
        self.session = window.session
        self.page = window.today_page
        self._handled: dict[str, reminders.Occurrence] = {}  # acted on today, by key
        self._handled_on: dt.date | None = None
        page = self.page
        page.openCustomer.connect(window.open_customer)
        page.addAppointmentRequested.connect(lambda: self.add_appointment(None))
        page.logRequested.connect(self.log)
        page.snoozeRequested.connect(self.snooze)
        page.doneRequested.connect(self.done)
        page.dismissRequested.connect(self.dismiss)
        page.redeemRequested.connect(self.redeem)
        page.saleRequested.connect(self.record_sale)
        section = window.card.appointments
        section.addRequested.connect(
            lambda: window.card.card and self.add_appointment(window.card.card.id))
        section.doneRequested.connect(self.appointment_done)
        section.removeRequested.connect(self.remove_appointment)

    # --- filling -------------------------------------------------------------------------

    def refresh(self) -> None:
        session = self.session
        today = session.today()
        if self._handled_on != today:
            self._handled, self._handled_on = {}, today
        from crmdesk.core.loyalty import program

        self.page.rewards_shown = program(session.settings).active
        items = session.reminders_coming(TODAY_DAYS)
        keys = {o.key for o in items}
        # Follow-ups and appointments marked done leave the list; keep today's on show.
        items += [o for k, o in self._handled.items() if k not in keys]
        states = self.states(items)
        items = [o for o in items if o.key in keys or states.get(o.key, ("",))[0] == "done"]
        items.sort(key=lambda o: (o.occurs_on, o.starts_at.time() if o.starts_at else dt.time(),
                                  o.sort_name, o.key))
        self.page.show_occurrences(items, states, today, TODAY_DAYS)
        self.window.needs_you.request()  # the heading's count (the side bar's number)

    def states(self, items) -> dict[str, tuple]:
        """key -> (state, snoozed until) for what the owner handled; open ones are left out
        (the same rule the "need you today" count uses)."""
        from crmdesk.core.needs_you import handled_states

        return handled_states(self.session.db, items, self.session.settings,
                              self.session.now())

    def show_card_appointments(self, customer_id: int | None, read_only: bool = False) -> None:
        if customer_id is not None:
            self.window.card.appointments.show_appointments(
                self.session.appointments.for_customer(customer_id), read_only)

    def changed(self, _customer_id: int | None = None) -> None:
        """After a command (or its undo): the list keeps its place; card and Today follow."""
        self.window._changed(None)

    # --- reminders -------------------------------------------------------------------------

    def _handle(self, occ, state: str, message: str, **more) -> None:
        before = reminders.deliveries(self.session.db, [occ.key]).get(occ.key)
        command = undo.HandleReminder(self.session, occ, state, self.changed, before=before,
                                      **more)
        self._handled[occ.key] = occ
        if self.window._push(command):
            self.window.statusBar().showMessage(
                message + " " + self.window.tr("Press Ctrl+Z to undo."), 6000)

    def snooze(self, occ, choice: str) -> None:
        now = self.session.now()
        hour = reminders.rules(self.session.settings).hour
        if choice == "hour":
            until = (now.astimezone(dt.UTC) + dt.timedelta(hours=1)).astimezone(now.tzinfo)
        else:
            day = now.date() + dt.timedelta(days=1)
            if choice == "pick":
                dialog = DayDialog(day, self.window)
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return
                day = dialog.value()
            until = dt.datetime.combine(day, dt.time(hour), tzinfo=now.tzinfo)
        self._handle(occ, "snoozed", self.window.tr("Snoozed."), until=until)

    def dismiss(self, occ) -> None:
        self._handle(occ, "dismissed", self.window.tr("Dismissed: no more reminders of it."))

    def done(self, occ, with_note: bool) -> None:
        if not with_note:
            self._handle(occ, "done", self.window.tr("Marked done."))
            return
        summary, channel = DONE_NOTES.get(occ.kind, ("", "other"))
        answer = self._ask_conversation(occ, self.window.tr(summary).replace("%1", occ.label),
                                        channel)
        if answer is not None:
            self._handle(occ, "done", self.window.tr("Marked done and noted."),
                         channel=answer[0], summary=answer[1])

    def redeem(self, occ) -> None:
        """Give the reward of a 'reward' row: one click, undoable."""
        from crmdesk.core.loyalty import Reward

        command = undo.RedeemReward(self.session.loyalty, occ.customer_id,
                                    Reward(occ.lead, occ.label), self.changed)
        if self.window._push(command):
            self.window.statusBar().showMessage(
                self.window.tr("%1 got %2. Press Ctrl+Z to undo.")
                .replace("%1", occ.customer_name).replace("%2", occ.label), 8000)

    def record_sale(self, occ) -> None:
        """"Sale…" on a reward row: the sale dialog for that customer (the sales actions' own,
        so saving, undo and the message are the same as from the card)."""
        from crmdesk.ui import sales_actions

        sales_actions.install(self.window).record_sale(occ.customer_id)

    def log(self, occ) -> None:
        answer = self._ask_conversation(occ, "", "other")
        if answer is not None:
            self.window.log_conversation(occ.customer_id, *answer)

    def log_for(self, customer_id: int) -> None:
        """Log conversation (toolbar, menu) while Today shows: for the current row's customer."""
        try:
            name = self.session.book.card(customer_id).name
        except NotFound:
            return
        answer = self._ask(name, "", "other")
        if answer is not None:
            self.window.log_conversation(customer_id, *answer)

    def _ask_conversation(self, occ, summary: str, channel: str) -> tuple[str, str] | None:
        return self._ask(occ.customer_name, summary, channel)

    def _ask(self, name: str, summary: str, channel: str) -> tuple[str, str] | None:
        dialog = ConversationDialog(name, summary, channel, self.window)
        self.last_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.value()

    # --- appointments ----------------------------------------------------------------------

    def find_customers(self, text: str) -> list[tuple[int, str, str]]:
        return dialog_parts.find_customers(self.session.customers, self.window.formatter, text)

    def add_appointment(self, customer_id: int | None) -> None:
        session, window = self.session, self.window
        if customer_id is None:
            customer = None
            current = window.today_page.tree.currentItem()
            chosen = current.data(0, ROLE) if current is not None else None
        else:
            try:
                customer = (customer_id, session.book.card(customer_id).name)
            except NotFound:
                return
            chosen = None
        dialog = AppointmentDialog(session.appointments.validate, window.formatter,
                                   session.today(), session.settings.remind_appointment_minutes,
                                   customer=customer, find=self.find_customers, parent=window)
        if chosen is not None:  # the row picked in Today is offered first
            dialog.customer_id = chosen
            dialog.search.setText(current.text(1))
            dialog.run_search()

        def save() -> None:
            command = undo.AddAppointment(session.appointments, dialog.customer_id,
                                          dialog.value, self.changed)
            if window._push(command):
                window.statusBar().showMessage(
                    window.tr("Appointment saved. It will remind you before it starts."), 6000)

        dialog.accepted.connect(save)
        self.dialog = dialog
        dialog.open()

    def appointment_done(self, appointment_id: int, done: bool) -> None:
        customer_id = self._appointment_customer(appointment_id)
        if customer_id is not None:
            self.window._push(undo.AppointmentDone(self.session.appointments, appointment_id,
                                                   customer_id, done, self.changed))

    def remove_appointment(self, appointment_id: int) -> None:
        customer_id = self._appointment_customer(appointment_id)
        if customer_id is not None and self.window._push(undo.RemoveAppointment(
                self.session.appointments, appointment_id, customer_id, self.changed)):
            self.window.statusBar().showMessage(
                self.window.tr("Appointment removed. Press Ctrl+Z to undo."), 6000)

    def _appointment_customer(self, appointment_id: int) -> int | None:
        try:
            return self.session.appointments.get(appointment_id).customer_id
        except NotFound:
            return None
