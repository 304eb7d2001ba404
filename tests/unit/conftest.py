"""Fixtures for the store and core tests (the shared ones live in tests/conftest.py)."""

from __future__ import annotations

import pytest

from crmdesk.core.model import CustomerInput, ListQuery


@pytest.fixture
def add(book):
    """Create a customer from keyword fields; returns its id."""

    def add(first_name: str = "", last_name: str = "", **fields) -> int:
        return book.create(CustomerInput(first_name=first_name, last_name=last_name, **fields))

    return add


@pytest.fixture
def find(customer_list):
    """The ids the customer list shows for a query."""

    def find(text: str = "", **query) -> list[int]:
        return customer_list.find_ids(ListQuery(text=text, **query))

    return find
