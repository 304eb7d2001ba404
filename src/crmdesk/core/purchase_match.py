"""Who bought: a till row's phone, e-mail or name matched to one live customer of the book.

The order is the phone (normalised to E.164 with the shop's country; against phone, second phone
and WhatsApp), then the e-mail (case-insensitive), then the name (case, accents and spacing
folded; "Müller, Anna" is read as Anna Müller; a customer is found by "first last", "last first"
and their business name). The first value that finds exactly one customer decides. A value
shared by several customers decides nothing on its own, but narrows the next one down (the
phone's customers called this name). Customers in Trash are never matched; a row that only
they would match says so. Lookups are built once (about 1 s for 100,000 customers) and each
distinct (phone, e-mail, name) is matched once.
"""

from __future__ import annotations

from peewee import SqliteDatabase

from crmdesk.core import phones
from crmdesk.core.text import fold


def _fold(text: str) -> str:
    """text.fold, with a quick way for plain ASCII (most names): same result."""
    if text.isascii():
        return " ".join(text.lower().split())
    return fold(text)


def _add(lookup: dict[str, int | set[int]], key: str, cid: int) -> None:
    found = lookup.get(key)
    if found is None:
        lookup[key] = cid
    elif isinstance(found, set):
        found.add(cid)
    elif found != cid:
        lookup[key] = {found, cid}


def _ids(lookup: dict[str, int | set[int]], key: str | None) -> set[int]:
    found = lookup.get(key) if key else None
    if found is None:
        return set()
    return found if isinstance(found, set) else {found}


class Matcher:
    """Who bought: lookups of the live customers' phones, e-mails and names, built once."""

    def __init__(self, db: SqliteDatabase, country: str):
        self.country = country
        # value -> a customer id, or the set of ids when several customers share it
        self.phones: dict[str, int | set[int]] = {}
        self.emails: dict[str, int | set[int]] = {}
        self.names: dict[str, int | set[int]] = {}
        self._normalised: dict[str, str | None] = {}
        self._cache: dict[tuple[str, str, str], tuple[int | None, str, str]] = {}
        self.trashed: set[str] = set()  # phones, e-mails and names of customers in Trash
        for cid, phone, phone_alt, whatsapp, email, first, last, business, sort_name, gone in \
                db.execute_sql("SELECT id, phone, phone_alt, whatsapp, email, first_name, "
                               "last_name, business_name, sort_name, deleted_at IS NOT NULL "
                               "FROM customer"):
            names = [n for n in (sort_name, _fold(f"{last} {first}"), _fold(business)) if n]
            if gone:
                self.trashed.update(n for n in (phone, phone_alt, whatsapp) if n)
                self.trashed.update(["@" + (email or "").casefold(), *names])
                continue
            for number in (phone, phone_alt, whatsapp):
                if number:
                    _add(self.phones, number, cid)
            if email:
                _add(self.emails, email.casefold(), cid)
            for name in names:
                _add(self.names, name, cid)

    def _phone(self, raw: str) -> str | None:
        if raw not in self._normalised:
            try:
                self._normalised[raw] = phones.normalise(raw, self.country) or None
            except phones.InvalidPhone:
                self._normalised[raw] = None
        return self._normalised[raw]

    def match(self, phone: str, email: str, name: str) -> tuple[int | None, str, str]:
        """(customer id, "", "") or (None, "unmatched" / "ambiguous", the reason)."""
        key = (phone, email, name)
        if key not in self._cache:
            self._cache[key] = self._match(phone, email, name)
        return self._cache[key]

    def _match(self, phone: str, email: str, name: str) -> tuple[int | None, str, str]:
        shared: list[str] = []
        tried: list[str] = []
        candidates: set[int] | None = None
        for what, value, found in self._lookups(phone, email, name, tried):
            if len(found) == 1:
                return next(iter(found)), "", ""
            if not found:
                continue
            if candidates is not None:  # narrow down: the phone's customers called this name
                both = candidates & found
                if len(both) == 1:
                    return next(iter(both)), "", ""
                candidates = both or candidates
            else:
                candidates = set(found)
            shared.append(f"{len(found)} customers {what} “{value}”")
        if shared:
            return None, "ambiguous", ("Not matched: " + "; ".join(shared)
                                       + ". Add a column that tells them apart (phone or "
                                       "e-mail), or record these sales by hand.")
        if not tried:
            return None, "unmatched", "No customer details on this row (phone, e-mail or name)."
        if self._in_trash(phone, email, name):
            return None, "unmatched", ("The customer with " + " or ".join(tried) + " is in Trash: "
                                       "restore them to import their sales.")
        return None, "unmatched", "No customer with " + " or ".join(tried) + "."

    def _in_trash(self, phone: str, email: str, name: str) -> bool:
        number = self._phone(phone) if phone else None
        keys = [number, "@" + email.casefold() if email else None, self._name_key(name)]
        return any(k and k in self.trashed for k in keys)

    @staticmethod
    def _name_key(name: str) -> str:
        folded = _fold(name)
        if "," in folded:
            last, _, first = folded.partition(",")
            folded = _fold(f"{first} {last}")
        return folded


    def _lookups(self, phone: str, email: str, name: str, tried: list[str]):
        """(how it reads, the value, the customers it finds), in the matching order."""
        if phone:
            number = self._phone(phone)
            tried.append(f"phone “{phone}”" if number else
                         f"phone “{phone}” (not a valid number)")
            yield "have the phone number", phone, _ids(self.phones, number)
        if email:
            tried.append(f"e-mail “{email}”")
            yield "have the e-mail", email, _ids(self.emails, email.casefold())
        if name:
            tried.append(f"name “{name}”")
            yield "are called", name, _ids(self.names, self._name_key(name))
