"""Undoable edits: every change the user makes to the book goes through one of these commands.

Each command calls the rules in `core` and then `changed(customer_id)`, so the window refreshes.
Nothing is ever erased by an undo: undoing an add sends the customer to Trash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from crmdesk.core.customers import CustomerBook
from crmdesk.core.model import CustomerInput
from crmdesk.ui.formatting import count as plural

Changed = Callable[[int | None], None]


def tr(text: str) -> str:
    return QCoreApplication.translate("Undo", text)


class AddCustomer(QUndoCommand):
    def __init__(self, book: CustomerBook, data: CustomerInput, changed: Changed):
        super().__init__(tr("add customer"))
        self.book, self.data, self.changed = book, data, changed
        self.customer_id: int | None = None

    def redo(self) -> None:
        if self.customer_id is None:
            self.customer_id = self.book.create(self.data)
        else:
            self.book.restore([self.customer_id])
        self.changed(self.customer_id)

    def undo(self) -> None:
        self.book.trash([self.customer_id])
        self.changed(None)


class EditCustomer(QUndoCommand):
    def __init__(self, book: CustomerBook, customer_id: int, before: CustomerInput,
                 after: CustomerInput, changed: Changed):
        super().__init__(tr("edit customer"))
        self.book, self.customer_id, self.changed = book, customer_id, changed
        self.before, self.after = before, after

    def redo(self) -> None:
        self.book.update(self.customer_id, self.after)
        # Dates added by the edit get ids now; keep them for a later undo/redo round.
        self.after = self.book.load_input(self.customer_id)
        self.changed(self.customer_id)

    def undo(self) -> None:
        self.book.update(self.customer_id, self.before)
        self.before = self.book.load_input(self.customer_id)
        self.changed(self.customer_id)


class TrashCustomers(QUndoCommand):
    def __init__(self, book: CustomerBook, customer_ids: list[int], changed: Changed):
        super().__init__(plural(len(customer_ids), "move %n customer to Trash", "move %n customers to Trash"))
        self.book, self.ids, self.changed = book, list(customer_ids), changed

    def redo(self) -> None:
        self.book.trash(self.ids)
        self.changed(None)

    def undo(self) -> None:
        self.book.restore(self.ids)
        self.changed(self.ids[0] if self.ids else None)


class RestoreCustomers(QUndoCommand):
    def __init__(self, book: CustomerBook, customer_ids: list[int], changed: Changed):
        super().__init__(plural(len(customer_ids), "restore %n customer", "restore %n customers"))
        self.book, self.ids, self.changed = book, list(customer_ids), changed

    def redo(self) -> None:
        self.book.restore(self.ids)
        self.changed(self.ids[0] if self.ids else None)

    def undo(self) -> None:
        self.book.trash(self.ids)
        self.changed(None)


class LogInteraction(QUndoCommand):
    def __init__(self, book: CustomerBook, customer_id: int, channel: str, summary: str,
                 changed: Changed):
        super().__init__(tr("log a conversation"))
        self.book, self.customer_id, self.changed = book, customer_id, changed
        self.channel, self.summary = channel, summary
        self.entry_id: int | None = None

    def redo(self) -> None:
        self.entry_id = self.book.log_interaction(self.customer_id, self.channel, self.summary)
        self.changed(self.customer_id)

    def undo(self) -> None:
        if self.entry_id is not None:
            self.book.remove_interaction(self.entry_id)
        self.changed(self.customer_id)


class AddFollowUp(QUndoCommand):
    """A follow-up added on the card; undo takes it away again, redo puts it back."""

    def __init__(self, book: CustomerBook, customer_id: int, title: str, due_on: dt.date,
                 changed: Changed):
        super().__init__(tr("add a follow-up"))
        self.book, self.customer_id, self.changed = book, customer_id, changed
        self.title, self.due_on = title, due_on
        self.follow_up_id: int | None = None

    def redo(self) -> None:
        self.follow_up_id = self.book.add_follow_up(self.customer_id, self.title, self.due_on)
        self.changed(self.customer_id)

    def undo(self) -> None:
        if self.follow_up_id is not None:
            self.book.remove_follow_up(self.follow_up_id)
            self.follow_up_id = None
        self.changed(self.customer_id)


class ToggleFollowUp(QUndoCommand):
    """A follow-up ticked (done) or unticked on the card; undo puts the tick back."""

    def __init__(self, book: CustomerBook, follow_up_id: int, customer_id: int | None,
                 done: bool, changed: Changed):
        super().__init__(tr("tick a follow-up") if done else tr("untick a follow-up"))
        self.book, self.follow_up_id, self.customer_id = book, follow_up_id, customer_id
        self.done, self.changed = done, changed

    def redo(self) -> None:
        self.book.set_follow_up_done(self.follow_up_id, self.done)
        self.changed(self.customer_id)

    def undo(self) -> None:
        self.book.set_follow_up_done(self.follow_up_id, not self.done)
        self.changed(self.customer_id)


# --- reminders and appointments (the Today page and the card) ----------------------------

REMINDER_STEPS = {"snoozed": "snooze a reminder", "dismissed": "dismiss a reminder",
                  "done": "mark a reminder done"}


class HandleReminder(QUndoCommand):
    """Snooze, dismiss or mark done one reminder (optionally logging a conversation).

    Undo makes it due again as it was before: the recorded state is forgotten (and put back
    to "shown" or an earlier snooze if it had one, so no notification comes twice), a
    follow-up or appointment marked done is opened again, a logged conversation removed.
    """

    def __init__(self, session, occurrence, state: str, changed: Changed, *,
                 until=None, summary: str | None = None, channel: str = "other",
                 before=None):
        super().__init__(tr(REMINDER_STEPS[state]))
        self.session, self.occurrence, self.state, self.changed = (session, occurrence, state,
                                                                   changed)
        self.until, self.summary, self.channel = until, summary, channel
        self.before = before  # core.reminders.Delivery recorded before, or None
        self.entry_id: int | None = None

    def redo(self) -> None:
        occ, session = self.occurrence, self.session
        if self.state == "snoozed":
            session.snooze_reminder(occ, self.until)
        elif self.state == "dismissed":
            session.dismiss_reminder(occ)
        else:
            self.entry_id = session.reminder_done(occ, self.summary, self.channel)
        self.changed(occ.customer_id)

    def undo(self) -> None:
        occ, session = self.occurrence, self.session
        session.forget_reminder(occ)
        before = self.before
        if before is not None and before.state == "shown":
            session.reminders_shown([occ])
        elif before is not None and before.state == "snoozed" and before.snoozed_until:
            until = before.snoozed_until.replace(tzinfo=dt.UTC)
            if until > session.now():
                session.snooze_reminder(occ, until)
        if self.state == "done":
            if occ.kind == "follow_up":
                session.book.set_follow_up_done(occ.source_id, False)
            elif occ.kind == "appointment":
                session.appointments.set_done(occ.source_id, False)
            if self.entry_id is not None:
                session.book.remove_interaction(self.entry_id)
                self.entry_id = None
        self.changed(occ.customer_id)


class AddAppointment(QUndoCommand):
    """Undo removes it (keeping what `restore` needs); redo puts it back with the same id."""

    def __init__(self, appointments, customer_id: int, data, changed: Changed):
        super().__init__(tr("add an appointment"))
        self.appointments, self.customer_id, self.data = appointments, customer_id, data
        self.changed = changed
        self.appointment_id: int | None = None
        self.removed = None

    def redo(self) -> None:
        if self.removed is None:
            self.appointment_id = self.appointments.add(self.customer_id, self.data)
        else:
            self.appointment_id = self.appointments.restore(self.removed)
        self.changed(self.customer_id)

    def undo(self) -> None:
        self.removed = self.appointments.remove(self.appointment_id)
        self.changed(self.customer_id)


class RemoveAppointment(QUndoCommand):
    def __init__(self, appointments, appointment_id: int, customer_id: int, changed: Changed):
        super().__init__(tr("remove an appointment"))
        self.appointments, self.appointment_id = appointments, appointment_id
        self.customer_id, self.changed = customer_id, changed
        self.removed = None

    def redo(self) -> None:
        self.removed = self.appointments.remove(self.appointment_id)
        self.changed(self.customer_id)

    def undo(self) -> None:
        self.appointment_id = self.appointments.restore(self.removed)
        self.changed(self.customer_id)


class AppointmentDone(QUndoCommand):
    def __init__(self, appointments, appointment_id: int, customer_id: int, done: bool,
                 changed: Changed):
        super().__init__(tr("mark an appointment done") if done
                         else tr("open an appointment again"))
        self.appointments, self.appointment_id = appointments, appointment_id
        self.customer_id, self.done, self.changed = customer_id, done, changed

    def redo(self) -> None:
        self.appointments.set_done(self.appointment_id, self.done)
        self.changed(self.customer_id)

    def undo(self) -> None:
        self.appointments.set_done(self.appointment_id, not self.done)
        self.changed(self.customer_id)


# --- sales and loyalty (the card, the quick-sale dialog, Today) ---------------------------


@contextmanager
def _obsolete_on_error(command: QUndoCommand):
    """A command whose first redo fails is dropped by the stack, not kept as an empty step."""
    try:
        yield
    except Exception:
        command.setObsolete(True)
        raise


class RecordSale(QUndoCommand):
    """Undo removes the sale (with the points or stamp it earned); redo puts it back, with
    the same id."""

    def __init__(self, sales, data, changed: Changed):
        super().__init__(tr("record a sale"))
        self.sales, self.data, self.changed = sales, data, changed
        self.purchase_id: int | None = None
        self.removed = None

    def redo(self) -> None:
        if self.removed is None:
            with _obsolete_on_error(self):
                self.purchase_id = self.sales.record(self.data)
        else:
            self.purchase_id = self.sales.restore(self.removed)
        self.changed(self.data.customer_id)

    def undo(self) -> None:
        self.removed = self.sales.remove(self.purchase_id)
        self.changed(self.data.customer_id)


class EditSale(QUndoCommand):
    def __init__(self, sales, purchase_id: int, before, after, changed: Changed):
        super().__init__(tr("change a sale"))
        self.sales, self.purchase_id, self.changed = sales, purchase_id, changed
        self.before, self.after = before, after  # SaleInput

    def redo(self) -> None:
        with _obsolete_on_error(self):
            self.sales.update(self.purchase_id, self.after)
        self.changed(self.after.customer_id)

    def undo(self) -> None:
        self.sales.update(self.purchase_id, self.before)
        self.changed(self.before.customer_id)


class RemoveSale(QUndoCommand):
    def __init__(self, sales, purchase_id: int, customer_id: int | None, changed: Changed):
        super().__init__(tr("remove a sale"))
        self.sales, self.purchase_id, self.customer_id = sales, purchase_id, customer_id
        self.changed = changed
        self.removed = None

    def redo(self) -> None:
        with _obsolete_on_error(self):
            self.removed = self.sales.remove(self.purchase_id)
        self.changed(self.customer_id)

    def undo(self) -> None:
        self.purchase_id = self.sales.restore(self.removed)
        self.changed(self.customer_id)


class RedeemReward(QUndoCommand):
    """Give a loyalty reward; undo gives the points back and removes the logged visit."""

    def __init__(self, loyalty, customer_id: int, reward, changed: Changed):
        super().__init__(tr("redeem a reward"))
        self.loyalty, self.customer_id, self.reward = loyalty, customer_id, reward
        self.changed = changed
        self.redeemed = None

    def redo(self) -> None:
        with _obsolete_on_error(self):
            self.redeemed = self.loyalty.redeem(self.customer_id, self.reward)
        self.changed(self.customer_id)

    def undo(self) -> None:
        if self.redeemed is not None:
            self.loyalty.undo_redeem(self.redeemed)
            self.redeemed = None
        self.changed(self.customer_id)
