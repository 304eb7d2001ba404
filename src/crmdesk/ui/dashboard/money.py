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

#: Symbols for the currencies shops use most; any other code is shown as the code itself.
_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "CNY": "¥", "INR": "₹",
            "KRW": "₩", "TRY": "₺", "RUB": "₽", "ILS": "₪", "VND": "₫", "THB": "฿",
            "UAH": "₴", "NGN": "₦", "PHP": "₱", "PLN": "zł", "CHF": "CHF", "AUD": "A$",
            "CAD": "C$", "NZD": "NZ$", "BRL": "R$", "MXN": "MX$", "ZAR": "R", "SEK": "kr",
            "NOK": "kr", "DKK": "kr", "CZK": "Kč", "HUF": "Ft"}


class MoneyText:
    """Turns minor units into text the way the shop's locale and currency ask."""

    def __init__(self, currency: str = "", locale: QLocale | None = None):
        self.locale = locale or QLocale()
        self.currency = (currency or "").upper()
        self.digits = money.digits(self.currency) if self.currency else 2
        if self.currency:
            self.symbol = _SYMBOLS.get(self.currency, self.currency)
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

    def full(self, minor: int) -> str:
        """12345 -> "€123.45" (the currency's decimals)."""
        return self.locale.toCurrencyString(self._value(minor), self.symbol, self.digits)

    def whole(self, minor: int) -> str:
        """12345 -> "€123" (for tiles and bar ends, where cents are noise)."""
        return self.locale.toCurrencyString(round(self._value(minor)), self.symbol, 0)

    def short(self, minor: int) -> str:
        """For chart axes: "€950", "€12k", "€1.2M"."""
        value = self._value(minor)
        size = abs(value)
        if size >= 1_000_000:
            return self.locale.toCurrencyString(value / 1_000_000, self.symbol,
                                                1 if size < 10_000_000 else 0) + "M"
        if size >= 10_000:
            return self.locale.toCurrencyString(value / 1000, self.symbol, 0) + "k"
        if size >= 1000:
            return self.locale.toCurrencyString(value / 1000, self.symbol, 1) + "k"
        return self.locale.toCurrencyString(round(value), self.symbol, 0)

    def number(self, n: int) -> str:
        return self.locale.toString(int(n))

    def percent(self, share: float, decimals: int = 0) -> str:
        return self.locale.toString(share * 100, "f", decimals) + "%"
