"""One open customer book and the rules that work on it: what the window is handed.

The window talks to this object and to the plain data it returns; it never sees SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.core import settings as settings_store
from crmdesk.core import upcoming
from crmdesk.core.clock import Now, system_now
from crmdesk.core.customer_list import CustomerList
from crmdesk.core.customers import CustomerBook
from crmdesk.core.settings import BusinessSettings

TODAY_DAYS = 14


class Session:
    def __init__(self, db: SqliteDatabase, path: Path, now: Now = system_now,
                 fallback_country: str = ""):
        self.db = db
        self.path = path
        self.now = now
        self.fallback_country = fallback_country
        self.settings = settings_store.load(db)
        self.book = CustomerBook(db, now=now, default_country=self.country)
        self.customers = CustomerList(db, today=self.today)

    def today(self) -> dt.date:
        return self.now().date()

    def country(self) -> str:
        return self.settings.default_country or self.fallback_country

    def save_settings(self, value: BusinessSettings) -> None:
        settings_store.save(self.db, value)
        self.settings = value

    def is_empty(self) -> bool:
        return self.customers.count() == 0 and self.customers.count(trash=True) == 0

    def upcoming(self, days: int = TODAY_DAYS):
        today = self.today()
        return (upcoming.important_dates(self.db, today, days),
                upcoming.follow_ups(self.db, today, days))

    def due_today_count(self) -> int:
        """Dates falling today and follow-ups due today or overdue (for the Today badge)."""
        return upcoming.due_today_count(self.db, self.today())

    def add_sample_customers(self, count: int, progress: Callable[[int, int], bool],
                             seed: int | None = None) -> int:
        """Add demo customers. Runs in a worker thread, on that thread's own connection."""
        from crmdesk.core import demo

        try:
            return demo.generate(self.db, count, seed=seed if seed is not None else 1,
                                 progress=progress)
        finally:
            self.db.close()  # peewee connections are per thread: close this thread's one

    def close(self) -> None:
        self.db.close()
