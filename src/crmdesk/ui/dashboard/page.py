"""The Dashboard page: a period chooser, KPI tiles against the previous period, and charts.

The page only shows a `core.report.Dashboard` it is handed (`show_dashboard`); working the
figures out happens off the UI thread (ui/dashboard/hub.py). Clicking a bar, a cell or a tile
emits `customersRequested(chart, key, words)`: the window opens the customers behind it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.ui.dashboard.charts import Bar, BarChart, HBarChart
from crmdesk.ui.dashboard.heatmap import HeatMap
from crmdesk.ui.dashboard.money import MoneyText
from crmdesk.ui.dashboard.tiles import KpiTile, change_words
from crmdesk.ui.widgets import muted_label, page_title, section_title

MESSAGE, FIGURES = range(2)


def help_html(tr) -> str:
    """The "What do these mean?" text."""
    rows = [
        (tr("Customers"), tr("Everyone in your customer book (not in Trash), and how many "
                             "were added in the chosen period.")),
        (tr("Active customers"), tr("Customers who bought at least once in the period.")),
        (tr("Lapsed customers"), tr("Customers who had bought before, but not in the period "
                                    "and not for a long while: worth a call.")),
        (tr("Revenue"), tr("The total of all sales recorded in the period.")),
        (tr("Sales"), tr("How many sales were recorded in the period.")),
        (tr("Average basket"), tr("Revenue divided by the number of sales: what a visit "
                                  "brings on average.")),
        (tr("Repeat customers"), tr("Of the customers who bought in the period, the share "
                                    "who have bought at least twice in all.")),
        (tr("Average customer value"), tr(
            "<b>Historical:</b> what a customer who has bought from you has spent in total so "
            "far, on average (all sales ever, divided by the customers who ever bought).<br>"
            "<b>Predicted:</b> a simple estimate of what a customer brings over their whole "
            "time with you: average basket × how many times a year a customer buys × how many "
            "years customers keep coming. A rough guide, not a promise.")),
        (tr("Upcoming birthdays"), tr("Customers whose birthday falls in the next 30 days.")),
        (tr("The customer grid (RFM)"), tr(
            "Every customer who ever bought gets a score from 1 to 5 for how recently they "
            "bought (R) and how often (F), compared with your other customers. Top right are "
            "your best customers; bottom left the ones you may have lost. The named groups "
            "come from the same scores.")),
    ]
    body = "".join(f"<p><b>{name}</b><br>{text}</p>" for name, text in rows)
    return body + "<p>" + tr("The arrows compare the chosen period with the period of the "
                             "same length just before it. Click a bar, a square of the grid "
                             "or a tile to see the customers behind it.") + "</p>"


class DashboardPage(QWidget):
    periodChanged = Signal(object)  # core.report.Period
    customersRequested = Signal(str, object, str)  # chart, key, words for the banner
    exportRequested = Signal(str)  # "pdf" or "png"

    def __init__(self, money: MoneyText, presets: list[tuple[str, object]], parent=None):
        super().__init__(parent)
        self.money = money
        self.locale: QLocale = money.locale
        self.dashboard = None
        self.presets = list(presets)
        #: writes a date the shop's way (the window's formatter, set by the hub)
        self.format_date = None

        title = page_title(self.tr("Dashboard"))
        self.period_box = QComboBox()
        self.period_box.setObjectName("periodBox")
        for label, period in self.presets:
            self.period_box.addItem(self.tr(label), period)
        self.period_box.setToolTip(self.tr("The period the figures are for"))
        self.period_box.currentIndexChanged.connect(
            lambda: self.periodChanged.emit(self.period()))
        self.busy_label = muted_label()
        self.busy_label.setWordWrap(False)
        self.help_button = QPushButton(self.tr("What do these mean?"))
        self.help_button.clicked.connect(self.show_help)
        self.pdf_button = QPushButton(self.tr("Save as PDF…"))
        self.pdf_button.clicked.connect(lambda: self.exportRequested.emit("pdf"))
        self.png_button = QPushButton(self.tr("Save as picture…"))
        self.png_button.setToolTip(self.tr("Save the dashboard as a PNG picture"))
        self.png_button.clicked.connect(lambda: self.exportRequested.emit("png"))
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(self.period_box)
        header.addWidget(self.busy_label)
        header.addStretch(1)
        header.addWidget(self.help_button)
        header.addWidget(self.pdf_button)
        header.addWidget(self.png_button)

        self.message = muted_label()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.content = QWidget()
        self.content.setObjectName("dashboardContent")
        self._build_content()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.content)
        self.stack.addWidget(scroll)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        self.show_message(self.tr("Working out the figures…"))

    # --- building --------------------------------------------------------------------------

    def _build_content(self) -> None:
        tr = self.tr
        self.no_sales = muted_label(tr(
            "No sales recorded yet. Record a sale from a customer's card (or import your "
            "till's history from File > Import) and the figures fill in here."))
        self.tiles: dict[str, KpiTile] = {}
        specs = (
            ("customers", tr("Customers"), tr("Everyone in your book (not in Trash)."), True,
             False),
            ("new", tr("New customers"), tr("Customers added in the chosen period."), True, True),
            ("active", tr("Active customers"), tr("Customers who bought in the period."), True,
             True),
            ("lapsed", tr("Lapsed customers"), tr(
                "Customers who had bought before, but not in the period and not for a long "
                "while."), False, True),
            ("birthdays", tr("Upcoming birthdays"), tr("Birthdays in the next 30 days."), True,
             False),
            ("revenue", tr("Revenue"), tr("The total of the sales in the period."), True, False),
            ("purchases", tr("Sales"), tr("How many sales were recorded in the period."), True,
             False),
            ("basket", tr("Average basket"), tr("Revenue divided by the number of sales."), True,
             False),
            ("repeat", tr("Repeat customers"), tr(
                "Of the customers who bought in the period, the share who have bought at least "
                "twice in all."), True, False),
            ("clv", tr("Average customer value"), tr(
                "Historical: what a customer who has bought has spent in total so far, on "
                "average.\nPredicted: average basket × purchases per year × years a customer "
                "stays. A rough guide, not a promise."), True, False),
        )
        grid = QGridLayout()
        grid.setSpacing(8)
        for n, (key, title, definition, better, clickable) in enumerate(specs):
            tile = KpiTile(title, definition, higher_is_better=better, clickable=clickable)
            tile.setObjectName(f"tile_{key}")
            if clickable:
                tile.clicked.connect(lambda k=key: self._tile_clicked(k))
            self.tiles[key] = tile
            grid.addWidget(tile, n // 5, n % 5)

        # (through lambdas: `self.money` is made again when the shop's currency changes)
        self.revenue_chart = BarChart((tr("Revenue"),), self.money.short)
        self.revenue_chart.setObjectName("revenueChart")
        self.new_returning_chart = BarChart((tr("New buyers"), tr("Returning buyers")),
                                            lambda n: self.money.number(n))
        self.category_chart = HBarChart(lambda v: self.money.whole(v))
        self.category_chart.empty_text = tr("No sales in this period.")
        self.top_chart = HBarChart(lambda v: self.money.whole(v))
        self.top_chart.empty_text = tr("No sales recorded yet.")
        self.rfm_chart = HeatMap()
        self.rfm_chart.empty_text = tr("No sales recorded yet.")
        self.rfm_chart.number_text = lambda n: self.money.number(n)
        self.rfm_chart.tip_text = lambda r, f, n: (
            tr("%1 customers: recency %2, frequency %3 (5 = best)")
            .replace("%1", self.money.number(n)).replace("%2", str(r)).replace("%3", str(f)))
        self.rfm_chart.words = lambda r, f: tr(
            "in the customer grid at recency %1 of 5, frequency %2 of 5").replace(
            "%1", str(r)).replace("%2", str(f))
        self.segment_chart = HBarChart(lambda n: self.money.number(n))
        self.segment_chart.empty_text = tr("No sales recorded yet.")

        self.revenue_chart.activated.connect(
            lambda _s, key, words: self.customersRequested.emit("revenue_month", key, words))
        self.new_returning_chart.activated.connect(
            lambda s, key, words: self.customersRequested.emit(
                "new_month" if s == 0 else "returning_month", key, words))
        self.category_chart.activated.connect(
            lambda _s, key, words: self.customersRequested.emit("category", key, words))
        self.top_chart.activated.connect(
            lambda _s, key, words: self.customersRequested.emit("top", key, words))
        self.rfm_chart.activated.connect(
            lambda _s, key, words: self.customersRequested.emit("rfm_cell", key, words))
        self.segment_chart.activated.connect(
            lambda _s, key, words: self.customersRequested.emit("rfm_segment", key, words))

        charts = QGridLayout()
        charts.setHorizontalSpacing(24)
        charts.setVerticalSpacing(4)
        placed = (
            (tr("Revenue by month"), self.revenue_chart, 0, 0),
            (tr("New and returning buyers by month"), self.new_returning_chart, 0, 1),
            (tr("What sells: revenue by category in the period"), self.category_chart, 2, 0),
            (tr("Top 10 customers by total spent"), self.top_chart, 2, 1),
            (tr("Customer grid: how recently and how often they buy"), self.rfm_chart, 4, 0),
            (tr("Customer groups"), self.segment_chart, 4, 1),
        )
        for text, chart, row, column in placed:
            charts.addWidget(section_title(text), row, column)
            charts.addWidget(chart, row + 1, column)
        for row in (1, 3, 5):
            charts.setRowStretch(row, 1)

        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 8, 0, 8)
        layout.addWidget(self.no_sales)
        layout.addLayout(grid)
        layout.addSpacing(8)
        layout.addLayout(charts, 1)

    # --- public ----------------------------------------------------------------------------

    def period(self):
        return self.period_box.currentData()

    def set_presets(self, presets: list[tuple[str, object]]) -> None:
        """New dates for the same choices (the day changed); keeps the chosen one."""
        index = self.period_box.currentIndex()
        self.presets = list(presets)
        self.period_box.blockSignals(True)
        self.period_box.clear()
        for label, period in self.presets:
            self.period_box.addItem(self.tr(label), period)
        self.period_box.setCurrentIndex(max(0, min(index, len(self.presets) - 1)))
        self.period_box.blockSignals(False)

    def period_label(self) -> str:
        return self.period_box.currentText()

    def set_busy(self, busy: bool) -> None:
        self.busy_label.setText(self.tr("Working out the figures…") if busy else "")
        if busy and self.dashboard is None:
            self.show_message(self.tr("Working out the figures…"))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentIndex(MESSAGE)
        for button in (self.pdf_button, self.png_button):
            button.setEnabled(False)

    def show_empty(self) -> None:
        self.dashboard = None
        self.show_message(self.tr(
            "Your customer book is empty, so there is nothing to add up yet.\n\n"
            "Add customers and record their sales, and this page shows how the shop is "
            "doing: revenue, best customers, who has not been back for a while."))

    def show_failed(self, reason: str) -> None:
        self.dashboard = None
        self.show_message(self.tr("The figures could not be worked out: %1").replace(
            "%1", reason))

    def show_help(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("What do these mean?"),
                          help_html(self.tr), QMessageBox.StandardButton.Close, self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()
        self.help_box = box

    def month_words(self, key: str) -> str:
        year, month = (int(part) for part in key.split("-"))
        return f"{self.locale.monthName(month, QLocale.FormatType.LongFormat)} {year}"

    def _month_label(self, key: str, first: bool) -> str:
        year, month = (int(part) for part in key.split("-"))
        short = self.locale.monthName(month, QLocale.FormatType.ShortFormat)
        return f"{short}\n{year}" if first or month == 1 else short  # the year once, at least

    def _date(self, day: dt.date) -> str:
        if self.format_date is not None:
            return self.format_date(day)
        return self.locale.toString(QDate(day.year, day.month, day.day),
                                    QLocale.FormatType.ShortFormat)

    def period_words(self) -> str:
        period = self.period()
        return f"{self._date(period.start)} – {self._date(period.end)}"

    def show_dashboard(self, board) -> None:
        self.dashboard = board
        self.stack.setCurrentIndex(FIGURES)
        for button in (self.pdf_button, self.png_button):
            button.setEnabled(True)
        self._fill_tiles(board)
        self._fill_charts(board)

    # --- filling ---------------------------------------------------------------------------

    def _fill_tiles(self, board) -> None:
        now, before = board.kpis, board.previous
        days = (board.period.end - board.period.start).days + 1
        money, number = self.money, self.money.number

        def tile(key, shown, current, previous, points=False):
            words, direction = change_words(current, previous, days, points=points,
                                            locale=self.locale)
            self.tiles[key].set_figure(shown, words, direction)

        self.tiles["customers"].set_figure(number(now.customers), self.tr(
            "%1 added in the period").replace("%1", number(now.new_customers)))
        tile("new", number(now.new_customers), now.new_customers, before.new_customers)
        tile("active", number(now.active_customers), now.active_customers,
             before.active_customers)
        tile("lapsed", number(now.lapsed_customers), now.lapsed_customers,
             before.lapsed_customers)
        names = ", ".join(name for _id, name, _day in board.birthdays[:8])
        self.tiles["birthdays"].set_figure(number(now.upcoming_birthdays),
                                           self.tr("in the next 30 days"))
        self.tiles["birthdays"].setToolTip(self.tr("Birthdays in the next 30 days.") + (
            "\n" + names if names else ""))
        tile("revenue", money.whole(now.revenue_minor), now.revenue_minor, before.revenue_minor)
        tile("purchases", number(now.purchases), now.purchases, before.purchases)
        tile("basket", money.full(now.average_basket_minor), now.average_basket_minor,
             before.average_basket_minor)
        tile("repeat", money.percent(now.repeat_customer_rate), now.repeat_customer_rate,
             before.repeat_customer_rate, points=True)
        self.tiles["clv"].set_figure(
            money.whole(now.average_clv_minor),
            self.tr("so far · predicted %1").replace(
                "%1", money.whole(now.predicted_clv_minor)))
        self.no_sales.setVisible(not any(v for _m, v in board.revenue_by_month)
                                 and now.average_clv_minor == 0)

    def _fill_charts(self, board) -> None:
        tr, money = self.tr, self.money
        months = board.revenue_by_month
        self.revenue_chart.set_bars([
            Bar(key, self._month_label(key, n < 2), (value,),
                tip=f"{self.month_words(key)}: {money.full(value)}",
                describe=(tr("bought in %1").replace("%1", self.month_words(key)),))
            for n, (key, value) in enumerate(months)])
        self.new_returning_chart.set_bars([
            Bar(key, self._month_label(key, n < 2), (new, back),
                tips=(tr("%1: %2 new buyers").replace("%1", self.month_words(key))
                      .replace("%2", money.number(new)),
                      tr("%1: %2 returning buyers").replace("%1", self.month_words(key))
                      .replace("%2", money.number(back))),
                describe=(tr("first bought in %1").replace("%1", self.month_words(key)),
                          tr("came back to buy in %1").replace("%1", self.month_words(key))))
            for n, (key, new, back) in enumerate(board.new_vs_returning)])
        total = sum(value for _id, _name, value in board.category_mix) or 1
        period = self.period_words()
        self.category_chart.set_bars([
            Bar(cid, name or tr("Other / no category"), (value,),
                tip=tr("%1: %2 (%3 of the period's revenue)")
                .replace("%1", name or tr("Other / no category"))
                .replace("%2", money.full(value)).replace("%3", money.percent(value / total)),
                describe=(tr("bought %1 (%2)").replace("%1", name or tr("other things"))
                          .replace("%2", period),))
            for cid, name, value in board.category_mix])
        self.top_chart.set_bars([
            Bar(cid, name, (value,), tip=tr("%1 has spent %2 in all")
                .replace("%1", name).replace("%2", money.full(value)),
                describe=(tr("top customer %1").replace("%1", name),))
            for cid, name, value in board.top_customers])
        self.rfm_chart.set_counts(board.rfm_grid)
        explanations = self._segment_explanations()
        self.segment_chart.set_bars([
            Bar(key, label, (n,), tip=f"{label}: {money.number(n)}\n"
                                      f"{explanations.get(key, '')}".rstrip(),
                describe=(tr("customer group %1").replace("%1", label),))
            for key, label, n in board.rfm_segments if n])

    @staticmethod
    def _segment_explanations() -> dict[str, str]:
        from crmdesk.core import rfm

        return {key: text for key, _label, text in rfm.SEGMENTS}

    def _tile_clicked(self, key: str) -> None:
        period = self.period_words()
        words = {
            "new": self.tr("added %1").replace("%1", period),
            "active": self.tr("bought %1").replace("%1", period),
            "lapsed": self.tr("lapsed: have not bought for a long while"),
        }[key]
        self.customersRequested.emit(key, None, words)
