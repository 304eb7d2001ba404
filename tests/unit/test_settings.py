"""Business settings stored in the customer book."""

from __future__ import annotations

import dataclasses

from crmdesk.core import settings
from crmdesk.core.settings import BusinessSettings
from crmdesk.store.db import open_database


def _stored(db) -> dict[str, str]:
    return dict(db.execute_sql("SELECT key, value FROM setting").fetchall())


def test_a_new_book_has_the_defaults(db):
    assert settings.load(db) == BusinessSettings()
    assert settings.load(db).language == "system"
    assert _stored(db) == {}


def test_saving_the_defaults_writes_nothing(db):
    settings.save(db, BusinessSettings())
    assert _stored(db) == {}


def test_only_values_that_differ_from_the_defaults_are_written(db):
    settings.save(db, BusinessSettings(shop_name="The Soap Corner", default_country="GB",
                                       language="system"))
    assert _stored(db) == {"shop_name": "The Soap Corner", "default_country": "GB"}


def test_settings_round_trip_and_survive_reopening(db_path):
    chosen = BusinessSettings(shop_name="Zoë's Wool & Co", default_country="DE", currency="EUR",
                              language="de", date_format="dd/MM/yyyy")
    first = open_database(db_path)
    try:
        settings.save(first.db, chosen)
        assert settings.load(first.db) == chosen
    finally:
        first.db.close()
    again = open_database(db_path)
    try:
        assert settings.load(again.db) == chosen
    finally:
        again.db.close()


def test_going_back_to_a_default_removes_the_stored_value(db):
    chosen = BusinessSettings(shop_name="The Soap Corner", currency="GBP")
    settings.save(db, chosen)
    settings.save(db, dataclasses.replace(chosen, currency=""))
    assert _stored(db) == {"shop_name": "The Soap Corner"}
    assert settings.load(db) == BusinessSettings(shop_name="The Soap Corner")


def test_unknown_stored_keys_are_ignored(db):
    db.execute_sql("INSERT INTO setting (key, value) VALUES ('from_a_newer_version', 'x')")
    assert settings.load(db) == BusinessSettings()
    settings.save(db, BusinessSettings(shop_name="Shop"))
    assert _stored(db) == {"shop_name": "Shop", "from_a_newer_version": "x"}
