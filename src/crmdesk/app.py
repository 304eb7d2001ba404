"""The composition root: builds the database, the rules, the window, and runs the loop."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

EXIT_DATABASE = 2
#: a second launch for another book than the one crmdesk already has open
EXIT_OTHER_BOOK = 3


def other_book_message(running: str, wanted: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return (QCoreApplication.translate(
        "App", "crmdesk is already running with the book %1; close it first to open %2.")
        .replace("%1", running).replace("%2", wanted))


def tell_other_book(app, running: str, wanted: str) -> None:
    """A second launch asked for another book: say so on stderr, and in a message box when
    there is a screen to show it on (the running window comes forward by itself)."""
    message = other_book_message(running, wanted)
    print(f"crmdesk: {message}", file=sys.stderr, flush=True)
    if app.platformName() in ("offscreen", "minimal"):
        return
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(None, "crmdesk", message)


def ms_since_process_start(fallback_start: float) -> float:
    """Milliseconds since the OS started this process (Linux), else since `fallback_start`."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        import os

        ticks = os.sysconf("SC_CLK_TCK")
        started = int(fields[19]) / ticks
        return (time.clock_gettime(time.CLOCK_BOOTTIME) - started) * 1000.0
    except (OSError, ValueError, IndexError, AttributeError):
        return (time.perf_counter() - fallback_start) * 1000.0


def run_gui(db_path: Path, *, ready_and_exit: bool = False, minimized: bool = False,
            process_start: float | None = None) -> int:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from crmdesk import paths
    from crmdesk.desktop.notify import set_windows_app_id
    from crmdesk.errors import install_exception_hook, setup_logging
    from crmdesk.store.db import DatabaseOpenError, open_database
    from crmdesk.ui.error_dialog import ErrorReporter
    from crmdesk.ui.formatting import system_country
    from crmdesk.ui.icons import app_icon

    process_start = process_start if process_start is not None else time.perf_counter()
    set_windows_app_id()  # before any window: toasts then carry crmdesk's name (Windows only)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("crmdesk")
    app.setOrganizationName("crmdesk")
    app.setApplicationDisplayName("crmdesk")
    app.setDesktopFileName("crmdesk")
    app.setWindowIcon(app_icon())

    instance = None
    if not ready_and_exit:
        from crmdesk.desktop.single_instance import SingleInstance

        instance = SingleInstance(parent=app, db_path=db_path.absolute())
        if not instance.try_become_primary(sys.argv[1:]):
            # crmdesk already runs for this user: it brings its window forward.
            if not instance.same_book():
                tell_other_book(app, instance.running_db, str(db_path.absolute()))
                return EXIT_OTHER_BOOK
            print("crmdesk is already running; its window was brought forward.")
            return 0

    log_path = setup_logging(paths.log_dir(db_path))
    reporter = ErrorReporter(log_path)
    install_exception_hook(reporter, log_path)

    from crmdesk.ui import safety

    try:
        opened = open_database(db_path)
    except DatabaseOpenError as exc:
        log.error("%s", exc)
        print(f"crmdesk: {exc}", file=sys.stderr)
        if ready_and_exit:
            return EXIT_DATABASE
        if not safety.offer_recovery(exc.path, exc):
            QMessageBox.critical(None, "crmdesk", f"{exc.problem}\n\n{exc.advice}\n\n{exc.path}")
            return EXIT_DATABASE
        try:
            opened = open_database(db_path)
        except DatabaseOpenError as again:
            QMessageBox.critical(None, "crmdesk", str(again))
            return EXIT_DATABASE
    if opened.backup is not None:
        log.info("migrated %s (steps %s); copy saved as %s", opened.path, opened.migrated,
                 opened.backup)

    import os

    from crmdesk.core.session import Session
    from crmdesk.ui.main_window import MainWindow
    from crmdesk.ui.style import apply_style

    forced_scheme = os.environ.get("CRMDESK_COLOR_SCHEME", "").lower()
    apply_style(app, forced_scheme)
    # Follow the system when it switches between light and dark while we run.
    app.styleHints().colorSchemeChanged.connect(lambda _s: apply_style(app, forced_scheme))
    session = Session(opened.db, opened.path, fallback_country=system_country())
    state = QSettings()
    # A new book's first start asks the shop's country, currency and date format (on the
    # welcome page: nothing modal, so a measuring run is not held up).
    # A big book (checked later) whose damage the first page meets: told, and not shown.
    from crmdesk.store.problems import BookDamaged, explain

    met: list = []

    def damage_met(exc: BaseException) -> bool:
        problem = explain(exc, opened.path)
        if isinstance(problem, BookDamaged):
            met.append(problem)
            return True
        return False

    install_exception_hook(reporter, log_path, handled=damage_met)
    window = None
    try:
        window = MainWindow(session, state,
                            ask_shop_setup=not ready_and_exit and session.needs_shop_setup())
    except Exception as exc:
        if not damage_met(exc):
            raise
    if met:
        log.error("%s", met[0])
        print(f"crmdesk: {met[0]}", file=sys.stderr)
        if window is not None:
            window.keep_state = False
            window.deleteLater()
        session.close()
        if not ready_and_exit:
            safety.offer_recovery(opened.path, met[0])
        return EXIT_DATABASE
    reporter.parent_widget = window
    from crmdesk.ui.book_watch import BookWatch

    # A damaged book (found by the background check or any error), a full or read-only disk:
    # told in those words, and a damaged book is written no more.
    watch = BookWatch(opened, window)
    install_exception_hook(reporter, log_path, handled=watch.exception_seen)
    life = None
    if not ready_and_exit:
        from crmdesk.ui.tray_life import TrayLife

        # Import, export, backup and privacy entries are added once the list has painted, so
        # their modules do not weigh on the start.
        if window.customers_stack.currentIndex():
            window.listPainted.connect(lambda: QTimer.singleShot(0, window.install_data_menus))
        else:
            QTimer.singleShot(0, window.install_data_menus)
        life = TrayLife(app, window, state, parent=app)
        instance.messageReceived.connect(life.on_second_launch)
        instance.otherBookRequested.connect(life.on_other_book)
        # Reminders start once the window is up (what came due meanwhile: one summary);
        # today's backup is made in the background.
        QTimer.singleShot(0, lambda: life.attach_scheduler(session))
        QTimer.singleShot(0, watch.start)  # a book too big to check at open: checked now
        QTimer.singleShot(2000, lambda: watch.backups_allowed() and safety.backup_in_background(
            opened.path, window, on_damage=watch.problemFound.emit))
        daily = QTimer(window)  # a day's backup also when crmdesk runs for days on end
        daily.setInterval(60 * 60 * 1000)
        daily.timeout.connect(lambda: watch.backups_allowed() and safety.backup_in_background(
            opened.path, window, on_damage=watch.problemFound.emit))
        daily.start()

    if ready_and_exit:
        window.keep_state = False

        def ready() -> None:
            print(f"ready {ms_since_process_start(process_start):.0f}", flush=True)
            QTimer.singleShot(0, window.request_quit)

        window.listPainted.connect(ready)
        if not window.customers_stack.currentIndex():  # empty book: the welcome page paints
            QTimer.singleShot(0, ready)
    if not minimized or life is None or life.tray is None:
        window.show()  # without a tray, --minimized still needs a window to come back to
    status = app.exec()
    if life is not None:
        life.close()
    if instance is not None:
        instance.close()
    session.close()
    if not ready_and_exit and watch.backups_allowed():
        safety.backup_on_quit(opened.path)
    if watch.repair_requested:  # damage found while working: the book is closed now
        safety.offer_recovery(opened.path, watch.problem)
    return status
