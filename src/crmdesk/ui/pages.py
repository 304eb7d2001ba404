"""The smaller pages: first run, Trash and Today."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core.upcoming import UpcomingItem
from crmdesk.ui.customers.table_model import CustomerTableModel
from crmdesk.ui.formatting import DATE_KIND_NAMES, Formatter, count
from crmdesk.ui.icons import app_icon, icon
from crmdesk.ui.widgets import muted_label, page_title

#: Rows shown per Today section; a shop with more than this has a list to work through anyway.
SECTION_LIMIT = 300


class FirstRunPage(QWidget):
    """Shown while the customer book is empty."""

    addRequested = Signal()
    sampleRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        logo = muted_label()
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = page_title(self.tr("Welcome to your customer book"))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = muted_label(self.tr(
            "Keep every customer's name, phone, taste, birthday and what you last talked "
            "about in one place, and crmdesk will remind you when to get in touch.\n\n"
            "Start with your first customer, or look around with a few sample customers "
            "(you can delete them later)."))
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setMaximumWidth(520)
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
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addSpacing(8)
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addStretch(3)

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


class TodayPage(QWidget):
    """Important dates in the next two weeks and follow-ups that are due."""

    openCustomer = Signal(int)

    def __init__(self, formatter: Formatter, parent=None):
        super().__init__(parent)
        self._fmt = formatter
        self.title = page_title(self.tr("Today"))
        self.subtitle = muted_label()
        self.tree = QTreeWidget()
        self.tree.setObjectName("todayTree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([self.tr("When"), self.tr("Customer"), self.tr("What")])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().resizeSection(1, 240)
        self.tree.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.tree, 1)

    def set_formatter(self, formatter: Formatter) -> None:
        self._fmt = formatter

    def show_items(self, dates: list[UpcomingItem], follow_ups: list[UpcomingItem],
                   days: int) -> None:
        self.tree.clear()
        self.subtitle.setText(self.tr(
            "Birthdays, anniversaries and follow-ups for today and the next %1 days. "
            "Double-click to open the customer's card.").replace("%1", str(days)))
        self._section(count(len(dates), "Important dates (%n)", "Important dates (%n)"), dates,
                      self.tr("No birthdays or anniversaries in the next two weeks."))
        self._section(count(len(follow_ups), "Follow-ups (%n)", "Follow-ups (%n)"), follow_ups,
                      self.tr("Nothing to follow up. Well done!"))
        self.tree.expandAll()

    def _section(self, title: str, items: list[UpcomingItem], empty: str) -> None:
        head = QTreeWidgetItem([title])
        font = head.font(0)
        font.setBold(True)
        head.setFont(0, font)
        head.setFirstColumnSpanned(True)
        head.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.tree.addTopLevelItem(head)
        head.setFirstColumnSpanned(True)
        if not items:
            child = QTreeWidgetItem([empty])
            child.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.addChild(child)
            child.setFirstColumnSpanned(True)
            return
        for item in items[:SECTION_LIMIT]:
            if item.kind == "follow_up":
                when = self._fmt.date(item.on)
                if item.days_left < 0:
                    when += " " + self.tr("(overdue)")
                elif item.days_left <= 1:
                    when = self._fmt.days_left(item.days_left)
                what = item.text
            else:
                when = f"{self._fmt.days_left(item.days_left)} · {self._fmt.day_month(item.on.day, item.on.month)}"
                what = item.text or self.tr(DATE_KIND_NAMES.get(item.kind, item.kind))
                if item.years is not None:
                    what += " · " + (self.tr("turns %1") if item.kind == "birthday"
                                     else self.tr("%1 years")).replace("%1", str(item.years))
            child = QTreeWidgetItem([when, item.customer_name, what])
            child.setData(0, Qt.ItemDataRole.UserRole, item.customer_id)
            head.addChild(child)
        if len(items) > SECTION_LIMIT:
            more = QTreeWidgetItem([count(len(items) - SECTION_LIMIT, "… and %n more",
                                          "… and %n more")])
            more.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.addChild(more)
            more.setFirstColumnSpanned(True)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        customer_id = item.data(0, Qt.ItemDataRole.UserRole)
        if customer_id is not None:
            self.openCustomer.emit(customer_id)
