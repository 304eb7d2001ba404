"""The e2e desktop itself works: a Qt window appears on Xvfb with a tray, and a notification
sent over the session bus reaches dunst. If this fails, every other e2e failure is suspect."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest
from e2e_desktop import SCREEN, parse_dunst_history, wait_until

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_a_qt_window_appears_with_a_tray_and_can_be_photographed(desktop, tmp_path):
    app = desktop.start([sys.executable, str(HERE / "harness_window.py")], name="harness")

    window = desktop.wait_for_window("crmdesk harness check", process=app)

    assert window.title == "crmdesk harness check"
    line = wait_until(lambda: desktop.output("harness")[0].strip(), 20, "the harness to print")
    assert "platform=xcb" in line
    assert "tray=True" in line, "Qt saw no system tray although trayer runs"
    shot = desktop.screenshot(tmp_path / "harness.png")
    assert _png_size(shot) == SCREEN


def test_a_notification_sent_over_dbus_arrives_in_dunst(desktop):
    sent = desktop.run([
        "gdbus", "call", "--session",
        "--dest", "org.freedesktop.Notifications",
        "--object-path", "/org/freedesktop/Notifications",
        "--method", "org.freedesktop.Notifications.Notify",
        "crmdesk-harness", "0", "", "Birthday today", "Ana Lopes turns 40", "[]", "{}", "5000",
    ])
    assert sent.returncode == 0, sent.stderr

    arrived = desktop.wait_for_notification(lambda n: n["summary"] == "Birthday today")

    assert arrived["appname"] == "crmdesk-harness"
    assert arrived["body"] == "Ana Lopes turns 40"
    assert len(desktop.notifications()) == 1


def test_parse_dunst_history_reads_dunstctl_json():
    text = ('{"type": "aaa{sv}", "data": [[{"body": {"type": "s", "data": "b2"}, '
            '"summary": {"type": "s", "data": "s2"}, "appname": {"type": "s", "data": "a"}, '
            '"id": {"type": "i", "data": 7}}, {"body": {"type": "s", "data": "b1"}, '
            '"summary": {"type": "s", "data": "s1"}, "appname": {"type": "s", "data": "a"}, '
            '"id": {"type": "i", "data": 3}}]]}')

    parsed = parse_dunst_history(text)

    assert [n["summary"] for n in parsed] == ["s1", "s2"]
    assert parsed[0] == {"body": "b1", "summary": "s1", "appname": "a", "id": 3}
