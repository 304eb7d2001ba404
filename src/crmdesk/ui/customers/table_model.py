"""The customer list model: keeps only the ordered ids of the current query, builds rows lazily.

Searching, filtering and sorting run a new indexed query (never a proxy over all rows). The rows
on screen are fetched a page at a time and kept in a small cache.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from crmdesk.core import phones
from crmdesk.core.customer_list import CustomerList
from crmdesk.core.model import CustomerRow, ListQuery
from crmdesk.ui.formatting import DATE_KIND_NAMES, Formatter
from crmdesk.ui.icons import icon

PAGE = 100
#: When the whole answer is not quick to work out (no search and no full list kept yet, or one
#: letter with a tag, a segment or a sort other than by name), the first ids and the count come
#: at once and the rest (100,000 ids take 15-40 ms) right after painting.
FIRST_IDS = 300
CACHE_PAGES = 10

COLUMNS = (
    ("name", "Name"),
    ("phone", "Phone"),
    ("city", "City"),
    ("tags", "Tags"),
    ("last_contact", "Last contact"),
    ("next_date", "Next important date"),
)

IdRole = Qt.ItemDataRole.UserRole + 1
PHONE_COLUMN = 1
#: The mark beside a phone number that could not be checked (kept as written).
CHECK_COLOUR = "#b26a00"
_PHONE_NAMES = {"phone": "Phone", "phone_alt": "Other phone", "whatsapp": "WhatsApp"}


class CustomerTableModel(QAbstractTableModel):
    #: emitted after every new query, with the number of customers it found
    countChanged = Signal(int)

    def __init__(self, customer_list: CustomerList, formatter: Formatter, parent=None):
        super().__init__(parent)
        self._list = customer_list
        self._fmt = formatter
        self._query = ListQuery()
        self._loaded = False  # no query has run yet: a sort only chooses the order
        self.defer_rest = False
        self._ids: list[int] = []
        self._total = 0  # rows in the list; more than len(_ids) until the rest is fetched
        self._pages: OrderedDict[int, dict[int, list]] = OrderedDict()  # [row, texts]
        self._bold = QFont()
        self._bold.setBold(True)
        self._check_icon = None  # made when first shown

    # --- queries ---------------------------------------------------------------------------

    @property
    def query(self) -> ListQuery:
        return self._query

    def preset(self, query: ListQuery) -> None:
        """Choose the query without running it (before the view restores its sort indicator)."""
        self._query = query

    def set_query(self, query: ListQuery) -> None:
        self.beginResetModel()
        self._query = query
        self._loaded = True
        self._ids, self._total = self._list.first_ids(query, FIRST_IDS)
        defer, self.defer_rest = self.defer_rest, False
        if len(self._ids) < self._total and not defer:
            QTimer.singleShot(50, self._fetch_rest)  # else the window does, after its first paint
        self._pages.clear()
        self.endResetModel()
        self.countChanged.emit(self._total)

    def fetch_rest(self) -> None:
        self._fetch_rest()

    def _fetch_rest(self) -> None:
        if len(self._ids) < self._total:
            ids = self._list.find_ids(self._query)
            if len(ids) != self._total:  # the book changed meanwhile: start over
                self.set_query(self._query)
                return
            self._ids = ids

    def update_query(self, **changes) -> None:
        self.set_query(dataclasses.replace(self._query, **changes))

    def refresh(self) -> None:
        """Run the current query again (after an edit, a delete, an undo...)."""
        self.set_query(self._query)

    def set_formatter(self, formatter: Formatter) -> None:
        self._fmt = formatter
        self._pages.clear()
        if self._total:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self._total - 1, len(COLUMNS) - 1))

    def customer_id(self, row: int) -> int | None:
        if row >= len(self._ids):
            self._fetch_rest()
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, customer_id: int) -> int:
        try:
            return self._ids.index(customer_id)
        except ValueError:
            if len(self._ids) < self._total:
                self._fetch_rest()
                return self.row_of(customer_id)
            return -1

    # --- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.tr(COLUMNS[section][1])
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        customer_id = self.customer_id(index.row())
        if role == IdRole:
            return customer_id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.FontRole, Qt.ItemDataRole.DecorationRole):
            return None
        if role == Qt.ItemDataRole.DecorationRole and index.column() != PHONE_COLUMN:
            return None
        entry = self._entry(index.row())
        if entry is None:
            return None
        row, texts = entry
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if index.column() == 0 else None
        if role == Qt.ItemDataRole.DecorationRole:  # the phone column: a number to check
            if not row.phone_check:
                return None
            if self._check_icon is None:
                self._check_icon = icon("info", QColor(CHECK_COLOUR))
            return self._check_icon
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == PHONE_COLUMN and row.phone_check:
                which = ", ".join(self.tr(_PHONE_NAMES[name]) for name in
                                  phones.unchecked_fields(row.phone_check)
                                  if name in _PHONE_NAMES)
                text = texts[index.column()]
                return "\n".join(x for x in (text, f"{which}: " + self.tr(
                    "to check. This number could not be checked: it is kept as written."))
                    if x)
            if index.column() == 5 and row.next_date is not None:
                kind = self.tr(DATE_KIND_NAMES.get(row.next_date_kind, ""))
                return f"{row.next_date_label or kind}: {self._fmt.date(row.next_date)}"
            if index.column() == 4 and row.last_contact is not None:
                return self._fmt.moment(row.last_contact)
            return texts[index.column()] or None
        return texts[index.column()]

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(COLUMNS):
            key = COLUMNS[column][0]
            descending = order == Qt.SortOrder.DescendingOrder
            if not self._loaded:
                self._query = dataclasses.replace(self._query, sort=key, descending=descending)
            elif (key, descending) != (self._query.sort, self._query.descending):
                self._fetch_rest()
                self.layoutAboutToBeChanged.emit()
                old_ids = self._ids
                self._query = dataclasses.replace(self._query, sort=key, descending=descending)
                self._ids = self._list.find_ids(self._query)
                self._total = len(self._ids)
                self._pages.clear()
                self._remap_persistent(old_ids)
                self.layoutChanged.emit()

    # --- internals -------------------------------------------------------------------------

    def _remap_persistent(self, old_ids: list[int]) -> None:
        """Keep selections and the current row on the same customers after a re-sort."""
        persistent = self.persistentIndexList()
        if not persistent:
            return
        position = {cid: row for row, cid in enumerate(self._ids)}
        moved = []
        for index in persistent:
            row = position.get(old_ids[index.row()]) if index.row() < len(old_ids) else None
            moved.append(self.index(row, index.column()) if row is not None else QModelIndex())
        self.changePersistentIndexList(persistent, moved)

    def _entry(self, row: int):
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None:
            if (page_no + 1) * PAGE > len(self._ids):
                self._fetch_rest()
            ids = self._ids[page_no * PAGE:(page_no + 1) * PAGE]
            page = {cid: [row, None] for cid, row in self._list.rows(ids).items()}
            self._pages[page_no] = page
            while len(self._pages) > CACHE_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        entry = page.get(self._ids[row])
        if entry is not None and entry[1] is None:
            entry[1] = self._texts(entry[0])  # formatted when first shown, not per page
        return entry

    def _texts(self, row: CustomerRow) -> list[str]:
        today = self._list.today()
        next_date = ""
        if row.next_date is not None:
            days = (row.next_date - today).days
            label = row.next_date_label or self.tr(DATE_KIND_NAMES.get(row.next_date_kind, ""))
            next_date = f"{label}, {self._fmt.days_left(days)}"
        last = self._fmt.days_ago(row.last_contact, today) if row.last_contact else ""
        return [row.name, self._fmt.phone(row.phone), row.city, row.tags, last, next_date]
