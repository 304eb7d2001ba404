"""Sales and loyalty in the window: the "Record a sale" action (toolbar, Sales menu,
Ctrl+Shift+S), "Products and categories…", the card's Purchases part and its buttons.

`install(window)` is called once by the main window (after its menus are built). Every change
goes through the window's undo stack; the card is filled from one `Sales.summary` call each time
it is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from crmdesk.core.customers import NotFound
from crmdesk.ui import dialog_parts, undo
from crmdesk.ui.customers.card_sales import sale_icon

SHORTCUT = "Ctrl+Shift+S"


def install(window) -> SalesActions:
    """Add the sales actions to `window` (a MainWindow). Once only: a second call returns the
    first one's object."""
    existing = getattr(window, "sales_actions", None)
    if existing is not None:
        return existing
    window.sales_actions = SalesActions(window)
    return window.sales_actions


class SalesActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = window.session
        # New sales are written in the computer's currency when the shop has not chosen one.
        locale = window.formatter.locale
        self.session.fallback_currency = locale.currencySymbol(
            locale.CurrencySymbolFormat.CurrencyIsoCode)
        self.dialog = None
        self.catalogue_dialog = None

        self.record_action = QAction(sale_icon(), self.tr("Record a sale…"), window)
        self.record_action.setObjectName("recordSaleAction")
        self.record_action.setShortcut(QKeySequence(SHORTCUT))
        tip = self.tr("Write down what a customer bought (%1)").replace("%1", SHORTCUT)
        self.record_action.setToolTip(tip)
        self.record_action.setStatusTip(tip)
        self.record_action.triggered.connect(self.record_for_current)
        self.catalogue_action = QAction(self.tr("Products and categories…"), window)
        self.catalogue_action.setObjectName("catalogueAction")
        self.catalogue_action.setStatusTip(self.tr("The list of what the shop sells"))
        self.catalogue_action.triggered.connect(self.open_catalogue)
        self.loyalty_action = QAction(self.tr("Loyalty program…"), window)
        self.loyalty_action.setStatusTip(self.tr("Points or a stamp card, and the rewards"))
        self.loyalty_action.triggered.connect(self.open_loyalty_settings)

        toolbar = window.findChild(QToolBar, "mainToolbar")
        if toolbar is not None:
            trash = getattr(window, "trash_action", None)
            if trash is not None and trash in toolbar.actions():
                toolbar.insertAction(trash, self.record_action)
            else:
                toolbar.addAction(self.record_action)
        self.menu = QMenu(self.tr("&Sales"), window)
        self.menu.setObjectName("salesMenu")
        for action in (self.record_action, None, self.catalogue_action, self.loyalty_action):
            self.menu.addSeparator() if action is None else self.menu.addAction(action)
        bar = window.menuBar()
        before = next((a for a in bar.actions() if a.text().replace("&", "") in ("Go", "Help")),
                      None)
        if before is not None:
            bar.insertMenu(before, self.menu)
        else:
            bar.addMenu(self.menu)

        card = window.card
        card.shown.connect(self.fill_card)
        card.sales.recordRequested.connect(
            lambda: card.card is not None and self.record_sale(card.card.id))
        card.sales.removeRequested.connect(
            lambda purchase_id: card.card is not None and self.remove_sale(purchase_id,
                                                                            card.card.id))
        card.sales.changeRequested.connect(self.change_sale)
        card.sales.redeemRequested.connect(
            lambda reward: card.card is not None and self.redeem(card.card.id, reward))
        if card.card is not None:
            self.fill_card(card.card.id, card.card.deleted_at is not None)

    # --- the card --------------------------------------------------------------------------

    def fill_card(self, customer_id: int, in_trash: bool = False) -> None:
        session = self.session
        self.window.card.sales.show_sales(session.sales.summary(customer_id),
                                          session.loyalty.program(), read_only=in_trash)

    def changed(self, customer_id: int | None) -> None:
        self.window._changed(customer_id)

    # --- recording -------------------------------------------------------------------------

    def find_customers(self, text: str) -> list[tuple[int, str, str]]:
        return dialog_parts.find_customers(self.session.customers, self.window.formatter, text)

    def record_for_current(self) -> None:
        """From the toolbar or menu: for the customer whose card is open, else ask who."""
        window = self.window
        chosen = window.chosen_id() if window.visible_page() in ("customers", "today") else None
        self.record_sale(chosen)  # None: the dialog asks who

    def record_sale(self, customer_id: int | None) -> None:
        from crmdesk.ui.sale_dialog import SaleDialog

        session, window = self.session, self.window
        customer = None
        if customer_id is not None:
            try:
                customer = (customer_id, session.book.card(customer_id).name)
            except NotFound:
                return
        dialog = SaleDialog(session.sales, window.formatter, session.today(), customer=customer,
                            find=self.find_customers, loyalty=session.loyalty, parent=window)
        dialog.accepted.connect(lambda: self.save_sale(dialog.value, dialog.customer_name))
        self.dialog = dialog
        dialog.open()

    def save_sale(self, data, name: str = "") -> bool:
        session, window = self.session, self.window
        before = session.loyalty.rewards_for(data.customer_id)
        if not window._push(undo.RecordSale(session.sales, data, self.changed)):
            return False
        message = self.tr("Sale saved: %1 for %2.").replace(
            "%1", window.formatter.money(data.total_minor)).replace("%2", name)
        new = [r for r in session.loyalty.rewards_for(data.customer_id) if r not in before]
        if new:
            message += " " + self.tr("%1 can now have %2!").replace("%1", name).replace(
                "%2", new[0].text)
        window.statusBar().showMessage(message + " " + self.tr("Press Ctrl+Z to undo."), 8000)
        return True

    def change_sale(self, purchase_id: int) -> None:
        from crmdesk.ui.sale_dialog import SaleDialog

        session, window = self.session, self.window
        try:
            before = session.sales.get(purchase_id)
            name = session.book.card(before.customer_id).name
        except NotFound:
            return
        dialog = SaleDialog(session.sales, window.formatter, session.today(),
                            customer=(before.customer_id, name), before=before, parent=window)

        def save() -> None:
            if window._push(undo.EditSale(session.sales, purchase_id, before.as_input(),
                                          dialog.value, self.changed)):
                window.statusBar().showMessage(
                    self.tr("Sale changed. Press Ctrl+Z to undo."), 8000)

        dialog.accepted.connect(save)
        self.dialog = dialog
        dialog.open()

    def remove_sale(self, purchase_id: int, customer_id: int | None) -> bool:
        window = self.window
        if not window._push(undo.RemoveSale(self.session.sales, purchase_id, customer_id,
                                            self.changed)):
            return False
        window.statusBar().showMessage(
            self.tr("Sale removed. Press Ctrl+Z to undo."), 8000)
        return True

    # --- loyalty ---------------------------------------------------------------------------

    def redeem(self, customer_id: int, reward=None) -> bool:
        window = self.window
        if not window._push(undo.RedeemReward(self.session.loyalty, customer_id, reward,
                                              self.changed)):
            return False
        window.statusBar().showMessage(
            self.tr("Reward given and noted in the conversations. Press Ctrl+Z to undo."), 8000)
        return True

    def open_loyalty_settings(self) -> None:
        self.window.open_settings()
        dialog = getattr(self.window, "settings_dialog", None)
        if dialog is not None and hasattr(dialog, "show_loyalty"):
            dialog.show_loyalty()

    # --- the catalogue ---------------------------------------------------------------------

    def open_catalogue(self) -> None:
        from crmdesk.ui.catalogue_dialog import CatalogueDialog

        dialog = CatalogueDialog(self.session.sales.catalogue, self.window.formatter,
                                 self.window)
        self.catalogue_dialog = dialog
        dialog.open()
