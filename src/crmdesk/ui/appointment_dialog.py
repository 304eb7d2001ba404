"""Add (or change) an appointment: who, which day, what time, where, a note, when to remind.

The dialog checks what was typed with the rules in core (`validate`) when OK is pressed and
shows each problem under its field; it closes only when everything is right. Opened without a
customer (from Today), it starts with a small search to pick one.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from crmdesk.core.appointments import MAX_LEAD_MINUTES, AppointmentInput
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
from crmdesk.ui.widgets import muted_label


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
        self.day.setMinimumDate(qdate(first))
        self.day.setSpecialValueText(self.tr("Choose a day"))
        self.day.setDate(qdate(before.on) if before and before.on else qdate(first))
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
        self.buttons = save_cancel_layout(self, form, self.general,
                                          self.tr("Save appointment"))
        if customer is None:
            self.search.setFocus()
        else:
            self.day.setFocus()

    # --- building ------------------------------------------------------------------------

    def _build_chooser(self) -> QWidget:
        self.chooser = CustomerPicker(self._find, lambda: self.customer_id, "appointment",
                                      rows=6, single_match="first")
        self.chooser.chosen.connect(self._chosen)
        self.search, self.matches = self.chooser.search, self.chooser.matches
        self.run_search = self.chooser.run_search
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.search.returnPressed.connect(self.run_search)
        self._errors["customer"] = self.chooser.error
        self.run_search()
        return self.chooser

    def _with_error(self, field: str, widget, second: str | None = None) -> QWidget:
        return with_error(self._errors, field, widget, second)

    def _chosen(self, customer_id: int, _name: str) -> None:
        self.customer_id = customer_id

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
        focus = {"customer": getattr(self, "search", None), "on": self.day, "at": self.time,
                 "place": self.place, "note": self.note, "lead_minutes": self.lead}
        show_field_errors(errors, self._errors.get, focus.get, self.general, self.tr)
