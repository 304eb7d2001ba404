"""The Reminders part of the settings dialog: when reminders come, in plain words.

Lead times are kept in the settings as text ("7,0" = a week before and on the day); here they
are ticks ("a week before", "the day before", "on the day") and an "other" number of days.
A value the page shows but the user leaves alone is handed back exactly as it came, even one
it cannot show (such as "14,3,0", or text that cannot be read).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core import reminders
from crmdesk.core.settings import BusinessSettings

# The days each tick stands for, in the order they are shown.
TICKS = ((7, "a week before"), (1, "the day before"), (0, "on the day"))
DATE_ROWS = (("birthday", "Birthdays"), ("anniversary", "Anniversaries"),
             ("custom", "Other special days"))


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReminderSettings", text)


def _note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def duration_words(minutes: int) -> str:
    """60 -> "1 hour", 1500 -> "1 day 1 hour", 90 -> "1 hour 30 minutes", 0 -> "at the start"."""
    if minutes <= 0:
        return _tr("when it starts")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    for n, one, many in ((days, "%n day", "%n days"), (hours, "%n hour", "%n hours"),
                         (mins, "%n minute", "%n minutes")):
        if n:
            parts.append(_tr(one if n == 1 else many).replace("%n", str(n)))
    return " ".join(parts)


class HourSpinBox(QSpinBox):
    """An hour of the day, 0-23, shown as "09:00"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, 23)
        self.setWrapping(True)

    def textFromValue(self, value: int) -> str:  # noqa: N802 (Qt's name)
        return f"{value:02d}:00"

    def valueFromText(self, text: str) -> int:  # noqa: N802 (Qt's name)
        digits = text.split(":")[0].strip()
        return int(digits) if digits.isdigit() else self.value()

    def validate(self, text: str, pos: int):
        digits = text.split(":")[0].strip()
        if digits == "":
            return QValidator.State.Intermediate, text, pos
        if digits.isdigit() and 0 <= int(digits) <= 23:
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Invalid, text, pos


class LeadRow:
    """The ticks and the "other" days of one kind of date, mapped to and from a lead string."""

    def __init__(self, parent: QWidget, original: str):
        self.original = original
        self.ticks = {days: QCheckBox(_tr(text), parent) for days, text in TICKS}
        self.other = QCheckBox(_tr("other:"), parent)
        self.other_days = QSpinBox(parent)
        self.other_days.setRange(2, reminders.MAX_LEAD_DAYS)
        self.other_days.setSuffix(_tr(" days before"))
        self.other_days.setValue(3)
        self.note = _note()
        self.note.hide()
        self.other_days.valueChanged.connect(lambda _v: self.other.setChecked(True))
        self.other.toggled.connect(self._other_toggled)

        try:
            leads = reminders.parse_leads(original)
            unreadable = False
        except ValueError:
            leads = ()
            unreadable = True
        for days, box in self.ticks.items():
            box.setChecked(days in leads)
        extra = [days for days in leads if days not in self.ticks]
        if extra:
            self.other_days.setValue(extra[-1])  # the nearest one
            self.other.setChecked(True)
        self._other_toggled(self.other.isChecked())
        if unreadable:
            self.note.setText(_tr("The saved choice could not be read; it is kept until you "
                                  "change this line."))
        elif len(extra) > 1:
            self.note.setText(_tr("Also reminds %1 days before; kept until you change this "
                                  "line.").replace("%1", ", ".join(str(n) for n in extra[:-1])))
        self.note.setVisible(bool(self.note.text()))
        self._shown = self._state()

    def _other_toggled(self, on: bool) -> None:
        self.other_days.setEnabled(on)

    def _state(self) -> tuple:
        return (tuple(box.isChecked() for box in self.ticks.values()), self.other.isChecked(),
                self.other_days.value())

    def value(self) -> str:
        if self._state() == self._shown:
            return self.original  # untouched: exactly as it came
        leads = [days for days, box in self.ticks.items() if box.isChecked()]
        if self.other.isChecked():
            leads.append(self.other_days.value())
        return reminders.format_leads(leads)


class ReminderSettings(QWidget):
    """The Reminders page. `values()` gives the fields for dataclasses.replace()."""

    def __init__(self, settings: BusinessSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self._settings = settings

        # When: one line per kind of date, the ticks in columns.
        dates = QGroupBox(self.tr("Remind me of special days"))
        grid = QGridLayout(dates)
        grid.setHorizontalSpacing(14)
        self.leads: dict[str, LeadRow] = {}
        for row, (kind, title) in enumerate(DATE_ROWS):
            lead = LeadRow(dates, getattr(settings, f"remind_{kind}_days"))
            self.leads[kind] = lead
            grid.addWidget(QLabel(_tr(title)), row * 2, 0)
            for column, box in enumerate(lead.ticks.values(), start=1):
                grid.addWidget(box, row * 2, column)
            other = QHBoxLayout()
            other.setSpacing(4)
            other.addWidget(lead.other)
            other.addWidget(lead.other_days)
            other.addStretch(1)
            grid.addLayout(other, row * 2, 4)
            grid.addWidget(lead.note, row * 2 + 1, 1, 1, 4)
        grid.setColumnStretch(5, 1)
        dates_note = _note(self.tr("Nothing ticked: no reminder of that kind. A date with its "
                                   "own reminder time on the customer's card keeps it."))
        grid.addWidget(dates_note, len(DATE_ROWS) * 2, 0, 1, 6)

        # Appointments.
        self.appointment_minutes = QSpinBox()
        self.appointment_minutes.setRange(0, reminders.MAX_APPOINTMENT_LEAD)
        self.appointment_minutes.setSingleStep(15)
        self.appointment_minutes.setSuffix(self.tr(" minutes before"))
        self.appointment_minutes.setValue(settings.remind_appointment_minutes)
        self.appointment_words = _note()
        self.appointment_minutes.valueChanged.connect(self._show_appointment_words)
        self._show_appointment_words(self.appointment_minutes.value())
        appointment = QHBoxLayout()
        appointment.addWidget(self.appointment_minutes)
        appointment.addWidget(self.appointment_words, 1)

        self.keep_in_touch = QCheckBox(self.tr(
            "Remind me about customers I have not spoken to for too long"))
        self.keep_in_touch.setChecked(bool(settings.remind_keep_in_touch))
        self.keep_in_touch.setToolTip(self.tr(
            "How long is too long is set on each customer's card (\"keep in touch every N "
            "days\")."))

        self.hour = HourSpinBox()
        self.hour.setValue(settings.remind_hour)
        hour_note = _note(self.tr("(for birthdays, anniversaries and other days)"))

        self.feb29 = QComboBox()
        self.feb29.addItem(self.tr("28 February"), "feb28")
        self.feb29.addItem(self.tr("1 March"), "mar1")
        index = self.feb29.findData(settings.feb29)
        if index < 0:  # a value this list does not know: kept as it is
            self.feb29.addItem(settings.feb29, settings.feb29)
            index = self.feb29.count() - 1
        self.feb29.setCurrentIndex(index)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.tr("Remind me of appointments"), self._wrap(appointment))
        form.addRow(self.tr("Morning reminders come at"), self._stack(self.hour, hour_note))
        feb29 = QHBoxLayout()
        feb29.addWidget(QLabel(self.tr("Birthdays on 29 February, in other years, fall on")))
        feb29.addWidget(self.feb29)
        feb29.addStretch(1)

        # Start at login: the dialog owns what happens on Save (see SettingsDialog).
        self.start_at_login = QCheckBox(self.tr("Start crmdesk when I log in"))
        start_note = _note(self.tr("Reminders only come while crmdesk is running; it waits "
                                   "quietly in the tray."))

        layout = QVBoxLayout(self)
        layout.addWidget(dates)
        layout.addLayout(form)
        layout.addLayout(feb29)
        layout.addWidget(self.keep_in_touch)
        layout.addSpacing(6)
        layout.addWidget(self.start_at_login)
        layout.addWidget(start_note)
        layout.addStretch(1)

        self._shown = self._widget_values()

    @staticmethod
    def _wrap(inner) -> QWidget:
        box = QWidget()
        inner.setContentsMargins(0, 0, 0, 0)
        box.setLayout(inner)
        return box

    @staticmethod
    def _stack(field: QWidget, note: QLabel) -> QWidget:
        note.setWordWrap(False)  # short: wrapped, it would squeeze into the form's column
        row = QHBoxLayout()
        row.addWidget(field)
        row.addWidget(note, 1)
        return ReminderSettings._wrap(row)

    def _show_appointment_words(self, minutes: int) -> None:
        self.appointment_words.setText(
            self.tr("(when it starts)") if minutes == 0
            else "(" + duration_words(minutes) + ")")

    def _widget_values(self) -> dict:
        return {
            "remind_appointment_minutes": self.appointment_minutes.value(),
            "remind_keep_in_touch": self.keep_in_touch.isChecked(),
            "remind_hour": self.hour.value(),
            "feb29": self.feb29.currentData(),
        }

    def values(self) -> dict:
        """The reminder fields; a field left as it was shown comes back exactly as it came
        (so a stored value the widgets had to clamp, like hour 25, is not changed behind the
        user's back)."""
        result = {f"remind_{kind}_days": lead.value() for kind, lead in self.leads.items()}
        for name, value in self._widget_values().items():
            result[name] = getattr(self._settings, name) if value == self._shown[name] else value
        return result
