"""Call, WhatsApp and Email buttons (the card and Today): open the link in the program the
system has for it; when it has none, say so in plain words and put the number or address on
the clipboard, so the owner can paste it where they need it."""

from __future__ import annotations

from urllib.parse import unquote

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

WHATSAPP_PREFIX = "https://wa.me/"


def tr(text: str) -> str:
    return QCoreApplication.translate("ContactLinks", text)


def what_the_link_holds(url: str) -> tuple[str, str]:
    """("call" | "whatsapp" | "email" | "", the number or address) of a contact link."""
    if url.startswith("tel:"):
        return "call", unquote(url[4:])
    if url.startswith(WHATSAPP_PREFIX):
        digits = url[len(WHATSAPP_PREFIX):].split("?", 1)[0]
        return "whatsapp", f"+{digits}" if digits else ""
    if url.startswith("mailto:"):
        return "email", unquote(url[7:].split("?", 1)[0])
    return "", url


def no_program_text(kind: str, value: str) -> str:
    if kind == "call":
        text = tr("No program on this PC makes phone calls. The number %1 is on the "
                  "clipboard: dial it from your phone.")
    elif kind == "whatsapp":
        text = tr("No program on this PC opens WhatsApp links. The number %1 is on the "
                  "clipboard: paste it into WhatsApp on your phone or WhatsApp Web.")
    elif kind == "email":
        text = tr("No email program is set up on this PC. The address %1 is on the "
                  "clipboard: paste it into the email you write.")
    else:
        text = tr("No program on this PC opens this link. %1 is on the clipboard.")
    return text.replace("%1", value)


def open_link(parent: QWidget | None, url: str) -> QMessageBox | None:
    """Open `url`; when nothing on the system opens it, copy what it holds and tell the owner
    (a message box, returned; None when the link opened)."""
    if not url or QDesktopServices.openUrl(QUrl(url)):
        return None
    kind, value = what_the_link_holds(url)
    QGuiApplication.clipboard().setText(value)
    box = QMessageBox(QMessageBox.Icon.Information, tr("Nothing opens this link"),
                      no_program_text(kind, value), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("noProgramMessage")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # not exec(): the window keeps working behind it
    return box
