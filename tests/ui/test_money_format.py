"""Money in the window: the shop's currency, written the way the computer's language does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale

from crmdesk.core.settings import BusinessSettings
from crmdesk.ui.formatting import Formatter


@pytest.mark.parametrize(("locale", "currency", "minor", "shown"), [
    ("en_GB", "GBP", 123456, "£1,234.56"),
    ("en_GB", "", 123456, "£1,234.56"),  # "": this computer's currency
    ("de_DE", "EUR", 123456, "1.234,56\u00a0€"),
    ("en_GB", "JPY", 1500, "¥1,500"),  # no minor unit
    ("C", "GBP", -250, "-£2.50"),
    ("C", "CHF", 1250, "CHF 12.50"),
])
def test_money_is_shown_with_the_locale(locale, currency, minor, shown):
    fmt = Formatter(BusinessSettings(currency=currency), locale=QLocale(locale))
    assert fmt.money(minor) == shown


def test_amounts_are_read_with_the_locales_decimal_point():
    german = Formatter(BusinessSettings(currency="EUR"), locale=QLocale("de_DE"))
    assert german.parse_money("1.234") == 123400  # thousands in Germany
    assert german.parse_money("12,5") == 1250
    assert german.money_plain(1250) == "12,50"
    british = Formatter(BusinessSettings(currency="GBP"), locale=QLocale("en_GB"))
    assert british.parse_money("1,234") == 123400
    with pytest.raises(ValueError):
        british.parse_money("twelve")
