"""The main window: side bar, pages, toolbar, menus, status bar; what the toolbar and menus
act on. The changes to customers they start, each an undo step, are in customer_actions.py."""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from crmdesk.core.customers import NotFound
from crmdesk.core.model import ListQuery
from crmdesk.core.session import Session
from crmdesk.ui.customer_actions import CustomerActions
from crmdesk.ui.customers.card import CustomerCardView
from crmdesk.ui.customers.list_page import CustomersPage
from crmdesk.ui.customers.table_model import CustomerTableModel
from crmdesk.ui.dashboard.hub import InsightHub
from crmdesk.ui.dashboard.icons import insight_icon
from crmdesk.ui.formatting import Formatter, count, needs_you_detail, needs_you_words
from crmdesk.ui.icons import app_icon, icon
from crmdesk.ui.menus import build_actions
from crmdesk.ui.needs_you_count import NeedsYouCount
from crmdesk.ui.pages import FirstRunPage, TrashPage
from crmdesk.ui.today import TodayPage
from crmdesk.ui.today_actions import TodayActions
from crmdesk.ui.window_dialogs import WindowDialogs
from crmdesk.ui.workers import BackgroundJob

PAGE_CUSTOMERS, PAGE_TODAY, PAGE_TRASH, PAGE_DASHBOARD, PAGE_SEGMENTS = range(5)
#: CRMDESK_START_PAGE=dashboard (or segments, today, trash) opens the window on that page
#: (for screenshots and demos); anything else: the customer list.
START_PAGES = {"customers": PAGE_CUSTOMERS, "today": PAGE_TODAY, "trash": PAGE_TRASH,
               "dashboard": PAGE_DASHBOARD, "segments": PAGE_SEGMENTS}


class MainWindow(WindowDialogs, CustomerActions, QMainWindow):
    #: emitted once the customer list has painted its first page (for --ready-and-exit)
    listPainted = Signal()
    #: emitted when closing the window only hid it (crmdesk keeps running in the tray)
    hiddenToTray = Signal()
    #: the customers chosen on the page the user sees changed (another page, row or selection)
    chosenChanged = Signal()

    def __init__(self, session: Session, state: QSettings, parent=None, *,
                 ask_shop_setup: bool = False):
        """`ask_shop_setup`: a new book's first start (`session.needs_shop_setup()`): the
        welcome page asks the shop's country, currency and date format first."""
        super().__init__(parent)
        self.session = session
        self.state = state
        self.formatter = Formatter(session.settings, session.fallback_country)
        self.undo_stack = QUndoStack(self)
        self.editor = None
        self.keep_state = True  # False for measuring runs, which must leave no trace
        self.closeToTray = False  # set by the tray: closing hides, Quit quits
        self.quitting = False
        self._painted = False
        self._deferring = False  # until the list's first paint, only the list is filled
        self._job: BackgroundJob | None = None
        self.setWindowTitle(self._title())
        self.setWindowIcon(app_icon())

        self.model = CustomerTableModel(session.customers, self.formatter, self)
        self.trash_model = CustomerTableModel(session.customers, self.formatter, self)
        self.card = CustomerCardView(self.formatter, session.today)
        self.customers_page = CustomersPage(self.model, self.card)
        self.first_run = FirstRunPage()
        self.customers_stack = QStackedWidget()
        self.customers_stack.addWidget(self.first_run)
        self.customers_stack.addWidget(self.customers_page)
        self.today_page = TodayPage(self.formatter)
        self.trash_page = TrashPage(self.trash_model)
        # What needs the owner today: one count for the badge, Today, the tray (off the UI
        # thread on a big book).
        self.needs_you = NeedsYouCount(session, self)
        self.needs_you.changed.connect(self._show_needs_you)
        self.today_actions = TodayActions(self)  # Today's and the card's appointment buttons

        self.insight = InsightHub(self)  # Dashboard and Segments, built when first shown

        self.pages = QStackedWidget()
        for page in (self.customers_stack, self.today_page, self.trash_page,
                     self.insight.dashboard_holder, self.insight.segments_holder):
            self.pages.addWidget(page)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(170)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.nav.setSpacing(2)
        for icon_name, text in (("customers", self.tr("Customers")), ("today", self.tr("Today")),
                                ("trash", self.tr("Trash"))):
            item = QListWidgetItem(icon(icon_name), text)
            item.setSizeHint(QSize(150, 40))
            self.nav.addItem(item)
        for icon_name, text in (("dashboard", self.tr("Dashboard")),
                                ("segments", self.tr("Segments"))):
            item = QListWidgetItem(insight_icon(icon_name), text)
            item.setSizeHint(QSize(150, 40))
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._go_to)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        build_actions(self)
        self.insight.add_go_entries(PAGE_DASHBOARD, PAGE_SEGMENTS)
        self._build_status_bar()
        self._connect()
        # One query for the list before the first paint: the sort the header will restore is
        # set first, so restoring it runs nothing; Today fills in once the list has painted.
        self.model.preset(self._initial_query())
        self._restore_state()
        self.model.defer_rest = True
        self.model.set_query(self.model.query)
        self.trash_model.set_query(ListQuery(trash=True, sort="name"))
        self._today_dirty = True
        self._refresh_counts()
        self.shop_setup = None
        if ask_shop_setup and self.customers_stack.currentIndex() == 0:
            self.ask_shop_setup()
        self.nav.setCurrentRow(PAGE_CUSTOMERS)
        self.customers_page.table.viewport().installEventFilter(self)
        start = START_PAGES.get(os.environ.get("CRMDESK_START_PAGE", "").strip().lower())
        if start and self.customers_stack.currentIndex() == 1:
            # after the list's first paint, so start-up is measured the same way
            self.listPainted.connect(lambda: QTimer.singleShot(
                0, lambda: self.nav.setCurrentRow(start)))
        elif start:  # an empty book: there is no list to paint
            QTimer.singleShot(0, lambda: self.nav.setCurrentRow(start))
        # After the first paint: the rest of the list, the card, the Today badge.
        self.listPainted.connect(lambda: QTimer.singleShot(0, self._after_first_paint))
        self._deferring = self.customers_stack.currentIndex() == 1
        self.customers_page.search.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- building --------------------------------------------------------------------------

    def _title(self) -> str:
        shop = self.session.settings.shop_name
        return f"{shop} — crmdesk" if shop else "crmdesk"

    def _build_status_bar(self) -> None:
        self.db_label = QLabel(self.tr("Customer book: %1").replace("%1", str(self.session.path)))
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel()
        self.statusBar().addWidget(self.db_label, 1)
        self.statusBar().addPermanentWidget(self.count_label)

    def _connect(self) -> None:
        page = self.customers_page
        page.currentCustomerChanged.connect(self.show_card)
        page.trashRequested.connect(self.trash)
        page.editRequested.connect(self.edit_customer)
        self.card.editRequested.connect(self.edit_customer)
        self.card.logRequested.connect(self.log_conversation)
        self.card.followUpAdded.connect(self._add_follow_up)
        self.card.followUpToggled.connect(self._toggle_follow_up)
        self.first_run.addRequested.connect(self.new_customer)
        self.first_run.sampleRequested.connect(self.load_samples)
        self.trash_page.restoreRequested.connect(self.restore)
        self.trash_page.emptyRequested.connect(self.empty_trash)
        # The toolbar and menus act on the page the user sees: they follow its selection.
        page.currentCustomerChanged.connect(lambda _id: self._chosen_changed())
        page.table.selectionModel().selectionChanged.connect(
            lambda *_a: self._chosen_changed())
        self.trash_page.table.selectionModel().selectionChanged.connect(
            lambda *_a: self._chosen_changed())
        self.trash_model.modelReset.connect(self._chosen_changed)
        self.today_page.tree.currentItemChanged.connect(lambda *_a: self._chosen_changed())
        self.chosenChanged.connect(self._update_actions)

    # --- state -----------------------------------------------------------------------------

    def _initial_query(self) -> ListQuery:
        sort = self.state.value("list/sort", "name")
        descending = self.state.value("list/descending", "false") in ("true", True)
        return ListQuery(sort=sort if isinstance(sort, str) else "name", descending=descending)

    def _restore_state(self) -> None:
        geometry = self.state.value("window/geometry")
        self.setMinimumSize(860, 560)
        if not (isinstance(geometry, QByteArray) and not geometry.isEmpty()
                and self.restoreGeometry(geometry)):
            screen = self.screen().availableGeometry()
            self.resize(min(1200, screen.width()), min(760, screen.height()))
        header = self.state.value("list/header")
        if isinstance(header, QByteArray) and not header.isEmpty():
            self.customers_page.table.horizontalHeader().restoreState(header)
        splitter = self.state.value("list/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.customers_page.splitter.restoreState(splitter)
        else:
            self.customers_page.splitter.setSizes([640, 460])

    def save_state(self) -> None:
        self.state.setValue("window/geometry", self.saveGeometry())
        self.state.setValue("list/header",
                            self.customers_page.table.horizontalHeader().saveState())
        self.state.setValue("list/splitter", self.customers_page.splitter.saveState())
        self.state.setValue("list/sort", self.model.query.sort)
        self.state.setValue("list/descending", "true" if self.model.query.descending else "false")
        self.state.sync()

    def request_quit(self) -> None:
        """Quit for real (menu or tray), not just hide to the tray."""
        self.quitting = True
        self.close()
        if self.closeToTray:  # otherwise closing the last window already ends the program
            QCoreApplication.quit()

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.closeToTray and not self.quitting:
            if self.keep_state:
                self.save_state()
            event.ignore()
            self.hide()
            self.hiddenToTray.emit()
            return
        if self._job is not None and self._job.is_running():
            self._job.cancel()
            self._job.wait()
        self.needs_you.stop()
        self.insight.shut_down()
        if self.keep_state:
            self.save_state()
        super().closeEvent(event)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if (not self._painted and event.type() == event.Type.Paint
                and watched is self.customers_page.table.viewport()):
            self._painted = True
            self.listPainted.emit()
        return super().eventFilter(watched, event)

    # --- refreshing ------------------------------------------------------------------------

    def _refresh_everything(self, customer_id: int | None) -> None:
        """After any change: list, card, trash, counts, Today and the first-run page."""
        self.customers_page.refresh(customer_id)
        self.trash_model.refresh()
        self.show_card(self.customers_page.current_id())
        self._refresh_counts()
        self._today_dirty = True
        if self.pages.currentIndex() == PAGE_TODAY:
            self.refresh_today()
        self._update_today_badge()

    def _refresh_counts(self) -> None:
        self.customers_page.set_tags(self.session.customers.tags())
        live = self.session.customers.count()
        self.needs_you.customers = live
        self.count_label.setText(count(live, "%n customer", "%n customers"))
        empty = live == 0 and self.trash_model.rowCount() == 0
        self.customers_stack.setCurrentIndex(0 if empty else 1)
        self.show_card(self.customers_page.current_id())

    def refresh_today(self) -> None:
        self.today_actions.refresh()
        self._today_dirty = False

    def install_data_menus(self) -> None:
        """File > Import, Export, Back up, Restore; Edit > duplicates, this person's data,
        forget; Sales > Record a sale, products and categories, loyalty."""
        from crmdesk.ui import data_menu, duplicates_dialog, import_wizard, sales_actions

        import_wizard.install(self)
        data_menu.install(self)
        duplicates_dialog.install(self)
        sales_actions.install(self)

    def reminders_delivered(self) -> None:
        """Reminders were just shown: Today and its badge may have changed."""
        self._today_dirty = True
        if self.pages.currentIndex() == PAGE_TODAY:
            self.refresh_today()
        self._update_today_badge()

    def _after_first_paint(self) -> None:
        self._deferring = False
        self.model.fetch_rest()
        self.show_card(self.customers_page.current_id())
        self._update_today_badge()

    def _update_today_badge(self) -> None:
        """The side bar's "Today (5)": what needs the owner today (core.needs_you), the same
        number as the tray's badge and the Today page's heading; its tooltip says what."""
        self.needs_you.request()  # _show_needs_you follows, at once or from a worker

    def _show_needs_you(self, needs) -> None:
        self.today_page.set_needs_you(needs.total, needs.by_kind)
        item = self.nav.item(PAGE_TODAY)
        item.setText(self.tr("Today (%1)").replace("%1", str(needs.total)) if needs.total
                     else self.tr("Today"))
        words = needs_you_words(needs.total)
        detail = needs_you_detail(needs.by_kind)
        item.setToolTip(f"{words}: {detail}" if detail else words)

    def show_card(self, customer_id: int | None) -> None:
        if self._deferring:
            return  # the first card is filled right after the list has painted
        if customer_id is None:
            self.card.clear()
        else:
            try:
                self.card.show_card(self.session.book.card(customer_id))
                self.today_actions.show_card_appointments(customer_id,
                                                          self.card.card.deleted_at is not None)
            except NotFound:
                self.card.clear()
        self._update_actions()

    def _changed(self, customer_id: int | None) -> None:
        self._refresh_everything(customer_id)

    def _go_to(self, row: int) -> None:
        self.pages.setCurrentIndex(row)
        self._chosen_changed()
        if row == PAGE_TODAY and self._today_dirty:
            self.refresh_today()
        elif row == PAGE_DASHBOARD:
            self.insight.page_shown("dashboard")
        elif row == PAGE_SEGMENTS:
            self.insight.page_shown("segments")

    # --- what the toolbar and menus act on ----------------------------------------------------

    def visible_page(self) -> str:
        """"customers", "today", "trash", "dashboard" or "segments": the page on screen
        ("" while the customer book is empty and the welcome page shows)."""
        row = self.pages.currentIndex()
        if row == PAGE_CUSTOMERS and self.customers_stack.currentIndex() == 0:
            return ""
        return {PAGE_CUSTOMERS: "customers", PAGE_TODAY: "today", PAGE_TRASH: "trash",
                PAGE_DASHBOARD: "dashboard", PAGE_SEGMENTS: "segments"}.get(row, "")

    def chosen_ids(self) -> list[int]:
        """The customers chosen on the visible page: the list's selection, the Trash's, or
        the customer of Today's current row. Nothing on other pages: an action never reaches
        a selection on a page the user does not see."""
        page = self.visible_page()
        if page == "customers":
            ids = self.customers_page.selected_ids()
            current = self.customers_page.current_id()
            return ids or ([current] if current is not None else [])
        if page == "trash":
            return self.trash_page.selected_ids()
        if page == "today":
            item = self.today_page.tree.currentItem()
            customer_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
            return [customer_id] if isinstance(customer_id, int) else []
        return []

    def chosen_id(self) -> int | None:
        """The one customer the visible page points at (its current row), or None."""
        page = self.visible_page()
        if page == "customers":
            return self.customers_page.current_id()
        ids = self.chosen_ids()
        return ids[0] if ids else None

    def chosen_in_trash(self) -> bool:
        return self.visible_page() == "trash"

    def _chosen_changed(self) -> None:
        self.chosenChanged.emit()

    def _update_actions(self) -> None:
        page = self.visible_page()
        one = self.chosen_id() is not None
        live = page in ("customers", "today")
        self.edit_action.setEnabled(live and one)
        self.log_action.setEnabled(live and one)
        self.trash_action.setEnabled(page == "customers" and bool(self.chosen_ids()))
        self.restore_action.setEnabled(page == "trash" and bool(self.chosen_ids()))

    # --- going to customers (their changes: CustomerActions) ------------------------------

    def focus_search(self) -> None:
        self.nav.setCurrentRow(PAGE_CUSTOMERS)
        if self.customers_stack.currentIndex() == 1:
            self.customers_page.focus_search()

    def open_customer(self, customer_id: int) -> None:
        self.nav.setCurrentRow(PAGE_CUSTOMERS)
        if not self.customers_page.select_customer(customer_id):
            self.customers_page.show_everyone()
            self.customers_page.select_customer(customer_id)

    def show_customers(self, banner, **narrowing) -> int:
        """The customer list narrowed to some customers (only_ids=... or segment=...), with a
        banner `banner(n)` and a "Show everyone" button above it. Returns how many show."""
        self.nav.setCurrentRow(PAGE_CUSTOMERS)
        return self.customers_page.show_subset(banner, **narrowing)
