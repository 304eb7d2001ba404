"""A second start for another book than the running one says so and exits non-zero; a second
start for the same book brings the first window forward and exits quietly."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QProcess, QProcessEnvironment

from crmdesk.desktop.single_instance import SingleInstance, server_name

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the socket lives in XDG_RUNTIME_DIR")


@pytest.fixture
def runtime(tmp_path) -> Path:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    return folder


@pytest.fixture
def running(qapp, runtime, tmp_path):
    """A "running crmdesk" with the book shop.db: the single-instance server a real one has."""
    book = tmp_path / "shop.db"
    book.touch()
    first = SingleInstance(name=server_name("crmdesk", env={"XDG_RUNTIME_DIR": str(runtime)}),
                           db_path=book)
    assert first.try_become_primary([])
    yield first
    first.close()


def launch(qtbot, runtime, tmp_path, *args: str) -> tuple[int, str, str]:
    """Start the real `crmdesk` (a second process) and wait for it to end."""
    process = QProcess()
    env = QProcessEnvironment.systemEnvironment()
    env.insert("XDG_RUNTIME_DIR", str(runtime))
    env.insert("QT_QPA_PLATFORM", "offscreen")
    env.insert("HOME", str(tmp_path / "home"))
    process.setProcessEnvironment(env)
    with qtbot.waitSignal(process.finished, timeout=60_000):
        process.start(sys.executable, ["-m", "crmdesk", *args])
    return (process.exitCode(), bytes(process.readAllStandardOutput().data()).decode(),
            bytes(process.readAllStandardError().data()).decode())


def test_a_second_start_with_another_book_says_so(qtbot, running, runtime, tmp_path):
    other = tmp_path / "other shop.db"
    with qtbot.waitSignal(running.otherBookRequested, timeout=60_000) as asked:
        code, _out, err = launch(qtbot, runtime, tmp_path, "--db", str(other))
    assert code != 0
    assert (f"crmdesk is already running with the book {tmp_path / 'shop.db'}; close it first "
            f"to open {other}.") in err
    assert asked.args == [str(other)]
    assert not other.exists()  # the second process opened nothing


def test_a_second_start_with_the_same_book_brings_the_first_forward(qtbot, running, runtime,
                                                                    tmp_path):
    with qtbot.waitSignal(running.messageReceived, timeout=60_000):
        code, out, err = launch(qtbot, runtime, tmp_path, "--db", str(tmp_path / "shop.db"))
    assert code == 0, err
    assert "already running" in out and "close it first" not in err


def test_the_running_window_comes_forward_and_says_which_book_was_asked_for(
        qtbot, filled_window, qsettings, qapp):
    from crmdesk.ui.tray_life import TrayLife

    life = TrayLife(qapp, filled_window, qsettings, tray_available=False)
    filled_window.hide()
    life.on_second_launch(["--db", "/srv/other.db"])
    life.on_other_book("/srv/other.db")
    assert filled_window.isVisible()
    assert "/srv/other.db" in filled_window.statusBar().currentMessage()
    life.close()
