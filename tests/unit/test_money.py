from decimal import Decimal

import pytest

from crmdesk.core import money


@pytest.mark.parametrize(("text", "minor"), [
    ("12.50", 1250), ("12,50", 1250), ("€ 12.50", 1250), ("12.50 EUR", 1250), ("£7", 700),
    ("1.234,56", 123456), ("1,234.56", 123456), ("1 234,56", 123456), ("1'234.50", 123450),
    ("1,234", 123400), ("-3.00", -300), ("(3.00)", -300), ("3.00-", -300), ("0.5", 50),
    ("1.234.567", 123456700),
])
def test_amounts_as_people_write_them(text, minor):
    assert money.parse_amount(text) == minor


def test_the_locale_settles_a_lone_separator():
    assert money.parse_amount("1,234", decimal_point=".") == 123400
    assert money.parse_amount("12,5", decimal_point=",") == 1250
    assert money.parse_amount("1.234", decimal_point=",") == 123400


def test_currencies_without_cents_and_with_three_decimals():
    assert money.parse_amount("1500", "JPY") == 1500
    assert money.parse_amount("1.250", "KWD") == 1250
    assert money.to_decimal(1250, "KWD") == Decimal("1.250")
    assert money.to_decimal(12345, "EUR") == Decimal("123.45")
    assert money.format_plain(12345, "eur") == "123.45 EUR"


@pytest.mark.parametrize("text", ["", "abc", "12.5.6.7", "1.2.3", "12.345", "--", "1,2,3"])
def test_what_is_not_an_amount_is_refused_plainly(text):
    if text == "12.345":
        assert money.parse_amount(text) == 1234500  # thousands, two-decimal currency
        with pytest.raises(ValueError, match="more decimals"):
            money.parse_amount(text, "EUR", decimal_point=".")
        return
    with pytest.raises(ValueError):
        money.parse_amount(text)


def test_rounding_to_minor_units_is_exact():
    assert money.to_minor(Decimal("0.005")) == 1
    assert money.to_minor("19.99") == 1999
