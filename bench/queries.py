"""In-process figures: a search keystroke, the list model after a keystroke, opening a card."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path

from bench.report import Row, median, p95

PREFIXES = ("a", "an", "ann", "anna", "m", "5678", "vegan", "müller")
#: one-letter keys also measured with nothing kept (the costliest first key)
COLD_PREFIXES = ("a", "m")
FIRST_IDS = 300  # as crmdesk.ui.customers.table_model (not imported here: no Qt for search)
WARM_UP = 2
RUNS = 9
CARDS = 200
BARE_FTS = "SELECT rowid FROM customer_search WHERE customer_search MATCH ?"


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _paired(app: Callable[[], object], bare: Callable[[], object]) -> tuple[float, float]:
    """Medians of `app` and `bare`, run alternately after warming up."""
    for _ in range(WARM_UP):
        app()
        bare()
    app_ms, bare_ms = [], []
    for _ in range(RUNS):
        app_ms.append(_ms(app))
        bare_ms.append(_ms(bare))
    return median(app_ms), median(bare_ms)


def open_book(db_path: Path):
    from crmdesk.store.db import open_database

    return open_database(db_path).db


def search_rows(db) -> list[Row]:
    """A keystroke's query on the app's customer list, which has fetched the whole list once
    (the window does right after its first paint); then one-letter keys just after a change
    to the book, when no list is kept and the first key works it out again."""
    from crmdesk.core.customer_list import CustomerList
    from crmdesk.core.model import ListQuery
    from crmdesk.store import search

    customers = CustomerList(db)
    customers.find_ids(ListQuery())  # the list on screen before typing
    rows = []
    for text in PREFIXES:
        expression = search.match_expression(text)
        found = customers.find_ids(ListQuery(text=text))

        def app(text=text):
            ids = customers.find_ids(ListQuery(text=text))
            customers.rows(ids[:100])

        def bare(expression=expression):
            db.execute_sql(BARE_FTS, (expression,)).fetchall()

        value, baseline = _paired(app, bare)
        rows.append(Row(f"search {text!r}: find_ids + rows(100)", value, baseline,
                        goal_value=30, goal_ratio=2, note=f"{len(found):,} found"))
    for text in COLD_PREFIXES:
        expression = search.match_expression(text)

        def cold(text=text):
            # a list that keeps nothing yet, as after an edit: what the list model asks
            fresh = CustomerList(db)
            ids, _total = fresh.first_ids(ListQuery(text=text), FIRST_IDS)
            fresh.rows(ids[:100])

        def bare(expression=expression):
            db.execute_sql(BARE_FTS, (expression,)).fetchall()

        value, baseline = _paired(cold, bare)
        rows.append(Row(f"search {text!r} after a change: first_ids + rows(100)", value,
                        baseline, goal_value=30, goal_ratio=2,
                        note="nothing kept: the whole list worked out again"))
    worst = max(rows, key=lambda r: r.value)
    rows.append(Row("search keystroke, worst of the above", worst.value, worst.baseline,
                    goal_value=30, goal_ratio=2, note=worst.measure.split(":")[0]))
    return rows


def model_rows(db) -> list[Row]:
    """CustomerTableModel.set_query + data() for the first 30 rows, offscreen, on a model that
    has shown the whole list (its rest fetched, as the window does after its first paint);
    then one letter on a fresh model and list, as just after a change to the book."""
    label = "list model 'a'..: set_query + data(30 rows)"
    try:
        from crmdesk.ui.customers import table_model
    except ImportError as exc:
        return [Row(label, goal_value=30, goal_ratio=2,
                    note=f"skipped: crmdesk.ui.customers.table_model not importable ({exc})")]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from crmdesk.core.customer_list import CustomerList
    from crmdesk.core.model import ListQuery
    from crmdesk.core.settings import BusinessSettings
    from crmdesk.store import search
    from crmdesk.ui.formatting import Formatter

    _app = QApplication.instance() or QApplication([])
    formatter = Formatter(BusinessSettings(default_country="GB"))
    model = table_model.CustomerTableModel(CustomerList(db), formatter)
    model.set_query(ListQuery())
    model.fetch_rest()

    def show(model, text):
        model.set_query(ListQuery(text=text))
        for row in range(min(30, model.rowCount())):
            for column in range(model.columnCount()):
                model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)

    rows = []
    for text in PREFIXES:
        expression = search.match_expression(text)

        def app(text=text):
            show(model, text)

        def bare(expression=expression):
            db.execute_sql(BARE_FTS, (expression,)).fetchall()

        value, baseline = _paired(app, bare)
        rows.append(Row(f"list model {text!r}: set_query + data(30 rows)", value, baseline,
                        goal_value=30, goal_ratio=2))
    for text in COLD_PREFIXES:
        expression = search.match_expression(text)

        def cold(text=text):
            show(table_model.CustomerTableModel(CustomerList(db), formatter), text)

        def bare(expression=expression):
            db.execute_sql(BARE_FTS, (expression,)).fetchall()

        value, baseline = _paired(cold, bare)
        rows.append(Row(f"list model {text!r} after a change: set_query + data(30 rows)",
                        value, baseline, goal_value=30, goal_ratio=2,
                        note="a fresh model and list: nothing kept"))
    rows.extend(_everyone_rows(db, table_model, formatter, show))
    return rows


def _everyone_rows(db, table_model, formatter, show) -> list[Row]:
    """The unfiltered list (the search box emptied): with the full list kept, and just after a
    change to the book (first ids and count at once, then the rest once painted; both run on
    the UI thread). No bare query to compare with: goal in ms only."""
    from crmdesk.core.customer_list import CustomerList

    model = table_model.CustomerTableModel(CustomerList(db), formatter)
    show(model, "")
    model.fetch_rest()
    fresh: list = []

    def cold():
        fresh[:] = [table_model.CustomerTableModel(CustomerList(db), formatter)]
        show(fresh[0], "")

    def rest():
        fresh[0].fetch_rest()

    kept_ms, cold_ms = _paired(lambda: show(model, ""), cold)
    _paired(cold, lambda: None)
    rest_ms = []
    for _ in range(RUNS):
        cold()
        rest_ms.append(_ms(rest))
    return [
        Row("list model '' (everyone): set_query + data(30 rows)", kept_ms, goal_value=30,
            note="the full list kept"),
        Row("list model '' after a change: set_query + data(30 rows)", cold_ms, goal_value=30,
            note="first 300 ids and the count"),
        Row("list model '' after a change: the rest, after painting", median(rest_ms),
            goal_value=30, note="the other ids (UI thread, after the first paint)"),
    ]


def card_rows(db) -> list[Row]:
    from crmdesk.core.customers import CustomerBook

    book = CustomerBook(db, default_country=lambda: "GB")
    ids = [i for (i,) in db.execute_sql("SELECT id FROM customer WHERE deleted_at IS NULL")]
    sample = random.Random(42).sample(ids, min(CARDS, len(ids)))
    for customer_id in sample[:20]:
        book.card(customer_id)
    card_ms, bare_ms = [], []
    for customer_id in sample:
        card_ms.append(_ms(lambda customer_id=customer_id: book.card(customer_id)))
        bare_ms.append(_ms(lambda customer_id=customer_id: db.execute_sql(
            "SELECT * FROM customer WHERE id = ?", (customer_id,)).fetchone()))
    note = f"{len(sample)} random customers; baseline: SELECT * of the customer row"
    return [Row("card open, median", median(card_ms), median(bare_ms), goal_value=20, note=note),
            Row("card open, p95", p95(card_ms), p95(bare_ms), goal_value=20, note=note)]
