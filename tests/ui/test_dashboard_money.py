"""Chart axes and tiles put the currency symbol where the locale puts it."""

import pytest
from PySide6.QtCore import QLocale

from crmdesk.ui.dashboard.money import MoneyText


@pytest.mark.parametrize(("locale", "currency", "whole", "short"), [
    ("en_GB", "GBP", "£33,218", "£33k"),
    ("de_DE", "EUR", "33.218\u00a0€", "33k\u00a0€"),
    ("C", "GBP", "£33218", "£33k"),
])
def test_symbol_goes_where_the_locale_puts_it(qapp, locale, currency, whole, short):
    text = MoneyText(currency, QLocale.c() if locale == "C" else QLocale(locale))

    assert text.whole(3321750) == whole
    assert text.short(3321750) == short
    assert text.short(-150000).startswith("-")
    assert "1.5k" in text.short(150000) or "1,5k" in text.short(150000)


def test_axis_amounts_have_no_needless_decimal(qapp):
    text = MoneyText("GBP", QLocale("en_GB"))

    assert [text.short(m) for m in (600000, 250000, 1234567)] == ["£6k", "£2.5k", "£12k"]
