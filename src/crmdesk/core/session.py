"""One open customer book and the rules that work on it: what the window is handed.

The window talks to this object and to the plain data it returns; it never sees SQL.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.core import settings as settings_store
from crmdesk.core.clock import Now, system_now
from crmdesk.core.customer_list import CustomerList
from crmdesk.core.customers import CustomerBook
from crmdesk.core.settings import BusinessSettings
from crmdesk.store.db import change_mark

TODAY_DAYS = 14


class Session:
    def __init__(self, db: SqliteDatabase, path: Path, now: Now = system_now,
                 fallback_country: str = ""):
        self.db = db
        self.path = path
        self.now = now
        self.fallback_country = fallback_country
        self.settings = settings_store.load(db)
        self.book = CustomerBook(db, now=now, default_country=self.country,
                                 feb29=self.settings.feb29)
        self.customers = CustomerList(db, today=self.today, feb29=self.settings.feb29)
        self._appointments = None
        self._due_check = None
        self._today_count = None
        #: how long working out `needs_you` took last time (None: not yet)
        self.needs_you_ms: float | None = None
        self._sales = None
        self._loyalty = None
        #: the computer's currency code, for when the setting is "" (set by the window)
        self.fallback_currency = ""

    def today(self) -> dt.date:
        return self.now().date()

    def country(self) -> str:
        return self.settings.default_country or self.fallback_country

    def save_settings(self, value: BusinessSettings) -> None:
        settings_store.save(self.db, value)
        self.settings = value
        self.book.feb29 = self.customers.feb29 = value.feb29

    def needs_shop_setup(self) -> bool:
        """A new book (no customers, no saved settings): ask the shop's country, currency and
        date format once, before the first customer."""
        return not self.settings.shop_setup_done and settings_store.needs_shop_setup(self.db)

    def change_mark(self) -> tuple:
        """Changes whenever anything is written to the book (see store.db.change_mark)."""
        return change_mark(self.db)

    def needs_you(self):
        """What needs the owner today (core.needs_you): one count, by kind, for the side
        bar's Today badge, the tray, the notification summary and the Today page. Worked
        out here when not known (on a big book that takes a while: the window asks for it
        through `needs_you_in_worker` and `remember_needs_you`)."""
        known = self.needs_you_known()
        if known is not None:
            return known
        stamp = self.needs_you_stamp()
        value = self._count_needs_you(self.now())
        self.remember_needs_you(stamp, value)
        return value

    def needs_you_stamp(self) -> tuple:
        """What the count depends on: the book (this connection's writes or another's
        commit), the day and the settings. (A snooze running out is noticed when its reminder
        is shown again, which writes to the book.)"""
        return (self.change_mark(), self.today(), self.settings)

    def needs_you_known(self):
        """The count while nothing it depends on changed, else None."""
        if self._today_count is not None and self._today_count[0] == self.needs_you_stamp():
            return self._today_count[1]
        return None

    def remember_needs_you(self, stamp: tuple, value) -> None:
        self._today_count = (stamp, value)

    def needs_you_in_worker(self, now: dt.datetime):
        """`needs_you` worked out in a worker thread, on that thread's own connection."""
        try:
            return self._count_needs_you(now)
        finally:
            self.db.close()  # peewee connections are per thread: close this thread's one

    def _count_needs_you(self, now: dt.datetime):
        from crmdesk.core import needs_you

        started = time.perf_counter()
        value = needs_you.needs_you(self.db, now, self.settings)
        self.needs_you_ms = (time.perf_counter() - started) * 1000
        return value

    def due_today_count(self) -> int:
        """How many things need the owner today (`needs_you().total`)."""
        return self.needs_you().total

    def add_sample_customers(self, count: int, progress: Callable[[int, int], bool],
                             seed: int | None = None) -> int:
        """Add demo customers, tagged "sample" (demo.SAMPLE_TAG). Runs in a worker thread, on
        that thread's own connection."""
        from crmdesk.core import demo

        try:
            return demo.generate(self.db, count, seed=seed if seed is not None else 1,
                                 progress=progress, tag=demo.SAMPLE_TAG)
        finally:
            self.db.close()  # peewee connections are per thread: close this thread's one

    # --- sales and loyalty (core/sales.py, core/loyalty.py), made when first asked for ---------

    @property
    def loyalty(self):
        if self._loyalty is None:
            from crmdesk.core.loyalty import Loyalty

            self._loyalty = Loyalty(self.db, now=self.now, settings=lambda: self.settings,
                                    book=self.book)
        return self._loyalty

    @property
    def sales(self):
        if self._sales is None:
            from crmdesk.core.sales import Sales

            self._sales = Sales(self.db, now=self.now, settings=lambda: self.settings,
                                loyalty=self.loyalty,
                                fallback_currency=lambda: self.fallback_currency)
        return self._sales

    # --- reminders (core/reminders.py) ------------------------------------------------------

    @property
    def appointments(self):
        if self._appointments is None:
            from crmdesk.core.appointments import Appointments

            self._appointments = Appointments(self.db, now=self.now)
        return self._appointments

    def reminders_due(self, now: dt.datetime | None = None) -> list:
        """What is due and not yet shown; remembered between ticks while nothing changed."""
        if self._due_check is None:
            from crmdesk.core import reminders

            self._due_check = reminders.DueCheck(self.db, lambda: self.settings)
        return self._due_check(now or self.now())

    def next_reminder_at(self, now: dt.datetime | None = None) -> dt.datetime | None:
        from crmdesk.core import reminders

        return reminders.next_due_at(self.db, now or self.now(), self.settings)

    def reminders_coming(self, days: int = TODAY_DAYS) -> list:
        """Today and the next `days` days, overdue follow-ups and keep-in-touch included."""
        from crmdesk.core import reminders

        return reminders.upcoming(self.db, self.today(), days, self.settings)

    def reminders_shown(self, occurrences: list) -> None:
        from crmdesk.core import reminders

        reminders.record_all(self.db, occurrences, "shown", self.now())

    def reminder_failed(self, occurrence, error: str) -> None:
        from crmdesk.core import reminders

        reminders.record_failure(self.db, occurrence, error, self.now())

    def snooze_reminder(self, occurrence, until: dt.datetime) -> None:
        from crmdesk.core import reminders

        reminders.snooze(self.db, occurrence, until, self.now())

    def dismiss_reminder(self, occurrence) -> None:
        from crmdesk.core import reminders

        reminders.dismiss(self.db, occurrence, self.now())

    def reminder_done(self, occurrence, log_summary: str | None = None,
                      channel: str = "other") -> int | None:
        from crmdesk.core import reminders

        return reminders.mark_done(self.db, occurrence, self.now(), log_summary, self.book,
                                   channel)

    def forget_reminder(self, occurrence) -> None:
        """Undo a snooze, dismiss or done: the reminder is due again."""
        from crmdesk.core import reminders

        reminders.forget(self.db, occurrence)

    def close(self) -> None:
        self.db.close()
