"""The RFM grid drawn with QPainter: a 5x5 heat map of customer counts (see charts.py)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from crmdesk.ui.dashboard.charts import ChartBase, blend, series_colours


class HeatMap(ChartBase):
    """The RFM grid: recency score down the side (5 = bought most recently, at the top),
    frequency score along the bottom; each cell the number of customers, shaded by it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.counts: dict[tuple[int, int], int] = {}
        self.tip_text: Callable[[int, int, int], str] = lambda r, f, n: str(n)
        self.words: Callable[[int, int], str] = lambda r, f: f"R{r} F{f}"
        self.number_text: Callable[[int], str] = str
        self.row_title = self.tr("Bought recently")
        self.column_title = self.tr("Buys often")

    def sizeHint(self) -> QSize:  # noqa: N802
        line = self.line()
        return QSize(round(line * 24), round(line * 14))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        line = self.line()
        return QSize(round(line * 14), round(line * 11))

    def set_counts(self, counts: dict[tuple[int, int], int]) -> None:
        self.counts = dict(counts)
        self._hover = None
        self.update()

    def _grid(self) -> QRectF:
        """Cells as tall as the height allows, and up to twice as wide (room for 5 digits)."""
        line = self.line()
        left = line * 3.2
        bottom = line * 3.0
        height = max(line * 5, self.height() - bottom - line * 0.5)
        width = min(self.width() - left - line * 0.5, height * 2.2)
        return QRectF(left, line * 0.5, width, height)

    def cell_rect(self, r: int, f: int) -> QRectF:
        grid = self._grid()
        across, down = grid.width() / 5, grid.height() / 5
        return QRectF(grid.left() + (f - 1) * across, grid.top() + (5 - r) * down, across, down)

    def _layout(self) -> None:
        self._hits = []
        if not any(self.counts.values()):
            return
        for r in range(1, 6):
            for f in range(1, 6):
                self._hits.append((self.cell_rect(r, f), r, f))

    def tip_for(self, r: int, f: int) -> str:
        return self.tip_text(r, f, self.counts.get((r, f), 0))

    def activate(self, r: int, f: int) -> None:
        self.activated.emit(0, (r, f), self.words(r, f))

    def draw(self, painter: QPainter, colours: dict[str, QColor]) -> None:
        base = series_colours(self.palette())[0]
        most = max(self.counts.values()) or 1
        line = self.line()
        for rect, r, f in self._hits:
            n = self.counts.get((r, f), 0)
            share = n / most
            fill = blend(colours["back"], base, 0.08 + 0.92 * share) if n else colours["back"]
            painter.fillRect(rect.adjusted(1, 1, -1, -1), fill)
            if self._hover == (r, f):
                painter.setPen(QPen(colours["text"], 2))
                painter.drawRect(rect.adjusted(2, 2, -2, -2))
            on_fill = QColor("white") if share > 0.55 else colours["text"]
            painter.setPen(on_fill if n else colours["muted"])
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.number_text(n))
        grid = self._grid()
        across, down = grid.width() / 5, grid.height() / 5
        painter.setPen(colours["muted"])
        for score in range(1, 6):
            painter.drawText(QRectF(grid.left() - line * 1.4, grid.top() + (5 - score) * down,
                                    line * 1.2, down),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             str(score))
            painter.drawText(QRectF(grid.left() + (score - 1) * across, grid.bottom(), across,
                                    line),
                             Qt.AlignmentFlag.AlignCenter, str(score))
        painter.setPen(colours["text"])
        painter.drawText(QRectF(grid.left(), grid.bottom() + line, grid.width(), line * 1.4),
                         Qt.AlignmentFlag.AlignCenter, self.column_title + " →")
        painter.save()
        painter.translate(line * 0.2, grid.bottom())
        painter.rotate(-90)
        painter.drawText(QRectF(0, 0, grid.height(), line * 1.4), Qt.AlignmentFlag.AlignCenter,
                         self.row_title + " →")
        painter.restore()
