"""The icons the window shows: every one loads, draws something, and takes the colour asked for.

Not an e2e test (no desktop needed): it runs offscreen with the rest of the UI tests.
"""

from __future__ import annotations

from importlib import resources

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPalette

from crmdesk.ui import icons


def opaque_colors(qicon: QIcon, size: int = 24, ratio: float = 1.0) -> list[QColor]:
    image = qicon.pixmap(QSize(size, size), ratio).toImage()
    return [image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())
            if image.pixelColor(x, y).alpha() > 200]


def test_every_icon_file_is_named_and_every_name_has_a_file():
    folder = resources.files("crmdesk").joinpath("resources", "icons")
    files = sorted(entry.name.removesuffix(".svg") for entry in folder.iterdir()
                   if entry.name.endswith(".svg"))

    assert files == sorted(icons.ICON_NAMES)


@pytest.mark.parametrize("name", icons.ICON_NAMES)
def test_each_icon_draws_in_the_colour_asked_for(qapp, name):
    red = icons.icon(name, QColor("#d01010"))
    blue = icons.icon(name, QColor("#1030d0"))

    assert not red.isNull()
    assert {QSize(s, s) for s in icons.ICON_SIZES} <= set(red.availableSizes())
    red_pixels = opaque_colors(red)
    blue_pixels = opaque_colors(blue)
    assert len(red_pixels) >= 20, f"{name} draws almost nothing at 24 px"
    assert all(c.red() > 150 and c.blue() < 80 for c in red_pixels), f"{name} is not all red"
    assert all(c.blue() > 150 and c.red() < 80 for c in blue_pixels), f"{name} is not all blue"


def test_icons_are_sharp_on_a_high_dpi_screen(qapp):
    pixmap = icons.icon("search", QColor("black")).pixmap(QSize(24, 24), 2.0)

    assert pixmap.devicePixelRatio() == 2.0
    assert pixmap.size() == QSize(48, 48)


def test_icons_follow_the_palette_text_colour_for_dark_mode(qapp):
    original = qapp.palette()
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    try:
        qapp.setPalette(dark)
        light_pixels = opaque_colors(icons.icon("bell"))
    finally:
        qapp.setPalette(original)

    assert light_pixels
    assert all(min(c.red(), c.green(), c.blue()) > 200 for c in light_pixels)


def test_a_half_transparent_colour_draws_half_transparent(qapp):
    image = icons.icon("check", QColor(0, 0, 0, 128)).pixmap(24, 24).toImage()
    alphas = [image.pixelColor(x, y).alpha() for y in range(24) for x in range(24)]

    assert 0 < max(alphas) <= 140


def test_an_unknown_icon_name_is_an_error(qapp):
    with pytest.raises(FileNotFoundError):
        icons.icon("no-such-icon", QColor("black"))


def test_the_app_icon_is_a_teal_tile_at_every_size(qapp):
    app_icon = icons.app_icon()

    assert not app_icon.isNull()
    for size in (16, 32, 256):
        image = app_icon.pixmap(size, size).toImage()
        assert image.width() == size
        edge = image.pixelColor(size // 2, max(1, size // 16))  # top middle: the tile
        assert edge.alpha() > 200
        assert edge.green() > edge.red() + 40 and edge.blue() > edge.red() + 40, edge.name()
