"""Notifications on a real desktop: crmdesk's Notifier and tray icon in a small program on Xvfb,
with dunst as the notification daemon and trayer as the system tray."""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from e2e_desktop import wait_until

pytestmark = pytest.mark.e2e

TIMEOUT = 30

#: Shows crmdesk's tray icon, sends one notification through Notifier (native backends unless
#: `--tray-only`), prints `sent <channel> <backend> tray=<bool>` (or `failed <error>`), prints
#: `activated <key>` when the user clicks it, and runs until terminated.
PROGRAM = textwrap.dedent("""\
    import sys

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from crmdesk.desktop.notify import DeliveryError, Notifier
    from crmdesk.desktop.tray import TrayIcon

    title, body, key = sys.argv[1:4]
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    tray = TrayIcon()
    tray.set_today_count(1)
    tray.show()
    notifier = Notifier(tray, native=[] if "--tray-only" in sys.argv else None)
    notifier.activated.connect(lambda k: print("activated", k, flush=True))

    def send():
        try:
            channel = notifier.send(title, body, key)
        except DeliveryError as exc:
            print("failed", exc, flush=True)
            return
        print("sent", channel, notifier.last_backend,
              f"tray={QSystemTrayIcon.isSystemTrayAvailable()}", flush=True)

    QTimer.singleShot(300, send)
    sys.exit(app.exec())
""")


@pytest.fixture
def start_program(desktop, tmp_path):
    script = tmp_path / "notify_once.py"
    script.write_text(PROGRAM)

    def start(*args: str):
        process = desktop.start([sys.executable, str(script), *args], name="notify")

        def sent_line() -> str | None:
            out, err = desktop.output("notify")
            if process.poll() is not None:
                raise AssertionError(f"the program exited with {process.returncode}:\n{err}")
            return next((line for line in out.splitlines()
                         if line.startswith(("sent ", "failed "))), None)

        return process, wait_until(sent_line, TIMEOUT, "the program to send its notification",
                                   lambda: "\n".join(desktop.output("notify")))

    return start


def _keep_screenshot(desktop, tmp_path, name: str) -> None:
    shot = desktop.screenshot(tmp_path / name)
    if os.environ.get("CRMDESK_SHOT_DIR"):
        target = Path(os.environ["CRMDESK_SHOT_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, target / shot.name)


def test_a_notification_reaches_the_desktop_and_the_tray_icon_is_there(desktop, start_program,
                                                                        tmp_path):
    _process, line = start_program("Birthday today", "Zoë Müller turns 40", "customer:7")

    assert line == "sent native freedesktop tray=True"
    assert desktop.tray_available()
    _keep_screenshot(desktop, tmp_path, "crmdesk-notification.png")
    arrived = desktop.wait_for_notification(lambda n: n["summary"] == "Birthday today",
                                            timeout=TIMEOUT)
    assert arrived["body"] == "Zoë Müller turns 40"
    assert arrived["appname"] == "crmdesk"
    assert len(desktop.notifications()) == 1


def test_clicking_the_notification_reports_its_key(desktop, start_program):
    _process, line = start_program("Follow-up due", "Call Ben Okafor back", "customer:3")
    assert line.startswith("sent native")

    def clicked() -> bool:
        # What a click on the notification does in dunst: invoke its default action.
        desktop.run(["dunstctl", "action", "0"], timeout=10)
        return "activated customer:3" in desktop.output("notify")[0]

    wait_until(clicked, TIMEOUT, "the click to come back as activated(customer:3)",
               lambda: "\n".join(desktop.output("notify")))


def _window_sizes(desktop, pid: int) -> list[tuple[int, int]]:
    """(width, height) of each visible window of the process `pid`."""
    found = desktop.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)], timeout=10)
    sizes = []
    for window in found.stdout.split():
        geometry = desktop.run(["xdotool", "getwindowgeometry", window], timeout=10).stdout
        match = re.search(r"Geometry: (\d+)x(\d+)", geometry)
        if match:
            sizes.append((int(match.group(1)), int(match.group(2))))
    return sizes


def test_without_native_notifications_the_tray_shows_the_message(desktop, start_program,
                                                                tmp_path):
    process, line = start_program("Birthday today", "Ana Lopes turns 40", "customer:7",
                                  "--tray-only")

    assert line == "sent tray tray tray=True"
    # Besides the 22-pixel tray icon, a message balloon is on screen.
    wait_until(lambda: any(w > 100 and h > 40 for w, h in _window_sizes(desktop, process.pid)),
               TIMEOUT, "the tray's message balloon to show",
               lambda: f"windows: {_window_sizes(desktop, process.pid)}")
    _keep_screenshot(desktop, tmp_path, "crmdesk-tray-message.png")
    assert desktop.notifications() == []
