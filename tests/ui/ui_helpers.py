"""Helpers shared by the UI tests."""

from __future__ import annotations

from crmdesk.core.model import CustomerInput


def add_people(book, *names: str, **extra) -> list[int]:
    ids = []
    for name in names:
        first, _, last = name.partition(" ")
        ids.append(book.create(CustomerInput(first_name=first, last_name=last, **extra)))
    return ids
