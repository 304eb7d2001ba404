"""The Segments page: the saved segments with their rules in plain words and how many customers
each has now; New, Edit, Delete, Open (as a customer list) and Export.

The page shows what it is handed (`set_segments`, `set_counts`); the hub (ui/dashboard/hub.py)
reads the saved segments, counts them off the UI thread and acts on the buttons.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crmdesk.ui.widgets import muted_label, page_title


def rule_lines(rules, currency: str = "") -> list[str]:
    """The segment's rules in plain words (the customer-group line through the translator, as
    in the segment builder and on the dashboard)."""
    prefix = "Customer group: "
    group = QCoreApplication.translate("SegmentsPage", "Customer group: %1")
    return [group.replace("%1", line[len(prefix):]) if line.startswith(prefix)
            else line for line in rules.describe(currency)]

IdRole = Qt.ItemDataRole.UserRole


class SegmentsPage(QWidget):
    newRequested = Signal()
    editRequested = Signal(int)
    deleteRequested = Signal(int)
    openRequested = Signal(int)
    exportRequested = Signal(int)

    def __init__(self, currency: str = "", locale: QLocale | None = None, parent=None):
        super().__init__(parent)
        self.currency = currency
        self.locale = locale or QLocale()
        self.segments: list = []
        self.counts: dict[int, int] = {}
        title = page_title(self.tr("Segments"))
        note = muted_label(self.tr(
            "A segment is a group of customers you want to reach, kept up to date by itself: "
            "\u201cbought vegetarian in the last 90 days\u201d, \u201cgood customers we have "
            "not seen for 90 days\u201d. Open one to see the customers, or export it for a "
            "mailing."))
        self.tree = QTreeWidget()
        self.tree.setObjectName("segmentList")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([self.tr("Name"), self.tr("Who"), self.tr("Customers")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setWordWrap(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(0, 280)
        self.tree.itemDoubleClicked.connect(lambda *_: self._emit(self.openRequested))
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.empty_state = muted_label(self.tr(
            "No segments yet. Press \u201cNew segment…\u201d to make the first one."))
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.new_button = QPushButton(self.tr("New segment…"))
        self.new_button.clicked.connect(self.newRequested)
        self.open_button = QPushButton(self.tr("Show customers"))
        self.open_button.clicked.connect(lambda: self._emit(self.openRequested))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.clicked.connect(lambda: self._emit(self.editRequested))
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.clicked.connect(lambda: self._emit(self.exportRequested))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.clicked.connect(lambda: self._emit(self.deleteRequested))
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_state, 1)
        layout.addLayout(buttons)
        self.set_segments([])

    def set_segments(self, segments: list, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else self.current_id()
        self.segments = list(segments)
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        row_height = self.tree.fontMetrics().height() + 14
        for segment in self.segments:
            item = QTreeWidgetItem([segment.name,
                                    "; ".join(rule_lines(segment.rules, self.currency)),
                                    self._count_text(segment.id)])
            item.setData(0, IdRole, segment.id)
            item.setFont(0, bold)
            item.setSizeHint(0, QSize(0, row_height))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(1, "\n".join(rule_lines(segment.rules, self.currency)))
            self.tree.addTopLevelItem(item)
            if segment.id == keep:
                self.tree.setCurrentItem(item)
        if self.tree.currentItem() is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        has = bool(self.segments)
        self.tree.setVisible(has)
        self.empty_state.setVisible(not has)
        self._update_buttons()

    def set_counts(self, counts: dict[int, int]) -> None:
        self.counts = dict(counts)
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            item.setText(2, self._count_text(item.data(0, IdRole)))

    def count_text(self, segment_id: int) -> str:
        return self._count_text(segment_id)

    def current_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, IdRole) if item is not None else None

    def select(self, segment_id: int) -> None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, IdRole) == segment_id:
                self.tree.setCurrentItem(item)

    def _count_text(self, segment_id) -> str:
        n = self.counts.get(segment_id)
        return "…" if n is None else self.locale.toString(n)

    def _update_buttons(self) -> None:
        has = self.current_id() is not None
        for button in (self.open_button, self.edit_button, self.export_button,
                       self.delete_button):
            button.setEnabled(has)

    def _emit(self, signal) -> None:
        segment_id = self.current_id()
        if segment_id is not None:
            signal.emit(segment_id)
