"""The list model on a big book: what shows at once after a key, the count, the rest of the ids
after painting, and the chosen customer kept through searching."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from crmdesk.core import demo
from crmdesk.core.customer_list import CustomerList
from crmdesk.core.model import CustomerInput, ListQuery
from crmdesk.ui.customers import table_model
from crmdesk.ui.customers.table_model import CustomerTableModel
from crmdesk.ui.formatting import Formatter


@pytest.fixture
def big(session, clock):
    """2,000 sample customers: one letter matches more than a first page of them."""
    demo.generate(session.db, 2000, seed=3, now=clock())


def direct(session, query: ListQuery) -> list[int]:
    """The sorted query itself, on a list that keeps nothing."""
    return CustomerList(session.db, today=session.today)._query_ids(query, None)


def shown_ids(model) -> list[int]:
    return [model.index(row, 0).data(table_model.IdRole) for row in range(model.rowCount())]


def test_one_letter_shows_every_match_at_once_once_the_list_has_loaded(qtbot, big, session):
    model = CustomerTableModel(session.customers, Formatter(session.settings))
    model.set_query(ListQuery())
    qtbot.waitUntil(lambda: len(model._ids) == model.rowCount())  # the rest, after painting
    expected = direct(session, ListQuery(text="a"))
    assert len(expected) > table_model.FIRST_IDS
    with qtbot.waitSignal(model.countChanged) as counted:
        model.set_query(ListQuery(text="a"))
    assert counted.args == [len(expected)] and model.rowCount() == len(expected)
    assert model._ids == expected  # all of them, in the sorted query's order
    assert shown_ids(model) == expected
    # Clearing the search gives the whole list back at once too.
    model.set_query(ListQuery())
    assert model._ids == direct(session, ListQuery())


def test_the_count_is_right_before_the_rest_and_the_order_after_it(qtbot, big, session):
    everyone = tuple(direct(session, ListQuery()))
    for query, at_once in ((ListQuery(text="a", only_ids=everyone), False),
                           (ListQuery(sort="last_contact"), False),
                           (ListQuery(text="a", sort="city"), True),
                           (ListQuery(text="a", descending=True), True)):
        model = CustomerTableModel(session.customers, Formatter(session.settings))
        session.book.update(1, CustomerInput(first_name="Ann", last_name="Changed"))
        expected = direct(session, query)  # after the change: nothing kept is current
        with qtbot.waitSignal(model.countChanged) as counted:
            model.set_query(query)
        assert counted.args == [len(expected)] and model.rowCount() == len(expected)
        assert len(model._ids) == (len(expected) if at_once else table_model.FIRST_IDS), query
        assert model._ids == expected[:len(model._ids)]
        qtbot.waitUntil(lambda model=model: len(model._ids) == model.rowCount())
        assert model._ids == expected, query


def test_model_passes_qt_model_tester_with_one_letter(qtmodeltester, big, session):
    model = CustomerTableModel(session.customers, Formatter(session.settings))
    model.set_query(ListQuery(text="m"))
    qtmodeltester.check(model)
    assert shown_ids(model) == direct(session, ListQuery(text="m"))


def test_typing_one_letter_keeps_the_chosen_customer_and_counts_at_once(qtbot, big, window,
                                                                       session):
    page = window.customers_page
    matches = direct(session, ListQuery(text="a"))
    chosen = matches[-1]  # far down the whole list, and the last match
    assert page.select_customer(chosen)
    assert window.model.row_of(chosen) > table_model.FIRST_IDS
    with qtbot.waitSignal(window.model.countChanged) as counted:
        qtbot.keyClicks(page.search, "a")
    assert counted.args == [len(matches)]
    assert page.current_id() == chosen
    assert page.table.currentIndex().row() == len(matches) - 1
    assert str(len(matches)) in page.count_label.text().replace(",", "")
    assert window.card.card.name == session.customers.rows([chosen])[chosen].name
    # Sorted by city, after a change to the book (nothing kept): the same.
    page.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    session.book.update(1, CustomerInput(first_name="Ann", last_name="Changed"))
    page.refresh()
    in_city_order = direct(session, ListQuery(text="a", sort="city"))
    assert page.current_id() == chosen
    assert page.table.currentIndex().row() == in_city_order.index(chosen)
    assert f"{len(in_city_order)}" in page.count_label.text().replace(",", "")
    qtbot.waitUntil(lambda: len(window.model._ids) == window.model.rowCount())
    assert shown_ids(window.model) == in_city_order
