"""Start to painted list, and resident memory at that moment: crmdesk against a bare window.

Each child prints `ready <ms>` when its table first paints. The figure used is the same for
both: the parent's clock from just before spawning to reading that line (so interpreter start
and imports count, closing does not). Memory is the child's peak resident set, from wait4().
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.database import RESULTS, crmdesk_command
from bench.report import Row, median

BARE = Path(__file__).resolve().parent / "bare_window.py"
TIMEOUT = 120.0


@dataclass
class Run:
    ms: float | None  # spawn to `ready` line, by the parent's clock
    reported_ms: float | None  # the child's own figure (since the OS started it)
    max_rss_mb: float | None
    error: str = ""


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # The same empty settings for both children, and nothing of the user's touched.
    for name, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                      ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        env[name] = str(home / sub)
    return env


def _why(stderr: str, status: int) -> str:
    """The telling line of a failed child's error output."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("Fatal Python error"):
            return line[:200]
    for line in reversed(lines):
        if "Error" in line or "error" in line:
            return line[:200]
    return lines[-1][:200] if lines else f"exit status {status}, no 'ready' line"


def _reap(child: subprocess.Popen, grace: float):
    """Wait (up to `grace` seconds, then kill) and return the child's status and own rusage."""
    deadline = time.perf_counter() + grace
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            return status, usage
        if time.perf_counter() >= deadline:
            child.kill()
            _pid, status, usage = os.wait4(child.pid, 0)
            return status, usage
        time.sleep(0.005)


def run_once(command: list[str], env: dict[str, str]) -> Run:
    lines: queue.Queue = queue.Queue()
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env,
                                 text=True, bufsize=1)

        def read() -> None:
            for line in child.stdout:
                lines.put((time.perf_counter(), line))
            lines.put((time.perf_counter(), None))

        threading.Thread(target=read, daemon=True).start()
        ready_at = reported = None
        deadline = started + TIMEOUT
        while ready_at is None:
            try:
                at, line = lines.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                break
            if line is None:
                break
            if line.startswith("ready "):
                ready_at, reported = at, float(line.split()[1])
        status, usage = _reap(child, 30.0 if ready_at is not None else 0.0)
        child.returncode = os.waitstatus_to_exitcode(status)
        rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
        if ready_at is None:
            errors.seek(0)
            return Run(None, None, rss_mb, _why(errors.read(), child.returncode))
        return Run((ready_at - started) * 1000, reported, rss_mb)


def measure(db_path: Path, runs: int, python: str | None = None) -> list[Row]:
    """`python` runs both children (default: this interpreter), to compare environments."""
    home = RESULTS / "home"
    env = _environment(home)
    app = [*crmdesk_command(python), "--db", str(db_path), "--ready-and-exit"]
    bare = [python or sys.executable, str(BARE)]
    start_row = Row(f"start to painted list (median of {runs})", goal_ratio=1.5)
    versions = subprocess.run(
        [python or sys.executable, "-c", "import sys, PySide6; "
         "print(f'Python {sys.version.split()[0]}, PySide6 {PySide6.__version__}')"],
        capture_output=True, text=True).stdout.strip()
    rss_row = Row("resident memory at ready (max RSS)", unit="MB", goal_value=150)

    probe = run_once(app, env)  # also warms the page cache
    if probe.ms is None:
        note = (f"skipped: `crmdesk --ready-and-exit` gave no ready line ({versions}: "
                f"{probe.error})")
        start_row.note = rss_row.note = note
        return [start_row, rss_row]
    run_once(bare, env)
    app_runs, bare_runs = [], []
    for _ in range(runs):  # interleaved, so a busy moment hits both alike
        app_runs.append(run_once(app, env))
        bare_runs.append(run_once(bare, env))
    failed = [r.error for r in app_runs + bare_runs if r.ms is None]
    if failed:
        start_row.note = rss_row.note = f"skipped: a run failed ({failed[0]})"
        return [start_row, rss_row]
    start_row.value = median([r.ms for r in app_runs])
    start_row.baseline = median([r.ms for r in bare_runs])
    start_row.note = (f"{versions}; spawn to 'ready' line by the parent's clock (their own "
                      f"figures: {median([r.reported_ms for r in app_runs]):.0f} vs "
                      f"{median([r.reported_ms for r in bare_runs]):.0f} ms)")
    rss_row.value = median([r.max_rss_mb for r in app_runs])
    rss_row.baseline = median([r.max_rss_mb for r in bare_runs])
    rss_row.note = "median of the runs; baseline: the bare window"
    return [start_row, rss_row]
