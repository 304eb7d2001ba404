"""Another crmdesk writing (an import on the command line) when the window saves: the window
says so plainly, shows the editor again with what was typed, keeps no undo step for what was
not written, and saves once the other program is done. No traceback."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from crmdesk.core.model import ListQuery


@pytest.fixture
def told(monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: said.append(text))
    return said


@pytest.fixture
def other_writer(opened):
    """Another program holding the book's write lock; the window waits only briefly for it."""
    opened.db.execute_sql("PRAGMA busy_timeout = 50")  # the window's connection (this thread)
    holder = sqlite3.connect(opened.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def _save(qtbot, editor) -> None:
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def test_an_edit_that_meets_another_writer_is_kept_and_saved_later(
        qtbot, filled_window, session, told, other_writer):
    win = filled_window
    customer_id = session.customers.find_ids(ListQuery(text="bob"))[0]
    win.edit_customer(customer_id)
    editor = win.editor
    qtbot.waitUntil(editor.isVisible)
    editor.city.clear()
    qtbot.keyClicks(editor.city, "Galway")
    _save(qtbot, editor)
    assert told == ["Another crmdesk is writing to this book; try again in a moment."]
    assert win.undo_stack.count() == 0  # nothing to undo: nothing was written
    qtbot.waitUntil(lambda: win.editor is not editor and win.editor.isVisible())
    again = win.editor
    assert again.city.text() == "Galway"  # what was typed is still there
    other_writer.execute("COMMIT")
    _save(qtbot, again)
    assert session.book.load_input(customer_id).city == "Galway"
    assert win.undo_stack.count() == 1


def test_a_new_customer_that_meets_another_writer_is_not_lost(
        qtbot, filled_window, session, told, other_writer):
    win = filled_window
    win.new_customer()
    editor = win.editor
    qtbot.waitUntil(editor.isVisible)
    qtbot.keyClicks(editor.first_name, "Grace")
    qtbot.keyClicks(editor.last_name, "Hopper")
    _save(qtbot, editor)
    assert told and "another crmdesk is writing" in told[0].lower()
    assert win.undo_stack.count() == 0
    qtbot.waitUntil(lambda: win.editor is not editor and win.editor.isVisible())
    again = win.editor
    assert (again.first_name.text(), again.last_name.text()) == ("Grace", "Hopper")
    other_writer.execute("COMMIT")
    _save(qtbot, again)
    assert session.customers.find_ids(ListQuery(text="grace hopper"))


def test_any_other_write_that_meets_another_writer_is_told_plainly(qtbot, monkeypatch, tmp_path):
    """Writes not guarded by the window (a button on another page) reach the last-resort
    handler: it says the book is busy, without a traceback to read."""
    from PySide6.QtWidgets import QMessageBox

    from crmdesk.ui.error_dialog import ErrorReporter

    said, boxes = [], []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: said.append(text))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(box.detailedText()))
    reporter = ErrorReporter(tmp_path / "crmdesk.log")
    reporter("OperationalError: database is locked", "Traceback ...")
    qtbot.waitUntil(lambda: bool(said))
    assert said[0].startswith("Another crmdesk is writing to this book; try again in a moment.")
    assert boxes == []


@pytest.mark.parametrize("stop", [True, False])
def test_the_import_wizard_waits_its_turn_and_stop_still_works(qtbot, filled_window, session,
                                                              tmp_path, monkeypatch, stop):
    """The wizard's import runs in a worker: it waits while another crmdesk writes (the
    window stays free), then imports; Stop ends the wait, writing nothing."""
    from PySide6.QtWidgets import QMessageBox
    from test_import_wizard import GOOGLE_CSV, click_next, start, to_summary

    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.StandardButton.Ok)
    holder = sqlite3.connect(session.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    path = tmp_path / "contacts.csv"
    path.write_text(GOOGLE_CSV, encoding="utf-8")
    wizard = start(qtbot, filled_window, path)
    to_summary(qtbot, wizard, "google")
    page = wizard.import_page
    waits: list[tuple[int, int]] = []
    page.starting.connect(lambda: page.job.progress.connect(lambda d, t: waits.append((d, t))))
    click_next(qtbot, wizard)  # Import: the job starts and meets the other writer
    qtbot.waitUntil(lambda: (0, 0) in waits, timeout=20000)  # it is waiting, not failed
    assert page.busy()
    if stop:
        with qtbot.waitSignal(page.done, timeout=20000):
            qtbot.mouseClick(page.stop, Qt.MouseButton.LeftButton)
        assert page.title() == "Import stopped"
        holder.execute("ROLLBACK")
        assert session.customers.count() == 3
    else:
        with qtbot.waitSignal(page.done, timeout=20000):
            holder.execute("COMMIT")
        assert page.result is not None and len(page.result.created_ids) == 2
    holder.close()
