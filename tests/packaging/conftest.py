"""Fixtures for the packaging tests: the frozen app (built once per session), the .deb, an X
display and a demo customer book.

These tests are slow (a PyInstaller build, an xz-compressed .deb, a wine prefix) and carry the
`packaging` marker; `make test-quick` leaves them out. Where a tool is missing they skip, naming
it; `.ci/run` installs them all and sets CRMDESK_PACKAGING_REQUIRED=1, which turns such a skip
into a failure. Set CRMDESK_FROZEN_APP=<dist/crmdesk> to test an app built beforehand instead of
building one (quicker while working on the tests).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The test modules import `packaging_helpers` from this folder whatever pytest's import mode.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from packaging_helpers import (  # noqa: E402
    DEMO_CUSTOMERS,
    app_env,
    build,
    require,
    require_programs,
    run,
)


@pytest.fixture(scope="session")
def frozen_app(tmp_path_factory) -> Path:
    """The one-folder app, built with packaging/crmdesk.spec once per session."""
    prebuilt = os.environ.get("CRMDESK_FROZEN_APP")
    if prebuilt:
        return Path(prebuilt)
    require(importlib.util.find_spec("PyInstaller") is not None,
            "PyInstaller (pip install -e '.[package]')")
    if sys.platform.startswith("linux"):
        require_programs("objdump")
    base = tmp_path_factory.mktemp("pyinstaller")
    return build.build_app(dist=base / "dist", work=base / "work")


@pytest.fixture(scope="session")
def deb_file(frozen_app, tmp_path_factory) -> Path:
    require_programs("dpkg-deb", "objdump")
    base = tmp_path_factory.mktemp("deb")
    return build.build_deb(frozen_app, out=base / "out", staging=base / "staging")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A customer book with DEMO_CUSTOMERS sample customers, made from source."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    done = run([sys.executable, "-m", "crmdesk", "demo", "--customers", DEMO_CUSTOMERS,
                "--db", path], env=app_env(folder / "home"))
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="session")
def xvfb_display(tmp_path_factory) -> Iterator[str]:
    """A private X display (Xvfb) for the whole session; yields its DISPLAY value."""
    require_programs("Xvfb")
    log = tmp_path_factory.mktemp("xvfb") / "Xvfb.log"
    read_fd, write_fd = os.pipe()
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
             "-nolisten", "tcp"], pass_fds=(write_fd,), stdout=log_file, stderr=log_file)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as reader:
            number = reader.readline().strip().decode()  # Xvfb writes it once it is ready
        if not number:
            pytest.fail(f"Xvfb did not start: {log.read_text(errors='replace')}")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
