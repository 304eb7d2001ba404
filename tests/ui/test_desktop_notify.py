"""The notifier: native first, the tray's message when native fails, an error when nothing works,
and a click on either brings back the key that was sent."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon

from crmdesk.desktop import freedesktop
from crmdesk.desktop.notify import (
    DeliveryError,
    FreedesktopBackend,
    Notifier,
    PlyerBackend,
    default_backends,
    set_windows_app_id,
)


class FakeTray(QSystemTrayIcon):
    """A tray icon that records messages; offscreen Qt has no system tray."""

    def __init__(self, available: bool = True):
        super().__init__()
        pixmap = QPixmap(16, 16)
        pixmap.fill(QColor("teal"))
        self.setIcon(QIcon(pixmap))
        self.available = available
        self.messages: list[tuple[str, str]] = []

    def isSystemTrayAvailable(self) -> bool:  # Qt's name
        return self.available

    def showMessage(self, title, body, *args):  # Qt's name
        self.messages.append((title, body))


class FakeBackend(QObject):
    activated = Signal(str)

    def __init__(self, name: str = "fake", error: Exception | None = None):
        super().__init__()
        self.name = name
        self.error = error
        self.shown: list[tuple[str, str, str]] = []

    def show(self, title: str, body: str, key: str) -> None:
        if self.error is not None:
            raise self.error
        self.shown.append((title, body, key))


@pytest.fixture
def tray(qtbot):
    icon = FakeTray()
    icon.show()
    yield icon
    icon.hide()


def test_a_working_native_backend_is_used_and_the_tray_stays_quiet(qapp, tray):
    native = FakeBackend("fake-native")
    notifier = Notifier(tray, native=native)

    channel = notifier.send("Birthday today", "Ana Lopes turns 40", "customer:7")

    assert channel == "native"
    assert notifier.last_backend == "fake-native"
    assert native.shown == [("Birthday today", "Ana Lopes turns 40", "customer:7")]
    assert tray.messages == []


def test_when_native_raises_the_tray_shows_the_message(qapp, tray, caplog):
    broken = FakeBackend("broken", NotImplementedError("No usable implementation found!"))
    notifier = Notifier(tray, native=[broken])

    with caplog.at_level(logging.WARNING):
        channel = notifier.send("Birthday today", "Ana Lopes turns 40", "customer:7")

    assert channel == "tray"
    assert tray.messages == [("Birthday today", "Ana Lopes turns 40")]
    assert "notification through broken failed: No usable implementation found!" in caplog.text


def test_the_second_native_backend_is_tried_before_the_tray(qapp, tray):
    first = FakeBackend("first", OSError("no session bus"))
    second = FakeBackend("second")
    notifier = Notifier(tray, native=[first, second])

    assert notifier.send("T", "B", "k") == "native"
    assert notifier.last_backend == "second"
    assert second.shown == [("T", "B", "k")] and tray.messages == []


@pytest.mark.parametrize("tray_state", ["none", "hidden", "no system tray"])
def test_when_nothing_can_show_it_the_caller_is_told(qapp, qtbot, tray_state, caplog):
    tray = None if tray_state == "none" else FakeTray(available=tray_state == "hidden")
    if tray_state == "no system tray":
        tray.show()  # shown, but there is no tray to show it in
    notifier = Notifier(tray, native=[FakeBackend("broken", RuntimeError("daemon gone"))])

    with caplog.at_level(logging.ERROR), pytest.raises(DeliveryError, match="daemon gone"):
        notifier.send("Birthday today", "Ana Lopes turns 40", "customer:7")

    assert "could not show a notification (Birthday today)" in caplog.text
    if tray is not None:
        assert tray.messages == []


def test_clicking_the_tray_message_activates_its_key(qapp, qtbot, tray):
    notifier = Notifier(tray, native=[])
    notifier.send("Follow-up due", "Call Ben back", "customer:3")

    with qtbot.waitSignal(notifier.activated) as clicked:
        tray.messageClicked.emit()

    assert clicked.args == ["customer:3"]


def test_a_tray_click_before_any_message_activates_nothing(qapp, qtbot, tray):
    notifier = Notifier(tray, native=[])

    with qtbot.assertNotEmitted(notifier.activated):
        tray.messageClicked.emit()


def test_clicking_a_native_notification_activates_its_key(qapp, qtbot):
    native = FakeBackend()
    notifier = Notifier(None, native=native)

    with qtbot.waitSignal(notifier.activated) as clicked:
        native.activated.emit("customer:9")

    assert clicked.args == ["customer:9"]


# --- the backends -----------------------------------------------------------------------------

class FakeBus(QObject):
    """FreedesktopNotifications' interface, without a bus."""

    actionInvoked = Signal(int, str)
    closed = Signal(int, int)

    def __init__(self):
        super().__init__()
        self.sent: list[dict] = []

    def notify(self, app_name, title, body, **options) -> int:
        self.sent.append({"app_name": app_name, "title": title, "body": body, **options})
        return len(self.sent) + 40

    def close(self):
        pass


def _backend_with_fake_bus() -> tuple[FreedesktopBackend, FakeBus]:
    backend = FreedesktopBackend("crmdesk", "/icons/crmdesk.png")
    bus = FakeBus()
    backend.bus = bus
    bus.actionInvoked.connect(backend._action)
    bus.closed.connect(backend._closed)
    return backend, bus


def test_freedesktop_sends_a_default_action_and_maps_the_click_to_the_key(qapp, qtbot):
    backend, bus = _backend_with_fake_bus()

    backend.show("Birthday today", "Ana Lopes turns 40", "customer:7")
    backend.show("Follow-up due", "Call Ben", "customer:3")

    assert bus.sent[0]["actions"] == ["default", "Open"]
    assert bus.sent[0]["icon"] == "/icons/crmdesk.png"
    assert bus.sent[0]["hints"]["desktop-entry"] == "crmdesk"
    with qtbot.waitSignal(backend.activated) as clicked:
        bus.actionInvoked.emit(41, "default")
    assert clicked.args == ["customer:7"]


def test_freedesktop_forgets_closed_notifications(qapp, qtbot):
    backend, bus = _backend_with_fake_bus()
    backend.show("Birthday today", "Ana Lopes turns 40", "customer:7")

    bus.closed.emit(41, 2)
    with qtbot.assertNotEmitted(backend.activated):
        bus.actionInvoked.emit(41, "default")


def test_freedesktop_without_a_session_bus_fails_so_the_next_channel_is_tried(
        qapp, monkeypatch, tmp_path, tray):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    backend = FreedesktopBackend("crmdesk", None)
    notifier = Notifier(tray, native=[backend])

    assert notifier.send("Birthday today", "Ana Lopes turns 40", "customer:7") == "tray"
    with pytest.raises(freedesktop.NotifyError, match="no D-Bus session bus"):
        backend.show("T", "B", "k")


def test_a_session_bus_is_found_by_address_or_by_runtime_socket(tmp_path):
    assert freedesktop.session_bus_configured({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"})
    assert not freedesktop.session_bus_configured({"XDG_RUNTIME_DIR": str(tmp_path)})
    (tmp_path / "bus").touch()
    assert freedesktop.session_bus_configured({"XDG_RUNTIME_DIR": str(tmp_path)})
    assert not freedesktop.session_bus_configured({})


def test_plyer_without_a_backend_is_a_delivery_error(qapp):
    class NoBackend:
        def notify(self, **kwargs):
            raise NotImplementedError("No usable implementation found!")

    backend = PlyerBackend("crmdesk", None)
    backend._notification = NoBackend()

    with pytest.raises(DeliveryError, match="plyer has no notification backend"):
        backend.show("T", "B", "k")


def test_plyer_gets_the_app_name_icon_and_timeout(qapp):
    calls = []

    class Recorder:
        def notify(self, **kwargs):
            calls.append(kwargs)

    backend = PlyerBackend("crmdesk", "C:/crmdesk/crmdesk.ico", timeout_s=12)
    backend._notification = Recorder()
    backend.show("Birthday today", "Ana Lopes turns 40", "customer:7")

    assert calls == [{"title": "Birthday today", "message": "Ana Lopes turns 40",
                      "app_name": "crmdesk", "app_icon": "C:/crmdesk/crmdesk.ico",
                      "timeout": 12}]


def test_linux_tries_freedesktop_first_then_plyer(qapp, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert [b.name for b in default_backends("crmdesk", None)] == ["freedesktop", "plyer"]
    monkeypatch.setattr(sys, "platform", "win32")
    assert [b.name for b in default_backends("crmdesk", None)] == ["plyer"]


def test_the_windows_app_id_is_only_set_on_windows(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")

    assert set_windows_app_id() is False
