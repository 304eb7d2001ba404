"""Dates, times and phone numbers shown the way the shop's settings ask."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QTime

from crmdesk.core import money, phones
from crmdesk.core.clock import to_local
from crmdesk.core.settings import BusinessSettings


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    return QCoreApplication.translate("Formatting", text, disambiguation, n)


DATE_KIND_NAMES = {
    "birthday": "Birthday",
    "anniversary": "Anniversary",
    "custom": "Special day",
}
CHANNEL_NAMES = {
    "visit": "Visit",
    "call": "Call",
    "email": "Email",
    "whatsapp": "WhatsApp",
    "sms": "SMS",
    "meeting": "Meeting",
    "other": "Other",
}
STATUS_NAMES = {"prospect": "Prospect", "customer": "Customer", "former": "Former customer"}
#: Symbols of common currencies; others are shown by their code ("CHF 12.50").
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "CNY": "¥", "INR": "₹",
                    "KRW": "₩", "TRY": "₺", "ILS": "₪", "UAH": "₴", "NGN": "₦", "PHP": "₱",
                    "VND": "₫", "THB": "฿", "RUB": "₽", "PLN": "zł", "BRL": "R$",
                    "AUD": "A$", "CAD": "CA$", "NZD": "NZ$", "MXN": "MX$", "HKD": "HK$",
                    "SGD": "S$", "ZAR": "R", "SEK": "kr", "NOK": "kr", "DKK": "kr"}


class Formatter:
    def __init__(self, settings: BusinessSettings, fallback_country: str = "",
                 locale: QLocale | None = None):
        self.locale = locale or QLocale()
        self.settings = settings
        self.fallback_country = fallback_country
        self._phones: dict[str, str] = {}

    def country(self) -> str:
        return (self.settings.default_country or self.fallback_country
                or system_country(self.locale))

    def date_pattern(self) -> str:
        """The pattern dates are shown with, for date pickers."""
        if self.settings.date_format and self.settings.date_format != "system":
            return self.settings.date_format
        if self.locale.language() == QLocale.Language.C:
            return "d MMM yyyy"
        return self.locale.dateFormat(QLocale.FormatType.ShortFormat)

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        qdate = QDate(value.year, value.month, value.day)
        if self.settings.date_format and self.settings.date_format != "system":
            return self.locale.toString(qdate, self.settings.date_format)
        if self.locale.language() == QLocale.Language.C:
            # A computer without a language setting: spell the month, nobody misreads it.
            return self.locale.toString(qdate, "d MMM yyyy")
        return self.locale.toString(qdate, QLocale.FormatType.ShortFormat)

    def day_month(self, day: int, month: int, year: int | None = None) -> str:
        """A day of a month, with its year when known; without it, the shop's date format
        with the year left out ("12/03" for dd/MM/yyyy), or "12 March"."""
        if year is not None:
            return self.date(dt.date(year, month, day))
        pattern = self.settings.date_format
        if pattern and pattern != "system":
            without_year = _without_year(pattern)
            if without_year:
                return self.locale.toString(QDate(2000, month, day), without_year)
        if self.locale.language() == QLocale.Language.C:  # as date() writes it: "13 Dec"
            return self.locale.toString(QDate(2000, month, day), "d MMM")
        return f"{day} {self.locale.monthName(month, QLocale.FormatType.LongFormat)}"

    def weekday_date(self, value: dt.date) -> str:
        """"Tuesday 10/03/2026": the day's name and the date the shop's way."""
        return f"{self.locale.dayName(value.isoweekday(), QLocale.FormatType.LongFormat)} " \
               f"{self.date(value)}"

    def time(self, hour: int, minute: int) -> str:
        return self.locale.toString(QTime(hour, minute), QLocale.FormatType.ShortFormat)

    def local_moment(self, moment: dt.datetime, today: dt.date | None = None) -> str:
        """A local moment: its time alone when it falls `today`, else the date the shop's way
        and the time."""
        time_text = self.time(moment.hour, moment.minute)
        if today is not None and moment.date() == today:
            return time_text
        return f"{self.date(moment.date())} {time_text}"

    def moment(self, stored_utc: dt.datetime | None) -> str:
        """A stored (UTC) moment in local time: the date, and the time of day."""
        if stored_utc is None:
            return ""
        return self.local_moment(to_local(stored_utc))

    def days_ago(self, stored_utc: dt.datetime | None, today: dt.date) -> str:
        if stored_utc is None:
            return tr("never")
        days = (today - to_local(stored_utc).date()).days
        if days <= 0:
            return tr("today")
        if days == 1:
            return tr("yesterday")
        if days < 60:
            return count(days, "%n day ago", "%n days ago", self.locale)
        return self.date(to_local(stored_utc).date())

    def days_left(self, days: int) -> str:
        if days == 0:
            return tr("today")
        if days == 1:
            return tr("tomorrow")
        return count(days, "in %n day", "in %n days", self.locale)

    # --- money -----------------------------------------------------------------------------

    def currency(self) -> str:
        """The shop's currency code: the setting, else this computer's ("" if unknown)."""
        return (self.settings.currency or self.locale.currencySymbol(
            QLocale.CurrencySymbolFormat.CurrencyIsoCode) or "").upper()

    def currency_symbol(self) -> str:
        code = self.currency()
        own = self.locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode).upper()
        if code and code == own:
            return self.locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencySymbol)
        return CURRENCY_SYMBOLS.get(code, code)

    def money(self, minor: int | None, currency: str | None = None) -> str:
        """Integer minor units in the shop's currency, the way this computer writes money:
        "£1,234.50", "1.234,50 €"."""
        if minor is None:
            return ""
        code = self.currency() if currency in (None, "") else currency.upper()
        symbol = (self.currency_symbol() if code == self.currency()
                  else CURRENCY_SYMBOLS.get(code, code))
        places = money.digits(code)
        if self.locale.language() == QLocale.Language.C:
            # A computer without a language setting: "£1234.50", "CHF 1234.50".
            number = f"{money.to_decimal(minor, code):.{places}f}"
            sign, number = ("-", number[1:]) if number.startswith("-") else ("", number)
            gap = " " if symbol[-1:].isalpha() else ""
            return f"{sign}{symbol}{gap}{number}"
        # A float is only used to show the number; the amount itself stays exact.
        return self.locale.toCurrencyString(float(money.to_decimal(minor, code)), symbol,
                                            places)

    def money_plain(self, minor: int | None) -> str:
        """The amount without a symbol, as it would be typed: "1234.50" / "1234,50"."""
        if minor is None:
            return ""
        code = self.currency()
        text = f"{money.to_decimal(minor, code):.{money.digits(code)}f}"
        return text.replace(".", self.locale.decimalPoint())

    def parse_money(self, text: str) -> int:
        """What the owner typed, in minor units; ValueError with a plain message if it is not
        an amount. The locale's decimal point settles "1,234" against "1.234"."""
        return money.parse_amount(text, self.currency(), self.locale.decimalPoint())

    def phone(self, e164: str) -> str:
        """Parsing a number costs ~50 µs; the list shows the same ones again and again."""
        shown = self._phones.get(e164)
        if shown is None:
            if len(self._phones) > 20_000:
                self._phones.clear()
            shown = self._phones[e164] = phones.display(e164, self.country())
        return shown


#: core.needs_you's kinds -> (one, many): what the "need you today" count is made of
NEEDS_YOU_WORDS = {
    "birthday": ("%n birthday", "%n birthdays"),
    "anniversary": ("%n anniversary", "%n anniversaries"),
    "custom": ("%n special day", "%n special days"),
    "appointment": ("%n appointment", "%n appointments"),
    "follow_up": ("%n follow-up", "%n follow-ups"),
    "keep_in_touch": ("%n customer to get in touch with", "%n customers to get in touch with"),
    "reward": ("%n loyalty reward to give", "%n loyalty rewards to give"),
}


def needs_you_words(total: int) -> str:
    """"5 things need you today" (the Today badge's number, in words)."""
    if total <= 0:
        return tr("nothing needs you today")
    return count(total, "%n thing needs you today", "%n things need you today")


def needs_you_detail(by_kind: dict[str, int]) -> str:
    """"1 birthday, 2 follow-ups, 2 customers to get in touch with"."""
    return ", ".join(count(n, *NEEDS_YOU_WORDS[kind]) for kind, n in by_kind.items()
                     if kind in NEEDS_YOU_WORDS and n)


def _without_year(pattern: str) -> str:
    """"dd/MM/yyyy" -> "dd/MM", "yyyy-MM-dd" -> "MM-dd", "d MMM yyyy" -> "d MMM"."""
    import re

    return re.sub(r"^[\s/.\-,]*y+[\s/.\-,]*|[\s/.\-,]*y+[\s/.\-,]*$", "", pattern).strip()


def count(n: int, one: str, many: str, locale: QLocale | None = None) -> str:
    """'1 customer' / '1,234 customers': pick the form, translate it, put the number in."""
    text = tr(one if n == 1 else many)
    return text.replace("%n", (locale or QLocale()).toString(n))


def system_country(locale: QLocale | None = None) -> str:
    """The ISO 3166 code of the computer's territory, or "" when unknown."""
    locale = locale or QLocale.system()
    name = locale.name()  # such as "en_GB"
    if "_" in name:
        code = name.split("_", 1)[1]
        if len(code) == 2 and code.isalpha():
            return code.upper()
    return ""
