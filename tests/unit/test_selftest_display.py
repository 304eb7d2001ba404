"""`crmdesk --self-test` where there is no display (over ssh, a server): it says plainly that
the window could not be checked and checks everything else, instead of failing on Qt."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from crmdesk import selftest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="DISPLAY and WAYLAND_DISPLAY are how Linux finds a display")


def _env(home, **extra) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("QT_", "XDG_", "DBUS_", "WAYLAND_")) and key != "DISPLAY"}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               TMPDIR=str(home))
    env.update(extra)
    return env


def test_without_a_display_the_self_test_says_the_window_was_not_checked(tmp_path):
    done = subprocess.run([sys.executable, "-m", "crmdesk", "--self-test"],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    lines = done.stdout.splitlines()
    assert done.returncode == selftest.EXIT_OK, done.stdout + done.stderr
    checks = len(selftest.CHECKS)
    assert [line[:6] for line in lines[1:-1]] == ["ok    "] * checks
    assert lines[1].startswith("ok    Qt platform: no display here, so no window was shown")
    assert lines[-1].startswith(f"self-test passed: {checks} of {checks} checks; no display "
                                "here, so the window itself was not checked")
    assert "could not connect to display" not in done.stdout + done.stderr


def test_no_display_is_told_from_the_environment(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert selftest.no_display()
    monkeypatch.setenv("QT_QPA_PLATFORM", "")
    assert selftest.no_display()
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert not selftest.no_display()
    monkeypatch.delenv("WAYLAND_DISPLAY")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # asked for: checked as asked
    assert not selftest.no_display()


def test_a_desktop_plugin_that_cannot_load_fails_even_without_a_display(tmp_path):
    (tmp_path / "platforms").mkdir()
    (tmp_path / "platforms" / "libqxcb.so").write_bytes(b"not a library")
    with pytest.raises(selftest.CheckFailed, match="xcb platform plugin a desktop needs cannot"):
        selftest._load_plugin({str(tmp_path)}, "xcb")
