"""Checking what the user typed: every problem reported at once, nothing saved when wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from crmdesk.core import validation
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.core.validation import ValidationError

TODAY = dt.date(2026, 3, 10)


def check(**fields) -> CustomerInput:
    return validation.validate(CustomerInput(**fields), "GB", TODAY)


def errors_of(**fields) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        check(**fields)
    return caught.value.errors


def test_a_person_needs_a_name_a_phone_or_an_email():
    assert errors_of(first_name="  ", last_name="") == {
        "first_name": "Enter a name, a phone number or an e-mail."}
    assert check(first_name="Anna").first_name == "Anna"
    assert check(last_name="Kowalska").last_name == "Kowalska"


@pytest.mark.parametrize(("fields", "listed_as"), [
    ({"email": "anna@example.com"}, "anna@example.com"),
    ({"phone": "07400 123456"}, "+447400123456"),
    ({"whatsapp": "hello"}, "hello"),
])
def test_someone_known_only_by_an_email_or_a_number_is_kept_and_listed_under_it(fields,
                                                                               listed_as):
    data = check(**fields)
    assert validation.display_name(data) == listed_as


def test_a_business_needs_its_business_name():
    assert errors_of(kind="business", first_name="Anna") == {
        "business_name": "Enter the business name."}
    assert check(kind="business", business_name="Café Übersee").business_name == "Café Übersee"


@pytest.mark.parametrize("email", ["anna@example.com", "Anna.K+shop@mail.example.co.uk",
                                   "a@b.de"])
def test_email_addresses_are_accepted_and_lowered(email):
    assert check(first_name="Anna", email=f"  {email} ").email == email.lower()


@pytest.mark.parametrize("email", ["anna", "anna@", "@example.com", "anna@example",
                                   "anna@@example.com", "anna @example.com", "anna@example.",
                                   "anna@.com", "anna@exa mple.com"])
def test_email_addresses_that_cannot_work_are_refused(email):
    errors = errors_of(first_name="Anna", email=email)
    assert errors == {
        "email": "This is not an email address (it looks like name@example.com)."}


def test_every_problem_is_reported_at_once():
    errors = errors_of(
        first_name="", email="nope", status="vip", keep_in_touch_days=0,
        dates=[DateInput(day=31, month=4), DateInput(day=1, month=1),
               DateInput(kind="custom", day=2, month=2), DateInput(kind="party", day=1, month=1),
               DateInput(day=1, month=1, lead_days=400)])
    assert set(errors) == {"email", "status", "keep_in_touch_days", "dates.0", "dates.2",
                           "dates.3", "dates.4"}
    assert errors["dates.0"] == "April has no day 31."
    assert "name" in errors["dates.2"]
    for message in errors.values():
        assert message.endswith(".")
        assert "Exception" not in message and "phonenumbers" not in message


def test_a_national_number_without_a_default_country_is_kept_as_written_and_marked():
    data = validation.validate(CustomerInput(first_name="Anna", phone="07400  123456"), "", TODAY)
    assert (data.phone, data.phone_check) == ("07400 123456", "phone")


def test_numbers_that_cannot_be_checked_are_kept_and_marked_not_refused():
    data = check(first_name="Anna", phone="hello", phone_alt="12", whatsapp="07700 900123")
    assert (data.phone, data.phone_alt, data.whatsapp) == ("hello", "12", "+447700900123")
    assert data.phone_check == "phone phone_alt whatsapp"
    fine = check(first_name="Anna", phone="07400 123456", phone_check="phone whatsapp")
    assert (fine.phone, fine.phone_check) == ("+447400123456", "")  # worked out, never typed


def test_checking_a_kept_number_again_gives_the_same_answer():
    once = check(first_name="Anna", phone="07700 900123", phone_alt="call after 6")
    again = check(first_name="Anna", phone=once.phone, phone_alt=once.phone_alt)
    assert (again.phone, again.phone_alt, again.phone_check) == \
        ("+447700900123", "call after 6", "phone phone_alt")


def test_a_country_code_without_its_plus_is_read_as_one():
    # (Only when it is no number of the default country: in Germany it is one.)
    for country in ("", "GB", "FR"):
        data = validation.validate(CustomerInput(phone="447400123456"), country, TODAY)
        assert (data.phone, data.phone_check) == ("+447400123456", ""), country


def test_values_are_tidied():
    data = check(first_name="  Anna   Maria ", city=" Leeds ", phone="07400 123456",
                 whatsapp="+44 7400 123456", notes="  line one  \nline two  \n",
                 tags=["VIP", " vip ", "Knitting,", "", "  "])
    assert data.first_name == "Anna Maria"
    assert data.city == "Leeds"
    assert data.phone == data.whatsapp == "+447400123456"
    assert data.notes == "line one\nline two"
    assert data.tags == ["VIP", "Knitting"]


def test_unknown_consent_channels_are_dropped_and_labels_trimmed():
    data = check(first_name="Anna",
                 consents=[ConsentInput("email", True), ConsentInput("pigeon", True)],
                 dates=[DateInput(kind="custom", label="  Name day ", day=6, month=12)])
    assert [c.channel for c in data.consents] == ["email"]
    assert data.dates[0].label == "Name day"


# --- nothing is saved when something is wrong --------------------------------------------------


def _counts(db) -> dict[str, int]:
    return {table: db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("customer", "tag", "customer_tag", "important_date", "consent",
                          "customer_search")}


def test_a_refused_new_customer_leaves_no_trace(db, book, add):
    add("Existing", tags=["VIP"])
    before = _counts(db)
    bad = CustomerInput(first_name="Anna", email="nope", tags=["New tag"],
                        dates=[DateInput(day=1, month=1)],
                        consents=[ConsentInput("email", True)])
    with pytest.raises(ValidationError) as caught:
        book.create(bad)
    assert set(caught.value.errors) == {"email"}
    assert _counts(db) == before


def test_a_refused_edit_leaves_the_customer_as_it_was(db, book, add, clock):
    anna = add("Anna", city="Leeds", tags=["VIP"], dates=[DateInput(day=5, month=6)])
    stored = book.load_input(anna)
    updated_at = book.card(anna).updated_at
    counts = _counts(db)
    clock.advance(hours=1)
    bad = dataclasses.replace(stored, email="nope", city="York", phone="hello", tags=["Other"],
                              dates=[DateInput(day=31, month=4)])
    with pytest.raises(ValidationError) as caught:
        book.update(anna, bad)
    assert set(caught.value.errors) == {"email", "dates.0"}
    assert book.load_input(anna) == stored
    assert book.card(anna).updated_at == updated_at
    assert _counts(db) == counts


def test_an_unchecked_number_is_saved_marked_and_unmarked_once_it_is_right(book, add):
    anna = add("Anna")
    data = book.load_input(anna)
    data.phone, data.whatsapp = "07700 900123", "hello"
    book.update(anna, data)
    stored = book.load_input(anna)
    assert (stored.phone, stored.whatsapp, stored.phone_check) == \
        ("+447700900123", "hello", "phone whatsapp")
    stored.phone, stored.whatsapp = "07400 123456", ""
    book.update(anna, stored)
    assert book.load_input(anna).phone_check == ""
    new = book.create(CustomerInput(first_name="Ben", phone_alt="12"))
    assert book.card(new).data.phone_check == "phone_alt"


def test_a_birthday_later_this_year_with_a_year_is_refused(book):
    from crmdesk.core.model import CustomerInput, DateInput
    from crmdesk.core.validation import ValidationError

    # The clock says 10 March 2026: someone cannot be born on 1 June 2026.
    with pytest.raises(ValidationError) as caught:
        book.validate(CustomerInput(first_name="Tiny", dates=[DateInput("birthday", 1, 6, 2026)]))
    assert "not happened yet" in caught.value.errors["dates.0"]
    book.validate(CustomerInput(first_name="Tiny", dates=[DateInput("birthday", 1, 3, 2026)]))
