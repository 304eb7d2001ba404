"""A light touch of style on top of the platform's own, following its light or dark palette."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


def _dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2d30", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1f2023", QPalette.ColorRole.AlternateBase: "#27292c",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#35373b",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#2f7fc1",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#35373b",
        QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.Link: "#6cb4f0", QPalette.ColorRole.BrightText: "#ffffff",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def apply_style(app: QApplication, forced: str = "") -> None:
    """Style the app; `forced` ("dark"/"light", from CRMDESK_COLOR_SCHEME) overrides the system
    for desktops that do not tell applications their colour scheme."""
    scheme = app.styleHints().colorScheme()
    if forced == "dark":
        scheme = Qt.ColorScheme.Dark
    elif forced == "light":
        scheme = Qt.ColorScheme.Light
    palette = app.palette()
    if scheme == Qt.ColorScheme.Dark and palette.color(QPalette.ColorRole.Window).lightness() > 128:
        # The system asks for dark but the style did not follow (common on Linux): do it here.
        app.setStyle("Fusion")
        app.setPalette(_dark_palette())
        palette = app.palette()
    elif scheme == Qt.ColorScheme.Light and app.property("crmdeskDark"):
        app.setPalette(app.style().standardPalette())
        palette = app.palette()
    app.setProperty("crmdeskDark", scheme == Qt.ColorScheme.Dark)
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
