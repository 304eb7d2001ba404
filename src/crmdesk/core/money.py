"""Money: integer minor units (cents, pence) in the shop's currency, never floats.

The database stores `*_minor` integers. This module turns them into `Decimal` amounts and back,
and reads amounts as people and tills write them ("12.50", "12,50", "€ 1.234,56", "(3.00)").
Showing money in the window is the UI's job (QLocale); the command line prints decimals.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: ISO 4217 currencies whose minor unit is not 2 digits (everything else has 2).
_DIGITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}

_SYMBOLS = "€$£¥₹₩₺₽₪₫฿₴₦₱₲₵₡₸₼₾"
_CLEAN = re.compile(r"[\s\u00a0\u202f'’" + _SYMBOLS + r"]|[A-Za-z]{3}\b|[A-Za-z]+\.?$")


def digits(currency: str) -> int:
    """How many decimals the currency has (2 when unknown or empty)."""
    return _DIGITS.get((currency or "").upper(), 2)


def to_decimal(minor: int, currency: str = "") -> Decimal:
    """12345 minor units of EUR -> Decimal('123.45')."""
    return Decimal(int(minor)).scaleb(-digits(currency))


def to_minor(amount: Decimal | int | str, currency: str = "") -> int:
    """A decimal amount -> integer minor units, rounding half up to the currency's precision."""
    value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    scaled = value.scaleb(digits(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(scaled)


def parse_amount(text: str, currency: str = "", decimal_point: str | None = None) -> int:
    """Read an amount as written by a person or a till; returns minor units.

    Accepts currency symbols and codes, spaces and apostrophes as thousands separators, either
    "." or "," as the decimal point ("12,50" and "1.234,56" and "1,234.56"), a leading minus or
    accounting brackets for refunds. `decimal_point` settles "1,234" / "1.234" when given (the
    file's or the user's locale); without it a lone separator followed by exactly three digits
    is read as thousands. Raises ValueError with a plain message when it is not an amount.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValueError("no amount")
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    cleaned = _CLEAN.sub("", raw)
    if cleaned.startswith("-"):
        negative, cleaned = not negative, cleaned[1:]
    elif cleaned.endswith("-"):
        negative, cleaned = not negative, cleaned[:-1]
    cleaned = cleaned.lstrip("+")
    if not cleaned or not re.fullmatch(r"[0-9.,]+", cleaned) or not cleaned[0].isdigit():
        raise ValueError(f"“{text.strip()}” is not an amount")
    dots, commas = cleaned.count("."), cleaned.count(",")
    if dots and commas:
        point = "." if cleaned.rfind(".") > cleaned.rfind(",") else ","
    elif dots or commas:
        sep = "." if dots else ","
        tail = cleaned.rsplit(sep, 1)[1]
        if (dots + commas) > 1:
            point = "" if len(tail) == 3 else None  # "1.234.567" is thousands only
            if point is None:
                raise ValueError(f"“{text.strip()}” is not an amount")
        elif decimal_point in (".", ","):
            point = sep if sep == decimal_point else ""
        else:
            point = "" if len(tail) == 3 and digits(currency) != 3 else sep
    else:
        point = ""
    thousands = {".", ","} - {point}
    number = "".join(ch for ch in cleaned if ch not in thousands)
    if point:
        whole, _, frac = number.partition(point)
        if not whole or point in frac:
            raise ValueError(f"“{text.strip()}” is not an amount")
        number = f"{whole}.{frac}"
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"“{text.strip()}” is not an amount") from None
    if value.as_tuple().exponent < -digits(currency):
        raise ValueError(f"“{text.strip()}” has more decimals than the currency allows")
    minor = to_minor(value, currency)
    return -minor if negative else minor


def format_plain(minor: int, currency: str = "") -> str:
    """For the command line and files: "123.45 EUR" (no locale)."""
    amount = to_decimal(minor, currency)
    code = (currency or "").upper()
    return f"{amount:.{digits(currency)}f} {code}".rstrip()
