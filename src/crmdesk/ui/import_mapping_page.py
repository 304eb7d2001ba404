"""Step 3 of the import wizard: which field each column of the file goes to, and the order
of dates that could be read either way. Re-exported by `import_pages`.

The fields offered are the customer's, or a sale's (date, amount, who bought, item...) when the
file holds purchases (`ImportState.kind`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDate, QLocale
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from crmdesk.formats import import_mapping
from crmdesk.formats import purchase_import as sales_format
from crmdesk.formats.import_common import cell_text
from crmdesk.formats.import_mapping import IGNORE, MappingError, date_shape

if TYPE_CHECKING:
    from crmdesk.ui.import_pages import ImportState


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportWizard", text)


def field_names() -> dict[str, str]:
    """Every field a column can go to, in plain words."""
    return {
        "first_name": tr("First name"), "last_name": tr("Last name"),
        "name": tr("Full name"), "business_name": tr("Business name"),
        "phone": tr("Phone"), "whatsapp": tr("WhatsApp"), "email": tr("E-mail"),
        "address": tr("Address"), "city": tr("Town or city"), "postcode": tr("Postcode"),
        "country": tr("Country"), "notes": tr("Notes"), "likes": tr("Likes"),
        "dislikes": tr("Dislikes"), "diet": tr("Diet"), "sizes": tr("Sizes"),
        "source": tr("How they found you"), "status": tr("Status"), "tags": tr("Tags"),
        "birthday": tr("Birthday"), "anniversary": tr("Anniversary"),
        "event": tr("Other date"), "kind": tr("Person or business"),
        "other_dates": tr("Other dates (name and date, “;” between)"),
        "do_not_contact": tr("Do not contact (yes/no)"),
        "keep_in_touch_days": tr("Keep in touch (days)"),
        "consent_email": tr("E-mail consent (yes/no)"), "consent_sms": tr("SMS consent (yes/no)"),
        "consent_whatsapp": tr("WhatsApp consent (yes/no)"),
        "consent_phone": tr("Phone consent (yes/no)"),
    }


def sale_field_names() -> dict[str, str]:
    """The fields a column of a till export can go to, in plain words."""
    return {
        "date": tr("Date of the sale"), "amount": tr("Amount (of this row)"),
        "total": tr("Receipt total"), "unit_price": tr("Price each"),
        "quantity": tr("Quantity"), "phone": tr("Customer's phone"),
        "email": tr("Customer's e-mail"), "name": tr("Customer's name"),
        "first_name": tr("Customer's first name"), "last_name": tr("Customer's last name"),
        "product": tr("Product or item"), "category": tr("Category"), "note": tr("Note"),
        "receipt": tr("Receipt or ticket number"),
    }


def date_question(example: str) -> tuple[str, str, str]:
    """The question and both answers for a date such as 03/04/1990."""
    parts = [int(p) for p in re.findall(r"\d+", example)[:2]]
    first, second = (parts + [1, 1])[:2]
    locale = QLocale()

    def named(day: int, month: int) -> str:
        return locale.toString(QDate(2000, month, day), "d MMMM")

    question = tr("Is %1 the %2 or the %3?").replace("%1", example)
    day_first, month_first = named(first, second), named(second, first)
    question = question.replace("%2", day_first).replace("%3", month_first)
    return (question, tr("%1 (day first)").replace("%1", day_first),
            tr("%1 (month first)").replace("%1", month_first))


class MappingPage(QWizardPage):
    """Step 3: which field each column goes to, and the order of ambiguous dates."""

    def __init__(self, state: ImportState, parent=None):
        super().__init__(parent)
        self.state = state
        self.combos: dict[str, QComboBox] = {}
        self.setTitle(tr("Tell the program what each column holds"))
        self.setSubTitle(tr("Columns were matched from their names. Change any that are "
                            "wrong, or choose “Don't import” to leave a column out."))
        self.grid = QTableWidget(0, 3)
        self.grid.setHorizontalHeaderLabels([tr("Column in your file"), tr("Example"),
                                             tr("Goes to")])
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.dates = QGroupBox()
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.day_first = QRadioButton()
        self.month_first = QRadioButton()
        self.order = QButtonGroup(self)
        self.order.addButton(self.day_first)
        self.order.addButton(self.month_first)
        self.day_first.toggled.connect(self._order_chosen)
        self.month_first.toggled.connect(self._order_chosen)
        box = QVBoxLayout(self.dates)
        for widget in (self.question, self.day_first, self.month_first):
            box.addWidget(widget)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.dates)
        layout.addWidget(self.message)

    def purchases(self) -> bool:
        return self.state.kind == "purchases"

    def initializePage(self) -> None:  # noqa: N802
        table = self.state.table
        names = sale_field_names() if self.purchases() else field_names()
        fields = sales_format.FIELDS if self.purchases() else import_mapping.FIELDS
        self.combos = {}
        self.grid.setRowCount(len(table.headers))
        for row, header in enumerate(table.headers):
            example = next((cell_text(r[row]) for r in table.rows if cell_text(r[row]).strip()),
                           "")
            self.grid.setItem(row, 0, QTableWidgetItem(header))
            self.grid.setItem(row, 1, QTableWidgetItem(example))
            combo = QComboBox()
            combo.addItem(tr("Don't import"), IGNORE)
            for key in fields:
                combo.addItem(names[key], key)
            combo.setCurrentIndex(max(0, combo.findData(self.state.mapping.get(header,
                                                                               IGNORE))))
            combo.currentIndexChanged.connect(self._changed)
            self.grid.setCellWidget(row, 2, combo)
            self.combos[header] = combo
        self._changed()

    def set_field(self, header: str, key: str) -> None:
        """Point one column at a field (or IGNORE), as choosing it in its list does."""
        combo = self.combos[header]
        combo.setCurrentIndex(combo.findData(key))

    def _changed(self) -> None:
        table = self.state.table
        self.state.mapping = {h: c.currentData() for h, c in self.combos.items()
                              if c.currentData() != IGNORE}
        orders = self._orders()
        unsure = [h for h, o in orders.items() if o == "ambiguous"]
        self.dates.setVisible(bool(unsure))
        if unsure:
            index = table.headers.index(unsure[0])
            example = next(cell_text(r[index]) for r in table.rows
                           if date_shape(r[index]) == "either")
            question, day_first, month_first = date_question(example)
            self.question.setText(question)
            self.day_first.setText(day_first)
            self.month_first.setText(month_first)
        else:
            self.state.date_order = None
            self.order.setExclusive(False)
            for button in (self.day_first, self.month_first):
                button.setChecked(False)
            self.order.setExclusive(True)
        self.needs_order = bool(unsure)
        mixed = [h for h, o in orders.items() if o == "mixed"]
        problems = []
        problem = self._problem()
        if problem:
            problems.append(problem)
        if mixed:
            problems.append(tr("Some dates in “%1” are written day first and others month "
                               "first; the dates that cannot be read will be listed before "
                               "anything is imported.").replace("%1", mixed[0]))
        self.message.setText("\n".join(problems))
        self.completeChanged.emit()

    def _orders(self) -> dict[str, str]:
        if not self.purchases():
            return import_mapping.date_orders(self.state.table, self.state.mapping)
        order = sales_format.date_order(self.state.table, self.state.mapping)
        header = next((h for h, f in self.state.mapping.items() if f == "date"), None)
        return {header: order} if order and header else {}

    def _problem(self) -> str:
        """Why these columns cannot be imported yet, or ""."""
        try:
            if self.purchases():
                sales_format.check_mapping(self.state.mapping, self.state.table.headers)
            else:
                import_mapping.check_mapping(self.state.mapping, self.state.table.headers)
        except MappingError as exc:
            return str(exc)
        except sales_format.PurchaseMappingError as exc:
            return str(exc)
        return ""

    def _order_chosen(self) -> None:
        if self.day_first.isChecked() or self.month_first.isChecked():
            self.state.date_order = "dmy" if self.day_first.isChecked() else "mdy"
        self.completeChanged.emit()

    def validatePage(self) -> bool:  # noqa: N802  (next() called directly checks too)
        return self.isComplete()

    def isComplete(self) -> bool:  # noqa: N802
        if self.purchases():
            if self._problem():
                return False
        elif not set(self.state.mapping.values()) & {"first_name", "last_name", "name",
                                                     "business_name"}:
            return False
        return not self.needs_order or self.state.date_order is not None

