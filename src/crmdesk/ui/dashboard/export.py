"""Saving the dashboard as a PNG picture (what is on screen, the whole page) or as a PDF (an
A4 landscape page: a title with the shop's name, the period, the date, then the figures drawn
as vectors, so the text stays sharp when printed)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QPoint, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
)
from PySide6.QtWidgets import QWidget


class ExportError(Exception):
    """The file could not be written (the message says why, in plain words)."""


def save_png(widget: QWidget, path: Path) -> Path:
    pixmap = widget.grab()
    if pixmap.isNull() or not pixmap.save(str(path), "PNG"):
        raise ExportError(f"could not write {path} (is the folder writable?)")
    return path


def save_pdf(widget: QWidget, path: Path, title: str, lines: list[str]) -> Path:
    """`title` big at the top, `lines` (shop, period, date) under it, then the widget."""
    try:
        with open(path, "wb"):
            pass  # QPdfWriter says nothing when it cannot write: find out first, plainly
    except OSError as exc:
        raise ExportError(exc.strerror or str(exc)) from exc
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("crmdesk")
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"could not write {path}")
    try:
        page = QRectF(writer.pageLayout().paintRectPixels(writer.resolution()))
        page.moveTo(0, 0)
        font = QFont(widget.font())
        font.setPointSizeF(18)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        metrics_height = painter.fontMetrics().height()
        painter.drawText(QRectF(0, 0, page.width(), metrics_height),
                         Qt.AlignmentFlag.AlignLeft, title)
        y = metrics_height * 1.2
        font.setPointSizeF(10)
        font.setBold(False)
        painter.setFont(font)
        small = painter.fontMetrics().height()
        for line in lines:
            painter.drawText(QRectF(0, y, page.width(), small), Qt.AlignmentFlag.AlignLeft, line)
            y += small
        y += small
        # The widget keeps its on-screen layout, scaled to fit what is left of the page.
        room = QRectF(0, y, page.width(), page.height() - y)
        size = widget.size()
        scale = min(room.width() / max(1, size.width()), room.height() / max(1, size.height()))
        painter.translate(room.left(), room.top())
        painter.scale(scale, scale)
        _render_light(widget, painter)
    finally:
        painter.end()
    if not Path(path).exists() or Path(path).stat().st_size == 0:
        raise ExportError(f"could not write {path}")
    return path


def _render_light(widget: QWidget, painter: QPainter) -> None:
    """Paper is white: in a dark palette the figures are drawn in the style's light one."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    had_own = widget.testAttribute(Qt.WidgetAttribute.WA_SetPalette)
    before = QPalette(widget.palette())
    if dark:
        widget.setPalette(widget.style().standardPalette())
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        if dark:
            widget.setPalette(before if had_own else QPalette())
