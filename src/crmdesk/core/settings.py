"""Business settings that travel with the database (and so with its backups).

Typed defaults live here; only values that differ from the default are written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from peewee import SqliteDatabase

DATE_FORMATS = ("system", "dd/MM/yyyy", "MM/dd/yyyy", "yyyy-MM-dd", "d MMM yyyy")


@dataclass(frozen=True)
class BusinessSettings:
    shop_name: str = ""
    default_country: str = ""  # ISO 3166 code such as "GB"; "" means "ask the system"
    currency: str = ""  # ISO 4217 code such as "EUR"; "" means "the system's"
    language: str = "system"
    date_format: str = "system"
    # Reminders (core/reminders.py). Lead times are days before the date, comma-separated,
    # "7,0" = a week before and on the day; "" = no reminders of that kind (a date's own lead
    # time still reminds). A date with its own lead time N reminds N days before and on the day.
    remind_birthday_days: str = "7,0"
    remind_anniversary_days: str = "7,0"
    remind_custom_days: str = "0"
    remind_appointment_minutes: int = 60  # an appointment's own lead time wins
    remind_keep_in_touch: bool = True
    remind_hour: int = 9  # date reminders come due at this local hour (0-23)
    feb29: str = "feb28"  # Feb 29 in other years: "feb28" or "mar1"
    # Loyalty (core/loyalty.py). mode: "off", "points" or "stamps".
    loyalty_mode: str = "off"
    # Points: this many points per whole unit of currency spent (rounded down per sale).
    loyalty_points_per_unit: int = 1
    # Points rewards, one a line, "100 = £5 off" (points needed = what the customer gets).
    loyalty_rewards: str = ""
    # Stamps: one per sale (only sales with this category id when not 0); a reward after N.
    loyalty_stamps_needed: int = 10
    loyalty_stamp_reward: str = "A free coffee"
    loyalty_stamp_category: int = 0
    # The first start's "your shop" questions were answered (or passed by): never asked again.
    shop_setup_done: bool = False

    def __post_init__(self) -> None:
        # `load` hands back stored text: give the number and yes/no fields their types again
        # (a value that cannot be read falls back to the default).
        for name, default in (("remind_appointment_minutes", 60), ("remind_hour", 9),
                              ("remind_keep_in_touch", True), ("loyalty_points_per_unit", 1),
                              ("loyalty_stamps_needed", 10), ("loyalty_stamp_category", 0),
                              ("shop_setup_done", False)):
            value = getattr(self, name)
            if isinstance(value, str):
                text = value.strip().lower()
                if isinstance(default, bool):
                    value = text in ("true", "1", "yes", "on")
                else:
                    value = int(text) if text.lstrip("-").isdigit() else default
                object.__setattr__(self, name, value)


def load(db: SqliteDatabase) -> BusinessSettings:
    stored = dict(db.execute_sql("SELECT key, value FROM setting").fetchall())
    values = {}
    for field in dataclasses.fields(BusinessSettings):
        if field.name in stored:
            values[field.name] = stored[field.name]
    return BusinessSettings(**values)


def save(db: SqliteDatabase, settings: BusinessSettings) -> None:
    defaults = BusinessSettings()
    with db.atomic():
        for field in dataclasses.fields(BusinessSettings):
            value = getattr(settings, field.name)
            if value == getattr(defaults, field.name):
                db.execute_sql("DELETE FROM setting WHERE key = ?", (field.name,))
            else:
                db.execute_sql(
                    "INSERT INTO setting (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (field.name, str(value)),
                )


def needs_shop_setup(db: SqliteDatabase) -> bool:
    """A first start: a book with no customers at all (Trash included) and no saved settings.
    The window then asks for the shop's country, currency and date format once."""
    row = db.execute_sql(
        "SELECT NOT EXISTS (SELECT 1 FROM setting) AND NOT EXISTS (SELECT 1 FROM customer)"
    ).fetchone()
    return bool(row[0])
