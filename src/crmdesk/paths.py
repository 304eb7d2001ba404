"""Where crmdesk keeps its files. Nothing is created at import time."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "crmdesk"


def data_dir() -> Path:
    """The per-user data folder (not created here)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_database_path() -> Path:
    return data_dir() / "crmdesk.db"


def log_dir(database_path: Path | None = None) -> Path:
    """Logs live beside the database the user works on, in a `logs` folder."""
    base = database_path.parent if database_path is not None else data_dir()
    return base / "logs"


def ensure_private_dir(path: Path) -> Path:
    """Create a folder readable by the owner only (where the OS has such permissions)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
