"""Shared fixtures: a fresh customer book in a temporary folder and a fixed clock."""

from __future__ import annotations

import datetime as dt
import os

import pytest

# UI tests run offscreen unless a test (the e2e ones) asks for a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FIXED_NOW = dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = FIXED_NOW):
        self.current = now

    def __call__(self) -> dt.datetime:
        return self.current

    def today(self) -> dt.date:
        return self.current.date()

    def advance(self, **delta) -> None:
        self.current += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "crmdesk.db"


@pytest.fixture
def opened(db_path):
    from crmdesk.store.db import open_database

    result = open_database(db_path)
    yield result
    result.db.close()


@pytest.fixture
def db(opened):
    return opened.db


@pytest.fixture
def book(db, clock):
    from crmdesk.core.customers import CustomerBook

    return CustomerBook(db, now=clock, default_country=lambda: "GB")


@pytest.fixture
def customer_list(db, clock):
    from crmdesk.core.customer_list import CustomerList

    return CustomerList(db, today=clock.today)
