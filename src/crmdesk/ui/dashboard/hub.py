"""Wires the Dashboard and Segments pages to the window and to the core, off the UI thread.

The main window makes one `InsightHub` and adds its two holders to the side bar. A page is
built the first time it is shown (nothing of it costs start-up time). Figures, the customers
behind a chart and segment counts are worked out by `LatestJob`s (a worker thread with its own
connection; the newest question wins). "Show these customers" ends in
`window.show_customers(banner, only_ids=...)` or `(..., segment=rules)`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QVBoxLayout, QWidget

from crmdesk.ui.dashboard.latest import LatestJob
from crmdesk.ui.formatting import count as plural

log = logging.getLogger(__name__)


def _holder() -> QWidget:
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    return widget


class InsightHub(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.dashboard_holder = _holder()
        self.segments_holder = _holder()
        self.dashboard = None  # DashboardPage, made when first shown
        self.segments_page = None
        self.builder = None
        self.figures = LatestJob(self.session.db, self)
        self.figures.succeeded.connect(self._figures_ready)
        self.figures.failed.connect(self._figures_failed)
        self.figures.busyChanged.connect(self._busy)
        self.behind = LatestJob(self.session.db, self)
        self.behind.succeeded.connect(self._behind_ready)
        self.behind.failed.connect(lambda _tag, reason: self._say(
            self.tr("The customers could not be found: %1").replace("%1", reason)))
        self.counter = LatestJob(self.session.db, self)
        self.counter.succeeded.connect(self._counted)
        self._mark = None  # what the shown figures were computed from
        self._presets_day = None
        self.last_message = ""

    # --- shared ----------------------------------------------------------------------------

    def add_go_entries(self, dashboard_row: int, segments_row: int) -> None:
        """Go > Dashboard (Ctrl+4) and Segments (Ctrl+5), after the pages ui/menus.py lists."""
        window = self.window
        go_menu = next((a.menu() for a in window.menuBar().actions()
                        if a.text().replace("&", "") == window.tr("Go")), None)
        if go_menu is None:
            return
        for row, text, key in ((dashboard_row, self.tr("Dashboard"), "Ctrl+4"),
                               (segments_row, self.tr("Segments"), "Ctrl+5")):
            action = go_menu.addAction(text)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _=False, r=row: window.nav.setCurrentRow(r))

    def _money(self):
        from crmdesk.ui.dashboard.money import MoneyText

        return MoneyText.from_formatter(self.window.formatter)

    def _say(self, text: str) -> None:
        self.last_message = text
        self.window.statusBar().showMessage(text, 8000)

    def shut_down(self) -> None:
        for runner in (self.figures, self.behind, self.counter):
            runner.shut_down()
        if self.builder is not None:
            self.builder.counter.shut_down()

    def page_shown(self, which: str) -> None:
        if which == "dashboard":
            self.show_dashboard()
        elif which == "segments":
            self.show_segments()

    # --- dashboard -------------------------------------------------------------------------

    def ensure_dashboard(self):
        if self.dashboard is None:
            from crmdesk.core.report import Period
            from crmdesk.ui.dashboard.page import DashboardPage

            self._presets_day = self.session.today()
            self.dashboard = DashboardPage(self._money(), Period.presets(self._presets_day))
            self.dashboard.format_date = lambda day: self.window.formatter.date(day)
            self.dashboard.periodChanged.connect(lambda _p: self.refresh_dashboard(force=True))
            self.dashboard.customersRequested.connect(self.open_behind)
            self.dashboard.exportRequested.connect(self.export_dashboard)
            self.dashboard_holder.layout().addWidget(self.dashboard)
            self.dashboard.setVisible(self.dashboard_holder.isVisible())  # now, not queued
        return self.dashboard

    def _change_mark(self):
        """Cheap: has anything been written since the figures were worked out?"""
        return (self.session.change_mark(), self.session.today(),
                self.dashboard.period() if self.dashboard else None)

    def show_dashboard(self) -> None:
        page = self.ensure_dashboard()
        today = self.session.today()
        if today != self._presets_day:
            from crmdesk.core.report import Period

            self._presets_day = today
            page.set_presets(Period.presets(today))
        self.refresh_dashboard()

    def refresh_dashboard(self, force: bool = False) -> None:
        page = self.ensure_dashboard()
        if not force and self._mark is not None and self._mark == self._change_mark():
            return
        from crmdesk.core import report

        db, period, today = self.session.db, page.period(), self.session.today()
        feb29 = self.session.settings.feb29
        self.figures.request(lambda: report.dashboard(db, period, today, feb29), period)

    def _busy(self, busy: bool) -> None:
        if self.dashboard is not None:
            self.dashboard.set_busy(busy)

    def _figures_ready(self, period, board) -> None:
        page = self.dashboard
        if period != page.period():
            return  # the period changed meanwhile; its own answer follows
        self._mark = self._change_mark()
        empty = (board.kpis.customers == 0 and not board.top_customers
                 and not any(value for _m, value in board.revenue_by_month))
        page.money = self._money()  # the shop's currency may have changed in Settings
        if empty:
            page.show_empty()
        else:
            page.show_dashboard(board)

    def _figures_failed(self, _period, reason: str) -> None:
        self._mark = None
        self.dashboard.show_failed(reason)

    def open_behind(self, chart: str, key, words: str) -> None:
        from crmdesk.core import report

        db, period, today = self.session.db, self.dashboard.period(), self.session.today()
        self.behind.request(lambda: report.customers_behind(db, chart, key, period, today),
                            ("chart", words))

    def _behind_ready(self, tag, ids) -> None:
        kind, words = tag
        if kind == "segment":
            self._show_segment(words)
            return
        if not ids:
            self._say(self.tr("No customers in your book stand behind this any more."))
            return
        self.window.show_customers(
            lambda n: plural(n, "Showing %n customer: %1", "Showing %n customers: %1")
            .replace("%1", words), only_ids=tuple(ids))

    def export_dashboard(self, kind: str) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        from crmdesk.ui.dashboard import export

        page = self.dashboard
        if page is None or page.dashboard is None:
            return
        stamp = self.session.today().isoformat()
        suffix = ".pdf" if kind == "pdf" else ".png"
        start = str(Path.home() / f"crmdesk-dashboard-{stamp}{suffix}")
        filters = self.tr("PDF document (*.pdf)") if kind == "pdf" else self.tr(
            "PNG picture (*.png)")
        path, _filter = QFileDialog.getSaveFileName(
            self.window, self.tr("Save the dashboard as"), start, filters)
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != suffix:
            target = target.with_name(target.name + suffix)
        shop = self.session.settings.shop_name
        title = self.tr("Dashboard") + (f" — {shop}" if shop else "")
        lines = [f"{page.period_label()}: {page.period_words()}",
                 self.tr("Made on %1").replace("%1", self.window.formatter.date(
                     self.session.today()))]
        try:
            if kind == "pdf":
                export.save_pdf(page.content, target, title, lines)
            else:
                export.save_png(page.content, target)
        except (export.ExportError, OSError) as exc:
            self.last_message = self.tr("The dashboard could not be saved: %1").replace(
                "%1", str(exc))
            QMessageBox.warning(self.window, "crmdesk", self.last_message)
            return
        self._say(self.tr("Saved the dashboard as %1.").replace("%1", str(target)))

    # --- segments --------------------------------------------------------------------------

    def store(self):
        from crmdesk.core.segments import SegmentStore

        return SegmentStore(self.session.db, now=self.session.now)

    def ensure_segments(self):
        if self.segments_page is None:
            from crmdesk.ui.segments.page import SegmentsPage

            page = self.segments_page = SegmentsPage(self.session.settings.currency,
                                                     self.window.formatter.locale)
            page.newRequested.connect(lambda: self.edit_segment(None))
            page.editRequested.connect(self.edit_segment)
            page.deleteRequested.connect(self.delete_segment)
            page.openRequested.connect(self.open_segment)
            page.exportRequested.connect(self.export_segment)
            self.segments_holder.layout().addWidget(page)
            page.setVisible(self.segments_holder.isVisible())
        return self.segments_page

    def show_segments(self, select_id: int | None = None) -> None:
        page = self.ensure_segments()
        saved = self.store().all()
        page.set_segments(saved, select_id)
        from crmdesk.core import segments

        db, today = self.session.db, self.session.today()
        rules = [(s.id, s.rules) for s in saved]
        self.counter.request(lambda: {i: segments.count(db, r, today) for i, r in rules})

    def _counted(self, _tag, counts: dict[int, int]) -> None:
        if self.segments_page is not None:
            self.segments_page.set_counts(counts)

    def edit_segment(self, segment_id: int | None):
        from crmdesk.core import segments
        from crmdesk.ui.segments.builder import SegmentBuilder, known_words

        store = self.store()
        segment = store.get(segment_id) if segment_id is not None else None
        db, today = self.session.db, self.session.today()
        words = known_words(self.session)
        self.builder = SegmentBuilder(
            store, lambda rules: segments.count(db, rules, today), db,
            currency=self.session.settings.currency, tags=words["tags"],
            categories=words["categories"], products=words["products"], segment=segment,
            locale=self.window.formatter.locale, parent=self.window)
        builder = self.builder
        builder.accepted.connect(lambda: self.show_segments(builder.saved_id))
        builder.open()
        return builder

    def delete_segment(self, segment_id: int) -> None:
        from PySide6.QtWidgets import QMessageBox

        segment = self.store().get(segment_id)
        if segment is None:
            return
        answer = QMessageBox.question(
            self.window, self.tr("Delete segment"),
            self.tr("Delete the segment \u201c%1\u201d? Its customers stay in your book; only "
                    "this saved group goes.").replace("%1", segment.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.store().delete(segment_id)
        self.show_segments()

    def open_segment(self, segment_id: int) -> None:
        segment = self.store().get(segment_id)
        if segment is None:
            return
        from crmdesk.core import rfm

        # The list asks the core for the segment on the UI thread; RFM groups may first need
        # the whole book's scores worked out again (after new sales): that is done here, on
        # the worker, so the list's own query stays quick.
        db, today = self.session.db, self.session.today()
        wanted = bool(segment.rules.rfm_segments)
        self.behind.request(lambda: rfm.ensure_fresh(db, today) if wanted else None,
                            ("segment", segment))

    def _show_segment(self, segment) -> None:
        self.window.show_customers(
            lambda n: plural(n, "Segment: %1 — %n customer", "Segment: %1 — %n customers")
            .replace("%1", segment.name), segment=segment.rules)

    def export_segment(self, segment_id: int) -> None:
        from crmdesk.core.model import ListQuery

        segment = self.store().get(segment_id)
        if segment is None:
            return
        menu = getattr(self.window, "data_menu", None)
        if menu is None:
            from crmdesk.ui import data_menu

            data_menu.install(self.window)
            menu = self.window.data_menu
        known = self.segments_page.counts.get(segment_id) if self.segments_page else None
        menu.export_selection(ListQuery(segment=segment.rules), segment.name, known)
