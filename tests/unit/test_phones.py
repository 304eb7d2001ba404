"""Phone numbers: stored in international form, typed the way the shop owner is used to."""

from __future__ import annotations

import pytest

from crmdesk.core import phones
from crmdesk.core.phones import InvalidPhone

# Note: 07700 900xxx (the brief's example) is Ofcom's range reserved for drama, which
# phonenumbers rightly treats as not existing; 07400 123456 is a real-format UK mobile.


@pytest.mark.parametrize(("typed", "country", "stored"), [
    ("07400 123456", "GB", "+447400123456"),
    ("07400123456", "GB", "+447400123456"),
    ("(0117) 496 0123", "GB", "+441174960123"),
    ("  07400-123-456  ", "GB", "+447400123456"),
    ("07400 123456", "gb", "+447400123456"),
    ("0170 9876543", "DE", "+491709876543"),
])
def test_national_numbers_use_the_default_country(typed, country, stored):
    assert phones.normalise(typed, country) == stored


@pytest.mark.parametrize(("typed", "country", "stored"), [
    ("+49 170 9876543", "GB", "+491709876543"),
    ("+1 202 555 0100", "GB", "+12025550100"),
    ("0044 7400 123456", "GB", "+447400123456"),
    ("+44 7400 123456", "", "+447400123456"),
])
def test_international_numbers_keep_their_country(typed, country, stored):
    assert phones.normalise(typed, country) == stored


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_no_number_is_no_number(typed):
    assert phones.normalise(typed, "GB") == ""


@pytest.mark.parametrize(("typed", "message"), [
    ("hello", "This does not look like a phone number."),
    ("call me", "This does not look like a phone number."),
    ("12", "This number has too few or too many digits."),
    ("07400 123456 789 012", "This number has too few or too many digits."),
    ("07700 900123", "This number does not exist in its country. Check the digits."),
])
def test_garbage_is_refused_with_a_plain_message(typed, message):
    with pytest.raises(InvalidPhone) as caught:
        phones.normalise(typed, "GB")
    assert str(caught.value) == message


def test_a_national_number_without_a_default_country_asks_for_the_country_code():
    with pytest.raises(InvalidPhone) as caught:
        phones.normalise("07400 123456", "")
    assert str(caught.value).startswith("Add the country code")


def test_display_is_national_at_home_and_international_abroad():
    assert phones.display("+447400123456", "GB") == "07400 123456"
    assert phones.display("+447400123456", "DE") == "+44 7400 123456"
    assert phones.display("+447400123456") == "+44 7400 123456"
    assert phones.display("") == ""
    assert phones.display("not a number") == "not a number"


def test_digits_for_whatsapp_links():
    assert phones.digits("+447400123456") == "447400123456"


# --- numbers that cannot be checked are kept, not refused ------------------------------------


@pytest.mark.parametrize(("typed", "country", "kept", "problem"), [
    ("07400 123456", "GB", "+447400123456", ""),
    ("07700 900123", "GB", "+447700900123", phones.NOT_IN_COUNTRY),  # possible: normalised
    ("07400  123456", "", "07400 123456", phones.NO_COUNTRY),  # as written (spaces tidied)
    ("call me", "GB", "call me", phones.NOT_A_NUMBER),
    ("12", "GB", "12", phones.BAD_LENGTH),
    ("447400123456", "", "+447400123456", ""),  # its country code without the "+"
    ("447400123456", "FR", "+447400123456", ""),
    ("", "GB", "", ""),
    (None, "GB", "", ""),
])
def test_check_keeps_every_number_and_says_why_it_is_unchecked(typed, country, kept, problem):
    assert phones.check(typed, country) == (kept, problem)


def test_the_remembering_checker_answers_as_check_does():
    remembered = phones.Normaliser("GB")
    for raw in ("07400 123456", "07700 900123", "hello", "12", "447400123456", "07400 123456"):
        assert remembered.check(raw) == phones.check(raw, "GB")


@pytest.mark.parametrize(("cell", "country", "text"), [
    (447400123456, "GB", "+447400123456"),
    (447400123456.0, "", "+447400123456"),
    (4.47400123456e11, "DE", "+447400123456"),
    (447700900321, "", "+447700900321"),  # a possible number of an unknown range
    (447700900321, "FR", "+447700900321"),
    (7400123456, "GB", "7400123456"),  # a national number that lost its 0: read with GB
    (2025550123, "US", "2025550123"),  # a US number is written without any 0 or +
    (2025550123, "", "+2025550123"),  # no country to read it with: possible with its +
    (12, "GB", "12"),
])
def test_a_spreadsheet_number_cell_gets_its_plus_when_it_carries_a_country_code(cell, country,
                                                                                  text):
    assert phones.from_number_cell(cell, country) == text


def test_the_mark_names_the_unchecked_fields_in_order():
    assert phones.mark({"whatsapp": "x", "phone": "y"}) == "phone whatsapp"
    assert phones.mark([]) == ""
    assert phones.unchecked_fields("phone whatsapp") == ["phone", "whatsapp"]
    assert phones.unchecked_fields("") == []
