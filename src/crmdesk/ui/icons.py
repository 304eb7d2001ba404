"""Icons from the SVGs in `crmdesk/resources`, recoloured to match the palette.

`icon("trash")` draws `resources/icons/trash.svg` in the palette's text colour (so it shows in
dark mode too), or in `color`; `app_icon()` is the program's own icon. SVGs are read through
importlib.resources, so they load the same from a source tree, a wheel or a frozen build.
Nothing happens at import time; results are cached per name and colour.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

#: Every action icon in resources/icons (without `.svg`).
ICON_NAMES = (
    "add-person", "edit", "trash", "restore", "empty-trash", "search", "today", "customers",
    "settings", "chat", "undo", "redo", "phone", "mail", "whatsapp", "calendar", "check",
    "bell", "info", "sample-data",
)

ICON_SIZES = (16, 20, 24, 32, 48)
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
_FALLBACK_TEXT = "#1f1f1f"


@cache
def svg_source(relative: str) -> bytes:
    """The bytes of `crmdesk/resources/<relative>`; raises FileNotFoundError if absent."""
    node = resources.files("crmdesk").joinpath("resources")
    for part in relative.split("/"):
        node = node.joinpath(part)
    return node.read_bytes()


def _text_color() -> QColor:
    app = QGuiApplication.instance()
    if app is None:
        return QColor(_FALLBACK_TEXT)
    return QGuiApplication.palette().color(QPalette.ColorGroup.Active,
                                           QPalette.ColorRole.WindowText)


def render_svg(data: bytes, size: int, device_pixel_ratio: float = 1.0,
               opacity: float = 1.0) -> QPixmap:
    """`data` drawn into a transparent square pixmap of `size` logical pixels."""
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        raise ValueError("not a valid SVG")
    physical = max(1, round(size * device_pixel_ratio))
    pixmap = QPixmap(physical, physical)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.setOpacity(opacity)
    renderer.render(painter, QRectF(0, 0, physical, physical))
    painter.end()
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    return pixmap


def _build(data: bytes, sizes: tuple[int, ...], opacity: float = 1.0) -> QIcon:
    # One pixmap per size: a high-DPI request (24 px at 2x) is served by the 48 px one, and
    # rendering half as many SVGs is ~20 ms less before the window first paints.
    result = QIcon()
    for size in sizes:
        result.addPixmap(render_svg(data, size, 1.0, opacity))
    return result


@cache
def _icon(name: str, rgb: str, alpha: int) -> QIcon:
    source = svg_source(f"icons/{name}.svg").decode("utf-8")
    return _build(source.replace("currentColor", rgb).encode("utf-8"), ICON_SIZES, alpha / 255)


def icon(name: str, color: QColor | None = None) -> QIcon:
    """The action icon `name` (see ICON_NAMES) drawn in `color`, by default the palette's
    window text colour. Raises FileNotFoundError for an unknown name."""
    chosen = QColor(color) if color is not None else _text_color()
    return _icon(name, chosen.name(QColor.NameFormat.HexRgb), chosen.alpha())


@cache
def app_icon() -> QIcon:
    """crmdesk's own icon, at sizes from 16 to 256 pixels."""
    return _build(svg_source("crmdesk.svg"), APP_ICON_SIZES)
