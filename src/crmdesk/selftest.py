"""`crmdesk --self-test`: is this installation whole? Checks what a frozen build can lose.

Each check prints one line, `ok` or `FAIL`, with what it found:

- Qt platform: a QApplication starts on this session's platform (xcb, wayland, windows,
  cocoa, offscreen...), and the platform plugin a desktop needs here is in the build.
- resources: the app icon and every action icon are there and draw.
- database: a new customer book in a temporary folder opens, migrates to the latest schema,
  takes sample customers (phone numbers, search index) and finds one by full-text search.
- notifier: the native notification backends the app uses here can be loaded (libdbus-1 for
  freedesktop notifications on Linux; plyer's backend for this platform, which a frozen build
  misses unless it is collected on purpose).
- modules: every crmdesk module imports (nothing a window or command needs was left out).
- commands: the subcommands (import, export, backup...) are found.

`run()` returns 0 when every check passed, else 1, and the last line names what failed. When Qt
itself cannot start (Qt would abort the process), the failure is still printed and the exit
status is 1.

No display (Linux: neither DISPLAY nor WAYLAND_DISPLAY set, and no QT_QPA_PLATFORM asked for,
as over ssh): Qt is started offscreen instead, so everything but showing a window on a screen
is still checked (Qt, the desktop platform plugin and the system libraries it loads, icons,
database, notifications, modules). The Qt line and the last line say that the window itself
was not checked; the exit status is 0 when nothing else failed (nothing broken was found). A windowed Windows build has no stdout: the report then goes to the parent console
if there is one, and always to `report` when a path is given. Nothing is written outside a
temporary folder (and `report`). Nothing happens at import time.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

EXIT_OK = 0
EXIT_FAILED = 1

#: The platform plugin a desktop session needs, per OS; it must be in every build.
DESKTOP_PLUGINS = {"linux": "xcb", "win32": "windows", "darwin": "cocoa"}


class CheckFailed(Exception):
    """A check found a problem; the message says what, for the report."""


class _Report:
    def __init__(self, streams: list[TextIO]):
        self.streams = streams
        self.no_display = False  # set by check_qt: the window could not be shown here

    def line(self, text: str) -> None:
        for stream in self.streams:
            try:
                stream.write(text + "\n")
                stream.flush()
            except (OSError, ValueError):
                pass


def _plugin_files(folder: Path) -> set[str]:
    """Platform plugin names in a Qt `platforms` folder (libqxcb.so -> xcb, qwindows.dll ->
    windows, libqcocoa.dylib -> cocoa)."""
    names = set()
    if folder.is_dir():
        for entry in folder.iterdir():
            stem = entry.name.split(".")[0]
            stem = stem[3:] if stem.startswith("lib") else stem
            if stem.startswith("q") and entry.suffix in (".so", ".dll", ".dylib"):
                names.add(stem[1:])
    return names


def no_display() -> bool:
    """True when a desktop window cannot be shown here: on Linux (and the BSDs), no X11 or
    Wayland display is set and no Qt platform was asked for with QT_QPA_PLATFORM."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    return not any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY",
                                                      "QT_QPA_PLATFORM"))


def _load_plugin(folders: set[str], needed: str) -> None:
    """Load the platform plugin `needed` (and the system libraries it links to) without using
    it; raises CheckFailed when it cannot be loaded."""
    import ctypes

    for folder in folders:
        for entry in sorted((Path(folder) / "platforms").glob(f"*q{needed}.*")):
            try:
                ctypes.CDLL(str(entry))
            except OSError as exc:
                raise CheckFailed(f"the {needed} platform plugin a desktop needs cannot load "
                                  f"({exc})") from exc
            return


def check_qt(report: _Report) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QLibraryInfo, QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

    said: list[str] = []

    def on_message(kind, _context, message) -> None:
        if kind != QtMsgType.QtFatalMsg:
            said.append(message.strip())
            return
        # Qt aborts right after a fatal message: report it with what Qt said before, exit 1.
        why = " ".join([*said[-3:], message.strip().replace("\n\n", " ")])
        report.line(f"FAIL  Qt platform: {why}")
        report.line("self-test FAILED: Qt platform")
        os._exit(EXIT_FAILED)

    headless = QApplication.instance() is None and no_display()
    if headless:  # nothing to show a window on: check the rest of Qt offscreen
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        report.no_display = True
    previous = qInstallMessageHandler(on_message)
    try:
        app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "crmdesk"])
    finally:
        qInstallMessageHandler(previous)
        if headless:
            del os.environ["QT_QPA_PLATFORM"]
    platform = app.platformName()
    widget = QWidget()
    widget.resize(80, 60)
    widget.grab()  # the platform paints
    widget.deleteLater()
    folders = {QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath), *app.libraryPaths()}
    plugins = set().union(*(_plugin_files(Path(folder) / "platforms") for folder in folders))
    key = "linux" if sys.platform.startswith("linux") else sys.platform
    needed = DESKTOP_PLUGINS.get(key)
    if needed and needed not in plugins and platform != needed:
        raise CheckFailed(f"started on {platform}, but the {needed} platform plugin that a "
                          f"desktop session needs is missing (found: "
                          f"{', '.join(sorted(plugins)) or 'none'})")
    if headless:
        if needed:
            _load_plugin(folders, needed)
        return (f"no display here, so no window was shown; Qt works offscreen (PySide6 "
                f"{pyside_version}) and the {needed or platform} plugin a desktop needs "
                "is there and loads")
    screens = len(app.screens())
    tray = "available" if QSystemTrayIcon.isSystemTrayAvailable() else "not available"
    return (f"{platform} (PySide6 {pyside_version}; {screens} screen(s); "
            f"system tray {tray})")


def check_resources(_report: _Report) -> str:
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    from crmdesk.ui import icons

    missing, broken = [], []
    names = ["crmdesk.svg"] + [f"icons/{name}.svg" for name in icons.ICON_NAMES]
    for name in names:
        try:
            data = icons.svg_source(name)
        except (FileNotFoundError, OSError):
            missing.append(name)
            continue
        if not QSvgRenderer(QByteArray(data)).isValid():
            broken.append(name)
    if missing or broken:
        problems = []
        if missing:
            problems.append("missing: " + ", ".join(missing))
        if broken:
            problems.append("cannot be drawn: " + ", ".join(broken))
        raise CheckFailed("; ".join(problems))
    if icons.app_icon().isNull():
        raise CheckFailed("the app icon does not draw")
    return f"app icon and {len(icons.ICON_NAMES)} action icons draw"


def check_database(_report: _Report) -> str:
    from crmdesk.core import demo
    from crmdesk.core.customer_list import CustomerList
    from crmdesk.core.model import ListQuery
    from crmdesk.store import migrations
    from crmdesk.store.db import open_database

    with tempfile.TemporaryDirectory(prefix="crmdesk-self-test-") as folder:
        opened = open_database(Path(folder) / "crmdesk.db")
        try:
            expected = [step[0] for step in migrations.MIGRATIONS]
            if opened.migrated != expected:
                raise CheckFailed(f"migrations applied {opened.migrated}, expected {expected}")
            added = demo.generate(opened.db, 3, seed=1)
            customers = CustomerList(opened.db)
            if added != 3 or customers.count() != 3:
                raise CheckFailed(f"3 sample customers were added but {customers.count()} "
                                  "are in the book")
            name = opened.db.execute_sql(
                "SELECT COALESCE(NULLIF(last_name, ''), business_name) FROM customer "
                "ORDER BY id LIMIT 1").fetchone()[0]
            found = customers.find_ids(ListQuery(text=name))
            if not found:
                raise CheckFailed(f"searching for {name!r} found nobody")
            sqlite = opened.db.execute_sql("SELECT sqlite_version()").fetchone()[0]
        finally:
            opened.db.close()
    return (f"a new book migrated to schema {migrations.LATEST_VERSION} in a temporary folder; "
            f"sample customers saved and found by search (SQLite {sqlite})")


def _plyer_backend() -> tuple[str, str | None]:
    """plyer's notification module for this platform, and why it cannot be used (None: it
    can). Raises CheckFailed when the module is not in the build at all."""
    from plyer.utils import platform

    module = f"plyer.platforms.{platform}.notification"
    try:
        found = importlib.util.find_spec(module)
    except ImportError:
        found = None
    if found is None:
        raise CheckFailed(f"plyer's backend {module} is missing from this build")
    try:
        importlib.import_module(module)
    except ImportError as exc:
        return module, str(exc)
    return module, None


def check_notifier(_report: _Report) -> str:
    found = []
    if sys.platform.startswith("linux") or sys.platform.startswith("freebsd"):
        from crmdesk.desktop import freedesktop

        try:
            freedesktop._load_libdbus()
        except freedesktop.NotifyError as exc:
            raise CheckFailed(f"freedesktop notifications cannot work: {exc}") from exc
        bus = "session bus found" if freedesktop.session_bus_configured() else "no session bus now"
        found.append(f"freedesktop (libdbus-1; {bus})")
    module, problem = _plyer_backend()
    if problem is None:
        found.append(f"plyer ({module})")
    elif sys.platform == "darwin":
        # plyer's macOS backend needs pyobjus; without it the tray's message (a native
        # notification on macOS) takes over, as notify.py says.
        found.append(f"plyer's {module} is present but cannot load ({problem}); "
                     "the tray's message is used")
    else:
        raise CheckFailed(f"plyer's backend {module} cannot load: {problem}")
    return ", ".join(found)


def check_modules(_report: _Report) -> str:
    """Every crmdesk module imports: a frozen build that left out a library (or a Qt module)
    some window or command needs would otherwise fail only when the user gets there."""
    import pkgutil

    import crmdesk

    names = sorted(info.name for info in pkgutil.walk_packages(crmdesk.__path__, "crmdesk."))
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # any failure to import is what this check is for
            failed.append(f"{name} ({type(exc).__name__}: {exc})")
    if failed:
        raise CheckFailed(f"{len(failed)} of {len(names)} modules do not import: "
                          + "; ".join(failed))
    return f"all {len(names)} crmdesk modules import"


def check_commands(_report: _Report) -> str:
    from crmdesk import cli

    names = [module.__name__.rsplit(".", 1)[1].rstrip("_") for module in cli._command_modules()]
    if not names:
        raise CheckFailed("no subcommand was found (import, export, backup...)")
    return ", ".join(["demo", "reminders", *names])


CHECKS: tuple[tuple[str, Callable[[_Report], str]], ...] = (
    ("Qt platform", check_qt),
    ("resources", check_resources),
    ("database", check_database),
    ("notifier", check_notifier),
    ("modules", check_modules),
    ("commands", check_commands),
)


def _console_stream() -> TextIO | None:
    """Where to print: stdout, or (a windowed Windows build) the parent's console."""
    if sys.stdout is not None:
        return sys.stdout
    if sys.platform == "win32":
        try:
            import ctypes

            if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
                return open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        except (OSError, AttributeError):
            return None
    return None


def run(report: Path | None = None,
        checks: tuple[tuple[str, Callable[[_Report], str]], ...] = CHECKS) -> int:
    """Run every check, print one line each and a verdict; 0 when all passed, else 1."""
    from crmdesk import __version__

    streams: list[TextIO] = []
    console = _console_stream()
    if console is not None:
        streams.append(console)
    report_file = None
    if report is not None:
        report_file = open(report, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        streams.append(report_file)
    out = _Report(streams or [io.StringIO()])
    try:
        kind = "frozen" if getattr(sys, "frozen", False) else "from source"
        out.line(f"crmdesk {__version__} self-test ({kind}: {sys.executable}; "
                 f"Python {sys.version.split()[0]}; {sys.platform})")
        failed = []
        for name, check in checks:
            try:
                detail = check(out)
            except CheckFailed as exc:
                failed.append(name)
                out.line(f"FAIL  {name}: {exc}")
            except Exception as exc:  # a check that breaks is a failed check, named
                failed.append(name)
                where = traceback.extract_tb(exc.__traceback__)[-1]
                out.line(f"FAIL  {name}: {type(exc).__name__}: {exc} "
                         f"({Path(where.filename).name}:{where.lineno})")
            else:
                out.line(f"ok    {name}: {detail}")
        if failed:
            out.line(f"self-test FAILED: {', '.join(failed)}")
            return EXIT_FAILED
        if out.no_display:
            out.line(f"self-test passed: {len(checks)} of {len(checks)} checks; no display "
                     "here, so the window itself was not checked (run it again on the "
                     "desktop to check that too)")
            return EXIT_OK
        out.line(f"self-test passed: {len(checks)} of {len(checks)} checks")
        return EXIT_OK
    finally:
        if report_file is not None:
            report_file.close()
