"""The Dashboard page: figures worked out off the UI thread for the chosen period, charts whose
bars open the customers behind them, export as PNG and PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from ui_helpers import add_people

from crmdesk.core.catalogue import Catalogue
from crmdesk.core.sales import ItemInput, SaleInput
from crmdesk.ui.main_window import PAGE_CUSTOMERS, PAGE_DASHBOARD, MainWindow


@pytest.fixture
def shop(session):
    """Three customers (added on 10 March 2026, the test clock's day); Anna bought vegetables
    on 2 March (€20) and something on 15 January (€10), Bob €50 on 5 March, Cleo nothing."""
    session.save_settings(dataclasses.replace(session.settings, currency="EUR",
                                              shop_name="Corner Deli"))
    anna, bob, cleo = add_people(session.book, "Anna Schmidt", "Bob Baker", "Cleo Jones")
    vegetables = Catalogue(session.db).add_category("Vegetables")
    sales = session.sales
    sales.record(SaleInput(anna, dt.date(2026, 3, 2), items=(
        ItemInput(category_id=vegetables, amount_minor=2000),)))
    sales.record(SaleInput(anna, dt.date(2026, 1, 15), total_minor=1000))
    sales.record(SaleInput(bob, dt.date(2026, 3, 5), total_minor=5000))
    return {"anna": anna, "bob": bob, "cleo": cleo}


def open_dashboard(qtbot, session, qsettings) -> MainWindow:
    win = MainWindow(session, qsettings)
    qtbot.addWidget(win)
    win.resize(1280, 900)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: not win._deferring)
    win.nav.setCurrentRow(PAGE_DASHBOARD)
    page = win.insight.dashboard
    qtbot.waitUntil(lambda: page.dashboard is not None and not win.insight.figures.is_busy(),
                    timeout=10000)
    return win


def shown_names(win) -> list[str]:
    model = win.model
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


def test_tiles_show_the_period_against_the_one_before(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    page = win.insight.dashboard

    assert page.period_label() == "Last 30 days"
    revenue = page.tiles["revenue"]
    assert revenue.value.text() == page.money.whole(7000)
    assert "70" in revenue.value.text()
    # €70 now against €10 in the 30 days before
    assert revenue.change.text() == "▲ 600% vs previous 30 days"
    assert page.tiles["purchases"].value.text() == "2"
    assert page.tiles["active"].value.text() == "2"
    assert page.tiles["customers"].value.text() == "3"
    assert "predicted" in page.tiles["clv"].change.text()
    assert page.tiles["clv"].toolTip().startswith("Historical")


def test_charts_have_a_bar_per_month_and_per_customer(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    page = win.insight.dashboard

    assert len(page.revenue_chart.bars) == 12
    drawn = [rects for rects in page.revenue_chart.bar_rects() if rects]
    assert len(drawn) == 2  # January and March had sales
    assert [bar.label for bar in page.top_chart.bars] == ["Bob Baker", "Anna Schmidt"]
    assert [bar.label for bar in page.category_chart.bars][0] == "Vegetables"
    assert sum(page.rfm_chart.counts.values()) == 2


def test_clicking_a_bar_shows_the_customers_behind_it(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    chart = win.insight.dashboard.revenue_chart
    march = chart.bar_rects()[-1][0]  # the last month is March 2026

    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=march.center().toPoint())

    qtbot.waitUntil(lambda: win.nav.currentRow() == PAGE_CUSTOMERS, timeout=10000)
    assert shown_names(win) == ["Anna Schmidt", "Bob Baker"]
    page = win.customers_page
    assert page.banner_text() == "Showing 2 customers: bought in March 2026"
    assert page.banner.isVisible()

    qtbot.mouseClick(page.everyone_button, Qt.MouseButton.LeftButton)

    assert shown_names(win) == ["Anna Schmidt", "Bob Baker", "Cleo Jones"]
    assert not page.banner.isVisible()


def test_a_top_customer_bar_opens_that_customer(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    chart = win.insight.dashboard.top_chart

    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.bar_rects()[0].center().toPoint())

    qtbot.waitUntil(lambda: win.nav.currentRow() == PAGE_CUSTOMERS, timeout=10000)
    assert shown_names(win) == ["Bob Baker"]
    assert "Bob Baker" in win.customers_page.banner_text()


def test_changing_the_period_works_the_figures_out_again(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    page = win.insight.dashboard
    before = page.dashboard

    page.period_box.setCurrentIndex(page.period_box.findText("Last 90 days"))

    qtbot.waitUntil(lambda: page.dashboard is not before and not win.insight.figures.is_busy(),
                    timeout=10000)
    assert page.dashboard.period.days == 90
    assert page.tiles["revenue"].value.text() == page.money.whole(8000)


def test_a_new_sale_shows_when_the_dashboard_is_shown_again(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    page = win.insight.dashboard
    win.nav.setCurrentRow(PAGE_CUSTOMERS)
    session.sales.record(SaleInput(shop["cleo"], dt.date(2026, 3, 9), total_minor=3000))

    win.nav.setCurrentRow(PAGE_DASHBOARD)

    qtbot.waitUntil(lambda: page.tiles["purchases"].value.text() == "3", timeout=10000)


def test_an_empty_book_shows_a_friendly_page(qtbot, session, qsettings):
    win = MainWindow(session, qsettings)
    qtbot.addWidget(win)
    win.show()
    win.nav.setCurrentRow(PAGE_DASHBOARD)
    page = win.insight.dashboard
    qtbot.waitUntil(lambda: "empty" in page.message.text(), timeout=10000)
    assert page.stack.currentIndex() == 0
    assert not page.pdf_button.isEnabled()


def save_to(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(path), "")))


def test_export_as_png_and_pdf(qtbot, shop, session, qsettings, monkeypatch, tmp_path):
    win = open_dashboard(qtbot, session, qsettings)
    page = win.insight.dashboard

    save_to(monkeypatch, tmp_path / "dash.png")
    qtbot.mouseClick(page.png_button, Qt.MouseButton.LeftButton)
    png = (tmp_path / "dash.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000

    save_to(monkeypatch, tmp_path / "dash")  # no suffix typed: .pdf is added
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    pdf = (tmp_path / "dash.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    assert win.insight.last_message == f"Saved the dashboard as {tmp_path / 'dash.pdf'}."


def test_an_export_that_cannot_be_written_says_so(qtbot, shop, session, qsettings,
                                                  monkeypatch, tmp_path):
    win = open_dashboard(qtbot, session, qsettings)
    seen = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda *args, **kwargs: seen.append(args[2])))
    save_to(monkeypatch, tmp_path / "no such folder" / "dash.pdf")

    qtbot.mouseClick(win.insight.dashboard.pdf_button, Qt.MouseButton.LeftButton)

    assert seen and seen[0].startswith("The dashboard could not be saved:")


def test_hovering_a_bar_tells_its_amount(qtbot, shop, session, qsettings):
    from PySide6.QtWidgets import QToolTip

    win = open_dashboard(qtbot, session, qsettings)
    chart = win.insight.dashboard.revenue_chart
    march = chart.bar_rects()[-1][0]

    qtbot.mouseMove(chart, march.center().toPoint())

    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=3000)
    assert QToolTip.text() == f"March 2026: {win.insight.dashboard.money.full(7000)}"


def test_the_active_customers_tile_opens_them(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    tile = win.insight.dashboard.tiles["active"]

    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: win.nav.currentRow() == PAGE_CUSTOMERS, timeout=10000)
    assert shown_names(win) == ["Anna Schmidt", "Bob Baker"]
    assert win.customers_page.banner_text().startswith("Showing 2 customers: bought ")


def test_the_go_menu_reaches_dashboard_and_segments(qtbot, window):
    from crmdesk.ui.main_window import PAGE_SEGMENTS

    actions = {a.text(): a for m in window.menuBar().actions() if m.menu()
               for a in m.menu().actions()}
    assert actions["Dashboard"].shortcut().toString() == "Ctrl+4"
    actions["Segments"].trigger()
    assert window.nav.currentRow() == PAGE_SEGMENTS
    actions["Dashboard"].trigger()
    assert window.nav.currentRow() == PAGE_DASHBOARD
    assert window.nav.item(PAGE_DASHBOARD).text() == "Dashboard"


def test_what_do_these_mean_defines_customer_value(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    page = win.insight.dashboard

    qtbot.mouseClick(page.help_button, Qt.MouseButton.LeftButton)

    assert page.help_box.isVisible()
    text = page.help_box.text()
    assert "<b>Historical:</b>" in text and "<b>Predicted:</b>" in text
    page.help_box.close()


def test_a_bar_can_be_opened_from_the_keyboard(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    chart = win.insight.dashboard.top_chart
    chart.setFocus()

    qtbot.keyClick(chart, Qt.Key.Key_Down)  # the first bar: Bob, the biggest spender
    qtbot.keyClick(chart, Qt.Key.Key_Down)  # then Anna
    qtbot.keyClick(chart, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: win.nav.currentRow() == PAGE_CUSTOMERS, timeout=10000)
    assert shown_names(win) == ["Anna Schmidt"]


def test_a_square_of_the_customer_grid_opens_its_customers(qtbot, shop, session, qsettings):
    win = open_dashboard(qtbot, session, qsettings)
    grid = win.insight.dashboard.rfm_chart
    (r, f), n = next((cell, n) for cell, n in grid.counts.items() if n)

    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton,
                     pos=grid.cell_rect(r, f).center().toPoint())

    qtbot.waitUntil(lambda: win.nav.currentRow() == PAGE_CUSTOMERS or bool(win.insight.last_message),
                    timeout=10000)
    assert win.insight.last_message == ""
    assert len(shown_names(win)) == n
    assert f"recency {r} of 5, frequency {f} of 5" in win.customers_page.banner_text()
