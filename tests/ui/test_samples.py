"""Sample customers: asked for before they go into a book in use, tagged "sample", and taken
out again all at once (to Trash) with File ▸ Remove sample customers, one step Undo reverses."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from crmdesk.core.demo import SAMPLE_TAG, sample_ids
from crmdesk.core.model import ListQuery
from crmdesk.ui.window_dialogs import SAMPLE_CUSTOMERS


@pytest.fixture
def asked(monkeypatch):
    """The questions the window asks; each answered with `asked.answer`."""

    class Asked(list):
        answer = QMessageBox.StandardButton.Yes

    questions = Asked()

    def question(_parent, title, text, *_args):
        questions.append((title, text))
        return questions.answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return questions


def load(qtbot, win) -> None:
    win.load_samples()
    qtbot.waitUntil(lambda: win._job is None, timeout=60000)


def test_samples_into_a_book_in_use_are_asked_for_first(qtbot, filled_window, session, asked):
    win = filled_window
    asked.answer = QMessageBox.StandardButton.Cancel
    win.load_samples()
    assert win._job is None and session.customers.count() == 3  # nothing added
    ((title, text),) = asked
    assert title == "Load sample customers"
    assert "already has 3 customers" in text and f"Add {SAMPLE_CUSTOMERS} sample" in text
    assert "Remove sample customers" in text

    asked.answer = QMessageBox.StandardButton.Yes
    load(qtbot, win)
    assert session.customers.count() == 3 + SAMPLE_CUSTOMERS
    tagged = session.customers.find_ids(ListQuery(tag=SAMPLE_TAG))
    assert len(tagged) == SAMPLE_CUSTOMERS
    assert not set(tagged) & set(session.customers.find_ids(ListQuery(text="anna schmidt")))


def test_an_empty_book_takes_samples_without_a_question(qtbot, window, session, asked):
    load(qtbot, window)
    assert asked == []
    assert len(sample_ids(session.db)) == session.customers.count() == SAMPLE_CUSTOMERS


def test_remove_sample_customers_takes_them_all_out_in_one_undoable_step(
        qtbot, filled_window, session, asked):
    win = filled_window
    load(qtbot, win)
    win.file_menu.aboutToShow.emit()
    assert win.remove_samples_action.isEnabled()
    steps = win.undo_stack.count()
    win.remove_samples_action.trigger()
    assert win.undo_stack.count() == steps + 1
    assert session.customers.count() == 3  # the real customers stay
    assert session.customers.count(trash=True) == SAMPLE_CUSTOMERS  # in Trash, not erased
    assert win.model.rowCount() == 3
    win.file_menu.aboutToShow.emit()
    assert not win.remove_samples_action.isEnabled()

    win.undo_stack.undo()
    assert session.customers.count() == 3 + SAMPLE_CUSTOMERS
    assert session.customers.count(trash=True) == 0


def test_with_no_samples_there_is_nothing_to_remove(qtbot, filled_window, session):
    win = filled_window
    win.file_menu.aboutToShow.emit()
    assert not win.remove_samples_action.isEnabled()
    win.remove_samples()
    assert session.customers.count() == 3
    assert "no sample customers" in win.statusBar().currentMessage()
