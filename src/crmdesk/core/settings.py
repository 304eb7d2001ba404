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
