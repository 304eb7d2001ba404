"""The list of important dates inside the customer editor: one row per date."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QLocale, QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core.model import DateInput
from crmdesk.ui.customers.editor_parts import (
    error_colour,
    error_label,
    note_label,
    set_invalid,
)

NO_LEAD = -1  # the spin box value shown as "As usual" (lead_days None)


# A row with a problem gets a red frame; every row keeps the same room for it so nothing jumps.
ROW_STYLE = """
QFrame#dateRow {{ border: 2px solid transparent; border-radius: 4px; padding: 2px; }}
QFrame#dateRow[invalid="true"] {{ border-color: {colour}; }}
QLabel[role="error"] {{ color: {colour}; }}
QLabel[role="note"] {{ color: palette(placeholder-text); }}
"""
ROW_INSET = 4  # border + padding, so the column titles line up with the fields


class DateRow(QFrame):
    """Kind (and name for another day), day, month, optional year, and the reminder lead time."""

    changed = Signal()
    remove_requested = Signal(QWidget)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("dateRow")
        self.date_id: int | None = None
        self.kind = QComboBox()
        for key, text in (("birthday", self.tr("Birthday")), ("anniversary", self.tr("Anniversary")),
                          ("custom", self.tr("Other day"))):
            self.kind.addItem(text, key)
        self.kind.setAccessibleName(self.tr("Kind of day"))
        self.label = QLineEdit()
        self.label.setPlaceholderText(self.tr("Name of the day"))
        self.label.setAccessibleName(self.tr("Name of the day"))
        self.label.setMinimumWidth(self.fontMetrics().horizontalAdvance("Name of the day") + 16)
        self.day = QSpinBox()
        self.day.setRange(1, 31)
        self.day.setAccessibleName(self.tr("Day"))
        self.month = QComboBox()
        for number in range(1, 13):
            self.month.addItem(QLocale().standaloneMonthName(number), number)
        self.month.setAccessibleName(self.tr("Month"))
        self.year = QLineEdit()
        self.year.setPlaceholderText(self.tr("No year"))
        self.year.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,4}"), self))
        self.year.setAccessibleName(self.tr("Year (leave empty if you do not know it)"))
        self.year.setToolTip(self.tr("Leave empty if you do not know the year."))
        metrics = self.year.fontMetrics()
        self.year.setFixedWidth(max(metrics.horizontalAdvance(self.tr("No year")),
                                    metrics.horizontalAdvance("0000")) + 20)
        self.lead = QSpinBox()
        self.lead.setRange(NO_LEAD, 365)
        self.lead.setValue(NO_LEAD)
        self.lead.setSpecialValueText(self.tr("As usual"))
        self.lead.setSuffix(self.tr(" days before"))
        self.lead.setAccessibleName(self.tr("Remind me how many days before"))
        self.remove = QToolButton()
        self.remove.setText(self.tr("Remove"))
        self.remove.setToolTip(self.tr("Remove this date"))
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.error = error_label()

        what = QHBoxLayout()
        what.setContentsMargins(0, 0, 0, 0)
        self.kind.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        what.addWidget(self.kind)
        what.addWidget(self.label, 1)
        what.addStretch(0)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(2)
        layout.addLayout(what, 0, 0)
        for column, widget in enumerate(self.fixed_widgets(), start=1):
            layout.addWidget(widget, 0, column)
        layout.addWidget(self.error, 1, 0, 1, 6)
        layout.setColumnStretch(0, 1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        for signal in (self.kind.currentIndexChanged, self.label.textEdited, self.day.valueChanged,
                       self.month.currentIndexChanged, self.year.textEdited,
                       self.lead.valueChanged):
            signal.connect(self._edited)

    def fixed_widgets(self) -> list[QWidget]:
        return [self.day, self.month, self.year, self.lead, self.remove]

    def set_value(self, item: DateInput) -> None:
        self.date_id = item.id
        self.kind.setCurrentIndex(max(0, self.kind.findData(item.kind)))
        self.label.setText(item.label or "")
        self.day.setValue(int(item.day))
        self.month.setCurrentIndex(max(0, self.month.findData(int(item.month))))
        self.year.setText("" if item.year is None else str(item.year))
        self.lead.setValue(NO_LEAD if item.lead_days is None else int(item.lead_days))

    def value(self) -> DateInput:
        year = self.year.text().strip()
        lead = self.lead.value()
        return DateInput(kind=self.kind.currentData(), day=self.day.value(),
                         month=self.month.currentData(), year=int(year) if year else None,
                         label=self.label.text(), lead_days=None if lead == NO_LEAD else lead,
                         id=self.date_id)

    def show_error(self, message: str) -> None:
        set_invalid(self, True)
        self.error.setText(message)
        self.error.show()
        self.setToolTip(message)
        self.day.setAccessibleDescription(message)

    def clear_error(self) -> None:
        set_invalid(self, False)
        self.error.hide()
        self.setToolTip("")
        self.day.setAccessibleDescription("")

    def has_error(self) -> bool:
        return not self.error.isHidden()

    def focus_target(self) -> QWidget:
        if self.kind.currentData() == "custom" and not self.label.text().strip():
            return self.label
        return self.day

    def _kind_changed(self) -> None:
        self.label.setVisible(self.kind.currentData() == "custom")

    def _edited(self) -> None:
        self.clear_error()
        self.changed.emit()


class DatesEditor(QWidget):
    """Rows of dates with Add and Remove. Row N answers the rules' error key `dates.N`."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[DateRow] = []
        self.setStyleSheet(ROW_STYLE.format(colour=error_colour(self)))
        self._header = QWidget()
        header = QGridLayout(self._header)
        header.setContentsMargins(ROW_INSET, 0, ROW_INSET, 0)
        titles = [self.tr("What"), self.tr("Day"), self.tr("Month"), self.tr("Year"),
                  self.tr("Remind me"), ""]
        self._titles = [QLabel(text) for text in titles]
        for column, title in enumerate(self._titles):
            header.addWidget(title, 0, column)
        header.setColumnStretch(0, 1)
        self._widths = self._measure()

        self._empty = note_label(self.tr("No dates yet. Add a birthday, an anniversary or "
                                         "another day to be reminded of it."))
        self._rows_box = QVBoxLayout()
        self._rows_box.setContentsMargins(0, 0, 0, 0)
        self._rows_box.setSpacing(0)
        self.add_button = QPushButton(self.tr("Add a date"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._add_clicked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._header)
        layout.addLayout(self._rows_box)
        layout.addWidget(self._empty)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._update_empty()

    def _measure(self) -> list[int]:
        sample = DateRow()
        widths = [max(min(widget.sizeHint().width(), widget.maximumWidth()),
                      title.sizeHint().width())
                  for widget, title in zip(sample.fixed_widgets(), self._titles[1:], strict=True)]
        sample.deleteLater()
        for title, width in zip(self._titles[1:], widths, strict=True):
            title.setFixedWidth(width)
        return widths

    def set_dates(self, items: Iterable[DateInput]) -> None:
        for row in list(self.rows):
            self._remove(row, notify=False)
        for item in items:
            self.add_row(item)

    def dates(self) -> list[DateInput]:
        return [row.value() for row in self.rows]

    def add_row(self, item: DateInput | None = None) -> DateRow:
        row = DateRow(self)
        for widget, width in zip(row.fixed_widgets(), self._widths, strict=True):
            widget.setFixedWidth(width)
        if item is not None:
            row.set_value(item)
        row.changed.connect(self.changed)
        row.remove_requested.connect(self._remove)
        self.rows.append(row)
        self._rows_box.addWidget(row)
        row.show()
        self._update_empty()
        return row

    def show_error(self, index: int, message: str) -> DateRow | None:
        if 0 <= index < len(self.rows):
            self.rows[index].show_error(message)
            return self.rows[index]
        return None

    def clear_errors(self) -> None:
        for row in self.rows:
            row.clear_error()

    def has_errors(self) -> bool:
        return any(row.has_error() for row in self.rows)

    def _add_clicked(self) -> None:
        row = self.add_row()
        row.kind.setFocus()
        self.changed.emit()

    def _remove(self, row: DateRow, notify: bool = True) -> None:
        self.rows.remove(row)
        self._rows_box.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._update_empty()
        if notify:
            self.changed.emit()

    def _update_empty(self) -> None:
        self._empty.setVisible(not self.rows)
        self._header.setVisible(bool(self.rows))
