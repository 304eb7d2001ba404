"""The side bar icons of the Dashboard and Segments pages, in the style of resources/icons
(24 px grid, 2 px round strokes in currentColor), drawn in the palette's text colour.

They live here rather than in resources/icons because ui/icons.py's list of names (and the
test that every file there is named) belongs to another part of the program; moving them
there is a two-line change (see the report to the lead).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette

from crmdesk.ui.icons import ICON_SIZES, render_svg

_HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
         'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
         'stroke-linejoin="round">')
SVGS = {
    # three bars on a base line
    "dashboard": _HEAD + '<path d="M3 21h18"/><rect x="5" y="11" width="3" height="7" rx="1"/>'
                 '<rect x="10.5" y="5" width="3" height="13" rx="1"/>'
                 '<rect x="16" y="8" width="3" height="10" rx="1"/></svg>',
    # a funnel: a group picked out of everyone
    "segments": _HEAD + '<path d="M3 4h18l-7 8.5V19l-4 2v-8.5z"/></svg>',
}


@cache
def _icon(name: str, rgb: str) -> QIcon:
    data = SVGS[name].replace("currentColor", rgb).encode("utf-8")
    result = QIcon()
    for size in ICON_SIZES:
        result.addPixmap(render_svg(data, size))
    return result


def insight_icon(name: str, color: QColor | None = None) -> QIcon:
    if color is None:
        color = QGuiApplication.palette().color(QPalette.ColorGroup.Active,
                                                QPalette.ColorRole.WindowText)
    return _icon(name, QColor(color).name(QColor.NameFormat.HexRgb))
