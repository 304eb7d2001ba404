"""Undoable edits: every change the user makes to the book goes through one of these commands.

Each command calls the rules in `core` and then `changed(customer_id)`, so the window refreshes.
Nothing is ever erased by an undo: undoing an add sends the customer to Trash.
"""

from __future__ import annotations

from collections.abc import Callable

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
