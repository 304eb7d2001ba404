"""The result table, and the small statistics it needs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Row:
    measure: str
    value: float | None = None  # in `unit`
    baseline: float | None = None
    unit: str = "ms"
    goal_value: float | None = None  # at most this many `unit`
    goal_ratio: float | None = None  # at most this many times the baseline
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def goal(self) -> str:
        parts = []
        if self.goal_value is not None:
            parts.append(f"<= {self.goal_value:g} {self.unit}")
        if self.goal_ratio is not None:
            parts.append(f"<= {self.goal_ratio:g}x")
        return ", ".join(parts) or "-"

    @property
    def result(self) -> str:
        if self.value is None:
            return "skip"
        failed = []
        if self.goal_value is not None and self.value > self.goal_value:
            failed.append(self.unit)
        if self.goal_ratio is not None and (self.ratio is None or self.ratio > self.goal_ratio):
            failed.append("ratio")
        if self.goal_value is None and self.goal_ratio is None:
            return "info"
        return f"FAIL ({', '.join(failed)})" if failed else "pass"

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "goal": self.goal, "result": self.result}


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms" and value < 10:
        return f"{value:.2f} {unit}"
    return f"{value:.1f} {unit}" if value < 1000 else f"{value:,.0f} {unit}"


def render(rows: Sequence[Row]) -> str:
    header = ("measure", "value", "baseline", "ratio", "goal", "result", "note")
    lines = [header]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        lines.append((row.measure, _number(row.value, row.unit), _number(row.baseline, row.unit),
                      ratio, row.goal, row.result, row.note))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    out = []
    for index, line in enumerate(lines):
        cells = [cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) if i < 4
                 else cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])]
        out.append("  ".join(cells) + ("  " + line[-1] if line[-1] else ""))
        if index == 0:
            out.append("  ".join("-" * w for w in widths) + "  ----")
    return "\n".join(out)
