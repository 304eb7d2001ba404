"""A killed import leaves nothing running: its helper process (and multiprocessing's resource
tracker) end with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads the process table from /proc (Linux)")

# Checks a big file with the helper; once the helper has answered it prints "ready" and waits
# on stdin (to be killed there).
_IMPORT = """
import datetime as dt, sys
from crmdesk.core import import_check
from crmdesk.formats import import_mapping
from crmdesk.formats.import_common import Table
from crmdesk.formats.import_rows import RowReader

headers = ["Name", "Phone"]
rows = [[f"Person {i}", f"07400 {100000 + i}"] for i in range(30000)]
table = Table(headers, rows, list(range(2, 30002)), "csv")
reader = RowReader(table, import_mapping.build_mapping(headers), {}, dt.date(2026, 3, 10))
checked = import_check.outcomes(reader, rows, "GB", dt.date(2026, 3, 10), parallel=True,
                                patient=True)
for number, outcome in enumerate(checked):
    if number == 28000:  # past the first chunks: the helper has answered
        print("ready", flush=True)
        sys.stdin.readline()
"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def test_killing_an_import_ends_its_helper_and_resource_tracker():
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    parent = subprocess.Popen([sys.executable, "-c", _IMPORT], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert parent.stdout.readline().strip() == "ready"
        helpers = _children(parent.pid)
        assert len(helpers) >= 2  # the helper and the resource tracker
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    give_up = time.monotonic() + 120
    while any(_running(pid) for pid in helpers):
        assert time.monotonic() < give_up, "the helper outlived the killed import"
        time.sleep(0.05)  # sleep-ok: poll interval of a wait on a condition, with a deadline
