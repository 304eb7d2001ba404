"""Helpers for the packaging tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_CUSTOMERS = 1000


def _load_build_module():
    spec = importlib.util.spec_from_file_location("crmdesk_packaging_build",
                                                  ROOT / "packaging" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build_module()


def require(found: bool, what: str) -> None:
    """Skip (or, under .ci/run, fail) when a tool the test needs is missing."""
    if found:
        return
    message = f"{what} is missing; `.ci/run` installs it (run it as root, or apt-get install it)"
    if os.environ.get("CRMDESK_PACKAGING_REQUIRED") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_programs(*names: str) -> None:
    for name in names:
        require(shutil.which(name) is not None, f"the program {name}")


def app_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment for running crmdesk that cannot touch the real user's files."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("QT_", "XDG_", "DBUS_", "WAYLAND_")) and key != "DISPLAY"}
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_STATE_HOME=str(home / "state"), TMPDIR=str(home))
    env.update(extra)
    return env


def run(argv, env=None, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(arg) for arg in argv], env=env, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


