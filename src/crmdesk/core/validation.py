"""Checking and normalising what the user typed before anything is saved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable

from crmdesk.core import dates, phones
from crmdesk.core.model import ConsentInput, CustomerInput
from crmdesk.core.text import clean, clean_block
from crmdesk.store.models import CONSENT_CHANNELS, CUSTOMER_KINDS, DATE_KINDS, STATUSES

# Deliberately simple: one @, something before it, a dotted domain after it, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")

_SINGLE_LINE = ("first_name", "last_name", "business_name", "email", "city", "postcode",
                "country", "source", "diet", "sizes")
_MULTI_LINE = ("address", "notes", "likes", "dislikes")


IDENTIFY = "Enter a name, a phone number or an e-mail."


class ValidationError(ValueError):
    """What is wrong, field by field. Keys are field names, or `dates.N` for the Nth date."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def validate(data: CustomerInput, default_country: str, today: dt.date, *,
             normalise_phone: Callable[[str], str] | None = None) -> CustomerInput:
    """Return a normalised copy of `data`, or raise ValidationError listing every problem.

    A phone number that cannot be checked is no error: it is kept (`phones.check`) and named in
    the copy's `phone_check`. `normalise_phone` replaces `phones.check(raw, default_country)`,
    for a bulk import that passes a `phones.Normaliser` of the same country (same answers, each
    number checked once).
    """
    errors: dict[str, str] = {}
    # Empty fields (most of them) skip the cleaning, which would turn them into "" anyway.
    values = {name: clean(text) if (text := getattr(data, name)) else ""
              for name in _SINGLE_LINE}
    for name in _MULTI_LINE:
        text = getattr(data, name)
        values[name] = clean_block(text) if text else ""

    kind = data.kind if data.kind in CUSTOMER_KINDS else "person"

    email = values["email"]
    if email and not _EMAIL.match(email):
        errors["email"] = "This is not an email address (it looks like name@example.com)."
    values["email"] = email.lower() if email and "email" not in errors else email

    # A number that cannot be checked is kept (normalised when it parses, else as written) and
    # marked: nothing the user entered is lost for a phone number (phones.check).
    check = normalise_phone.check if isinstance(normalise_phone, phones.Normaliser) else None
    unchecked = []
    for name in phones.FIELDS:
        raw = getattr(data, name)
        if not raw:
            values[name] = ""  # what phones.check answers for no number
            continue
        if check is not None:
            number, problem = check(raw)
        elif normalise_phone is not None:
            try:
                number, problem = normalise_phone(raw), ""
            except phones.InvalidPhone as exc:
                number, problem = clean(raw), str(exc)
        else:
            number, problem = phones.check(raw, default_country)
        values[name] = number
        if problem:
            unchecked.append(name)

    # Only someone with nothing to know them by (no name, phone or e-mail) is refused.
    named = values["first_name"] or values["last_name"] or values["business_name"]
    if not (named or values["email"] or values["phone"] or values["phone_alt"]
            or values["whatsapp"]):
        key = "business_name" if kind == "business" else "first_name"
        errors[key] = IDENTIFY
    elif kind == "business" and not values["business_name"] and \
            (values["first_name"] or values["last_name"]):
        errors["business_name"] = "Enter the business name."

    status = data.status if data.status in STATUSES else None
    if status is None:
        errors["status"] = "Choose prospect, customer or former customer."
        status = "customer"

    keep = data.keep_in_touch_days
    if keep is not None and not 1 <= int(keep) <= 3650:
        errors["keep_in_touch_days"] = "Choose between 1 and 3650 days, or leave it empty."

    checked_dates = []
    for index, item in enumerate(data.dates):
        if item.kind not in DATE_KINDS:
            errors[f"dates.{index}"] = "Choose birthday, anniversary or another day."
            continue
        try:
            dates.validate(int(item.day), int(item.month), item.year, today)
        except dates.InvalidDate as exc:
            errors[f"dates.{index}"] = str(exc)
            continue
        if item.year is not None and item.kind in ("birthday", "anniversary") and \
                dt.date(item.year, item.month, item.day) > today:
            errors[f"dates.{index}"] = "This date has not happened yet."
            continue
        label = clean(item.label)
        if item.kind == "custom" and not label:
            errors[f"dates.{index}"] = "Give this day a name (for example: Name day)."
            continue
        if item.lead_days is not None and not 0 <= int(item.lead_days) <= 365:
            errors[f"dates.{index}"] = "Remind between 0 and 365 days before."
            continue
        checked_dates.append(dataclasses.replace(item, label=label))

    tags, seen = [], set()
    for tag in data.tags:
        name = clean(tag).strip(",")
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            tags.append(name)

    consents = []
    for consent in data.consents:
        if consent.channel in CONSENT_CHANNELS:
            consents.append(ConsentInput(consent.channel, bool(consent.granted),
                                         consent.recorded_on, clean(consent.source)))

    if errors:
        raise ValidationError(errors)
    return CustomerInput(
        kind=kind, status=status, do_not_contact=bool(data.do_not_contact),
        keep_in_touch_days=int(keep) if keep is not None else None,
        phone=values.pop("phone"), phone_alt=values.pop("phone_alt"),
        whatsapp=values.pop("whatsapp"), phone_check=phones.mark(unchecked), tags=tags, dates=checked_dates, consents=consents,
        **values,
    )


def display_name(data: CustomerInput) -> str:
    first, last = data.first_name, data.last_name
    person = f"{first} {last}" if first and last else (first or last or "")
    if data.kind == "business":
        name = data.business_name or person
    else:
        name = person or data.business_name
    # Someone known only by an e-mail or a number is listed under it.
    return name or data.email or data.phone or data.phone_alt or data.whatsapp
