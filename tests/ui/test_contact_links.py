"""Call, WhatsApp and Email when the system has no program for the link: the owner is told in
plain words and the number or address waits on the clipboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QToolButton

from crmdesk.core.model import ListQuery
from crmdesk.ui.main_window import PAGE_TODAY


def _nothing_opens(monkeypatch) -> list[str]:
    tried = []

    def refuse(url):
        tried.append(url.toString())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", refuse)
    return tried


def test_card_whatsapp_without_a_program_says_so_and_copies_the_number(
        qtbot, filled_window, session, monkeypatch):
    tried = _nothing_opens(monkeypatch)
    win = filled_window
    win.open_customer(session.customers.find_ids(ListQuery(text="anna"))[0])
    QGuiApplication.clipboard().setText("")
    qtbot.mouseClick(win.card._whatsapp, Qt.MouseButton.LeftButton)
    assert tried == ["https://wa.me/442079460123"]
    box = win.card.link_message
    qtbot.waitUntil(box.isVisible)
    assert "No program on this PC opens WhatsApp links" in box.text()
    assert "+442079460123" in box.text()
    assert QGuiApplication.clipboard().text() == "+442079460123"
    box.accept()


def test_today_email_without_a_program_copies_the_address(qtbot, filled_window, session,
                                                          monkeypatch):
    win = filled_window
    anna = session.customers.find_ids(ListQuery(text="anna"))[0]
    data = session.book.load_input(anna)
    data.email = "anna@example.org"
    session.book.update(anna, data)
    _nothing_opens(monkeypatch)
    win.nav.setCurrentRow(PAGE_TODAY)
    page = win.today_page
    qtbot.waitUntil(lambda: bool(page.rows("dates")))
    [row] = page.rows("dates")
    email = page.row_widget(row).findChild(QToolButton, "email")
    qtbot.mouseClick(email, Qt.MouseButton.LeftButton)
    box = page.link_message
    qtbot.waitUntil(box.isVisible)
    assert "No email program" in box.text() and "anna@example.org" in box.text()
    assert QGuiApplication.clipboard().text() == "anna@example.org"
    box.accept()


def test_a_link_that_opens_says_nothing(qtbot, filled_window, session, monkeypatch):
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    win = filled_window
    win.open_customer(session.customers.find_ids(ListQuery(text="anna"))[0])
    qtbot.mouseClick(win.card._call, Qt.MouseButton.LeftButton)
    assert win.card.link_message is None
