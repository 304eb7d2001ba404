"""Parts the record dialogs share (a sale, an appointment): a field with its error line below
it, the problems found on Save shown under their fields, and the small customer search shown
when a dialog is opened without a customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core.model import ListQuery

#: find(text) -> [(customer id, name, a detail such as the phone or city)]
FindCustomers = Callable[[str], list[tuple[int, str, str]]]
WARNING_COLOUR = "#c0392b"
_NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def find_customers(customers, formatter, text: str) -> list[tuple[int, str, str]]:
    """The customers a dialog's search finds (at most 30): id, name, and phone · town."""
    ids = customers.find_ids(ListQuery(text=text), limit=30)
    rows = customers.rows(ids)
    return [(i, rows[i].name, " · ".join(x for x in (formatter.phone(rows[i].phone),
                                                     rows[i].city) if x))
            for i in ids if i in rows]


def qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def error_label() -> QLabel:
    """A field's error line: hidden until there is something to say."""
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {WARNING_COLOUR}")
    label.hide()
    return label


def with_error(errors: dict[str, QLabel], field: str, widget: QWidget | QLayout,
               second: str | None = None) -> QWidget:
    """`widget` (or a layout) with the error line of `field` under it, and of `second` if
    given; the lines are kept in `errors` by field."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    if isinstance(widget, QLayout):
        column.addLayout(widget)
    else:
        column.addWidget(widget)
    for name in (field, second):
        if name:
            errors[name] = error_label()
            column.addWidget(errors[name])
    return box


def save_cancel_layout(dialog: QDialog, form: QFormLayout, general: QLabel,
                       save_text: str) -> QDialogButtonBox:
    """Lay the dialog out: the form, the line for problems of no field, then Save (named
    `save_text`) and Cancel, which accept and reject it. Returns the buttons."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(save_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(general)
    layout.addWidget(buttons)
    return buttons


def show_field_errors(errors: dict[str, str], label_for: Callable[[str], QLabel | None],
                      widget_for: Callable[[str], QWidget | None], general: QLabel,
                      tr: Callable[[str], str]) -> None:
    """Each problem (field -> message, from core) under its field, those of no field in
    `general`; the first field with a problem gets the focus."""
    other = []
    for field, message in errors.items():
        label = label_for(field)
        if label is None:
            other.append(message)
        else:
            label.setText(tr(message))
            label.show()
    if other:
        general.setText("\n".join(tr(m) for m in other))
        general.show()
    for field in errors:
        widget = widget_for(field)
        if widget is not None:
            widget.setFocus()
            break


class CustomerPicker(QWidget):
    """A search box and the customers it finds (searched a moment after typing stops), and an
    error line under them. Picking one emits `chosen(id, name)`; so does a search that finds
    exactly one customer, always (`single_match="always"`) or only while nobody is chosen
    (`single_match="first"`). `current()` says who is chosen now, to show them picked."""

    chosen = Signal(object, str)

    def __init__(self, find: FindCustomers | None, current: Callable[[], int | None],
                 name: str, rows: int, single_match: str = "always", parent=None):
        super().__init__(parent)
        self._find, self._current, self._single_match = find, current, single_match
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setObjectName(f"{name}CustomerSearch")
        self.search.setPlaceholderText(self.tr("Type a name, phone or town"))
        self.search.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setObjectName(f"{name}Customers")
        self.matches.setFixedHeight(self.matches.fontMetrics().lineSpacing() * rows + 16)
        self.matches.currentItemChanged.connect(self._picked)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.error = error_label()
        column.addWidget(self.search)
        column.addWidget(self.matches)
        column.addWidget(self.error)

    def run_search(self) -> None:
        self._timer.stop()
        self.matches.blockSignals(True)
        self.matches.clear()
        found = self._find(self.search.text().strip()) if self._find else []
        for customer_id, name, detail in found:
            item = QListWidgetItem(f"{name} — {detail}" if detail else name)
            item.setData(Qt.ItemDataRole.UserRole, customer_id)
            item.setData(_NAME_ROLE, name)
            self.matches.addItem(item)
            if customer_id == self._current():
                self.matches.setCurrentItem(item)
        if not found:
            item = QListWidgetItem(self.tr("No customer matches."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.matches.addItem(item)
        pick = len(found) == 1 and (self._single_match == "always" or self._current() is None)
        if pick:
            self.matches.setCurrentRow(0)
        self.matches.blockSignals(False)
        if pick:
            self._picked(self.matches.currentItem())

    def _picked(self, item: QListWidgetItem | None, _previous=None) -> None:
        customer_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        if customer_id is not None:
            self.error.hide()
            self.chosen.emit(customer_id, item.data(_NAME_ROLE))
