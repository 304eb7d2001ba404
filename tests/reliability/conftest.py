"""The reliability suite: what real PCs do to the program (kill -9, full and read-only disks,
damaged books, several writers, hostile files, time zones). Marked `reliability`; `make test`
runs the short version. CRMDESK_RELIABILITY=long runs more rounds of each (docs/RELIABILITY.md
keeps the figures). Each test reports "tried N, survived M"; the lines are printed at the end
of the run."""

from __future__ import annotations

import random

import pytest
from reliability_helpers import LINES, LONG, SEED


def pytest_terminal_summary(terminalreporter):
    if LINES:
        mode = "long" if LONG else "short"
        terminalreporter.section(f"reliability figures ({mode}, seed {SEED})")
        for line in LINES:
            terminalreporter.write_line(line)


@pytest.fixture
def rng(request) -> random.Random:
    """A seeded random source per test (the seed and the test's name)."""
    return random.Random(f"{SEED}:{request.node.nodeid}")


def pytest_collection_modifyitems(config, items):
    """The long run takes longer than the suite's 120 s per test."""
    if LONG:
        for item in items:
            if item.get_closest_marker("reliability"):
                item.add_marker(pytest.mark.timeout(1800))
