"""The KPI tiles: a figure for the chosen period, and how it moved against the period before,
in plain words ("▲ 12% vs previous 30 days")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout

from crmdesk.ui.dashboard.charts import is_dark
from crmdesk.ui.widgets import muted_colour


def tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


def change_words(current: float, previous: float, days: int, *, points: bool = False,
                 locale=None) -> tuple[str, int]:
    """("▲ 12% vs previous 30 days", +1) / ("same as previous 30 days", 0) / ("▼ ...", -1).

    `points` compares two shares (0..1) in percentage points instead of a ratio."""
    against = tr("vs previous %1 days").replace("%1", str(days))
    same = tr("same as previous %1 days").replace("%1", str(days))  # short: one line on a tile
    fmt = (locale.toString if locale is not None else str)
    if points:
        diff = round((current - previous) * 100)
        if diff == 0:
            return same, 0
        unit = tr("point") if abs(diff) == 1 else tr("points")
        arrow = "▲" if diff > 0 else "▼"
        return f"{arrow} {fmt(abs(diff))} {unit} {against}", (1 if diff > 0 else -1)
    if current == previous:
        return same, 0
    if previous == 0:
        return tr("▲ none in the previous %1 days").replace("%1", str(days)), 1
    pct = round(abs(current - previous) * 100 / previous)
    direction = 1 if current > previous else -1
    arrow = "▲" if direction > 0 else "▼"
    if pct == 0:
        return f"{arrow} <1% {against}", direction
    return f"{arrow} {fmt(pct)}% {against}", direction


class KpiTile(QFrame):
    """Title, big figure, change line; clickable when the customers behind it can be shown."""

    clicked = Signal()

    def __init__(self, title: str, definition: str, *, higher_is_better: bool = True,
                 clickable: bool = False, parent=None):
        super().__init__(parent)
        self.setObjectName("kpiTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.higher_is_better = higher_is_better
        self.clickable = clickable
        self.title = QLabel(title)
        palette = self.title.palette()
        palette.setColor(QPalette.ColorRole.WindowText, muted_colour(self.title))
        self.title.setPalette(palette)
        self.value = QLabel("–")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.change = QLabel("")
        self.change.setWordWrap(True)
        self.setToolTip(definition)
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip(definition + "\n\n" + tr("Click to see these customers."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.change)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_figure(self, value: str, change: str = "", direction: int = 0) -> None:
        self.value.setText(value)
        self.change.setText(change)
        palette = self.change.palette()
        if direction == 0:
            colour = muted_colour(self.change)
        else:
            good = (direction > 0) == self.higher_is_better
            dark = is_dark(self.palette())
            if good:
                colour = QColor("#7bc67e") if dark else QColor("#2e7d32")
            else:
                colour = QColor("#ef8a80") if dark else QColor("#c62828")
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self.change.setPalette(palette)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self.clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)
