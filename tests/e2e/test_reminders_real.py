"""Reminders on a real desktop: the real program, a real notification daemon, a real tray."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_desktop import wait_until

pytestmark = pytest.mark.e2e

START_TIMEOUT = 60


def book_with_a_birthday_today(path: Path) -> None:
    from crmdesk.core import settings as settings_store
    from crmdesk.core.customers import CustomerBook
    from crmdesk.core.model import CustomerInput, DateInput
    from crmdesk.store.db import open_database

    today = dt.date.today()
    opened = open_database(path)
    try:
        book = CustomerBook(opened.db, default_country=lambda: "GB")
        book.create(CustomerInput(
            first_name="Ada", last_name="Lovelace", phone="020 7946 0321",
            dates=[DateInput(kind="birthday", day=today.day, month=today.month, year=1990,
                             lead_days=0)]))
        book.create(CustomerInput(first_name="Charles", last_name="Babbage"))
        # Date reminders come due at this hour: midnight, so the test passes at any time of day.
        settings_store.save(opened.db, dataclasses.replace(settings_store.load(opened.db),
                                                           remind_hour=0))
    finally:
        opened.db.close()


def ada_notifications(desktop) -> list[dict]:
    return [n for n in desktop.notifications()
            if "Ada Lovelace" in n.get("summary", "") + n.get("body", "")]


def start(desktop, db: Path, name: str):
    app = desktop.start([sys.executable, "-m", "crmdesk", "--db", str(db)], name=name)
    desktop.wait_for_window("crmdesk", timeout=START_TIMEOUT, process=app)
    return app


def stop(app) -> None:
    app.terminate()
    try:
        app.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait(timeout=10)


def scheduler_checks(log: Path) -> int:
    if not log.exists():
        return 0
    return log.read_text(encoding="utf-8").count("reminder scheduler started")


def test_a_birthday_today_is_notified_once_across_restarts(desktop, tmp_path):
    db = tmp_path / "shop.db"
    book_with_a_birthday_today(db)
    log = tmp_path / "logs" / "crmdesk.log"

    app = start(desktop, db, "first")
    try:
        wait_until(lambda: scheduler_checks(log) >= 1, 30, "the reminder scheduler to start")
        shown = desktop.wait_for_notification(
            lambda n: "Ada Lovelace" in n.get("summary", "") + n.get("body", ""), timeout=30)
        assert shown["appname"] == "crmdesk"
        assert desktop.tray_available()
        desktop.screenshot(tmp_path / "reminder.png")
    except Exception:
        print("--- crmdesk output", desktop.output("first"))
        raise
    finally:
        stop(app)

    assert len(ada_notifications(desktop)) == 1
    app = start(desktop, db, "second")
    try:
        wait_until(lambda: scheduler_checks(log) >= 2, 30, "the reminder scheduler to start again")
        # The first check of the restarted app is done: nothing new about Ada arrived.
        assert len(ada_notifications(desktop)) == 1
    finally:
        stop(app)
