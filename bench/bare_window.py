"""The start-up baseline: a bare PySide6 window with a 50-row table, nothing else.

Prints `ready <ms since the process started>` when the table first paints, as
`crmdesk --ready-and-exit` does, then closes. Run by bench.startup; keep it bare.
"""

import time

T0 = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView  # noqa: E402


def ms_since_process_start() -> float:
    """Milliseconds since the OS started this process (Linux), else since this script began."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return (time.clock_gettime(time.CLOCK_BOOTTIME) - started) * 1000.0
    except (OSError, ValueError, IndexError, AttributeError):
        return (time.perf_counter() - T0) * 1000.0


class FirstPaint(QObject):
    def __init__(self, window: QMainWindow, viewport):
        super().__init__(window)
        self.window = window
        self.viewport = viewport
        self.done = False

    def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
        if not self.done and watched is self.viewport and event.type() == QEvent.Type.Paint:
            self.done = True
            print(f"ready {ms_since_process_start():.0f}", flush=True)
            QTimer.singleShot(0, self.window.close)
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    model = QStandardItemModel(50, 6)
    model.setHorizontalHeaderLabels(["Name", "Phone", "City", "Tags", "Last contact", "Next"])
    for row in range(50):
        for column in range(6):
            model.setItem(row, column, QStandardItem(f"cell {row}.{column}"))
    table = QTableView()
    table.setModel(model)
    window.setCentralWidget(table)
    window.resize(1100, 700)
    table.viewport().installEventFilter(FirstPaint(window, table.viewport()))
    window.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
