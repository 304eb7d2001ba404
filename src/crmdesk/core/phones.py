"""Phone numbers: normalised to international (E.164) form with a default country."""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    """A phone number that cannot be a real one; the message is for the user."""


def normalise(raw: str, default_country: str) -> str:
    """Return the number in E.164 form (+4915112345678), or "" for an empty input."""
    text = (raw or "").strip()
    if not text:
        return ""
    region = (default_country or "").upper() or None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidPhone(
                "Add the country code (for example +44), or set your country in Settings."
            ) from exc
        raise InvalidPhone("This does not look like a phone number.") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone("This number has too few or too many digits.")
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("This number does not exist in its country. Check the digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Normaliser:
    """`normalise` for one default country that remembers its answers, for bulk imports: a list
    holds the same number many times (shared landlines, repeated rows), and each phonenumbers
    parse and validity check costs some 25-30 µs. Answers are exactly `normalise`'s: the same
    number, or an InvalidPhone with the same message. One per import; it holds at most `limit`
    numbers (about 200 bytes each), past which it stops remembering new ones."""

    def __init__(self, default_country: str, limit: int = 250_000):
        self.default_country = default_country
        self.limit = limit
        self._known: dict[str, tuple[bool, str]] = {}  # raw -> (valid, number or message)

    def __call__(self, raw: str) -> str:
        if not raw:
            return ""
        answer = self._known.get(raw)
        if answer is None:
            try:
                answer = (True, normalise(raw, self.default_country))
            except InvalidPhone as exc:
                answer = (False, str(exc))
            if len(self._known) < self.limit:
                self._known[raw] = answer
        if not answer[0]:
            raise InvalidPhone(answer[1])
        return answer[1]


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
