"""A tiny PySide6 program the harness test runs on the e2e desktop (not a test itself).

It opens a window titled 'crmdesk harness check', puts an icon in the system tray when one is
there, and prints one line `shown tray=<True|False> platform=<name>` once the window is shown.
It runs until it is terminated.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QSystemTrayIcon, QVBoxLayout, QWidget


def main() -> int:
    app = QApplication(sys.argv)
    window = QWidget()
    window.setWindowTitle("crmdesk harness check")
    layout = QVBoxLayout(window)
    label = QLabel("The e2e desktop works: X, fonts, D-Bus, a tray.")
    label.setStyleSheet("font-size: 18px; padding: 24px;")
    layout.addWidget(label)
    window.resize(520, 200)
    window.move(40, 60)

    pixmap = QPixmap(22, 22)
    pixmap.fill(QColor("#1f8a88"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    tray_available = QSystemTrayIcon.isSystemTrayAvailable()
    if tray_available:
        tray.show()

    def announce() -> None:
        print(f"shown tray={tray_available} platform={QGuiApplication.platformName()}",
              flush=True)

    window.show()
    QTimer.singleShot(0, announce)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
