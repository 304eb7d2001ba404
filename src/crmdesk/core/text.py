"""Small text helpers shared by the rules."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive form, used for sorting names."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def clean(text: str | None) -> str:
    """Trim a single-line value and collapse inner runs of spaces."""
    return " ".join((text or "").split())


def clean_block(text: str | None) -> str:
    """Trim a multi-line value, keeping its line breaks."""
    lines = [line.rstrip() for line in (text or "").strip().splitlines()]
    return "\n".join(lines)
