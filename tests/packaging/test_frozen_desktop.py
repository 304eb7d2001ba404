"""The frozen app on a real desktop (Xvfb, a D-Bus session bus, dunst, trayer; the e2e tests'
harness): its window opens, a birthday today arrives as a native notification, and started
minimized it sits in the tray; so the tray and notifications work frozen, not only from source."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging_helpers import ROOT, build, require

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(600)]

START_TIMEOUT = 60


def _desktop_module():
    folder = str(ROOT / "tests" / "e2e")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import e2e_desktop

    return e2e_desktop


def book_with_a_birthday_today(path: Path) -> None:
    import dataclasses

    from crmdesk.core import settings as settings_store
    from crmdesk.core.customers import CustomerBook
    from crmdesk.core.model import CustomerInput, DateInput
    from crmdesk.store.db import open_database

    today = dt.date.today()
    opened = open_database(path)
    try:
        CustomerBook(opened.db, default_country=lambda: "GB").create(CustomerInput(
            first_name="Grace", last_name="Hopper",
            dates=[DateInput(kind="birthday", day=today.day, month=today.month, year=1980,
                             lead_days=0)]))
        # Date reminders come due at this hour: midnight, so the test passes at any time of day.
        settings_store.save(opened.db, dataclasses.replace(settings_store.load(opened.db),
                                                           remind_hour=0))
    finally:
        opened.db.close()


@pytest.fixture
def desktop(tmp_path_factory):
    e2e = _desktop_module()
    missing = e2e.missing_programs()
    require(not missing, "the e2e desktop's programs " + ", ".join(missing))
    session = e2e.Desktop(tmp_path_factory.mktemp("desktop"))
    try:
        session.start_session()
        yield session
    finally:
        session.stop()


def test_frozen_app_opens_its_window_and_notifies_a_birthday(frozen_app, desktop, tmp_path):
    db = tmp_path / "shop.db"
    book_with_a_birthday_today(db)
    app = desktop.start([str(frozen_app / build.program_name()), "--db", str(db)],
                        name="frozen")
    try:
        desktop.wait_for_window("crmdesk", timeout=START_TIMEOUT, process=app)
        shown = desktop.wait_for_notification(
            lambda n: "Grace Hopper" in n.get("summary", "") + n.get("body", ""),
            timeout=START_TIMEOUT)
        assert shown["appname"] == "crmdesk"
    except Exception:
        print("--- frozen crmdesk output", desktop.output("frozen"))
        raise
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait(timeout=10)
    log = (tmp_path / "logs" / "crmdesk.log")
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    assert "notification through" not in text, text  # no native backend failed on the way


def test_frozen_app_starts_minimized_into_the_tray(frozen_app, desktop, tmp_path):
    db = tmp_path / "shop.db"
    book_with_a_birthday_today(db)
    app = desktop.start([str(frozen_app / build.program_name()), "--minimized", "--db", str(db)],
                        name="minimized")
    try:
        # The reminder arriving shows the app is up and its start is over.
        desktop.wait_for_notification(
            lambda n: "Grace Hopper" in n.get("summary", "") + n.get("body", ""),
            timeout=START_TIMEOUT)
        # No window: it went to the tray (with no tray it would have shown its window)...
        assert not [w for w in desktop.windows() if "crmdesk" in w.title.lower()]
        # ...where its icon is docked: a small crmdesk window inside trayer's panel.
        found = desktop.run(["xdotool", "search", "--class", "crmdesk"], timeout=10)
        sizes = []
        for window in found.stdout.split():
            geometry = desktop.run(["xdotool", "getwindowgeometry", window], timeout=10).stdout
            size = re.search(r"Geometry: (\d+)x(\d+)", geometry)
            if size:
                sizes.append((int(size.group(1)), int(size.group(2))))
        assert any(width <= 64 and height <= 64 for width, height in sizes), sizes
    except Exception:
        print("--- frozen crmdesk output", desktop.output("minimized"))
        raise
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait(timeout=10)
