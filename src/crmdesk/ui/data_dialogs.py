"""The small dialogs and helpers of the data menu (ui/data_menu.py): the Export dialog, and
putting the session back on its book after a restore."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
)

from crmdesk.core import settings as settings_store
from crmdesk.core.book_health import bring_up_to_date

#: (format key as formats.export knows it, file suffix, whether a marketing export applies)
FORMATS = (("csv", ".csv", True), ("xlsx", ".xlsx", True), ("vcf", ".vcf", True),
           ("ics", ".ics", False), ("json", ".json", False))
SCOPE_EVERYONE, SCOPE_SHOWN, SCOPE_CHOSEN = range(3)


@dataclass(frozen=True)
class ExportChoice:
    format: str  # csv, xlsx, vcf, ics, json
    suffix: str
    scope: int  # SCOPE_*
    marketing: bool


class ExportDialog(QDialog):
    """Which format, whom, and whether it is meant for marketing."""

    def __init__(self, chosen_count: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self.format_box = QComboBox()
        for (key, _suffix, _marketing), label in zip(FORMATS, (
                self.tr("Spreadsheet (CSV)"), self.tr("Excel workbook (.xlsx)"),
                self.tr("Contacts for a phone (vCard)"),
                self.tr("Birthdays for a calendar (iCalendar)"),
                self.tr("Everything, as a copy of your data (JSON)")), strict=True):
            self.format_box.addItem(label, key)
        self.everyone = QRadioButton(self.tr("Everyone"))
        self.shown = QRadioButton(self.tr("The customers shown in the list"))
        self.chosen = QRadioButton(self.tr("The chosen customers (%1)")
                                   .replace("%1", str(chosen_count)))
        self.chosen.setEnabled(chosen_count > 0)
        self.everyone.setChecked(True)
        self.scope = QButtonGroup(self)
        for number, button in enumerate((self.everyone, self.shown, self.chosen)):
            self.scope.addButton(button, number)
        self.marketing = QCheckBox(
            self.tr("For marketing (leave out people who asked not to be contacted)"))
        self.format_box.currentIndexChanged.connect(self._format_changed)

        form = QFormLayout()
        form.addRow(self.tr("Format:"), self.format_box)
        who = QVBoxLayout()
        for button in (self.everyone, self.shown, self.chosen):
            who.addWidget(button)
        form.addRow(self.tr("Whom:"), who)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Export…"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.marketing)
        note = QLabel(self.tr("The file stays on this computer until you send it somewhere."))
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self._format_changed()

    def _format_changed(self) -> None:
        applies = FORMATS[self.format_box.currentIndex()][2]
        self.marketing.setEnabled(applies)
        if not applies:
            self.marketing.setChecked(False)

    def choice(self) -> ExportChoice:
        key, suffix, applies = FORMATS[self.format_box.currentIndex()]
        return ExportChoice(key, suffix, self.scope.checkedId(),
                            applies and self.marketing.isChecked())


def reopen_book(session) -> None:
    """After a restore: open the session's connection again (peewee would also reconnect on
    the next query, with the same pragmas; this does it now, on purpose), bring an older
    backup up to the current schema (with the migration's own copy first, as at start), and
    read the restored book's settings."""
    db = session.db
    db.connect(reuse_if_open=True)
    bring_up_to_date(db, session.path)
    session.settings = settings_store.load(db)
    session.book.feb29 = session.customers.feb29 = session.settings.feb29
