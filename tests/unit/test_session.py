"""Session: the Today badge count is remembered only while nothing it depends on changed."""

from __future__ import annotations

import sqlite3

from crmdesk.core import needs_you
from crmdesk.core.model import CustomerInput
from crmdesk.core.session import Session


def test_badge_count_follows_the_book_other_writers_and_the_day(opened, clock, monkeypatch):
    session = Session(opened.db, opened.path, now=clock, fallback_country="GB")
    asked = []
    real = needs_you.needs_you
    monkeypatch.setattr(needs_you, "needs_you", lambda *args: asked.append(1) or real(*args))

    assert session.due_today_count() == 0
    assert session.due_today_count() == 0
    assert len(asked) == 1  # nothing changed: not counted again

    anna = session.book.create(CustomerInput(first_name="Anna"))
    session.book.add_follow_up(anna, "Call back", clock.today())
    assert session.due_today_count() == 1  # this connection wrote

    other = sqlite3.connect(opened.path)  # another program, or the window's worker thread
    with other:
        other.execute("UPDATE follow_up SET due_on = date(due_on, '+5 days')")
    other.close()
    assert session.due_today_count() == 0

    clock.advance(days=5)
    assert session.due_today_count() == 1  # a new day
