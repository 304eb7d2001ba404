"""UI fixtures: a main window on a fresh customer book, with its own settings file."""

from __future__ import annotations

import pytest
from ui_helpers import add_people

from crmdesk.core.model import ConsentInput, CustomerInput, DateInput


@pytest.fixture
def qsettings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def session(opened, clock):
    from crmdesk.core.session import Session

    return Session(opened.db, opened.path, now=clock, fallback_country="GB")


@pytest.fixture
def sample_people(session):
    book = session.book
    ids = add_people(book, "Anna Schmidt", "Zoë Müller", "Bob Baker")
    book.update(ids[0], CustomerInput(
        first_name="Anna", last_name="Schmidt", phone="020 7946 0123", city="Leeds",
        tags=["vip"], dates=[DateInput("birthday", 12, 3, 1990)],
        consents=[ConsentInput("email", True)]))
    return ids


def open_window(qtbot, session, qsettings):
    """The main window, shown, once the card and the rest of the list were filled (they follow
    the list's first paint)."""
    from crmdesk.ui.main_window import MainWindow

    win = MainWindow(session, qsettings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: not win._deferring)
    return win


@pytest.fixture
def window(qtbot, session, qsettings):
    return open_window(qtbot, session, qsettings)


@pytest.fixture
def filled_window(qtbot, sample_people, session, qsettings):
    return open_window(qtbot, session, qsettings)
