"""The measured customer book: N demo customers, built once with `crmdesk demo` and cached."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def crmdesk_command(python: str | None = None) -> list[str]:
    """The `crmdesk` launcher beside `python` (default: this interpreter), else `python -m`."""
    python = python or sys.executable
    launcher = Path(python).with_name("crmdesk")
    return [str(launcher)] if launcher.exists() else [python, "-m", "crmdesk"]


def _fingerprint() -> str:
    """Changes when the demo data or the schema does, so a stale cache is rebuilt."""
    from crmdesk.core import demo, demo_data, demo_sales
    from crmdesk.store import migrations

    digest = hashlib.sha256(Path(demo.__file__).read_bytes())
    digest.update(Path(demo_data.__file__).read_bytes())
    digest.update(Path(demo_sales.__file__).read_bytes())
    digest.update(str(migrations.LATEST_VERSION).encode())
    return digest.hexdigest()[:10]


def demo_database(customers: int, seed: int, rebuild: bool = False) -> tuple[Path, float | None]:
    """The cached database path, and the seconds `crmdesk demo` took if it was built now."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"demo-{customers}-s{seed}-{_fingerprint()}.db"
    if path.exists() and not rebuild:
        return path, None
    for stale in RESULTS.glob(f"demo-{customers}-s{seed}-*.db*"):
        if ".building-" not in stale.name:  # another run's book in the making stays
            stale.unlink(missing_ok=True)
    # A name of this run's own: two runs building at once must not write into one file.
    building = path.with_name(f"{path.name}.building-{os.getpid()}")
    print(f"building {path.name} with `crmdesk demo --customers {customers}`...",
          file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        subprocess.run([*crmdesk_command(), "demo", "--customers", str(customers),
                        "--seed", str(seed), "--db", str(building)], check=True,
                       stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        # Everything into the file itself before it is renamed: a write-ahead log left under
        # the old name would not follow it, and the renamed book would be missing its end.
        connection = sqlite3.connect(building)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        if path.exists():  # another run finished the same book first: use that one
            return path, seconds
        building.replace(path)
        return path, seconds
    finally:
        for leftover in RESULTS.glob(building.name + "*"):
            leftover.unlink(missing_ok=True)
