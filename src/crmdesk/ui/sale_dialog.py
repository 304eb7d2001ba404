"""Record a sale in a few seconds: who (filled in from the card), the day (today), the amount,
what they bought (names from the shop's list offered while typing; free words are fine) and a
note. Enter saves.

The amount is read as this computer writes money ("12,50" in Germany) and checked as it is
typed; everything else is checked by core (`Sales.validate`) on Save, each problem shown under
its field. Opened without a customer (toolbar, menu), it starts with a small search.
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from crmdesk.core.sales import SaleInput
from crmdesk.core.validation import ValidationError
from crmdesk.ui.dialog_parts import (
    WARNING_COLOUR,
    CustomerPicker,
    FindCustomers,
    qdate,
    save_cancel_layout,
    show_field_errors,
    with_error,
)
from crmdesk.ui.formatting import Formatter


class ItemsCompleter(QCompleter):
    """Completes the name being typed after the last comma: "Coffee, cro" -> "Coffee,
    Croissant"."""

    def __init__(self, names: list[str], parent=None):
        super().__init__(parent)
        self.setModel(QStringListModel(names, self))  # owned by the completer
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def splitPath(self, path: str) -> list[str]:  # noqa: N802
        last = path.rsplit(",", 1)[-1].strip()
        # "2 x Croissant": complete the name, not the count
        head, sep, rest = last.partition(" x ")
        return [rest.strip() if sep and head.strip().isdigit() else last]

    def pathFromIndex(self, index) -> str:  # noqa: N802
        name = super().pathFromIndex(index)
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        before, comma, last = text.rpartition(",")
        head, sep, _rest = last.strip().partition(" x ")
        if sep and head.strip().isdigit():
            name = f"{head.strip()} x {name}"
        return f"{before}{comma} {name}" if comma else name


class SaleDialog(QDialog):
    def __init__(self, sales, formatter: Formatter, today: dt.date,
                 customer: tuple[int, str] | None = None, find: FindCustomers | None = None,
                 before=None, loyalty=None, parent=None):
        super().__init__(parent)
        self._sales = sales
        self._loyalty = loyalty  # core.loyalty.Loyalty: the customer's card, as a hint
        self._fmt = formatter
        self._find = find
        self.customer_id: int | None = customer[0] if customer else None
        self.customer_name = customer[1] if customer else ""
        self.value: SaleInput | None = None
        self._errors: dict[str, QLabel] = {}
        self.loyalty_hint = QLabel()
        self.loyalty_hint.setObjectName("saleLoyalty")
        self.loyalty_hint.setWordWrap(True)
        self.loyalty_hint.setStyleSheet("color: palette(placeholder-text);")
        self.loyalty_hint.hide()
        self.loyalty_label = QLabel(self.tr("Loyalty"))  # says what the bare number is
        self.loyalty_label.hide()
        self.before = before  # a SaleView when changing a sale
        self.setWindowTitle(self.tr("Change a sale") if before else self.tr("Record a sale"))
        self.setMinimumWidth(460)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        if customer is not None:
            who = QLabel(f"<b>{html.escape(customer[1])}</b>")
            who.setTextFormat(Qt.TextFormat.RichText)
            form.addRow(self.tr("Customer"), who)
        else:
            form.addRow(self.tr("Customer"), self._build_chooser())

        self.day = QDateEdit()
        self.day.setObjectName("saleDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat(formatter.date_pattern())
        self.day.setMaximumDate(qdate(today))
        self.day.setDate(qdate(before.on if before else today))
        form.addRow(self.tr("Day"), self._with_error("on", self.day))

        self.amount = QLineEdit()
        self.amount.setObjectName("saleAmount")
        symbol = formatter.currency_symbol()
        self.amount.setPlaceholderText(
            self.tr("Amount in %1, such as %2").replace("%1", symbol or self.tr("money"))
            .replace("%2", formatter.money_plain(1250)))
        self.amount.textChanged.connect(self._check_amount)
        form.addRow(self.tr("Amount"), self._with_error("total", self.amount))

        self.items = QLineEdit()
        self.items.setObjectName("saleItems")
        self.items.setPlaceholderText(self.tr("What they bought, such as: 2 x Croissant, Coffee "
                                              "(optional)"))
        self.items.setCompleter(ItemsCompleter(sales.item_names(), self.items))
        self.items.textChanged.connect(self._update_hint)
        items_error: dict[str, QLabel] = {}  # apart: core names these "items.<n>"
        form.addRow(self.tr("Items"), with_error(items_error, "items", self.items))
        self.items_error = items_error["items"]

        self.note = QLineEdit()
        self.note.setObjectName("saleNote")
        if before is not None:
            self.amount.setText(formatter.money_plain(before.total_minor))
            self.items.setText(", ".join(
                f"{i.quantity} x {i.text}" if i.quantity != 1 else i.text
                for i in before.items if i.text))
            self.note.setText(before.note)
        self.note.setPlaceholderText(self.tr("A note (optional)"))
        form.addRow(self.tr("Note"), self._with_error("note", self.note))

        form.addRow(self.loyalty_label, self.loyalty_hint)

        self.general = QLabel()
        self.general.setWordWrap(True)
        self.general.setStyleSheet(f"color: {WARNING_COLOUR}")
        self.general.hide()
        self.buttons = save_cancel_layout(self, form, self.general, self.tr("Save sale"))
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setDefault(True)
        if customer is None:
            self.search.setFocus()
        else:
            self.amount.setFocus()
        self._update_loyalty()

    # --- building --------------------------------------------------------------------------

    def _build_chooser(self) -> QWidget:
        self.chooser = CustomerPicker(self._find, lambda: self.customer_id, "sale", rows=5)
        self.chooser.chosen.connect(self._chosen)
        self.search, self.matches = self.chooser.search, self.chooser.matches
        self.run_search = self.chooser.run_search
        self._errors["customer"] = self.chooser.error
        self.run_search()
        return self.chooser

    def _with_error(self, field: str, widget: QWidget) -> QWidget:
        return with_error(self._errors, field, widget)

    def _chosen(self, customer_id: int, name: str) -> None:
        self.customer_id, self.customer_name = customer_id, name
        self._update_loyalty()

    # --- checking as it is typed -----------------------------------------------------------

    def _amount(self) -> int | None:
        """The amount typed (None when empty); ValueError when it is not an amount."""
        text = self.amount.text().strip()
        return self._fmt.parse_money(text) if text else None

    def _check_amount(self) -> None:
        label = self._errors["total"]
        try:
            self._amount()
        except ValueError as exc:
            label.setText(self.tr("%1. Type it like %2.").replace("%1", str(exc)).replace(
                "%2", self._fmt.money_plain(1250)))
            label.show()
            return
        label.hide()
        self._update_hint()
        self._update_loyalty()

    def _update_loyalty(self) -> None:
        """Where the customer stands in the loyalty program, and what this sale adds."""
        if self._loyalty is None or self.customer_id is None or self.before is not None:
            self.loyalty_hint.hide()
            self.loyalty_label.hide()
            return
        from crmdesk.core.loyalty import points_for

        program = self._loyalty.program()
        if not program.active:
            self.loyalty_hint.hide()
            self.loyalty_label.hide()
            return
        balance = self._loyalty.balance(self.customer_id)
        first = program.rewards[0]
        if program.mode == "stamps":
            text = self.tr("Stamp card: %1 of %2.").replace("%1", str(balance)).replace(
                "%2", str(first.points))
            if balance + 1 >= first.points:
                text += " " + self.tr("This sale earns %1.").replace("%1", first.text)
        else:
            text = (self.tr("1 point.") if balance == 1
                    else self.tr("%1 points.").replace("%1", str(balance)))
            try:
                amount = self._amount()
            except ValueError:
                amount = None
            earned = points_for(amount or 0, self._fmt.currency(), program.points_per_unit)
            if earned:
                text += " " + self.tr("This sale adds %1.").replace("%1", str(earned))
                reached = [r for r in program.rewards if balance < r.points <= balance + earned]
                if reached:
                    text += " " + self.tr("Then %1 is due.").replace("%1", reached[-1].text)
        self.loyalty_hint.setText(text)
        self.loyalty_hint.show()
        self.loyalty_label.show()

    def _update_hint(self) -> None:
        """With no amount typed, say what the items' prices add up to."""
        if self.amount.text().strip():
            return
        try:
            data = self._sales.validate(self._input(None))
        except ValidationError:
            self.amount.setToolTip("")
            return
        self.amount.setToolTip(self.tr("Leave empty for %1, from the items' prices").replace(
            "%1", self._fmt.money(data.total_minor)))

    # --- Save --------------------------------------------------------------------------------

    def _input(self, total: int | None) -> SaleInput:
        day = self.day.date()
        return SaleInput(self.customer_id, dt.date(day.year(), day.month(), day.day()), total,
                         self._sales.parse_items(self.items.text()), self.note.text())

    def accept(self) -> None:
        for label in (*self._errors.values(), self.items_error, self.general):
            label.hide()
        errors: dict[str, str] = {}
        total = None
        try:
            total = self._amount()
        except ValueError as exc:
            errors["total"] = str(exc)
        data = None
        try:
            data = self._sales.validate(self._input(total))
        except ValidationError as exc:
            for field, message in exc.errors.items():
                if field != "total" or "total" not in errors:
                    errors[field] = message
        if "customer" in self._errors and self.customer_id is None:
            errors["customer"] = self.tr("Choose who bought it.")
        if errors:
            self.show_errors(errors)
            return
        self.value = data
        super().accept()

    def show_errors(self, errors: dict[str, str]) -> None:
        focus = {"customer": getattr(self, "search", None), "on": self.day,
                 "total": self.amount, "note": self.note}
        show_field_errors(
            errors, lambda f: self.items_error if f.startswith("items.") else self._errors.get(f),
            lambda f: self.items if f.startswith("items.") else focus.get(f), self.general,
            self.tr)
