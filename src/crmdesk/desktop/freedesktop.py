"""Freedesktop notifications (org.freedesktop.Notifications) over the session bus, on Linux.

Why not PySide6.QtDBus (it ships in PySide6-Essentials): `Notify` takes a `uint32` and an
`a{sv}`, and PySide6 6.11 cannot marshal either: a Python int goes out as `i` (or `q` through
QDBusArgument), there is no typed QVariant, and the introspected `Notify` is a raw, uncallable
method because the spec's XML has no Qt type annotation. The daemon (GDBus) then refuses the
call. Why not plyer: its Linux backend needs dbus-python (not installable without a compiler)
or runs `notify-send` synchronously and ignores its exit status, so a failure is silent.

So this speaks to libdbus-1 (every Linux desktop has it; Qt loads it too) through ctypes on a
private connection: `notify()` returns the daemon's id or raises `NotifyError`, and the daemon's
`ActionInvoked` / `NotificationClosed` signals (sent to this connection only) are read with a
QSocketNotifier, so a click arrives as a Qt signal without ever blocking the UI thread.
The only wait is the Notify call itself: a daemon answers in about a millisecond; the wait is
capped at `timeout_ms`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"

_SESSION = 0  # DBUS_BUS_SESSION


class NotifyError(RuntimeError):
    """The notification could not be shown (no libdbus, no session bus, no daemon, refused)."""


class _DBusError(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("message", ctypes.c_char_p),
                ("dummy", ctypes.c_uint), ("padding", ctypes.c_void_p)]


def _iterator():
    """Room for a DBusMessageIter (an opaque struct of 14 words at most)."""
    return (ctypes.c_void_p * 16)()


def _code(letter: str) -> int:
    return ord(letter)


def _load_libdbus():
    name = ctypes.util.find_library("dbus-1") or "libdbus-1.so.3"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise NotifyError(f"libdbus-1 is not available: {exc}") from exc
    p, i, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    signatures = {
        "dbus_error_init": (None, [p]), "dbus_error_free": (None, [p]),
        "dbus_error_is_set": (i, [p]),
        "dbus_bus_get_private": (p, [i, p]),
        "dbus_connection_set_exit_on_disconnect": (None, [p, i]),
        "dbus_connection_get_is_connected": (i, [p]),
        "dbus_connection_get_unix_fd": (i, [p, ctypes.POINTER(ctypes.c_int)]),
        "dbus_connection_read_write": (i, [p, i]),
        "dbus_connection_pop_message": (p, [p]),
        "dbus_connection_send_with_reply_and_block": (p, [p, p, i, p]),
        "dbus_connection_close": (None, [p]), "dbus_connection_unref": (None, [p]),
        "dbus_bus_add_match": (None, [p, s, p]),
        "dbus_message_new_method_call": (p, [s, s, s, s]),
        "dbus_message_unref": (None, [p]),
        "dbus_message_get_type": (i, [p]),
        "dbus_message_is_signal": (i, [p, s, s]),
        "dbus_message_iter_init": (i, [p, p]),
        "dbus_message_iter_init_append": (None, [p, p]),
        "dbus_message_iter_append_basic": (i, [p, i, p]),
        "dbus_message_iter_open_container": (i, [p, i, s, p]),
        "dbus_message_iter_close_container": (i, [p, p]),
        "dbus_message_iter_get_arg_type": (i, [p]),
        "dbus_message_iter_get_basic": (None, [p, p]),
        "dbus_message_iter_next": (i, [p]),
    }
    try:
        for function, (restype, argtypes) in signatures.items():
            getattr(lib, function).restype = restype
            getattr(lib, function).argtypes = argtypes
    except AttributeError as exc:
        raise NotifyError(f"libdbus-1 is too old: {exc}") from exc
    return lib


def session_bus_configured(env: Mapping[str, str] | None = None) -> bool:
    """Whether a session bus is there to connect to, without letting libdbus autolaunch one."""
    env = os.environ if env is None else env
    if env.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = env.get("XDG_RUNTIME_DIR")
    return bool(runtime) and (Path(runtime) / "bus").exists()


class _Writer:
    """Appends typed arguments to a message (one iterator level)."""

    def __init__(self, lib, iterator):
        self.lib, self.iterator = lib, iterator

    def basic(self, letter: str, value) -> None:
        if letter == "s":
            holder = ctypes.c_char_p(str(value).replace("\0", "").encode("utf-8", "replace"))
        elif letter == "u":
            holder = ctypes.c_uint32(value)
        elif letter == "y":
            holder = ctypes.c_uint8(value)
        elif letter == "b":
            holder = ctypes.c_uint32(1 if value else 0)
        else:
            holder = ctypes.c_int32(value)
        if not self.lib.dbus_message_iter_append_basic(self.iterator, _code(letter),
                                                       ctypes.byref(holder)):
            raise NotifyError("out of memory while building a D-Bus message")

    def container(self, letter: str, signature: str | None) -> _Writer:
        sub = _iterator()
        encoded = signature.encode() if signature is not None else None
        if not self.lib.dbus_message_iter_open_container(self.iterator, _code(letter), encoded,
                                                         sub):
            raise NotifyError("out of memory while building a D-Bus message")
        return _Writer(self.lib, sub)

    def close(self, sub: _Writer) -> None:
        self.lib.dbus_message_iter_close_container(self.iterator, sub.iterator)


def _hint_letter(key: str, value) -> str:
    if isinstance(value, bool):
        return "b"
    if isinstance(value, int):
        return "y" if key == "urgency" else "i"
    return "s"


class FreedesktopNotifications(QObject):
    """A private session-bus connection to the notification daemon.

    `open()` connects (raises NotifyError when there is no bus or no libdbus); `notify()`
    shows one notification and returns its id; `actionInvoked(id, action)` and
    `closed(id, reason)` report what the user did with it.
    """

    actionInvoked = Signal(int, str)
    closed = Signal(int, int)

    def __init__(self, parent: QObject | None = None, timeout_ms: int = 1000):
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self._lib = None
        self._conn = None
        self._notifier: QSocketNotifier | None = None

    # --- connection ---------------------------------------------------------------------------

    def open(self) -> None:
        if self.is_open():
            return
        self.close()
        if not session_bus_configured():
            raise NotifyError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
        self._lib = self._lib or _load_libdbus()
        lib = self._lib
        error = _DBusError()
        lib.dbus_error_init(ctypes.byref(error))
        conn = lib.dbus_bus_get_private(_SESSION, ctypes.byref(error))
        if not conn:
            message = self._take_error(error)
            raise NotifyError(f"cannot connect to the session bus: {message}")
        # The default would _exit() the whole program when the bus goes away.
        lib.dbus_connection_set_exit_on_disconnect(conn, 0)
        self._conn = conn
        rule = (f"type='signal',interface='{INTERFACE}',path='{PATH}'").encode()
        lib.dbus_bus_add_match(conn, rule, ctypes.byref(error))
        if lib.dbus_error_is_set(ctypes.byref(error)):
            log.warning("no click events from notifications: %s", self._take_error(error))
        fd = ctypes.c_int(-1)
        if lib.dbus_connection_get_unix_fd(conn, ctypes.byref(fd)) and fd.value >= 0:
            self._notifier = QSocketNotifier(fd.value, QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self._readable)

    def is_open(self) -> bool:
        return bool(self._conn) and bool(self._lib.dbus_connection_get_is_connected(self._conn))

    def close(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._conn:
            self._lib.dbus_connection_close(self._conn)
            self._lib.dbus_connection_unref(self._conn)
            self._conn = None

    def _take_error(self, error: _DBusError) -> str:
        text = ": ".join(part.decode("utf-8", "replace")
                         for part in (error.name, error.message) if part)
        self._lib.dbus_error_free(ctypes.byref(error))
        return text or "unknown error"

    # --- sending ------------------------------------------------------------------------------

    def notify(self, app_name: str, title: str, body: str, *, icon: str = "",
               actions: Sequence[str] = (), hints: Mapping[str, str | int | bool] | None = None,
               expire_ms: int = -1, replaces_id: int = 0) -> int:
        """Show a notification; returns the daemon's id. Raises NotifyError."""
        self.open()
        lib = self._lib
        message = lib.dbus_message_new_method_call(SERVICE.encode(), PATH.encode(),
                                                   INTERFACE.encode(), b"Notify")
        if not message:
            raise NotifyError("out of memory while building a D-Bus message")
        try:
            top = _iterator()
            lib.dbus_message_iter_init_append(message, top)
            args = _Writer(lib, top)
            args.basic("s", app_name)
            args.basic("u", replaces_id)
            args.basic("s", icon)
            args.basic("s", title)
            args.basic("s", body)
            array = args.container("a", "s")
            for action in actions:
                array.basic("s", action)
            args.close(array)
            mapping = args.container("a", "{sv}")
            for key, value in (hints or {}).items():
                entry = mapping.container("e", None)
                entry.basic("s", key)
                letter = _hint_letter(key, value)
                variant = entry.container("v", letter)
                variant.basic(letter, value)
                entry.close(variant)
                mapping.close(entry)
            args.close(mapping)
            args.basic("i", expire_ms)
            return self._call_for_uint(message)
        finally:
            lib.dbus_message_unref(message)
            # Signals read while waiting for the reply are queued: hand them out soon.
            QTimer.singleShot(0, self, self._drain)

    def _call_for_uint(self, message) -> int:
        lib = self._lib
        error = _DBusError()
        lib.dbus_error_init(ctypes.byref(error))
        reply = lib.dbus_connection_send_with_reply_and_block(self._conn, message,
                                                             self.timeout_ms, ctypes.byref(error))
        if not reply:
            text = self._take_error(error)
            if not lib.dbus_connection_get_is_connected(self._conn):
                self.close()
            raise NotifyError(f"the notification daemon did not take it: {text}")
        try:
            values = self._read_args(reply)
        finally:
            lib.dbus_message_unref(reply)
        if not values or not isinstance(values[0], int):
            raise NotifyError(f"unexpected answer from the notification daemon: {values!r}")
        return values[0]

    # --- receiving ----------------------------------------------------------------------------

    def _read_args(self, message) -> list:
        lib = self._lib
        iterator = _iterator()
        values: list = []
        if not lib.dbus_message_iter_init(message, iterator):
            return values
        while True:
            letter = lib.dbus_message_iter_get_arg_type(iterator)
            if letter in (_code("u"), _code("i")):
                holder = ctypes.c_uint32() if letter == _code("u") else ctypes.c_int32()
                lib.dbus_message_iter_get_basic(iterator, ctypes.byref(holder))
                values.append(holder.value)
            elif letter == _code("s"):
                pointer = ctypes.c_char_p()
                lib.dbus_message_iter_get_basic(iterator, ctypes.byref(pointer))
                values.append((pointer.value or b"").decode("utf-8", "replace"))
            else:
                values.append(None)
            if not lib.dbus_message_iter_next(iterator):
                return values

    def _readable(self, *_args) -> None:
        if not self._conn:
            return
        if not self._lib.dbus_connection_read_write(self._conn, 0):
            log.info("the session bus went away; notifications will reconnect")
            self.close()
            return
        self._drain()

    def _drain(self) -> None:
        lib = self._lib
        while self._conn:
            message = lib.dbus_connection_pop_message(self._conn)
            if not message:
                return
            try:
                if lib.dbus_message_is_signal(message, INTERFACE.encode(), b"ActionInvoked"):
                    values = self._read_args(message)
                    if len(values) >= 2 and isinstance(values[0], int):
                        self.actionInvoked.emit(values[0], str(values[1]))
                elif lib.dbus_message_is_signal(message, INTERFACE.encode(),
                                                b"NotificationClosed"):
                    values = self._read_args(message)
                    if len(values) >= 2 and isinstance(values[0], int):
                        self.closed.emit(values[0], int(values[1] or 0))
            finally:
                lib.dbus_message_unref(message)
