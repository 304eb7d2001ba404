"""The customer book page: search box and filters over the list, the card beside it."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crmdesk.ui.customers.card import CustomerCardView
from crmdesk.ui.customers.table_model import CustomerTableModel
from crmdesk.ui.formatting import count as plural
from crmdesk.ui.icons import icon
from crmdesk.ui.widgets import muted_label

STATUS_FILTERS = (
    (None, "Everyone"),
    ("customer", "Customers"),
    ("prospect", "Prospects"),
    ("former", "Former customers"),
)


class CustomerTable(QTableView):
    """The list itself; Enter opens the card of the current customer."""

    enterPressed = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enterPressed.emit()
            return
        super().keyPressEvent(event)


class CustomersPage(QWidget):
    currentCustomerChanged = Signal(object)  # customer id or None
    trashRequested = Signal(list)  # customer ids
    editRequested = Signal(int)

    def __init__(self, model: CustomerTableModel, card: CustomerCardView, parent=None):
        super().__init__(parent)
        self.model = model
        self.card = card

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            self.tr("Search by name, phone, email, city, tag or note (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumHeight(32)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(0)  # coalesce keys typed faster than one query
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._search_enter)

        self.status_filter = QComboBox()
        for value, text in STATUS_FILTERS:
            self.status_filter.addItem(self.tr(text), value)
        self.status_filter.setToolTip(self.tr("Show only customers with this status"))
        self.status_filter.currentIndexChanged.connect(
            lambda: self.model.update_query(status=self.status_filter.currentData()))
        self.tag_filter = QComboBox()
        self.tag_filter.setToolTip(self.tr("Show only customers with this tag"))
        self.tag_filter.addItem(self.tr("All tags"), None)
        self.tag_filter.currentIndexChanged.connect(
            lambda: self.model.update_query(tag=self.tag_filter.currentData()))
        # Customers with a phone number kept as written because it could not be checked.
        self.phone_check_filter = QCheckBox(self.tr("Phone to check"))
        self.phone_check_filter.setObjectName("phoneCheckFilter")
        self.phone_check_filter.setToolTip(self.tr(
            "Show only customers with a phone number that could not be checked and was kept "
            "as written"))
        self.phone_check_filter.toggled.connect(
            lambda on: self.model.update_query(phone_check=on))
        self.count_label = muted_label()
        self.count_label.setWordWrap(False)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.tag_filter)
        bar.addWidget(self.phone_check_filter)

        self.table = CustomerTable()
        self.table.setObjectName("customerTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in enumerate((180, 125, 100, 120, 100)):
            header.resizeSection(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.enterPressed.connect(self._open_current)
        self.table.doubleClicked.connect(lambda index: self._edit_row(index.row()))
        model.modelReset.connect(self._after_reset)
        model.countChanged.connect(self._show_count)

        delete = QAction(icon("trash"), self.tr("Move to Trash"), self.table)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self._trash_selected)
        self.table.addAction(delete)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(6)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(card)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        card.setMinimumWidth(340)
        left.setMinimumWidth(360)

        # "Showing 23 customers: bought in March 2026 — Show everyone" (a chart's customers,
        # a segment): above the list while the list is narrowed to them.
        self.banner = QFrame()
        self.banner.setObjectName("subsetBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setAutoFillBackground(True)
        tint = self.banner.palette()
        window, accent = tint.color(QPalette.ColorRole.Window), tint.color(
            QPalette.ColorRole.Highlight)
        tint.setColor(QPalette.ColorRole.Window, QColor(
            round(window.red() * 0.82 + accent.red() * 0.18),
            round(window.green() * 0.82 + accent.green() * 0.18),
            round(window.blue() * 0.82 + accent.blue() * 0.18)))
        self.banner.setPalette(tint)
        self.banner_label = QLabel()
        self.banner_label.setObjectName("subsetBannerText")
        self.banner_label.setWordWrap(True)
        self.everyone_button = QPushButton(self.tr("Show everyone"))
        self.everyone_button.setObjectName("showEveryone")
        self.everyone_button.clicked.connect(self.show_everyone)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 4, 6, 4)
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(self.everyone_button)
        self.banner.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.setSpacing(8)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self._pending_id: int | None = None

    # --- public ----------------------------------------------------------------------------

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.customer_id(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = [self.model.customer_id(row) for row in rows]
        if not ids and self.current_id() is not None:
            ids = [self.current_id()]
        return [i for i in ids if i is not None]

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh(self, select_id: int | None = None) -> None:
        """Run the query again; keep (or move to) the given customer."""
        keep = select_id if select_id is not None else self.current_id()
        self._pending_id = keep
        self.model.refresh()

    def select_customer(self, customer_id: int) -> bool:
        row = self.model.row_of(customer_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def show_everyone(self) -> None:
        """Clear the search, the filters and a chart's or segment's narrowing (to reach a
        customer from another page, or from the banner's button)."""
        self._clear_filters()
        self.banner.hide()
        changes = {"text": "", "status": None, "tag": None, "phone_check": False}
        if getattr(self.model.query, "only_ids", None) is not None:
            changes["only_ids"] = None
        if getattr(self.model.query, "segment", None) is not None:
            changes["segment"] = None
        self.model.update_query(**changes)

    def show_subset(self, banner, **narrowing) -> int:
        """Only some customers: `narrowing` is only_ids=(...) or segment=rules (ListQuery
        fields); `banner(n)` words the banner for the n customers found. Returns n."""
        self._clear_filters()
        changes = {"text": "", "status": None, "tag": None, "only_ids": None, "segment": None,
                   "phone_check": False}
        changes.update(narrowing)
        self.model.update_query(**changes)
        found = self.model.rowCount()
        self.banner_label.setText(banner(found))
        self.banner.show()
        return found

    def banner_text(self) -> str:
        return "" if self.banner.isHidden() else self.banner_label.text()

    def _clear_filters(self) -> None:
        widgets = (self.search, self.status_filter, self.tag_filter, self.phone_check_filter)
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        self.status_filter.setCurrentIndex(0)
        self.tag_filter.setCurrentIndex(0)
        self.phone_check_filter.setChecked(False)
        for widget in widgets:
            widget.blockSignals(False)

    def set_tags(self, tags: list[str]) -> None:
        current = self.tag_filter.currentData()
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem(self.tr("All tags"), None)
        for tag in tags:
            self.tag_filter.addItem(tag, tag)
        index = self.tag_filter.findData(current) if current else 0
        self.tag_filter.setCurrentIndex(max(index, 0))
        self.tag_filter.blockSignals(False)
        if current and index < 0:
            self.model.update_query(tag=None)

    # --- internals -------------------------------------------------------------------------

    def _apply_search(self) -> None:
        self._pending_id = self.current_id()
        self.model.update_query(text=self.search.text())

    def _search_enter(self) -> None:
        if self.model.rowCount() == 0:
            return
        if self.current_id() is None:
            self.select_customer(self.model.customer_id(0))
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _after_reset(self) -> None:
        wanted, self._pending_id = self._pending_id, None
        if wanted is not None and self.select_customer(wanted):
            return
        if self.model.rowCount() > 0:
            # The first customer's card shows (while searching: the best match follows typing).
            self.select_customer(self.model.customer_id(0))
        else:
            self.currentCustomerChanged.emit(None)

    def _show_count(self, count: int) -> None:
        query = self.model.query
        narrowed = (getattr(query, "only_ids", None) is not None
                    or getattr(query, "segment", None) is not None)
        if query.text.strip() or query.status or query.tag or narrowed or \
                getattr(query, "phone_check", False):
            text = plural(count, "%n customer found", "%n customers found")
        else:
            text = plural(count, "%n customer", "%n customers")
        self.count_label.setText(text)

    def _current_changed(self, current, _previous) -> None:
        self.currentCustomerChanged.emit(
            self.model.customer_id(current.row()) if current.isValid() else None)

    def _open_current(self) -> None:
        customer_id = self.current_id()
        if customer_id is not None:
            self.currentCustomerChanged.emit(customer_id)
            self.card.focus_log()

    def _edit_row(self, row: int) -> None:
        customer_id = self.model.customer_id(row)
        if customer_id is not None:
            self.editRequested.emit(customer_id)

    def _trash_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.trashRequested.emit(ids)


