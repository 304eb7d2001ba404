"""The card's "Appointments" part: the customer's coming appointments, add, done, remove."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core.appointments import AppointmentView
from crmdesk.ui.formatting import Formatter
from crmdesk.ui.icons import icon
from crmdesk.ui.widgets import muted_label, section_title

#: Coming appointments shown on a card; anyone with more has a diary, not a customer.
SHOWN = 20


class AppointmentsSection(QWidget):
    addRequested = Signal()
    doneRequested = Signal(int, bool)  # appointment id, done
    removeRequested = Signal(int)  # appointment id

    def __init__(self, formatter: Formatter, parent=None):
        super().__init__(parent)
        self._fmt = formatter
        self.title = section_title(self.tr("Appointments"))
        self.add_button = QPushButton(icon("calendar"), self.tr("Add appointment…"))
        self.add_button.setObjectName("addAppointment")
        self.add_button.setToolTip(self.tr("A visit, a fitting, a get-together: with a day, "
                                           "a time and a reminder"))
        self.add_button.clicked.connect(self.addRequested)
        head = QHBoxLayout()
        head.addWidget(self.title, 1, Qt.AlignmentFlag.AlignBottom)
        head.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addLayout(self.rows)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.shown: list[AppointmentView] = []

    def set_formatter(self, formatter: Formatter) -> None:
        self._fmt = formatter

    def show_appointments(self, items: list[AppointmentView], read_only: bool = False) -> None:
        while self.rows.count():
            widget = self.rows.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.shown = list(items[:SHOWN])
        self.add_button.setEnabled(not read_only)
        open_count = sum(1 for a in items if a.done_at is None)
        self.title.setText(self.tr("Appointments (%1)").replace("%1", str(open_count))
                           if items else self.tr("Appointments"))
        if not items:
            self.rows.addWidget(muted_label(self.tr("No appointments coming up.")))
            return
        for item in self.shown:
            self.rows.addWidget(self._row(item, read_only))
        if len(items) > SHOWN:
            self.rows.addWidget(muted_label(self.tr("…and %1 more").replace(
                "%1", str(len(items) - SHOWN))))

    def texts(self) -> list[str]:
        """What each row says (for tests and accessibility)."""
        return [self._text(item) for item in self.shown]

    def _text(self, item: AppointmentView) -> str:
        starts = item.starts_at
        text = f"{self._fmt.date(starts.date())} {starts:%H:%M}"
        if item.place:
            text += f" · {item.place}"
        if item.note:
            text += f" — {item.note.splitlines()[0]}"
        if item.done_at is not None:
            text += " " + self.tr("(done)")
        return text

    def _row(self, item: AppointmentView, read_only: bool) -> QWidget:
        row = QWidget()
        row.setObjectName(f"appointment{item.id}")
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        label = QLabel(self._text(item))
        label.setWordWrap(True)
        label.setToolTip(item.note)
        if item.done_at is not None:
            font = label.font()
            font.setStrikeOut(True)
            label.setFont(font)
        done = QToolButton()
        done.setObjectName("appointmentDone")
        done.setIcon(icon("check"))
        done.setCheckable(True)
        done.setChecked(item.done_at is not None)
        done.setToolTip(self.tr("Mark as done") if item.done_at is None
                        else self.tr("Not done after all"))
        done.clicked.connect(lambda checked, i=item.id: self.doneRequested.emit(i, checked))
        remove = QToolButton()
        remove.setObjectName("appointmentRemove")
        remove.setIcon(icon("trash"))
        remove.setToolTip(self.tr("Remove this appointment (Ctrl+Z brings it back)"))
        remove.clicked.connect(lambda _=False, i=item.id: self.removeRequested.emit(i))
        for button in (done, remove):
            button.setEnabled(not read_only)
            button.setAutoRaise(True)
        line.addWidget(label, 1)
        line.addWidget(done)
        line.addWidget(remove)
        return row
