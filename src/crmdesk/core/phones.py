"""Phone numbers: normalised to international (E.164) form with a default country.

A number that cannot be checked is never refused: `check` keeps it (in E.164 form when it
parses as a possible number, else exactly as written) with the reason it is "unchecked". The
customer row remembers which of its numbers are unchecked in `phone_check` (`mark`), so the list
can show and filter them.
"""

from __future__ import annotations

import re

import phonenumbers

#: The customer's phone fields, in the order `mark` and `unchecked_fields` use.
FIELDS = ("phone", "phone_alt", "whatsapp")

NO_COUNTRY = "Add the country code (for example +44), or set your country in Settings."
NOT_A_NUMBER = "This does not look like a phone number."
BAD_LENGTH = "This number has too few or too many digits."
NOT_IN_COUNTRY = "This number does not exist in its country. Check the digits."
#: What a mark on a kept number says, wherever it is shown.
UNCHECKED = ("This number could not be checked: it is kept as written. Check its digits and "
             "its country code.")

# Digits (with the usual separators) that do not start with 0 or +: may be a number whose
# country code lost its "+" (a spreadsheet's number cell, "447700900321").
_BARE_DIGITS = re.compile(r"^[1-9][\d\s\-().]{6,}$")
_NOT_DIGIT = re.compile(r"\D")


class InvalidPhone(ValueError):
    """A phone number that cannot be a real one; the message is for the user."""


def _parse(text: str, region: str | None):
    """(number, problem) for `text` read with this default region; number None when it
    does not parse, problem "" when the number is valid."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            return None, NO_COUNTRY
        return None, NOT_A_NUMBER
    if not phonenumbers.is_possible_number(number):
        return None, BAD_LENGTH
    if not phonenumbers.is_valid_number(number):
        return number, NOT_IN_COUNTRY
    return number, ""


def check(raw: str | None, default_country: str) -> tuple[str, str]:
    """(number to keep, problem). The number is in E.164 form (+4915112345678) when it parses
    as a possible number, else the text as written (spaces tidied); the problem is "" for a
    valid number (and for no number), else why it could not be checked, for the user."""
    text = " ".join((raw or "").split())
    if not text:
        return "", ""
    region = (default_country or "").upper() or None
    number, problem = _parse(text, region)
    if problem and _BARE_DIGITS.match(text):
        # Not a number of the default country: maybe its country code without the "+".
        international, why = _parse("+" + _NOT_DIGIT.sub("", text), None)
        if not why:
            number, problem = international, ""
    if number is None:
        return text, problem
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), problem


def normalise(raw: str, default_country: str) -> str:
    """Return the number in E.164 form (+4915112345678), or "" for an empty input; raises
    InvalidPhone for a number `check` would keep unchecked."""
    number, problem = check(raw, default_country)
    if problem:
        raise InvalidPhone(problem)
    return number


def from_number_cell(value: int | float, default_country: str = "") -> str:
    """The text of a spreadsheet's number cell in a phone column, which cannot hold a "+" nor a
    leading 0: "+<digits>" when the digits look like a number with its country code
    (447700900321 -> +447700900321), else the digits (never "7.7e9" nor ".0"), which are then
    read with the default country.

    "+<digits>" is taken when it is a valid number, or a possible one where the digits cannot
    be a number of the default country. A valid number of the default country stays national
    where it is written without a 0 in front anyway (2025550123 in the US); where national
    numbers start with 0 (GB, DE, FR...), the cell lost either its "+" or its 0, and a valid
    international reading is taken."""
    digits = str(int(value))
    if digits.startswith("-"):
        return digits
    region = (default_country or "").upper() or None
    national, national_problem = _parse(digits, region) if region else (None, NO_COUNTRY)
    international, problem = _parse("+" + digits, None)
    if not national_problem:
        e164 = phonenumbers.format_number(national, phonenumbers.PhoneNumberFormat.E164)
        lost_zero = (phonenumbers.ndd_prefix_for_region(region, True) or "").startswith("0")
        if e164 == "+" + digits or (lost_zero and not problem):
            return "+" + digits
        return digits
    if not problem or (international is not None and national is None):
        return "+" + digits
    return digits


def mark(unchecked: dict[str, str] | list[str] | tuple[str, ...]) -> str:
    """What `phone_check` holds: the unchecked fields' names in `FIELDS` order, spaced ("" when
    every number was checked or empty)."""
    return " ".join(name for name in FIELDS if name in unchecked)


def unchecked_fields(phone_check: str) -> list[str]:
    return phone_check.split() if phone_check else []


class Normaliser:
    """`check` for one default country that remembers its answers, for bulk imports: a list
    holds the same number many times (shared landlines, repeated rows), and each phonenumbers
    parse and validity check costs some 25-30 µs. Answers are exactly `check`'s (and, called,
    `normalise`'s). One per import; it holds at most `limit` numbers (about 200 bytes each),
    past which it stops remembering new ones."""

    def __init__(self, default_country: str, limit: int = 250_000):
        self.default_country = default_country
        self.limit = limit
        self._known: dict[str, tuple[str, str]] = {}  # raw -> (number, problem)

    def check(self, raw: str) -> tuple[str, str]:
        if not raw:
            return "", ""
        answer = self._known.get(raw)
        if answer is None:
            answer = check(raw, self.default_country)
            if len(self._known) < self.limit:
                self._known[raw] = answer
        return answer

    def __call__(self, raw: str) -> str:
        number, problem = self.check(raw)
        if problem:
            raise InvalidPhone(problem)
        return number


def display(e164: str, default_country: str = "") -> str:
    """A readable form: national for numbers of the shop's country, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    if default_country and region == default_country.upper():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def digits(e164: str) -> str:
    """The digits of a number without '+', as used by wa.me links."""
    return "".join(ch for ch in e164 if ch.isdigit())
