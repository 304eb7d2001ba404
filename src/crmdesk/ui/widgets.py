"""Small widgets shared by the pages."""

from __future__ import annotations

import zlib

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

# Soft, readable colours for initials (white text on each).
_AVATAR_COLOURS = ("#2a9d8f", "#e76f51", "#457b9d", "#8d6cab", "#d68c2f", "#3a7d44",
                   "#c05875", "#5c6f84")


class Avatar(QWidget):
    """A round badge with someone's initials, in a colour that stays the same for that name."""

    def __init__(self, size: int = 40, parent=None):
        super().__init__(parent)
        self._initials = ""
        self._colour = QColor(_AVATAR_COLOURS[0])
        self.setFixedSize(size, size)

    def set_name(self, name: str) -> None:
        words = [w for w in name.split() if w[:1].isalnum()]
        if len(words) >= 2:
            self._initials = (words[0][0] + words[-1][0]).upper()
        else:
            self._initials = (words[0][:2] if words else "?").upper()
        index = zlib.crc32(name.encode("utf-8")) % len(_AVATAR_COLOURS)
        self._colour = QColor(_AVATAR_COLOURS[index])
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._colour)
        painter.drawEllipse(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1))
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(int(self.height() * 0.38))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._initials)


def muted_colour(widget: QWidget) -> QColor:
    """Secondary text: the text colour blended 40% toward the background (light and dark)."""
    palette = widget.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    mix = 0.4
    return QColor(round(text.red() * (1 - mix) + back.red() * mix),
                  round(text.green() * (1 - mix) + back.green() * mix),
                  round(text.blue() * (1 - mix) + back.blue() * mix))


def section_title(text: str) -> QLabel:
    """A bold heading for a part of a page."""
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.05)
    label.setFont(font)
    label.setContentsMargins(0, 8, 0, 0)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return label


def muted_label(text: str = "") -> QLabel:
    label = QLabel(text)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, muted_colour(label))
    label.setPalette(palette)
    label.setWordWrap(True)
    return label


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    return label
