"""Add (or change) an appointment: who, which day, what time, where, a note, when to remind.

The dialog checks what was typed with the rules in core (`validate`) when OK is pressed and
shows each problem under its field; it closes only when everything is right. Opened without a
customer (from Today), it starts with a small search to pick one.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, QTime, QTimer
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core.appointments import MAX_LEAD_MINUTES, AppointmentInput
from crmdesk.core.validation import ValidationError
from crmdesk.ui.formatting import Formatter
from crmdesk.ui.widgets import muted_label

#: find(text) -> [(customer id, name, a detail such as the phone or city)]
FindCustomers = Callable[[str], list[tuple[int, str, str]]]
WARNING_COLOUR = "#c0392b"


class AppointmentDialog(QDialog):
    def __init__(self, validate: Callable[[AppointmentInput], AppointmentInput],
                 formatter: Formatter, today: dt.date, default_lead: int = 60,
                 customer: tuple[int, str] | None = None, find: FindCustomers | None = None,
                 before: AppointmentInput | None = None, parent=None):
        super().__init__(parent)
        self._validate = validate
        self._find = find
        self._default_lead = default_lead
        self.customer_id: int | None = customer[0] if customer else None
        self.value: AppointmentInput | None = None
        self.setWindowTitle(self.tr("Change appointment") if before else
                            self.tr("Add appointment"))
        self.setMinimumWidth(440)
        self._errors: dict[str, QLabel] = {}

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        if customer is not None:
            who = QLabel(f"<b>{html.escape(customer[1])}</b>")
            who.setTextFormat(Qt.TextFormat.RichText)
            form.addRow(self.tr("With"), who)
        else:
            form.addRow(self.tr("With"), self._build_chooser())

        # No day until one is chosen: the earliest day stands for "none" and reads so.
        first = today - dt.timedelta(days=1)
        if before is not None and before.on is not None and before.on <= first:
            first = before.on - dt.timedelta(days=1)
        self.day = QDateEdit()
        self.day.setObjectName("appointmentDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat(formatter.date_pattern())
        self.day.setMinimumDate(_qdate(first))
        self.day.setSpecialValueText(self.tr("Choose a day"))
        self.day.setDate(_qdate(before.on) if before and before.on else _qdate(first))
        self.time = QTimeEdit()
        self.time.setObjectName("appointmentTime")
        self.time.setDisplayFormat("HH:mm")
        at = before.at if before and before.at else dt.time(10, 0)
        self.time.setTime(QTime(at.hour, at.minute))
        when = QHBoxLayout()
        when.addWidget(self.day, 1)
        when.addWidget(QLabel(self.tr("at")))
        when.addWidget(self.time)
        form.addRow(self.tr("Day"), self._with_error("on", when, "at"))

        self.place = QLineEdit(before.place if before else "")
        self.place.setPlaceholderText(self.tr("In the shop, at their home, a café…"))
        form.addRow(self.tr("Place"), self._with_error("place", self.place))
        self.note = QPlainTextEdit(before.note if before else "")
        self.note.setPlaceholderText(self.tr("What it is about (optional)"))
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 4 + 12)
        form.addRow(self.tr("Note"), self._with_error("note", self.note))

        self.lead = QSpinBox()
        self.lead.setObjectName("appointmentLead")
        self.lead.setRange(0, MAX_LEAD_MINUTES)
        self.lead.setSingleStep(15)
        self.lead.setSuffix(self.tr(" minutes before"))
        lead = before.lead_minutes if before and before.lead_minutes is not None else default_lead
        self.lead.setValue(lead)
        form.addRow(self.tr("Remind me"), self._with_error("lead_minutes", self.lead))

        self.general = muted_label()
        self.general.setStyleSheet(f"color: {WARNING_COLOUR}")
        self.general.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Save appointment"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        if customer is None:
            self.search.setFocus()
        else:
            self.day.setFocus()

    # --- building ------------------------------------------------------------------------

    def _build_chooser(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setObjectName("appointmentCustomerSearch")
        self.search.setPlaceholderText(self.tr("Type a name, phone or town"))
        self.search.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setObjectName("appointmentCustomers")
        self.matches.setFixedHeight(self.matches.fontMetrics().lineSpacing() * 6 + 16)
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.matches.currentItemChanged.connect(self._chosen)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.run_search)
        column.addWidget(self.search)
        column.addWidget(self.matches)
        self._errors["customer"] = self._error_label()
        column.addWidget(self._errors["customer"])
        self.run_search()
        return box

    def _with_error(self, field: str, widget, second: str | None = None) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if isinstance(widget, QHBoxLayout):
            column.addLayout(widget)
        else:
            column.addWidget(widget)
        for name in (field, second):
            if name:
                self._errors[name] = self._error_label()
                column.addWidget(self._errors[name])
        return box

    def _error_label(self) -> QLabel:
        label = QLabel()
        label.setObjectName("fieldError")
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {WARNING_COLOUR}")
        label.hide()
        return label

    # --- the customer search -------------------------------------------------------------

    def run_search(self) -> None:
        self.matches.blockSignals(True)
        self.matches.clear()
        found = self._find(self.search.text().strip()) if self._find else []
        for customer_id, name, detail in found:
            item = QListWidgetItem(f"{name} — {detail}" if detail else name)
            item.setData(Qt.ItemDataRole.UserRole, customer_id)
            self.matches.addItem(item)
            if customer_id == self.customer_id:
                self.matches.setCurrentItem(item)
        if not found:
            item = QListWidgetItem(self.tr("No customer matches."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.matches.addItem(item)
        self.matches.blockSignals(False)
        if self.customer_id is None and found and len(found) == 1:
            self.matches.setCurrentRow(0)

    def _chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        customer_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        if customer_id is not None:
            self.customer_id = customer_id
            self._errors["customer"].hide()

    # --- OK --------------------------------------------------------------------------------

    def current_input(self) -> AppointmentInput:
        day = self.day.date()
        on = None if day == self.day.minimumDate() else dt.date(day.year(), day.month(),
                                                                 day.day())
        time = self.time.time()
        lead = self.lead.value()
        return AppointmentInput(on, dt.time(time.hour(), time.minute()), self.place.text(),
                                self.note.toPlainText(),
                                None if lead == self._default_lead else lead)

    def accept(self) -> None:
        for label in self._errors.values():
            label.hide()
        self.general.hide()
        errors = {}
        data = self.current_input()
        try:
            data = self._validate(data)
        except ValidationError as exc:
            errors.update(exc.errors)
        if "customer" in self._errors and self.customer_id is None:
            errors["customer"] = self.tr("Choose who the appointment is with.")
        if errors:
            self.show_errors(errors)
            return
        self.value = data
        super().accept()

    def show_errors(self, errors: dict[str, str]) -> None:
        other = []
        for field, message in errors.items():
            label = self._errors.get(field)
            if label is None:
                other.append(message)
            else:
                label.setText(self.tr(message))
                label.show()
        if other:
            self.general.setText("\n".join(self.tr(m) for m in other))
            self.general.show()
        focus = {"customer": getattr(self, "search", None), "on": self.day, "at": self.time,
                 "place": self.place, "note": self.note, "lead_minutes": self.lead}
        for field in errors:
            if focus.get(field) is not None:
                focus[field].setFocus()
                break


def _qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)
