"""Fixtures for the end-to-end tests; the desktop itself lives in `e2e_desktop.py`.

Where a program the desktop needs is missing the test is skipped, naming the program; `.ci/run`
installs them all and sets CRMDESK_E2E_REQUIRED=1, which turns that skip into a failure.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The e2e tests import `e2e_desktop` from this folder whatever pytest's import mode
# (prepend, append or importlib), and whether or not tests/ becomes a package.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from e2e_desktop import REQUIRED_PROGRAMS, Desktop, missing_programs  # noqa: E402


def _require_programs() -> None:
    missing = missing_programs()
    if not missing:
        return
    names = ", ".join(f"{name} (Debian package {REQUIRED_PROGRAMS[name]})" for name in missing)
    message = (f"the e2e desktop needs programs that are missing: {names}. "
               "`.ci/run` installs them (run it as root, or apt-get install them).")
    if os.environ.get("CRMDESK_E2E_REQUIRED") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def desktop(tmp_path_factory) -> Iterator[Desktop]:
    """A fresh X desktop (Xvfb, D-Bus session bus, dunst, trayer) for one test."""
    _require_programs()
    session = Desktop(tmp_path_factory.mktemp("desktop"))
    try:
        session.start_session()
        yield session
    finally:
        session.stop()
