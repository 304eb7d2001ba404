"""Helpers of the reliability suite (see conftest.py): the long/short switch, the seeded
random source, the figures and the subprocess runners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LONG = os.environ.get("CRMDESK_RELIABILITY", "").strip().lower() == "long"
SEED = int(os.environ.get("CRMDESK_RELIABILITY_SEED", "20261204"))
PYTHON = sys.executable

LINES: list[str] = []


def report(line: str) -> None:
    """A tried/survived figure, printed now (-s) and in the summary at the end."""
    print(line)
    LINES.append(line)


def rounds(short: int, long: int) -> int:
    return long if LONG else short


def crmdesk(*args: str | os.PathLike, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run `python -m crmdesk ...` to its end."""
    return subprocess.run([PYTHON, "-m", "crmdesk", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def popen(*args: str | os.PathLike, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-m", "crmdesk", *map(str, args)], **kwargs)


_TEMPLATES: dict[int, bytes] = {}


def demo_book(path: Path, customers: int = 300) -> Path:
    """A book with `customers` sample customers (built once per size, then copied)."""
    if customers not in _TEMPLATES:
        template = path.parent / f"template-{customers}.db"
        result = crmdesk("demo", "--customers", customers, "--db", template)
        assert result.returncode == 0, result.stderr
        _TEMPLATES[customers] = template.read_bytes()
        for extra in (template, Path(f"{template}-wal"), Path(f"{template}-shm")):
            extra.unlink(missing_ok=True)
    path.write_bytes(_TEMPLATES[customers])
    return path


def integrity(path: Path) -> str:
    import sqlite3

    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def customer_count(path: Path) -> int:
    import sqlite3

    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM customer").fetchone()[0]
    finally:
        con.close()
