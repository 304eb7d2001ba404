"""The README's keyboard table is what the window does: every key it lists is bound."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence, QShortcut

README = Path(__file__).parents[2] / "README.md"


def _readme_keys() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("### Keyboard", 1)[1].split("\n## ", 1)[0]
    keys = set()
    for line in table.splitlines():
        if not line.startswith("| ") or line.startswith(("| Keys", "| ---")):
            continue
        cell = line.split("|")[1]
        cell = re.sub(r"\(.*?\)", "", cell)  # "(Cmd+, on macOS)", "(Ctrl+Y on Windows)"
        for part in re.split(r",\s+|\s+or\s+|\s+/\s+", cell.strip()):
            if part.startswith("Ctrl") or part in ("Delete", "Enter"):
                keys.add(part.strip())
    return keys


def _bound(window) -> set[str]:
    found = set()
    for action in window.findChildren(QAction):
        found.update(key.toString() for key in action.shortcuts())
    for shortcut in window.findChildren(QShortcut):
        found.add(shortcut.key().toString())
    return found


def test_every_key_in_the_readme_is_bound(window):
    window.install_data_menus()  # what the app adds once the list is painted (Import, Sales)
    listed = _readme_keys()
    assert {"Ctrl+N", "Ctrl+I", "Ctrl+Shift+S", "Ctrl+Q", "Ctrl+,", "Ctrl+5"} <= listed
    bound = _bound(window)
    missing = {key for key in listed - {"Enter"}
               if QKeySequence(key).toString() not in bound}
    assert not missing, f"listed in the README but bound to nothing: {sorted(missing)}"
