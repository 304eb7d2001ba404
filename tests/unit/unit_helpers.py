"""Plain helpers shared by the unit tests (fixtures are in conftest.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(path: Path) -> list[str]:
    """The files SQLite may leave beside a database (journal, WAL, shared memory)."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


