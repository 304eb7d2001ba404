"""The smaller pages: first run and Trash (Today is in today.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crmdesk.ui.customers.table_model import CustomerTableModel
from crmdesk.ui.icons import app_icon, icon
from crmdesk.ui.widgets import muted_label, page_title


class FirstRunPage(QWidget):
    """Shown while the customer book is empty. On a book's first start it shows the shop's
    questions first (`show_setup`), then the welcome (`show_welcome`)."""

    addRequested = Signal()
    sampleRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        logo = muted_label()
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = page_title(self.tr("Welcome to your customer book"))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.intro = text = muted_label(self.tr(
            "Keep every customer's name, phone, taste, birthday and what you last talked "
            "about in one place, and crmdesk will remind you when to get in touch.\n\n"
            "Start with your first customer, or look around with a few sample customers "
            "(you can delete them later)."))
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A wrapped label centred by the layout gets the height of one long line: give it its
        # width, and the height that width needs.
        text.setFixedWidth(520)
        text.setMinimumHeight(text.heightForWidth(520))
        self.add_button = QPushButton(icon("add-person"), self.tr("Add your first customer"))
        self.add_button.setDefault(True)
        self.add_button.setMinimumHeight(36)
        self.add_button.clicked.connect(self.addRequested)
        self.sample_button = QPushButton(icon("sample-data"), self.tr("Load sample customers"))
        self.sample_button.setMinimumHeight(36)
        self.sample_button.clicked.connect(self.sampleRequested)
        self.progress = muted_label()
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        self.welcome = QWidget()
        layout = QVBoxLayout(self.welcome)
        layout.addStretch(2)
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addSpacing(8)
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addStretch(3)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.setup: QWidget | None = None

    def show_setup(self, setup: QWidget) -> None:
        """Ask the shop's questions before the welcome."""
        self.setup = setup
        self.stack.addWidget(setup)
        self.stack.setCurrentWidget(setup)

    def show_welcome(self) -> None:
        if self.setup is not None:
            self.stack.removeWidget(self.setup)
            self.setup.deleteLater()
            self.setup = None
        self.stack.setCurrentWidget(self.welcome)

    def asking_setup(self) -> bool:
        return self.setup is not None

    def set_busy(self, message: str) -> None:
        self.progress.setText(message)
        self.add_button.setEnabled(not message)
        self.sample_button.setEnabled(not message)


class TrashPage(QWidget):
    restoreRequested = Signal(list)
    emptyRequested = Signal()

    def __init__(self, model: CustomerTableModel, parent=None):
        super().__init__(parent)
        self.model = model
        title = page_title(self.tr("Trash"))
        note = muted_label(self.tr(
            "Customers you delete wait here with everything about them. Restore brings them "
            "back; Empty Trash erases them for good."))
        self.table = QTableView()
        self.table.setObjectName("trashTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().resizeSection(0, 220)
        self.table.doubleClicked.connect(lambda _index: self._restore())
        self.restore_button = QPushButton(icon("restore"), self.tr("Restore"))
        self.restore_button.clicked.connect(self._restore)
        self.empty_button = QPushButton(icon("empty-trash"), self.tr("Empty Trash…"))
        self.empty_button.clicked.connect(self.emptyRequested)
        self.empty_state = muted_label(self.tr("Trash is empty."))
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)

        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.empty_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_state, 1)
        layout.addLayout(buttons)
        model.countChanged.connect(self._count_changed)

    def _count_changed(self, n: int) -> None:
        self.table.setVisible(n > 0)
        self.empty_state.setVisible(n == 0)
        self.restore_button.setEnabled(n > 0)
        self.empty_button.setEnabled(n > 0)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [cid for cid in (self.model.customer_id(r) for r in rows) if cid is not None]

    def _restore(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.restoreRequested.emit(ids)
