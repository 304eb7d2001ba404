"""Small charts drawn with QPainter: vertical bars (one or two stacked series) and horizontal
bars with names (the 5x5 RFM heat map is in heatmap.py).

No chart library: QtCharts would add PySide6-Addons (a 175 MB wheel) to the installer for
four kinds of bars (see docs/PERFORMANCE.md). Every size comes from the font, so the charts
keep their proportions at 125% or 200% scaling; every colour comes from the palette, so they
read in light and dark mode. Hovering a bar shows its tooltip; clicking it emits
`activated(series, key, label)` (the window opens the customers behind it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget


@dataclass(frozen=True)
class Bar:
    key: object            # what the window asks the core about (month, category id, ...)
    label: str             # under or beside the bar
    values: tuple[int, ...]  # one per series (stacked)
    tip: str = ""          # tooltip; per series when `tips` is given
    tips: tuple[str, ...] = ()
    describe: tuple[str, ...] = ()  # per series: the banner's words for the customers behind


def blend(a: QColor, b: QColor, share_of_b: float) -> QColor:
    keep = 1 - share_of_b
    return QColor(round(a.red() * keep + b.red() * share_of_b),
                  round(a.green() * keep + b.green() * share_of_b),
                  round(a.blue() * keep + b.blue() * share_of_b))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def series_colours(palette: QPalette) -> list[QColor]:
    """First series: the palette's highlight; second: a calmer partner that reads on both."""
    first = palette.color(QPalette.ColorRole.Highlight)
    back = palette.color(QPalette.ColorRole.Base)
    second = QColor("#e0a030") if not is_dark(palette) else QColor("#f0b848")
    return [first, second, blend(first, back, 0.55)]


def nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` grid lines."""
    if top <= 0:
        return 1
    raw = top / ticks
    power = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


class ChartBase(QWidget):
    activated = Signal(int, object, str)  # series, key, words for the banner

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable with Tab, then arrows
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.empty_text = self.tr("Nothing to show for this period yet.")
        self._hits: list[tuple[QRectF, int, int]] = []  # rect, item index, series
        self._hover: tuple[int, int] | None = None

    def line(self) -> float:
        return QFontMetricsF(self.font()).height()

    def colours(self) -> dict[str, QColor]:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        back = palette.color(QPalette.ColorRole.Window)
        return {"text": text, "muted": blend(text, back, 0.4), "grid": blend(text, back, 0.85),
                "back": back}

    def hit(self, pos: QPointF) -> tuple[int, int] | None:
        self._layout()  # the chart may not have been painted at its present size yet
        for rect, index, series in self._hits:
            if rect.contains(pos):
                return index, series
        return None

    def tip_for(self, index: int, series: int) -> str:  # pragma: no cover - overridden
        return ""

    def activate(self, index: int, series: int) -> None:  # pragma: no cover - overridden
        pass

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        found = self.hit(event.position())
        if found != self._hover:
            self._hover = found
            self.update()
        if found is None:
            self.unsetCursor()
            QToolTip.hideText()
        else:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            QToolTip.showText(event.globalPosition().toPoint(), self.tip_for(*found), self)
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        """Arrows move between the bars (or cells), Enter or Space opens the customers."""
        self._layout()
        keys = Qt.Key
        if not self._hits:
            super().keyPressEvent(event)
            return
        spots = [(index, series) for _rect, index, series in self._hits]
        at = spots.index(self._hover) if self._hover in spots else -1
        if event.key() in (keys.Key_Right, keys.Key_Down):
            at = min(at + 1, len(spots) - 1)
        elif event.key() in (keys.Key_Left, keys.Key_Up):
            at = max(at - 1, 0)
        elif event.key() in (keys.Key_Return, keys.Key_Enter, keys.Key_Space) and at >= 0:
            self.activate(*spots[at])
            return
        else:
            super().keyPressEvent(event)
            return
        self._hover = spots[at]
        rect = self._hits[at][0]
        QToolTip.showText(self.mapToGlobal(rect.center().toPoint()), self.tip_for(*spots[at]),
                          self)
        self.update()

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            found = self.hit(event.position())
            if found is not None:
                self.activate(*found)
        super().mouseReleaseEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        """Lays the chart out at its present size, then draws it (or says it is empty)."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._layout()
        if not self._hits:
            self.draw_empty(painter)
            return
        self.draw(painter, self.colours())

    def draw(self, painter: QPainter, colours: dict[str, QColor]) -> None:
        """Paint what `_layout` placed (there is something to show)."""

    def draw_empty(self, painter: QPainter) -> None:
        painter.setPen(self.colours()["muted"])
        painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter
                         | Qt.TextFlag.TextWordWrap, self.empty_text)


class BarChart(ChartBase):
    """Vertical bars, one per item (months), the series stacked; an axis of amounts at left."""

    def __init__(self, series_names: tuple[str, ...], axis_text: Callable[[int], str],
                 parent=None):
        super().__init__(parent)
        self.series_names = series_names
        self.axis_text = axis_text
        self.bars: list[Bar] = []

    def sizeHint(self) -> QSize:  # noqa: N802
        line = self.line()
        return QSize(round(line * 30), round(line * 13))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        line = self.line()
        return QSize(round(line * 16), round(line * 10))

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = list(bars)
        self._hover = None
        self.update()

    def bar_rects(self) -> list[list[QRectF]]:
        """Where each bar's pieces are (for tests and hit testing): [item][series]."""
        self._layout()
        rects: list[list[QRectF]] = [[] for _ in self.bars]
        for rect, index, _series in self._hits:
            rects[index].append(rect)
        return rects

    def tip_for(self, index: int, series: int) -> str:
        bar = self.bars[index]
        return bar.tips[series] if series < len(bar.tips) else bar.tip

    def activate(self, index: int, series: int) -> None:
        bar = self.bars[index]
        words = bar.describe[series] if series < len(bar.describe) else bar.label
        self.activated.emit(series, bar.key, words)

    def _geometry(self) -> tuple[QRectF, float, float]:
        line = self.line()
        top = max((sum(b.values) for b in self.bars), default=0)
        step = nice_step(top)
        axis_top = step * max(1, -(-top // step)) if top else step
        metrics = QFontMetricsF(self.font())
        ticks = [round(step * i) for i in range(int(axis_top / step) + 1)]
        label_width = max((metrics.horizontalAdvance(self.axis_text(t)) for t in ticks),
                          default=line)
        legend = line * 1.4 if len(self.series_names) > 1 else 0
        plot = QRectF(label_width + line * 0.6, legend + line * 0.5,
                      self.width() - label_width - line * 1.0,
                      self.height() - legend - line * 3.0)
        return plot, step, axis_top

    def _layout(self) -> None:
        self._hits = []
        if not self.bars or not any(sum(b.values) for b in self.bars):
            return
        plot, _step, axis_top = self._geometry()
        slot = plot.width() / len(self.bars)
        width = max(2.0, slot * 0.62)
        for index, bar in enumerate(self.bars):
            x = plot.left() + slot * index + (slot - width) / 2
            y = plot.bottom()
            for series, value in enumerate(bar.values):
                if value <= 0:
                    continue
                height = plot.height() * value / axis_top
                self._hits.append((QRectF(x, y - height, width, height), index, series))
                y -= height

    def draw(self, painter: QPainter, colours: dict[str, QColor]) -> None:
        plot, step, axis_top = self._geometry()
        line = self.line()
        # grid and amounts
        value = 0.0
        while value <= axis_top + 0.5:
            y = plot.bottom() - plot.height() * value / axis_top
            painter.setPen(QPen(colours["grid"], 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(colours["muted"])
            painter.drawText(QRectF(0, y - line / 2, plot.left() - line * 0.4, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self.axis_text(round(value)))
            value += step
        # bars
        palette_colours = series_colours(self.palette())
        for rect, index, series in self._hits:
            colour = QColor(palette_colours[series % len(palette_colours)])
            if self._hover == (index, series):
                colour = colour.lighter(125) if is_dark(self.palette()) else colour.darker(115)
            painter.fillRect(rect, colour)
        # labels under the bars (every other one when they would touch)
        metrics = QFontMetricsF(self.font())
        slot = plot.width() / len(self.bars)
        widest = max(metrics.horizontalAdvance(part) for b in self.bars  # "Jan\n2026": a line
                     for part in b.label.split("\n")) + line * 0.4
        every = max(1, int(-(-widest // slot)))
        painter.setPen(colours["muted"])
        last = len(self.bars) - 1
        for index, bar in enumerate(self.bars):
            if (last - index) % every:
                continue  # counted from the right: the latest bar always has its label
            x = plot.left() + slot * index
            painter.drawText(QRectF(x - slot, plot.bottom() + line * 0.3, slot * 3, line * 2.4),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             bar.label)
        # legend
        if len(self.series_names) > 1:
            x = plot.left()
            for series, name in enumerate(self.series_names):
                box = QRectF(x, line * 0.3, line * 0.8, line * 0.8)
                painter.fillRect(box, palette_colours[series % len(palette_colours)])
                painter.setPen(colours["text"])
                painter.drawText(QPointF(box.right() + line * 0.3, box.bottom() - line * 0.1),
                                 name)
                x = box.right() + line * 0.8 + metrics.horizontalAdvance(name)


class HBarChart(ChartBase):
    """Horizontal bars with a name at left and the value at the bar's end (top customers,
    category mix, RFM segments)."""

    def __init__(self, value_text: Callable[[int], str], parent=None):
        super().__init__(parent)
        self.value_text = value_text
        self.bars: list[Bar] = []

    def sizeHint(self) -> QSize:  # noqa: N802
        line = self.line()
        return QSize(round(line * 26), round(line * 1.6 * max(5, len(self.bars)) + line))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        line = self.line()
        return QSize(round(line * 16), round(line * 1.5 * max(3, len(self.bars)) + line))

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = list(bars)
        self._hover = None
        self.updateGeometry()
        self.update()

    def bar_rects(self) -> list[QRectF]:
        self._layout()
        return [rect for rect, _i, _s in self._hits]

    def tip_for(self, index: int, series: int) -> str:
        return self.bars[index].tip

    def activate(self, index: int, series: int) -> None:
        bar = self.bars[index]
        self.activated.emit(0, bar.key, bar.describe[0] if bar.describe else bar.label)

    def _columns(self) -> tuple[float, float, float]:
        metrics = QFontMetricsF(self.font())
        line = self.line()
        name_width = min(self.width() * 0.38,
                         max((metrics.horizontalAdvance(b.label) for b in self.bars),
                             default=0) + line * 0.6)
        value_width = max((metrics.horizontalAdvance(self.value_text(b.values[0]))
                           for b in self.bars), default=0) + line * 0.6
        return name_width, value_width, line * 1.5

    def _layout(self) -> None:
        self._hits = []
        if not self.bars or not any(b.values[0] for b in self.bars):
            return
        name_width, value_width, row = self._columns()
        row = min(row, (self.height() - 2) / len(self.bars))
        longest = max(b.values[0] for b in self.bars) or 1
        room = max(4.0, self.width() - name_width - value_width)
        for index, bar in enumerate(self.bars):
            width = max(2.0, room * bar.values[0] / longest)
            rect = QRectF(name_width, index * row + row * 0.18, width, row * 0.64)
            # the whole row is clickable, not only the (maybe tiny) bar
            self._hits.append((rect, index, 0))
        self._rows = row

    def hit(self, pos: QPointF) -> tuple[int, int] | None:
        self._layout()
        if not self._hits:
            return None
        index = int(pos.y() // self._rows)
        return (index, 0) if 0 <= index < len(self._hits) and pos.x() >= 0 else None

    def draw(self, painter: QPainter, colours: dict[str, QColor]) -> None:
        metrics = QFontMetricsF(self.font())
        name_width, _value_width, _row = self._columns()
        bar_colour = series_colours(self.palette())[0]
        line = self.line()
        for rect, index, _series in self._hits:
            bar = self.bars[index]
            row = QRectF(0, index * self._rows, self.width(), self._rows)
            if self._hover == (index, 0):
                painter.fillRect(row, colours["grid"])
            painter.setPen(colours["text"])
            name = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight,
                                      name_width - line * 0.4)
            painter.drawText(QRectF(0, row.top(), name_width - line * 0.4, row.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
            painter.fillRect(rect, bar_colour)
            painter.setPen(colours["muted"])
            painter.drawText(QRectF(rect.right() + line * 0.3, row.top(), self.width(),
                                    row.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.value_text(bar.values[0]))
