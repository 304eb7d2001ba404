"""The plain dialog shown when something unexpected goes wrong."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget


class ErrorReporter(QObject):
    """Shows errors on the UI thread, one dialog at a time, whichever thread reported them."""

    _report = Signal(str, str)

    def __init__(self, log_path: Path, parent_widget=None):
        super().__init__()
        self.log_path = log_path
        self.parent_widget: QWidget | None = parent_widget
        self._showing = False
        self._report.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def __call__(self, summary: str, details: str) -> None:
        self._report.emit(summary, details)

    def _show(self, summary: str, details: str) -> None:
        if self._showing:
            return
        self._showing = True
        try:
            lowered = summary.lower()
            if "database is locked" in lowered or "database is busy" in lowered:
                # Another crmdesk (an import) held the book longer than the window waits:
                # nothing broke and nothing was written; no details to read.
                QMessageBox.information(self.parent_widget, "crmdesk", self.tr(
                    "Another crmdesk is writing to this book; try again in a moment. What you "
                    "were saving was not written."))
                return
            box = QMessageBox(self.parent_widget)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(self.tr("Something went wrong"))
            box.setText(self.tr("Something went wrong, but your customer book is safe: "
                                "everything saved before is still there."))
            box.setInformativeText(
                self.tr("You can keep working. The details were written to %1")
                .replace("%1", str(self.log_path)))
            box.setDetailedText(details)
            box.exec()
        finally:
            self._showing = False
