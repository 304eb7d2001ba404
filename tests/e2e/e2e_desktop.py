"""A real desktop for end-to-end tests: Xvfb, a private D-Bus session bus, dunst and trayer.

`conftest.py`'s `desktop` fixture starts a fresh one for each test and yields a `Desktop`:

    desktop.env                 environment for programs on this desktop (DISPLAY,
                                DBUS_SESSION_BUS_ADDRESS, private HOME and XDG_* folders,
                                QT_QPA_PLATFORM=xcb)
    desktop.home                the private HOME (the app's data folder lives under it)
    desktop.start(argv)         start a program on the desktop; stopped at teardown
    desktop.windows()           visible top-level windows, as `Window(id, title)`
    desktop.wait_for_window(pattern, timeout=..., process=None)
    desktop.screenshot(path)    PNG of the whole screen (ImageMagick `import -window root`)
    desktop.notifications()     what reached dunst: dicts with appname, summary, body, ...
    desktop.wait_for_notification(predicate, timeout=...)
    desktop.tray_available()    whether a system tray owns _NET_SYSTEM_TRAY_S0

Where a program is missing the test is skipped with the program's name; `.ci/run` installs them
and sets CRMDESK_E2E_REQUIRED=1, which turns that skip into a failure.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import re
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Program -> the Debian package that provides it.
REQUIRED_PROGRAMS = {
    "Xvfb": "xvfb",
    "xdpyinfo": "x11-utils",
    "dbus-daemon": "dbus",
    "dbus-send": "dbus",
    "dunst": "dunst",
    "dunstctl": "dunst",
    "trayer": "trayer",
    "xdotool": "xdotool",
    "import": "imagemagick",
    "gdbus": "libglib2.0-bin",
}

SCREEN = (1280, 800)
START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
POLL = 0.05

DUNSTRC = """\
[global]
    monitor = 0
    follow = none
    width = 360
    height = 300
    origin = top-right
    offset = 10x40
    notification_limit = 0
    idle_threshold = 0
    stack_duplicates = false
    sticky_history = yes
    history_length = 200
    font = DejaVu Sans 10
    format = "<b>%s</b>\\n%b"
    frame_width = 1
    padding = 8
    horizontal_padding = 8
    show_age_threshold = -1
    dmenu = /bin/false
    browser = /bin/false
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
"""


class DesktopError(RuntimeError):
    """A part of the desktop did not start or did not answer in time."""


@dataclass(frozen=True)
class Window:
    id: int
    title: str


def missing_programs() -> list[str]:
    return [name for name in REQUIRED_PROGRAMS if shutil.which(name) is None]


def wait_until(condition: Callable[[], object], timeout: float, what: str,
               on_timeout: Callable[[], str] | None = None):
    """Poll `condition` until it returns something truthy (returned) or `timeout` runs out."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            detail = on_timeout() if on_timeout else ""
            raise DesktopError(f"timed out after {timeout:.0f} s waiting for {what}"
                               + (f"\n{detail}" if detail else ""))
        time.sleep(POLL)  # sleep-ok: polling with deadline


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _unwrap(value):
    """dunstctl's JSON wraps every value as {"type": "s", "data": ...}."""
    if isinstance(value, dict) and set(value) == {"type", "data"}:
        return value["data"]
    return value


def parse_dunst_history(text: str) -> list[dict]:
    """`dunstctl history` JSON -> plain dicts (appname, summary, body, id, urgency, ...),
    oldest first."""
    data = json.loads(text)
    groups = data.get("data", [])
    entries = groups[0] if groups and isinstance(groups[0], list) else groups
    result = [{key: _unwrap(value) for key, value in entry.items()} for entry in entries]
    result.sort(key=lambda entry: entry.get("id", 0))
    return result


class _XSelection:
    """Asks the X server who owns a selection, through libX11 (no extra programs needed)."""

    def __init__(self):
        name = ctypes.util.find_library("X11") or "libX11.so.6"
        self.lib = ctypes.CDLL(name)
        self.lib.XOpenDisplay.restype = ctypes.c_void_p
        self.lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.lib.XInternAtom.restype = ctypes.c_ulong
        self.lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self.lib.XGetSelectionOwner.restype = ctypes.c_ulong
        self.lib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self.lib.XCloseDisplay.argtypes = [ctypes.c_void_p]

    def owner(self, display: str, selection: str) -> int:
        dpy = self.lib.XOpenDisplay(display.encode())
        if not dpy:
            return 0
        try:
            atom = self.lib.XInternAtom(dpy, selection.encode(), 0)
            return int(self.lib.XGetSelectionOwner(dpy, atom))
        finally:
            self.lib.XCloseDisplay(dpy)


class Desktop:
    def __init__(self, root: Path):
        self.root = root
        self.home = root / "home"
        self.runtime_dir = root / "runtime"
        self.logs = root / "logs"
        for folder in (self.home, self.runtime_dir, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.runtime_dir.chmod(0o700)
        self.display = ""
        self.env: dict[str, str] = {}
        self._daemons: list[tuple[str, subprocess.Popen]] = []
        self._programs: list[subprocess.Popen] = []
        self._log_files: list = []

    # --- starting and stopping ---------------------------------------------------------------

    def start_session(self) -> None:
        self._start_xvfb()
        self.env = self._base_env()
        self._start_dbus()
        self._start_dunst()
        self._start_trayer()

    def _base_env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("XDG_", "DBUS_", "QT_", "WAYLAND_", "DESKTOP_"))}
        config = self.home / ".config"
        env.update({
            "DISPLAY": self.display,
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "XDG_CONFIG_HOME": str(config),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_SESSION_TYPE": "x11",
            "QT_QPA_PLATFORM": "xcb",
            "NO_AT_BRIDGE": "1",
            "LANG": env.get("LANG") or "C.UTF-8",
        })
        env.pop("XAUTHORITY", None)
        return env

    def _log(self, name: str):
        handle = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self._log_files.append(handle)
        return handle

    def _spawn(self, name: str, argv: Sequence[str], **kwargs) -> subprocess.Popen:
        log = self._log(name)
        kwargs.setdefault("stdout", log)
        kwargs.setdefault("stderr", log)
        process = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL,
                                   env=kwargs.pop("env", self.env or None),
                                   start_new_session=True, **kwargs)
        self._daemons.append((name, process))
        return process

    def _check_alive(self, name: str, process: subprocess.Popen) -> None:
        if process.poll() is not None:
            raise DesktopError(f"{name} exited with {process.returncode} while starting:\n"
                               + _tail(self.logs / f"{name}.log"))

    def _start_xvfb(self) -> None:
        read_fd, write_fd = os.pipe()
        try:
            xvfb = self._spawn(
                "Xvfb",
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                 f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp", "-noreset", "-dpi", "96"],
                env=dict(os.environ), pass_fds=(write_fd,))
        finally:
            os.close(write_fd)
        try:
            number = b""
            deadline = time.monotonic() + START_TIMEOUT
            while not number.endswith(b"\n"):
                remaining = deadline - time.monotonic()
                ready, _, _ = select.select([read_fd], [], [], max(remaining, 0))
                if not ready:
                    raise DesktopError("Xvfb did not report its display number in time:\n"
                                       + _tail(self.logs / "Xvfb.log"))
                chunk = os.read(read_fd, 64)
                if not chunk:
                    self._check_alive("Xvfb", xvfb)
                    raise DesktopError("Xvfb closed -displayfd without a display number")
                number += chunk
        finally:
            os.close(read_fd)
        self.display = f":{int(number.strip())}"

        def answers() -> bool:
            self._check_alive("Xvfb", xvfb)
            return subprocess.run(["xdpyinfo", "-display", self.display],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=dict(os.environ), timeout=10).returncode == 0

        wait_until(answers, START_TIMEOUT, f"Xvfb on {self.display} to accept connections")

    def _start_dbus(self) -> None:
        bus = self._spawn("dbus-daemon",
                          ["dbus-daemon", "--session", "--nofork", "--nopidfile",
                           f"--address=unix:path={self.runtime_dir / 'bus'}",
                           "--print-address=1"],
                          stdout=subprocess.PIPE)
        address = b""
        deadline = time.monotonic() + START_TIMEOUT
        while not address.endswith(b"\n"):
            ready, _, _ = select.select([bus.stdout], [], [],
                                        max(deadline - time.monotonic(), 0))
            if not ready:
                raise DesktopError("dbus-daemon did not print its address in time:\n"
                                   + _tail(self.logs / "dbus-daemon.log"))
            chunk = os.read(bus.stdout.fileno(), 256)
            if not chunk:
                self._check_alive("dbus-daemon", bus)
                raise DesktopError("dbus-daemon closed its output without an address")
            address += chunk
        bus.stdout.close()
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address.decode().strip()

    def _name_has_owner(self, name: str) -> bool:
        result = subprocess.run(
            ["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
             "--object-path", "/org/freedesktop/DBus",
             "--method", "org.freedesktop.DBus.NameHasOwner", name],
            capture_output=True, text=True, env=self.env, timeout=10)
        return result.returncode == 0 and "true" in result.stdout

    def _start_dunst(self) -> None:
        config = self.home / ".config" / "dunst" / "dunstrc"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(DUNSTRC)
        dunst = self._spawn("dunst", ["dunst", "-config", str(config)])

        def owns_name() -> bool:
            self._check_alive("dunst", dunst)
            return self._name_has_owner("org.freedesktop.Notifications")

        wait_until(owns_name, START_TIMEOUT, "dunst to own org.freedesktop.Notifications",
                   lambda: _tail(self.logs / "dunst.log"))

    def _start_trayer(self) -> None:
        trayer = self._spawn("trayer", [
            "trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
            "--height", "24", "--heighttype", "pixel", "--SetDockType", "true",
            "--SetPartialStrut", "true", "--transparent", "false", "--tint", "0x303030",
            "--expand", "true", "--monitor", "primary"])

        def tray_is_up() -> bool:
            self._check_alive("trayer", trayer)
            return self.tray_available()

        wait_until(tray_is_up, START_TIMEOUT, "trayer to own _NET_SYSTEM_TRAY_S0",
                   lambda: _tail(self.logs / "trayer.log"))

    def stop(self) -> None:
        """Stop every program (the test's own first), then the session, newest first."""
        for process in reversed(self._programs):
            _stop_process(process)
        for _name, process in reversed(self._daemons):
            _stop_process(process)
        for handle in self._log_files:
            handle.close()
        self._programs.clear()
        self._daemons.clear()
        self._log_files.clear()

    # --- what a test uses ---------------------------------------------------------------------

    def start(self, argv: Sequence[str], name: str = "program", **kwargs) -> subprocess.Popen:
        """Start a program on this desktop; its output goes to `self.logs/<name>.{out,err}`
        unless `stdout`/`stderr` are given. It is stopped at teardown if still running."""
        if "stdout" not in kwargs:
            kwargs["stdout"] = self._log(f"{name}.out")
        if "stderr" not in kwargs:
            kwargs["stderr"] = self._log(f"{name}.err")
        env = dict(self.env)
        env.update(kwargs.pop("env", {}) or {})
        process = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, env=env,
                                   start_new_session=True, **kwargs)
        self._programs.append(process)
        return process

    def output(self, name: str = "program") -> tuple[str, str]:
        """What a program started with `start(..., name=name)` has printed so far."""
        return (_tail(self.logs / f"{name}.out.log", 200), _tail(self.logs / f"{name}.err.log", 200))

    def run(self, argv: Sequence[str], timeout: float = 60, **kwargs):
        """Run a command on this desktop to the end; returns CompletedProcess (text)."""
        env = dict(self.env)
        env.update(kwargs.pop("env", {}) or {})
        return subprocess.run(list(argv), stdin=subprocess.DEVNULL, env=env, timeout=timeout,
                              capture_output=True, text=True, **kwargs)

    def windows(self) -> list[Window]:
        """Visible (mapped) windows that have a title."""
        found = self.run(["xdotool", "search", "--onlyvisible", "--name", "."], timeout=10)
        result = []
        for line in found.stdout.split():
            if not line.isdigit():
                continue
            title = self.run(["xdotool", "getwindowname", line], timeout=10)
            if title.returncode == 0 and title.stdout.strip():
                result.append(Window(int(line), title.stdout.rstrip("\n")))
        return result

    def wait_for_window(self, pattern: str, timeout: float = 30,
                        process: subprocess.Popen | None = None) -> Window:
        """The first visible window whose title matches the regex `pattern` (case-insensitive).
        Fails early if `process` exits meanwhile."""
        regex = re.compile(pattern, re.IGNORECASE)

        def find():
            if process is not None and process.poll() is not None:
                raise DesktopError(f"the program exited with {process.returncode} before a "
                                   f"window matching {pattern!r} appeared")
            return next((w for w in self.windows() if regex.search(w.title)), None)

        return wait_until(find, timeout, f"a window titled like {pattern!r}",
                          lambda: f"windows: {self.windows()}")

    def screenshot(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        result = self.run(["import", "-window", "root", str(path)], timeout=30)
        if result.returncode != 0 or not path.exists():
            raise DesktopError(f"screenshot failed ({result.returncode}): {result.stderr}")
        return path

    def notifications(self) -> list[dict]:
        """Every notification dunst received, oldest first, as dicts with at least appname,
        summary and body. Popups still on screen are closed first (dunst keeps history only
        of closed ones), so take a screenshot before this if it should show them."""
        closed = self.run(["dunstctl", "close-all"], timeout=10)
        if closed.returncode != 0:
            raise DesktopError(f"dunstctl close-all failed: {closed.stderr}")
        history = self.run(["dunstctl", "history"], timeout=10)
        if history.returncode != 0:
            raise DesktopError(f"dunstctl history failed: {history.stderr}")
        return parse_dunst_history(history.stdout)

    def wait_for_notification(self, predicate: Callable[[dict], bool],
                              timeout: float = 30) -> dict:
        def find():
            return next((n for n in self.notifications() if predicate(n)), None)

        return wait_until(find, timeout, "a matching notification",
                          lambda: f"notifications: {self.notifications()}")

    def tray_available(self) -> bool:
        try:
            return _XSelection().owner(self.display, "_NET_SYSTEM_TRAY_S0") != 0
        except OSError:  # no libX11: fall back to looking for trayer's window
            found = self.run(["xdotool", "search", "--classname", "trayer"], timeout=10)
            return bool(found.stdout.strip())


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()
        process.wait(timeout=STOP_TIMEOUT)
