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


def connect(path: Path):
    """A plain read-write connection, as the next start would open the book (a hot journal
    left by a killed writer is rolled back here)."""
    import sqlite3

    return sqlite3.connect(path, timeout=30)


def checked(path: Path) -> tuple[str, int]:
    """(PRAGMA integrity_check, number of customers) of a book, as the next start sees it."""
    con = connect(path)
    try:
        verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
        try:
            count = con.execute("SELECT count(*) FROM customer").fetchone()[0]
        except Exception:  # noqa: BLE001  (a damaged book: the verdict says so)
            count = -1
        return verdict, count
    finally:
        con.close()


def write_customers_csv(path: Path, rows: int, tag: str, first_phone: int = 0) -> Path:
    """A CSV of `rows` distinct customers whose last names and e-mails carry `tag`; phones
    from +44 7700 9<first_phone> on (files meant to hold different people need different
    ones: the same phone is the same customer)."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First name", "Last name", "Email", "Phone"])
        for i in range(rows):
            writer.writerow([f"Kim{i}", f"{tag}{i}", f"kim{i}.{tag.lower()}@example.org",
                             f"+44 7700 9{(first_phone + i) % 100000:05d}"])
    return path


def run_killed(args: list, rng, duration: float, **kwargs) -> bool:
    """Start `crmdesk *args`, kill -9 it after a random part of `duration` (the time a whole
    run took): the perturbation. Returns True when the kill landed before the process ended.
    The checks that follow hold wherever the kill lands."""
    proc = popen(*args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    try:
        proc.wait(timeout=rng.uniform(0.05, 1.0) * duration)
        return False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return True


def timed(args: list, **kwargs) -> tuple[subprocess.CompletedProcess, float]:
    import time

    started = time.perf_counter()
    result = crmdesk(*args, **kwargs)
    return result, time.perf_counter() - started


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def mount_tmpfs(where: Path, size: int) -> str | None:
    """Mount a tmpfs of `size` bytes at `where`; None when done, else why it cannot be."""
    if not sys.platform.startswith("linux"):
        return "a small disk is made with a Linux tmpfs"
    if os.geteuid() != 0:
        return "mounting a small tmpfs needs root"
    where.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                             str(where)], capture_output=True, text=True)
    if result.returncode != 0:
        return f"mount -t tmpfs failed: {result.stderr.strip() or result.returncode}"
    return None


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True, capture_output=True)


def unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def no_traceback(result: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in result.stderr and "Traceback" not in result.stdout
