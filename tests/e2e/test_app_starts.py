"""The real program, started as a user starts it, on a real X desktop."""

from __future__ import annotations

import importlib.util
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_desktop import wait_until

import crmdesk

pytestmark = pytest.mark.e2e

START_TIMEOUT = 60
READY_LINE = re.compile(r"^ready (\d+(?:\.\d+)?)$", re.MULTILINE)


def crmdesk_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "crmdesk", *args]


def make_demo_database(path: Path, env: dict[str, str], customers: int = 50) -> None:
    """A customer book with sample customers, through `crmdesk demo` (or, until
    crmdesk.core.demo exists, a few customers added through CustomerBook)."""
    if importlib.util.find_spec("crmdesk.core.demo") is not None:
        result = subprocess.run(
            crmdesk_argv("demo", "--customers", str(customers), "--db", str(path)),
            env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stderr
        return
    from crmdesk.core.customers import CustomerBook
    from crmdesk.core.model import CustomerInput, DateInput
    from crmdesk.store.db import open_database

    opened = open_database(path)
    try:
        book = CustomerBook(opened.db, default_country=lambda: "GB")
        names = [("Ana", "Lopes"), ("Ben", "Okafor"), ("Chloe", "Martin"), ("Dev", "Patel"),
                 ("Emma", "Schmidt"), ("Farah", "Haddad")]
        for number, (first, last) in enumerate(names, start=1):
            book.create(CustomerInput(
                first_name=first, last_name=last, city="Leeds",
                email=f"{first.lower()}@example.com",
                dates=[DateInput(kind="birthday", day=number, month=number)]))
    finally:
        opened.db.close()


def test_version_prints_the_version():
    result = subprocess.run(crmdesk_argv("--version"), capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"crmdesk {crmdesk.__version__}"


def test_a_damaged_database_is_refused_and_left_untouched(tmp_path):
    bad = tmp_path / "bad.db"
    original = random.Random(20261122).randbytes(8192)
    bad.write_bytes(original)
    env = dict(os.environ, HOME=str(tmp_path / "home"))

    result = subprocess.run(crmdesk_argv("demo", "--db", str(bad), "--customers", "1"),
                            env=env, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)

    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "bad.db" in result.stderr
    assert bad.read_bytes() == original


def test_ready_and_exit_paints_the_list_and_exits(desktop, tmp_path):
    db = tmp_path / "shop.db"
    make_demo_database(db, desktop.env)

    result = desktop.run(crmdesk_argv("--db", str(db), "--ready-and-exit"),
                         timeout=START_TIMEOUT)

    assert result.returncode == 0, result.stderr
    ready = READY_LINE.search(result.stdout)
    assert ready, f"no 'ready <number>' line in {result.stdout!r}"
    assert float(ready.group(1)) > 0


def _window_colours(desktop, window_id: int, path: Path) -> int:
    """How many distinct colours the window shows: a painted window has text and lines."""
    grab = desktop.run(["import", "-window", str(window_id), str(path)], timeout=30)
    if grab.returncode != 0:
        return 0
    counted = desktop.run(["identify", "-format", "%k", str(path)], timeout=30)
    return int(counted.stdout.strip() or 0) if counted.returncode == 0 else 0


def test_the_window_opens_on_the_desktop(desktop, tmp_path):
    db = tmp_path / "shop.db"
    make_demo_database(db, desktop.env)

    app = desktop.start(crmdesk_argv("--db", str(db)), name="crmdesk")
    try:
        window = desktop.wait_for_window("crmdesk", timeout=START_TIMEOUT, process=app)
        wait_until(lambda: _window_colours(desktop, window.id, tmp_path / "window.png") > 20,
                   30, "the window to be painted")
        shot = desktop.screenshot(tmp_path / "crmdesk-window.png")
        if os.environ.get("CRMDESK_SHOT_DIR"):
            target = Path(os.environ["CRMDESK_SHOT_DIR"])
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(shot, target / shot.name)
        assert app.poll() is None, "the program exited while its window was open"
    except Exception:
        out, err = desktop.output("crmdesk")
        print(f"--- crmdesk stdout\n{out}\n--- crmdesk stderr\n{err}")
        raise
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait(timeout=10)
