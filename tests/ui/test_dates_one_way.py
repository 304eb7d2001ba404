"""Dates are written one way everywhere: the shop's date format from Settings (Today's title and
rows, the card, the tray's "paused until", the Dashboard's period)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from crmdesk.core.model import DateInput, ListQuery
from crmdesk.ui.main_window import PAGE_DASHBOARD, PAGE_TODAY


def use_format(win, session, fmt: str) -> None:
    win.apply_settings(dataclasses.replace(session.settings, date_format=fmt))


def test_today_card_and_tray_follow_the_shop_date_format(qtbot, filled_window, session, qapp,
                                                         qsettings, clock):
    from crmdesk.ui.tray_life import TrayLife

    win = filled_window
    bob = session.customers.find_ids(ListQuery(text="bob"))[0]
    data = session.book.load_input(bob)
    data.dates = [DateInput("anniversary", 22, 3, None)]  # 12 days ahead, no year
    session.book.update(bob, data)
    use_format(win, session, "yyyy-MM-dd")

    win.nav.setCurrentRow(PAGE_TODAY)
    page = win.today_page
    qtbot.waitUntil(lambda: len(page.rows("dates")) == 2)
    assert "2026-03-10" in page.subtitle.text()  # was "Tuesday 10 March"
    later = [r for r in page.rows("dates") if r.text(1) == "Bob Baker"][0]
    assert later.text(0).endswith("03-22")  # "Sun 03-22", the shop's order without a year

    win.open_customer(bob)
    assert "03-22" in win.card._dates.text()

    life = TrayLife(qapp, win, qsettings, tray_available=True)
    try:
        life.tray.now = clock
        life.tray.set_paused_until(clock() + dt.timedelta(days=1))
        assert "2026-03-11" in life.tray.toolTip()
    finally:
        life.close()


def test_dashboard_period_in_the_shop_date_format(qtbot, filled_window, session):
    win = filled_window
    use_format(win, session, "dd/MM/yyyy")
    win.nav.setCurrentRow(PAGE_DASHBOARD)
    qtbot.waitUntil(lambda: win.insight.dashboard is not None)
    words = win.insight.dashboard.period_words()
    start, end = (part.strip() for part in words.split("–"))
    for part in (start, end):
        day, month, year = part.split("/")
        assert len(day) == 2 and len(month) == 2 and len(year) == 4
