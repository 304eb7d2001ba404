"""Products and categories: the shop's own list, offered while typing a sale's items.

Changes are saved as they are made. Nothing is deleted: what the shop no longer sells is put
away ("archived") so old sales keep their words, and can be brought back.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core.catalogue import Catalogue
from crmdesk.core.validation import ValidationError
from crmdesk.ui.formatting import Formatter
from crmdesk.ui.widgets import muted_label

WARNING_COLOUR = "#c0392b"
ROLE = Qt.ItemDataRole.UserRole


class CatalogueDialog(QDialog):
    def __init__(self, catalogue: Catalogue, formatter: Formatter, parent=None):
        super().__init__(parent)
        self.catalogue = catalogue
        self._fmt = formatter
        self.setWindowTitle(self.tr("Products and categories"))
        self.setMinimumSize(560, 420)
        self.resize(640, 600)  # room for a dozen products without scrolling
        self.tabs = QTabWidget()
        self.tabs.addTab(self._products_tab(), self.tr("Products"))
        self.tabs.addTab(self._categories_tab(), self.tr("Categories"))
        self.error = QLabel()
        self.error.setObjectName("catalogueError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {WARNING_COLOUR}")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(muted_label(self.tr(
            "What you sell, so a sale's items can be picked from a list. Free words are fine "
            "too. Products and categories you no longer sell can be put away; old sales keep "
            "their names.")))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.refresh()

    # --- products ----------------------------------------------------------------------------

    def _products_tab(self) -> QWidget:
        page = QWidget()
        self.products = QTableWidget(0, 3)
        self.products.setObjectName("products")
        self.products.setHorizontalHeaderLabels([self.tr("Product"), self.tr("Category"),
                                                 self.tr("Price")])
        self.products.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.products.verticalHeader().hide()
        self.products.verticalHeader().setDefaultSectionSize(  # rows as compact as the list's
            self.products.fontMetrics().height() + 10)
        self.products.horizontalHeaderItem(2).setTextAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)  # over the prices
        self.products.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.products.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.products.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.products.itemSelectionChanged.connect(self._product_chosen)
        self.show_archived = QCheckBox(self.tr("Show put-away products and categories"))
        self.show_archived.toggled.connect(lambda _on: self.refresh())

        self.product_name = QLineEdit()
        self.product_name.setObjectName("productName")
        self.product_name.setPlaceholderText(self.tr("Such as: Flat white"))
        self.product_category = QComboBox()
        self.product_category.setObjectName("productCategory")
        self.product_price = QLineEdit()
        self.product_price.setObjectName("productPrice")
        self.product_price.setPlaceholderText(self.tr("Usual price (optional)"))
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.product_name)
        form.addRow(self.tr("Category"), self.product_category)
        form.addRow(self.tr("Price"), self.product_price)

        self.add_product = QPushButton(self.tr("Add product"))
        self.add_product.setObjectName("addProduct")
        self.add_product.clicked.connect(self._add_product)
        self.save_product = QPushButton(self.tr("Save changes"))
        self.save_product.clicked.connect(self._save_product)
        self.archive_product = QPushButton(self.tr("Put away"))
        self.archive_product.clicked.connect(self._archive_product)
        row = QHBoxLayout()
        for button in (self.add_product, self.save_product, self.archive_product):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.products, 1)
        layout.addWidget(self.show_archived)
        layout.addLayout(form)
        layout.addLayout(row)
        return page

    def _price(self) -> int | None:
        text = self.product_price.text().strip()
        return self._fmt.parse_money(text) if text else None

    def _selected_product(self):
        rows = self.products.selectionModel().selectedRows()
        if not rows:
            return None
        return self.products.item(rows[0].row(), 0).data(ROLE)

    def _product_chosen(self) -> None:
        product = self._selected_product()
        self.save_product.setEnabled(product is not None)
        self.archive_product.setEnabled(product is not None)
        if product is None:
            return
        self.product_name.setText(product.name)
        index = self.product_category.findData(product.category_id)
        self.product_category.setCurrentIndex(max(index, 0))
        self.product_price.setText(self._fmt.money_plain(product.price_minor))
        self.archive_product.setText(self.tr("Bring back") if product.archived
                                     else self.tr("Put away"))

    def _add_product(self) -> None:
        self._run(lambda: self.catalogue.add_product(
            self.product_name.text(), self.product_category.currentData(), self._price()),
            clear=True)

    def _save_product(self) -> None:
        product = self._selected_product()
        if product is not None:
            self._run(lambda: self.catalogue.update_product(
                product.id, self.product_name.text(), self.product_category.currentData(),
                self._price()))

    def _archive_product(self) -> None:
        product = self._selected_product()
        if product is not None:
            self._run(lambda: self.catalogue.archive_product(product.id, not product.archived),
                      clear=True)

    # --- categories --------------------------------------------------------------------------

    def _categories_tab(self) -> QWidget:
        page = QWidget()
        self.categories = QListWidget()
        self.categories.setObjectName("categories")
        self.categories.currentItemChanged.connect(self._category_chosen)
        self.category_name = QLineEdit()
        self.category_name.setObjectName("categoryName")
        self.category_name.setPlaceholderText(self.tr("Such as: Coffee"))
        self.category_name.returnPressed.connect(self._add_category)
        self.add_category = QPushButton(self.tr("Add category"))
        self.add_category.setObjectName("addCategory")
        self.add_category.clicked.connect(self._add_category)
        self.rename_category = QPushButton(self.tr("Rename"))
        self.rename_category.clicked.connect(self._rename_category)
        self.archive_category = QPushButton(self.tr("Put away"))
        self.archive_category.clicked.connect(self._archive_category)
        row = QHBoxLayout()
        row.addWidget(self.category_name, 1)
        for button in (self.add_category, self.rename_category, self.archive_category):
            row.addWidget(button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.categories, 1)
        layout.addLayout(row)
        return page

    def _selected_category(self):
        item = self.categories.currentItem()
        return item.data(ROLE) if item is not None else None

    def _category_chosen(self, *_args) -> None:
        category = self._selected_category()
        self.rename_category.setEnabled(category is not None)
        self.archive_category.setEnabled(category is not None)
        if category is not None:
            self.category_name.setText(category.name)
            self.archive_category.setText(self.tr("Bring back") if category.archived
                                          else self.tr("Put away"))

    def _add_category(self) -> None:
        self._run(lambda: self.catalogue.add_category(self.category_name.text()), clear=True)

    def _rename_category(self) -> None:
        category = self._selected_category()
        if category is not None:
            self._run(lambda: self.catalogue.rename_category(category.id,
                                                             self.category_name.text()))

    def _archive_category(self) -> None:
        category = self._selected_category()
        if category is not None:
            self._run(lambda: self.catalogue.archive_category(category.id,
                                                              not category.archived),
                      clear=True)

    # --- shared ------------------------------------------------------------------------------

    def _run(self, step, clear: bool = False) -> bool:
        self.error.hide()
        try:
            step()
        except ValidationError as exc:
            self.error.setText("\n".join(exc.errors.values()))
            self.error.show()
            return False
        except ValueError as exc:  # a price that is not an amount
            self.error.setText(self.tr("Price: %1").replace("%1", str(exc)))
            self.error.show()
            return False
        if clear:
            for field in (self.product_name, self.product_price, self.category_name):
                field.clear()
        self.refresh()
        return True

    def refresh(self) -> None:
        archived = self.show_archived.isChecked()
        categories = self.catalogue.categories(include_archived=archived)
        current = self.product_category.currentData()
        self.product_category.clear()
        self.product_category.addItem(self.tr("No category"), None)
        for category in categories:
            if not category.archived:
                self.product_category.addItem(category.name, category.id)
        self.product_category.setCurrentIndex(max(0, self.product_category.findData(current)))

        self.categories.clear()
        row_height = self.products.verticalHeader().defaultSectionSize()
        for category in categories:
            text = category.name + ("  " + self.tr("(put away)") if category.archived else "")
            item = QListWidgetItem(text)
            item.setSizeHint(QSize(0, row_height))  # as tall as the products' rows
            item.setData(ROLE, category)
            self.categories.addItem(item)

        products = self.catalogue.products(include_archived=archived)
        self.products.setRowCount(len(products))
        for row, product in enumerate(products):
            name = product.name + ("  " + self.tr("(put away)") if product.archived else "")
            cells = (name, product.category_name, self._fmt.money(product.price_minor))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setData(ROLE, product)
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.products.setItem(row, column, item)
        self._product_chosen()
        self._category_chosen()

    def product_names(self) -> list[str]:
        return [self.products.item(r, 0).text() for r in range(self.products.rowCount())]

    def category_names(self) -> list[str]:
        return [self.categories.item(r).text() for r in range(self.categories.count())]
