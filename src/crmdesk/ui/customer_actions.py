"""The window's changes to customers, each one step on the undo stack: add and edit a
customer, log a conversation, move to Trash and back, empty Trash, add and tick follow-ups.

A mixin of MainWindow (it uses the window's session, card, pages, undo stack and
`chosen_ids`/`chosen_id`). Every change goes through `_push`, which tells a validation error,
a customer gone meanwhile, or another crmdesk writing, in words; a save that could not be
written shows its editor again with what was typed, so nothing typed is lost.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from crmdesk.core.customers import NotFound
from crmdesk.core.validation import ValidationError
from crmdesk.core.write_turn import busy_error
from crmdesk.ui import undo
from crmdesk.ui.formatting import count

log = logging.getLogger(__name__)


class CustomerActions:
    def new_customer(self) -> None:
        self.finish_shop_setup()
        self._add_customer_editor(None)

    def _add_customer_editor(self, draft) -> None:
        """The editor for a new customer (`draft`: what was typed before a save that could
        not be written, shown again so nothing typed is lost)."""
        from crmdesk.ui.customers.editor import CustomerEditor

        self.editor = editor = CustomerEditor(self.session.book.validate, draft, self,
                                              known_tags=self.session.customers.tags(),
                                              format_date=self.formatter.date)

        def save() -> None:
            if not self._push(undo.AddCustomer(self.session.book, editor.value, self._changed)):
                QTimer.singleShot(0, lambda: self._add_customer_editor(editor.value))

        editor.accepted.connect(save)
        editor.open()

    def edit_current(self) -> None:
        customer_id = self.chosen_id()
        if customer_id is not None and not self.chosen_in_trash():
            self.edit_customer(customer_id)

    def edit_customer(self, customer_id: int, draft=None) -> None:
        """`draft`: what was typed before a save that another crmdesk kept from being written,
        shown again so nothing typed is lost."""
        from crmdesk.ui.customers.editor import CustomerEditor

        try:
            before = self.session.book.load_input(customer_id)
        except NotFound:
            return
        self.editor = editor = CustomerEditor(self.session.book.validate, draft or before, self,
                                              known_tags=self.session.customers.tags(),
                                              format_date=self.formatter.date)

        def save() -> None:
            if editor.value != before and not self._push(undo.EditCustomer(
                    self.session.book, customer_id, before, editor.value, self._changed)) \
                    and self._busy:
                QTimer.singleShot(0, lambda: self.edit_customer(customer_id, editor.value))

        editor.accepted.connect(save)
        editor.open()

    def log_current(self) -> None:
        page = self.visible_page()
        if page == "today":  # the row's customer, asked in a small dialog (Today stays)
            customer_id = self.chosen_id()
            if customer_id is not None:
                self.today_actions.log_for(customer_id)
            return
        if page == "customers" and self.customers_page.current_id() is not None:
            self.card.focus_log()

    def log_conversation(self, customer_id: int, channel: str, summary: str) -> None:
        if self._push(undo.LogInteraction(self.session.book, customer_id, channel, summary,
                                          self._changed)):
            self.statusBar().showMessage(self.tr("Conversation saved."), 4000)

    def trash_selected(self) -> None:
        if self.visible_page() != "customers":
            return  # never the list's selection while another page is on screen
        ids = self.chosen_ids()
        if ids:
            self.trash(ids)

    def restore_selected(self) -> None:
        if self.visible_page() == "trash":
            ids = self.chosen_ids()
            if ids:
                self.restore(ids)

    def trash(self, ids: list[int]) -> None:
        if self._push(undo.TrashCustomers(self.session.book, ids, self._changed)):
            self.statusBar().showMessage(
                count(len(ids), "Moved %n customer to Trash. Press Ctrl+Z to undo.",
                      "Moved %n customers to Trash. Press Ctrl+Z to undo."), 8000)

    def restore(self, ids: list[int]) -> None:
        if self._push(undo.RestoreCustomers(self.session.book, ids, self._changed)):
            self.statusBar().showMessage(
                count(len(ids), "Restored %n customer.", "Restored %n customers."), 6000)

    def empty_trash(self) -> None:
        n = self.trash_model.rowCount()
        answer = QMessageBox.warning(
            self, self.tr("Empty Trash"),
            count(n, "Erase %n customer in Trash for good, with their dates and conversations?",
                  "Erase %n customers in Trash for good, with their dates and conversations?")
            + "\n\n" + self.tr("This cannot be undone."),
            QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Discard,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        erased = self.session.book.empty_trash()
        self.undo_stack.clear()  # earlier steps may refer to the erased customers
        log.info("emptied Trash: %d customers erased", erased)
        self._changed(None)

    def _add_follow_up(self, customer_id: int, title: str, due) -> None:
        if self._push(undo.AddFollowUp(self.session.book, customer_id, title, due,
                                       self._changed)):
            self.statusBar().showMessage(
                self.tr("Follow-up added. Press Ctrl+Z to undo."), 6000)

    def _toggle_follow_up(self, follow_up_id: int, done: bool) -> None:
        customer_id = self.card.card.id if self.card.card is not None else None
        if self._push(undo.ToggleFollowUp(self.session.book, follow_up_id, customer_id, done,
                                          self._changed)):
            self.statusBar().showMessage(
                (self.tr("Follow-up done. Press Ctrl+Z to undo.") if done
                 else self.tr("Follow-up open again. Press Ctrl+Z to undo.")), 6000)

    def _push(self, command) -> bool:
        def push() -> None:
            count = self.undo_stack.count()
            try:
                self.undo_stack.push(command)
            except Exception:
                if self.undo_stack.count() > count:  # its redo failed: no step to undo
                    command.setObsolete(True)
                    self.undo_stack.undo()  # drops an obsolete command without undoing it
                raise

        return self._guard(push)

    def _guard(self, step) -> bool:
        self._busy = False
        try:
            step()
        except ValidationError as exc:
            QMessageBox.information(self, "crmdesk", "\n".join(exc.errors.values()))
            return False
        except NotFound:
            self.statusBar().showMessage(self.tr("That customer no longer exists."), 6000)
            self._changed(None)
            return False
        except Exception as exc:
            if not busy_error(exc):
                raise
            # Another crmdesk (an import, another window) is writing: nothing was written,
            # said plainly; the window waited only its short busy time.
            self._busy = True
            log.info("a write waited for another crmdesk: %s", exc)
            QMessageBox.information(self, "crmdesk", self.tr(
                "Another crmdesk is writing to this book; try again in a moment."))
            return False
        return True
