"""A light touch of style on top of the platform's own, following its light or dark palette."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication


def apply_style(app: QApplication) -> None:
    palette = app.palette()
    base = palette.color(QPalette.ColorRole.Base)
    window = palette.color(QPalette.ColorRole.Window)
    highlight = palette.color(QPalette.ColorRole.Highlight)
    text = palette.color(QPalette.ColorRole.WindowText)
    dark = window.lightness() < 128
    side = window.darker(108) if not dark else window.lighter(125)
    warning_bg = "#5a3b12" if dark else "#fff4e0"
    warning_fg = "#ffd9a0" if dark else "#7a4b00"
    app.setStyleSheet(f"""
        QListWidget#navigation {{
            background: {side.name()};
            padding: 8px 6px;
            font-size: 11pt;
        }}
        QListWidget#navigation::item {{
            border-radius: 6px;
            padding: 4px 8px;
            color: {text.name()};
        }}
        QListWidget#navigation::item:selected {{
            background: {highlight.name()};
            color: {palette.color(QPalette.ColorRole.HighlightedText).name()};
        }}
        QLabel#cardWarning {{
            background: {warning_bg};
            color: {warning_fg};
            border-radius: 6px;
            padding: 6px 10px;
        }}
        QListWidget#followUps {{ background: transparent; }}
        QTableView {{ background: {base.name()}; }}
        QToolBar#mainToolbar {{ spacing: 4px; padding: 4px 6px; }}
    """)
