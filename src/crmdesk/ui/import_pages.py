"""The first pages of the import wizard: the file, its preview, the columns, duplicates.

The pages share one `ImportState` (the table read, the mapping, the choices); the wizard
(`import_wizard.py`) owns it and runs the slow steps (dry run, import) in worker threads.
The columns page is in `import_mapping_page.py`, re-exported here.

The file page also asks what the file holds: customers (the default) or purchases, the sales
history of a till export. Until the user chooses, a file whose columns look like a till export
(a date, money, and receipt, item or quantity columns) is taken for purchases, and the page says
so. Purchases skip the presets and the duplicates page (see `purchase_import_pages.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QLocale, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from crmdesk.formats import import_file, import_mapping, import_xlsx
from crmdesk.formats import purchase_import as sales_format
from crmdesk.formats.import_common import ImportFileError, Table
from crmdesk.ui.import_mapping_page import (  # re-exported: step 3, the columns
    MappingPage,
    date_question,
    field_names,
)
from crmdesk.ui.workers import BackgroundJob

__all__ = [
    "PREVIEW_ROWS", "DuplicatesPage", "FilePage", "ImportState", "MappingPage", "PreviewPage",
    "date_question", "describe_file", "field_names", "preset_names", "read_any_sheet", "tr",
]

PREVIEW_ROWS = 20


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportWizard", text)


def preset_names() -> dict[str, str]:
    return {"auto": tr("Automatic"), "google": tr("Google Contacts"), "outlook": tr("Outlook")}


@dataclass
class ImportState:
    path: str = ""
    table: Table | None = None
    preset: str = "auto"
    mapping: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None
    on_duplicate: str = "skip"
    kind: str = "customers"  # or "purchases"
    kind_chosen: bool = False  # the user said which (else it is guessed from the columns)


def describe_file(table: Table) -> str:
    """What was found in the file, in plain words."""
    if table.kind == "xlsx":
        return tr("An Excel workbook, sheet “%1”.").replace("%1", table.sheet)
    if table.kind == "vcard":
        return tr("An address book (vCard).")
    if table.kind == "json":
        return tr("A copy of a crmdesk customer book (JSON export): the customers come back "
                  "with everything kept with them (conversations, follow-ups, appointments, "
                  "purchases, points), and the products, segments and settings your book "
                  "does not have yet.")
    delimiters = {",": tr("commas"), ";": tr("semicolons"), "\t": tr("tabs"),
                  "|": tr("bars (|)")}
    encodings = {"utf-8": tr("Unicode (UTF-8)"), "utf-8-sig": tr("Unicode (UTF-8)"),
                 "utf-16": tr("Unicode (UTF-16, as Excel saves it)"),
                 "cp1252": tr("Western European (Windows)"),
                 "windows-1252": tr("Western European (Windows)")}
    apart = delimiters.get(table.delimiter, f"“{table.delimiter}”")
    letters = encodings.get((table.encoding or "").lower(), table.encoding or tr("unknown"))
    return (tr("A text file (CSV) with the columns separated by %1. Letters are read as %2.")
            .replace("%1", apart).replace("%2", letters))


def read_any_sheet(path, sheet: str | None = None) -> Table:
    """Read the file; a workbook whose first sheet holds nothing opens on the first sheet
    that does (the sheet can be changed on the next page)."""
    try:
        return import_file.read_file(path, sheet)
    except ImportFileError:
        if sheet is not None or import_file.sniff_kind(path) != "xlsx":
            raise
        for name in import_xlsx.sheet_names(path)[1:]:
            try:
                return import_file.read_file(path, name)
            except ImportFileError:
                continue
        raise


class FilePage(QWizardPage):
    """Step 1: choose the file. It is read in a worker thread; what cannot be read is said here
    and the wizard stays on this page."""

    loaded = Signal()  # the file was read, or could not be (see `error`)
    kind_changed = Signal(str)

    def __init__(self, state: ImportState, parent=None):
        super().__init__(parent)
        self.state = state
        self.error = ""
        self._job: BackgroundJob | None = None
        self.setTitle(tr("Choose the file to import"))
        self.setSubTitle(tr("A spreadsheet saved as CSV, an Excel workbook (.xlsx), an "
                            "address book exported from Google Contacts, Outlook or a phone, or "
                            "the sales exported from your till."))
        self.kinds = {
            "customers": QRadioButton(tr("Customers")),
            "purchases": QRadioButton(tr("Purchases (sales history)")),
        }
        self.kind_group = QButtonGroup(self)
        kind_row = QHBoxLayout()
        kind_row.addWidget(QLabel(tr("The file holds:")))
        for key, button in self.kinds.items():
            self.kind_group.addButton(button)
            button.toggled.connect(lambda on, key=key: on and self._kind_toggled(key))
            button.clicked.connect(lambda _=False: setattr(self.state, "kind_chosen", True))
            kind_row.addWidget(button)
        kind_row.addStretch(1)
        self.kind_hint = QLabel()
        self.kind_hint.setWordWrap(True)
        self.kinds[self.state.kind].setChecked(True)
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText(tr("No file chosen yet"))
        self.browse = QPushButton(tr("Choose a file…"))
        self.browse.clicked.connect(self.choose)
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addLayout(kind_row)
        layout.addWidget(self.kind_hint)
        layout.addStretch(1)

    def set_kind(self, kind: str, chosen: bool = True) -> None:
        """Say what the file holds, as clicking its button does (`chosen`: the guess from the
        columns no longer applies)."""
        self.kinds[kind].setChecked(True)
        self.state.kind_chosen = self.state.kind_chosen or chosen

    def _kind_toggled(self, key: str) -> None:
        self.state.kind = key
        self.kind_hint.clear()
        self.kind_changed.emit(key)

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Choose the file to import"), "",
            tr("Customer lists and sales (*.csv *.txt *.tsv *.xlsx *.vcf);;All files (*)"))
        if path:
            self.set_file(path)

    def set_file(self, path: str, sheet: str | None = None) -> None:
        """Read `path` (in a worker thread); `loaded` is emitted when done."""
        if self._job is not None:
            return
        self.state.path = str(path)
        self.state.table = None
        self.error = ""
        self.path_edit.setText(str(path))
        self.message.setText(tr("Reading the file…"))
        self.browse.setEnabled(False)
        self.completeChanged.emit()
        self._job = BackgroundJob(lambda progress: read_any_sheet(path, sheet), self)
        self._job.succeeded.connect(self._read)
        self._job.failed.connect(self._failed)
        self._job.finished.connect(self._done)
        self._job.start()

    def busy(self) -> bool:
        return self._job is not None

    def _read(self, table: Table) -> None:
        self.state.table = table
        self.message.setText(describe_file(table) + " " + tr("%1 rows found.").replace(
            "%1", QLocale().toString(len(table.rows))))
        if not self.state.kind_chosen:
            till = table.kind != "vcard" and sales_format.looks_like_purchases(table.headers)
            self.set_kind("purchases" if till else "customers", chosen=False)
            if till:
                self.kind_hint.setText(tr("The columns look like sales from a till, so the file "
                                          "will be imported as purchase history. Choose "
                                          "Customers above if it is a list of customers."))

    def _failed(self, message: str) -> None:
        self.error = message
        self.message.setText(tr("This file cannot be imported.") + "\n" + message)

    def _done(self) -> None:
        self._job = None
        self.browse.setEnabled(True)
        self.completeChanged.emit()
        self.loaded.emit()

    def validatePage(self) -> bool:  # noqa: N802  (next() called directly checks too)
        return self.isComplete()

    def isComplete(self) -> bool:  # noqa: N802
        return self.state.table is not None and self._job is None


class PreviewPage(QWizardPage):
    """Step 2: the first rows as read, what was detected, the sheet and the preset."""

    def __init__(self, state: ImportState, file_page: FilePage, parent=None):
        super().__init__(parent)
        self.state, self.file_page = state, file_page
        self.setTitle(tr("Check that the file was read right"))
        self.setSubTitle(tr("These are the first rows of your file."))
        self.found = QLabel()
        self.found.setWordWrap(True)
        self.sheet = QComboBox()
        self.sheet_label = QLabel(tr("Sheet:"))
        self.preset = QComboBox()
        for key, name in preset_names().items():
            self.preset.addItem(name, key)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        form = QFormLayout()
        form.addRow(self.sheet_label, self.sheet)
        self.preset_label = QLabel(tr("The file comes from:"))
        form.addRow(self.preset_label, self.preset)
        layout = QVBoxLayout(self)
        layout.addWidget(self.found)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.sheet.currentIndexChanged.connect(self._sheet_chosen)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        file_page.loaded.connect(self._reloaded)

    def initializePage(self) -> None:  # noqa: N802
        self._show()

    def _show(self) -> None:
        table = self.state.table
        if table is None:
            return
        self.found.setText(describe_file(table))
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.addItems(table.sheets)
        self.sheet.setCurrentText(table.sheet)
        self.sheet.blockSignals(False)
        many = table.kind == "xlsx" and len(table.sheets) > 1
        self.sheet.setVisible(many)
        self.sheet_label.setVisible(many)
        customers = self.state.kind == "customers"
        self.preset.setVisible(customers)
        self.preset_label.setVisible(customers)
        rows = table.preview(PREVIEW_ROWS)
        self.table.clear()
        self.table.setColumnCount(len(table.headers))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(table.headers)
        self.table.setVerticalHeaderLabels([str(table.numbers[i]) for i in range(len(rows))])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self._preset_chosen()

    def _sheet_chosen(self) -> None:
        name = self.sheet.currentText()
        if self.state.table is not None and name != self.state.table.sheet:
            self.file_page.set_file(self.state.path, name)
            self.completeChanged.emit()

    def _reloaded(self) -> None:
        if self.wizard() is not None and self.wizard().currentPage() is self:
            if self.file_page.error:
                self.message.setText(self.file_page.error)
            self._show()
            self.completeChanged.emit()

    def _preset_chosen(self) -> None:
        table = self.state.table
        self.state.preset = self.preset.currentData()
        self.message.clear()
        if table is None:
            return
        try:
            if self.state.kind == "purchases":
                self.state.mapping = sales_format.build_mapping(table.headers)
            else:
                self.state.mapping = import_mapping.build_mapping(table.headers,
                                                                  self.state.preset)
        except ImportFileError as exc:
            self.state.mapping = {}
            self.message.setText(str(exc))
        self.completeChanged.emit()

    def validatePage(self) -> bool:  # noqa: N802  (next() called directly checks too)
        return self.isComplete()

    def isComplete(self) -> bool:  # noqa: N802
        return (self.state.table is not None and not self.file_page.busy()
                and not self.message.text())


class DuplicatesPage(QWizardPage):
    """Step 4: what to do with someone who is already in the book."""

    def __init__(self, state: ImportState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setTitle(tr("When someone is already in your book"))
        self.setSubTitle(tr("Someone counts as already there when the phone number, the e-mail "
                            "or the name is the same."))
        self.buttons = {
            "skip": QRadioButton(tr("Skip them: leave what you have as it is")),
            "merge": QRadioButton(tr("Add the new details (merge): fill in what is missing, "
                                     "change nothing already there")),
            "create": QRadioButton(tr("Add them anyway, as another customer")),
        }
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        for key, button in self.buttons.items():
            self.group.addButton(button)
            button.toggled.connect(lambda on, key=key: on and self._chosen(key))
            layout.addWidget(button)
        layout.addStretch(1)
        self.buttons["skip"].setChecked(True)

    def choose(self, key: str) -> None:
        self.buttons[key].setChecked(True)

    def _chosen(self, key: str) -> None:
        self.state.on_duplicate = key

