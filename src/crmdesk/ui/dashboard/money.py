"""Money and numbers for the dashboard, shown with QLocale.

Amounts arrive as integer minor units of the shop's currency (BusinessSettings.currency, "" =
the system's). Full amounts are the window Formatter's `money` (`from_formatter`); this adds
whole amounts for tiles and bar ends and a short form ("€12.3k") for axes, with the currency's
own decimals (core/money.digits) and the same symbol.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QLocale

from crmdesk.core import money
from crmdesk.ui.formatting import CURRENCY_SYMBOLS


class MoneyText:
    """Turns minor units into text the way the shop's locale and currency ask."""

    def __init__(self, currency: str = "", locale: QLocale | None = None):
        self.locale = locale or QLocale()
        self.currency = (currency or "").upper()
        self.digits = money.digits(self.currency) if self.currency else 2
        if self.currency:
            self.symbol = CURRENCY_SYMBOLS.get(self.currency, self.currency)
        else:
            self.symbol = self.locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencySymbol)

    @classmethod
    def from_formatter(cls, formatter) -> MoneyText:
        """The window's Formatter (ui/formatting.py) knows the shop's currency and symbol:
        full amounts come from its `money`, the short forms use the same symbol."""
        result = cls(formatter.currency(), formatter.locale)
        result.symbol = formatter.currency_symbol()
        result.full = formatter.money
        return result

    def _value(self, minor: int) -> float:
        # Only for showing: the exact amount stays an integer everywhere else.
        return float(Decimal(int(minor)).scaleb(-self.digits))

    def _with_symbol(self, number: str) -> str:
        """Put the symbol where this locale puts it: "£12k", "12k €"; a computer without a
        language setting gets it in front, as Formatter.money does."""
        sign, body = ("-", number[1:]) if number.startswith("-") else ("", number)
        if self.locale.language() == QLocale.Language.C or not self.symbol:
            gap = " " if self.symbol[-1:].isalpha() else ""
            return f"{sign}{self.symbol}{gap}{body}"
        sample = self.locale.toCurrencyString(7.0, self.symbol, 0)  # "£7", "7 €", "CHF 7"
        return sign + sample.replace("7", body, 1) if "7" in sample else f"{sign}{body}"

    def full(self, minor: int) -> str:
        """12345 -> "€123.45" (the currency's decimals)."""
        return self._with_symbol(self.locale.toString(self._value(minor), "f", self.digits))

    def whole(self, minor: int) -> str:
        """12345 -> "€123" (for tiles and bar ends, where cents are noise)."""
        return self._with_symbol(self.locale.toString(round(self._value(minor))))

    def short(self, minor: int) -> str:
        """For chart axes: "€950", "€12k", "€1.2M"."""
        value = self._value(minor)
        size = abs(value)
        if size >= 1_000_000:
            text = self.locale.toString(value / 1_000_000, "f", 1 if size < 10_000_000 else 0)
            return self._with_symbol(text + "M")
        if size >= 1000:
            thousands = value / 1000
            whole = size >= 10_000 or round(thousands, 1) == round(thousands)
            return self._with_symbol(self.locale.toString(thousands, "f", 0 if whole else 1)
                                     + "k")
        return self._with_symbol(self.locale.toString(round(value)))

    def number(self, n: int) -> str:
        return self.locale.toString(int(n))

    def percent(self, share: float, decimals: int = 0) -> str:
        return self.locale.toString(share * 100, "f", decimals) + "%"
