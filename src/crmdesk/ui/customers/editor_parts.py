"""Small pieces of the customer editor: inline field errors, the tag completer, consent boxes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QStringListModel, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core.model import ConsentInput
from crmdesk.core.validation import CONSENT_CHANNELS


def error_colour(widget: QWidget) -> str:
    """A red that reads well on the widget's background, light or dark."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return "#ff8a80" if dark else "#b3261e"


def warning_colour(widget: QWidget) -> str:
    """An amber for "kept, but have a look" (a phone number that could not be checked)."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return "#ffcc80" if dark else "#8a5300"


def invalid_style(colour: str, warning: str = "#8a5300") -> str:
    """Set once on the dialog: a widget whose "invalid" property is true gets a red frame, one
    whose "warning" property is true an amber one."""
    return f"""
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {{
    border: 2px solid {colour};
    border-radius: 3px;
}}
QLineEdit[warning="true"] {{
    border: 2px solid {warning};
    border-radius: 3px;
}}
QLabel[role="error"] {{ color: {colour}; }}
QLabel[role="warning"] {{ color: {warning}; }}
QLabel[role="note"] {{ color: palette(placeholder-text); }}
"""


def _tr(text: str) -> str:
    return QCoreApplication.translate("CustomerEditor", text)


def rule_message(text: str) -> str:
    """A message from the rules in core/ (plain English there), offered to the translator."""
    return QCoreApplication.translate("CustomerRules", text)


def set_invalid(widget: QWidget, invalid: bool, name: str = "invalid") -> None:
    if bool(widget.property(name)) == invalid:
        return
    widget.setProperty(name, invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def error_label() -> QLabel:
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def note_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "note")
    label.setWordWrap(True)
    return label


def scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return form


def padded_page(widget: QWidget, intro: str) -> QWidget:
    """A tab page: a short explanation, then the widget."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(10, 10, 10, 10)
    layout.setSpacing(12)
    layout.addWidget(note_label(intro))
    layout.addWidget(widget)
    layout.addStretch(1)
    return page


class FieldError:
    """One field with the red message line under it; `box` is what goes into the form."""

    def __init__(self, field: QWidget, *extra: QWidget):
        self.field = field
        self.label = error_label()
        self.box = QWidget()
        self.box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self.box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        layout.addWidget(self.label)
        for widget in extra:
            layout.addWidget(widget)
        self._tooltip = field.toolTip()

    def show(self, message: str) -> None:
        self._say(message, "error")
        set_invalid(self.field, True)

    def warn(self, message: str) -> None:
        """Mark the field amber with a message: what it holds is kept, but needs a look."""
        self._say(message, "warning")
        set_invalid(self.field, True, "warning")

    def _say(self, message: str, role: str) -> None:
        set_invalid(self.field, False, "warning" if role == "error" else "invalid")
        if self.label.property("role") != role:
            self.label.setProperty("role", role)
            self.label.style().unpolish(self.label)
            self.label.style().polish(self.label)
        self.label.setText(message)
        self.label.show()
        self.field.setToolTip(message)
        self.field.setAccessibleDescription(message)

    def clear(self) -> None:
        if not self.label.isHidden() or self.field.property("invalid") or self.warned:
            set_invalid(self.field, False)
            set_invalid(self.field, False, "warning")
            self.label.hide()
            self.label.clear()
            self.field.setToolTip(self._tooltip)
            self.field.setAccessibleDescription("")

    @property
    def warned(self) -> bool:
        return bool(self.field.property("warning"))

    def edited(self):
        """The signal the field sends when the user changes it."""
        field = self.field
        if isinstance(field, QLineEdit):
            return field.textEdited
        if isinstance(field, QPlainTextEdit):
            return field.textChanged
        if isinstance(field, QComboBox):
            return field.currentIndexChanged
        return field.valueChanged

    @property
    def shown(self) -> bool:
        return bool(self.field.property("invalid"))


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma of a comma-separated line."""

    def __init__(self, tags: Iterable[str], parent=None):
        super().__init__(QStringListModel(sorted(set(tags), key=str.casefold)), parent)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchStartsWith)

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index) -> str:
        done = self.widget().text().rsplit(",", 1)[0] if "," in self.widget().text() else ""
        tag = index.data()
        return f"{done.rstrip()}, {tag}" if done.strip() else tag


def split_tags(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def channel_names() -> dict[str, str]:
    return {"email": _tr("Email"), "sms": _tr("Text messages (SMS)"),
            "whatsapp": _tr("WhatsApp"), "phone": _tr("Phone calls")}


def default_format_date(day: dt.date) -> str:
    return QLocale().toString(QDate(day.year, day.month, day.day), "d MMM yyyy")


class ConsentBoxes(QWidget):
    """A tick box per channel with the recorded date; untouched consents come back unchanged."""

    changed = Signal()

    def __init__(self, format_date: Callable[[dt.date], str] = default_format_date, parent=None):
        super().__init__(parent)
        self._format_date = format_date
        self._recorded: dict[str, ConsentInput] = {}
        self.boxes: dict[str, QCheckBox] = {}
        self.notes: dict[str, QLabel] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(16)
        layout.setColumnStretch(1, 1)
        for row, (channel, name) in enumerate(channel_names().items()):
            box = QCheckBox(name)
            box.setObjectName(f"consent_{channel}")
            note = note_label()
            box.toggled.connect(lambda _on, c=channel: self._refresh(c))
            box.toggled.connect(self.changed)
            layout.addWidget(box, row, 0)
            layout.addWidget(note, row, 1)
            self.boxes[channel] = box
            self.notes[channel] = note

    def set_consents(self, consents: Iterable[ConsentInput]) -> None:
        self._recorded = {c.channel: c for c in consents if c.channel in CONSENT_CHANNELS}
        for channel, box in self.boxes.items():
            recorded = self._recorded.get(channel)
            box.setChecked(bool(recorded and recorded.granted))
            self._refresh(channel)

    def consents(self) -> list[ConsentInput]:
        result = []
        for channel in CONSENT_CHANNELS:
            granted = self.boxes[channel].isChecked()
            recorded = self._recorded.get(channel)
            if recorded is not None and recorded.granted == granted:
                result.append(ConsentInput(channel, granted, recorded.recorded_on,
                                           recorded.source))
            elif recorded is not None or granted:
                # Changed here: the book records today's date.
                result.append(ConsentInput(channel, granted))
        return result

    def _refresh(self, channel: str) -> None:
        recorded = self._recorded.get(channel)
        granted = self.boxes[channel].isChecked()
        if recorded is not None and recorded.granted == granted:
            if recorded.recorded_on is None:
                text = _tr("Agreed") if granted else _tr("Said no")
            elif granted:
                text = _tr("Agreed since {date}").format(date=self._format_date(recorded.recorded_on))
            else:
                text = _tr("Said no on {date}").format(date=self._format_date(recorded.recorded_on))
        elif recorded is not None or granted:
            text = _tr("Today's date is kept when you save")
        else:
            text = ""
        self.notes[channel].setText(text)
