"""Showing a reminder to the user: a native notification first, the tray's balloon if not.

`Notifier.send(title, body, key)` tries each native backend in turn, then the tray icon's
`showMessage`; it returns the channel that took the message ("native" or "tray", with the
backend's name in `last_backend`) or raises `DeliveryError`, so the caller keeps the reminder
and tries again later. Every failure is logged. `activated(key)` fires when the user clicks the
notification or the tray message, with the `key` given to `send` (the app opens that card).

Native backends, in order:
- Linux: `FreedesktopBackend` (org.freedesktop.Notifications through libdbus, see
  freedesktop.py: ids, click events, errors reported), then plyer.
- Windows and macOS: plyer (Windows balloon/toast; macOS needs pyobjus, which is usually
  missing, so the tray's showMessage, a native notification there, takes over).

plyer 2.1 on Linux picks dbus-python (not installed: it needs compiling), else `notify-send`
run synchronously with its exit status ignored, else a stub that raises NotImplementedError;
that is why it comes second there.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

log = logging.getLogger(__name__)

WINDOWS_APP_ID = "crmdesk.crmdesk"
TRAY_MESSAGE_MS = 15_000


def tr(text: str) -> str:
    return QCoreApplication.translate("Notifier", text)


class DeliveryError(RuntimeError):
    """No channel could show the notification; keep the reminder and try again later."""


class NativeBackend(Protocol):
    """A way to show a native notification. `show` raises on failure (anything it raises
    counts as a failure); a backend may have an `activated` signal carrying the key."""

    name: str

    def show(self, title: str, body: str, key: str) -> None: ...


def set_windows_app_id(app_id: str = WINDOWS_APP_ID) -> bool:
    """Give the process an AppUserModelID, so Windows toasts carry crmdesk's name and icon.
    Call once, before any window is shown. Does nothing (returns False) elsewhere."""
    if sys.platform != "win32":
        return False
    try:
        import ctypes

        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(app_id)
    except (OSError, AttributeError) as exc:
        log.warning("could not set the Windows AppUserModelID: %s", exc)
        return False
    return True


class PlyerBackend:
    """plyer.notification, imported at the first `show`."""

    name = "plyer"

    def __init__(self, app_name: str, app_icon_path: str | None, timeout_s: int = 10):
        self.app_name, self.app_icon_path, self.timeout_s = app_name, app_icon_path, timeout_s
        self._notification = None

    def show(self, title: str, body: str, key: str) -> None:
        if self._notification is None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                from plyer import notification

                bool(notification)  # plyer picks its platform backend here
            for warning in caught:
                log.info("plyer: %s", warning.message)
            self._notification = notification
        try:
            self._notification.notify(title=title, message=body, app_name=self.app_name,
                                      app_icon=self.app_icon_path or "", timeout=self.timeout_s)
        except NotImplementedError as exc:
            raise DeliveryError(f"plyer has no notification backend here: {exc}") from exc


#: Keys of single reminders ("reminder:<occurrence key>"); their notifications offer Snooze and
#: Done, which come back as `activated("<key>#snooze")` / `activated("<key>#done")`.
REMINDER_PREFIX = "reminder:"
ACTION_SNOOZE = "snooze"
ACTION_DONE = "done"


class FreedesktopBackend(QObject):
    """org.freedesktop.Notifications with a default action, so a click comes back as
    `activated(key)`. Connects to the session bus at the first `show`."""

    name = "freedesktop"
    activated = Signal(str)

    def __init__(self, app_name: str, app_icon_path: str | None, parent: QObject | None = None,
                 desktop_entry: str = "crmdesk", timeout_ms: int = 1000):
        super().__init__(parent)
        from crmdesk.desktop.freedesktop import FreedesktopNotifications

        self.app_name, self.app_icon_path = app_name, app_icon_path or ""
        self.desktop_entry = desktop_entry
        self.bus = FreedesktopNotifications(self, timeout_ms)
        self.bus.actionInvoked.connect(self._action)
        self.bus.closed.connect(self._closed)
        self._keys: dict[int, str] = {}

    def show(self, title: str, body: str, key: str) -> None:
        actions = ["default", tr("Open")]
        if key.startswith(REMINDER_PREFIX):
            # A single reminder can be handled from the notification itself.
            actions += [ACTION_SNOOZE, tr("Snooze 1 hour"), ACTION_DONE, tr("Done")]
        notification_id = self.bus.notify(
            self.app_name, title, body, icon=self.app_icon_path, actions=actions,
            hints={"desktop-entry": self.desktop_entry, "urgency": 1})
        self._keys[notification_id] = key

    def _action(self, notification_id: int, action: str) -> None:
        key = self._keys.get(notification_id)
        if key is None:
            return
        if action == "default":
            self.activated.emit(key)
        elif action in (ACTION_SNOOZE, ACTION_DONE):
            self.activated.emit(f"{key}#{action}")

    def _closed(self, notification_id: int, _reason: int) -> None:
        self._keys.pop(notification_id, None)

    def close(self) -> None:
        self.bus.close()


def default_backends(app_name: str, app_icon_path: str | None,
                     parent: QObject | None = None) -> list[NativeBackend]:
    """The native backends for this platform, best first."""
    plyer = PlyerBackend(app_name, app_icon_path)
    if sys.platform.startswith("linux") or sys.platform.startswith("freebsd"):
        return [FreedesktopBackend(app_name, app_icon_path, parent), plyer]
    return [plyer]


class Notifier(QObject):
    """Delivers notifications: native backends first, then the tray icon's message."""

    activated = Signal(str)

    def __init__(self, tray: QSystemTrayIcon | None, app_name: str = "crmdesk",
                 app_icon_path: str | None = None,
                 native: NativeBackend | Sequence[NativeBackend] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.tray = tray
        self.app_name, self.app_icon_path = app_name, app_icon_path
        if native is None:
            native = default_backends(app_name, app_icon_path, self)
        elif not isinstance(native, Sequence):
            native = [native]
        self.backends: list[NativeBackend] = list(native)
        for backend in self.backends:
            signal = getattr(backend, "activated", None)
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(self.activated)
        self.last_backend = ""
        self._tray_key: str | None = None
        if tray is not None:
            tray.messageClicked.connect(self._tray_clicked)

    def send(self, title: str, body: str, key: str) -> str:
        """Show a notification; returns "native" or "tray". Raises DeliveryError when no
        channel took it (each failure is logged)."""
        problems = []
        for backend in self.backends:
            try:
                backend.show(title, body, key)
            except Exception as exc:  # any failure means: try the next one
                log.warning("notification through %s failed: %s", backend.name, exc)
                problems.append(f"{backend.name}: {exc}")
                continue
            self.last_backend = backend.name
            return "native"
        if self._tray_can_show():
            self._tray_key = key
            self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information,
                                  TRAY_MESSAGE_MS)
            self.last_backend = "tray"
            return "tray"
        problems.append("tray: no system tray icon is showing")
        log.error("could not show a notification (%s): %s", title, "; ".join(problems))
        raise DeliveryError("; ".join(problems))

    def _tray_can_show(self) -> bool:
        return (self.tray is not None and self.tray.isVisible()
                and self.tray.isSystemTrayAvailable())

    def _tray_clicked(self) -> None:
        if self._tray_key is not None:
            self.activated.emit(self._tray_key)

    def close(self) -> None:
        """Let go of the session bus connection (call at quit)."""
        for backend in self.backends:
            closer = getattr(backend, "close", None)
            if callable(closer):
                closer()
