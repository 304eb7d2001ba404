"""Logging to a rotating file, and a last-resort handler for unexpected errors."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from crmdesk.paths import ensure_private_dir

LOG_NAME = "crmdesk.log"


def setup_logging(folder: Path) -> Path:
    """Write the log to `folder/crmdesk.log`, rotating at 1 MB with 5 old files kept.

    Where that folder cannot be made or written (a book on a read-only disk or folder, a full
    disk), the log goes to a private folder in the system's temporary folder instead; where even
    that fails, to the standard error only. Returns the log file's path."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for old in [h for h in root.handlers if getattr(h, "crmdesk", False)]:
        root.removeHandler(old)
        old.close()
    path = folder / LOG_NAME
    handler: logging.Handler | None = None
    for candidate in (folder, fallback_log_dir()):
        try:
            if candidate == folder:
                ensure_private_dir(folder.parent)  # the data folder, when this makes it
            ensure_private_dir(candidate)
            if candidate != folder and not _ours(candidate):
                continue
            path = candidate / LOG_NAME
            handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
            handler.rotator = private_rotate
            break
        except OSError:
            continue
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.crmdesk = True
    root.addHandler(handler)
    if path.parent != folder:
        logging.getLogger("crmdesk").warning("cannot write the log in %s; writing it to %s",
                                             folder, path)
    try:
        path.chmod(0o600)
    except OSError:
        pass
    return path


def private_rotate(source: str, dest: str) -> None:
    """Rotate the log as RotatingFileHandler does, and make the next file at once, readable
    by its owner only (the handler would make it with the default permissions, and the log
    holds personal data)."""
    if os.path.exists(source):
        os.rename(source, dest)
    os.close(os.open(source, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))


def _ours(folder: Path) -> bool:
    """A folder in a shared place is used only if it is ours and no link (another user could
    have made it first)."""
    import os

    if folder.is_symlink():
        return False
    return not hasattr(os, "getuid") or folder.stat().st_uid == os.getuid()


def fallback_log_dir() -> Path:
    """A private log folder in the system's temporary folder (one per user)."""
    import os
    import tempfile

    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"crmdesk-logs-{user}"


def install_exception_hook(show: Callable[[str, str], None], log_path: Path, *,
                           handled: Callable[[BaseException], bool] | None = None) -> None:
    """Log every uncaught exception and tell the user in plain words; the app keeps running.

    `show(summary, details)` is called on the thread that raised; the GUI passes a function
    that shows a dialog on the UI thread. `handled(exc)`, when given, is asked first: True
    means it told the user itself (a damaged book, a full disk), so `show` is not called.
    """
    log = logging.getLogger("crmdesk")

    def hook(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error:\n%s", details)
        try:
            if handled is not None and handled(value):
                return
            show(f"{kind.__name__}: {value}", details)
        except Exception:  # the handler itself must never raise
            log.exception("could not show the error")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
