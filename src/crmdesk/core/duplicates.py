"""Find customers entered twice, merge them, and undo a merge.

`find_pairs` looks for likely pairs among customers not in Trash: the same phone number (any of
phone, second phone, WhatsApp; numbers are stored normalised), the same e-mail (any case), or
similar names (the same name, first and last name swapped, or one letter apart in the same
city). Exact matches are grouped in SQL; the name checks make one pass over the names, with
keys built per customer (no comparing everyone with everyone).

`merge` keeps one customer (the survivor) with the field values chosen, moves the other's
dates, conversations, follow-ups, appointments and reminder history to it, adds the other's
tags and consents, and sends the other to Trash, in one transaction. It returns a
`MergeRecord` with what `undo_merge` needs to put both customers back exactly as they were.
Tags and consents are copied, not moved: the other keeps its own in Trash.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations

from peewee import SqliteDatabase

from crmdesk.core import validation
from crmdesk.core.clock import utc_naive
from crmdesk.core.customers import EDITABLE_FIELDS, CustomerBook, NotFound
from crmdesk.core.model import CustomerInput
from crmdesk.core.text import fold
from crmdesk.store import search
from crmdesk.store.models import (
    Appointment,
    Consent,
    Customer,
    CustomerTag,
    FollowUp,
    ImportantDate,
    Interaction,
    ReminderDelivery,
    Tag,
)

# The fields a merge lets the user choose, in the order a form shows them.
FIELDS = EDITABLE_FIELDS
CONSENTS = "consents"  # a choice key: "other" lets the other's consent win where both have one
SURVIVOR, OTHER = "survivor", "other"

REASON_PHONE = "same phone number"
REASON_EMAIL = "same email"
REASON_NAME = "same name"
REASON_SWAPPED = "first and last name swapped"
REASON_SIMILAR = "similar name in the same town"
_WEIGHTS = {REASON_PHONE: 60, REASON_EMAIL: 55, REASON_NAME: 35, REASON_SWAPPED: 30,
            REASON_SIMILAR: 20}
_MAX_GROUP = 25  # a number shared by a whole family or shop is not 300 duplicates
_MAX_NAME_GROUP = 8  # a name shared by more customers is a common name, not a duplicate
_MIN_SIMILAR = 5  # names shorter than this are too alike by chance

_MOVED = {"important_date": ImportantDate, "interaction": Interaction, "follow_up": FollowUp,
          "appointment": Appointment}


class MergeError(ValueError):
    """A merge that cannot be done; the message is for the user."""


@dataclass(frozen=True)
class Pair:
    a_id: int  # the older customer (the suggested survivor)
    b_id: int
    a_name: str
    b_name: str
    score: int  # 0..100
    reasons: tuple[str, ...]


@dataclass
class MergeRecord:
    survivor_id: int
    other_id: int
    survivor_before: CustomerInput  # CustomerBook.load_input before the merge
    survivor_row: dict  # every column of the survivor's row before the merge
    survivor_consents: list[dict]  # the survivor's consent rows before the merge
    survivor_tags: list[str]
    other_deleted_at: dt.datetime | None
    moved: dict[str, list[int]] = field(default_factory=dict)  # table -> ids moved to survivor


# --- finding pairs ---------------------------------------------------------------------------

_LIVE_PHONES = """
SELECT value, group_concat(id) FROM (
    SELECT id, phone AS value FROM customer WHERE deleted_at IS NULL AND phone <> ''
    UNION SELECT id, phone_alt FROM customer WHERE deleted_at IS NULL AND phone_alt <> ''
    UNION SELECT id, whatsapp FROM customer WHERE deleted_at IS NULL AND whatsapp <> '')
GROUP BY value HAVING count(DISTINCT id) > 1
"""
_LIVE_EMAILS = """
SELECT lower(email), group_concat(id) FROM customer
WHERE deleted_at IS NULL AND email <> '' GROUP BY lower(email) HAVING count(*) > 1
"""
_LIVE_NAMES = """
SELECT sort_name, group_concat(id) FROM customer
WHERE deleted_at IS NULL AND sort_name <> '' GROUP BY sort_name HAVING count(*) > 1
"""


def _ids(text: str) -> list[int]:
    return sorted({int(x) for x in text.split(",")})[:_MAX_GROUP]


def _add_groups(found: dict, groups, reason: str) -> None:
    for ids in groups:
        for a, b in combinations(sorted(set(ids))[:_MAX_GROUP], 2):
            found[(a, b)].add(reason)


def _name_groups(db: SqliteDatabase) -> tuple[list, list]:
    """Groups of ids with first and last name swapped, and with names about one letter apart in
    the same town: each name gives keys for itself and for itself less one letter, and two names
    one letter apart (changed, added or missing) share one of those keys. Works on the distinct
    names (SQL groups the customers first), so a common name costs once."""
    swapped: dict[tuple, dict[tuple, list[int]]] = defaultdict(dict)
    for first, last, ids in db.execute_sql(
            "SELECT first_name, last_name, group_concat(id) FROM customer "
            "WHERE deleted_at IS NULL AND first_name <> '' AND last_name <> '' "
            "GROUP BY first_name, last_name"):
        order = (fold(first), fold(last))
        if order[0] != order[1]:
            swapped[tuple(sorted(order))].setdefault(order, []).extend(_ids(ids))
    swapped_groups = [[cid for ids in orders.values() for cid in ids]
                      for orders in swapped.values() if len(orders) > 1]

    ids_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    for city, name, ids in db.execute_sql(
            "SELECT city, sort_name, group_concat(id) FROM customer "
            "WHERE deleted_at IS NULL AND sort_name <> '' AND city <> '' "
            "GROUP BY city, sort_name"):
        if len(name) >= _MIN_SIMILAR:
            ids_of[(fold(city), name)].extend(_ids(ids))
    names_by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
    for town, name in ids_of:
        names_by_key[(town, name)].add(name)
        for i in range(len(name)):
            names_by_key[(town, name[:i] + name[i + 1:])].add(name)
    similar_groups = []
    for (town, _key), names in names_by_key.items():
        if len(names) > 1:
            ids = sorted({cid for name in names for cid in ids_of[(town, name)]})
            if len(ids) <= _MAX_NAME_GROUP:
                similar_groups.append(ids)
    return swapped_groups, similar_groups


def find_pairs(db: SqliteDatabase, limit: int = 200) -> list[Pair]:
    """Likely duplicate pairs among customers not in Trash, the likeliest first."""
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    _add_groups(found, (_ids(ids) for _, ids in db.execute_sql(_LIVE_PHONES)), REASON_PHONE)
    _add_groups(found, (_ids(ids) for _, ids in db.execute_sql(_LIVE_EMAILS)), REASON_EMAIL)
    _add_groups(found, (ids for ids in (_ids(ids) for _, ids in db.execute_sql(_LIVE_NAMES))
                        if len(ids) <= _MAX_NAME_GROUP), REASON_NAME)
    swapped, similar = _name_groups(db)
    _add_groups(found, (ids for ids in swapped if len(ids) <= _MAX_NAME_GROUP), REASON_SWAPPED)
    _add_groups(found, similar, REASON_SIMILAR)
    scored = []
    for key, reasons in found.items():
        if REASON_NAME in reasons:
            reasons.discard(REASON_SIMILAR)
            reasons.discard(REASON_SWAPPED)
        ordered = tuple(sorted(reasons, key=lambda r: -_WEIGHTS[r]))
        score = min(100, sum(_WEIGHTS[r] for r in ordered))
        scored.append((score, key, ordered))
    scored = heapq.nsmallest(limit, scored, key=lambda item: (-item[0], item[1]))
    wanted = sorted({cid for _, key, _ in scored for cid in key})
    names = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ",".join("?" * len(chunk))
        names.update(db.execute_sql(
            f"SELECT id, display_name FROM customer WHERE id IN ({marks})", chunk).fetchall())
    return [Pair(a, b, names.get(a, ""), names.get(b, ""), score, reasons)
            for score, (a, b), reasons in scored]


# --- merging ---------------------------------------------------------------------------------

def _stamp(now) -> dt.datetime:
    value = now() if callable(now) else now
    return utc_naive(value)


def _row(customer_id: int) -> dict:
    row = Customer.select().where(Customer.id == customer_id).dicts().first()
    if row is None:
        raise NotFound(customer_id)
    return row


def merge(db: SqliteDatabase, survivor_id: int, other_id: int, choices: dict[str, str],
          now: dt.datetime | Callable[[], dt.datetime]) -> MergeRecord:
    """Merge `other_id` into `survivor_id` (one transaction). `choices` maps a field of FIELDS
    (or CONSENTS) to "survivor" or "other"; a field not named keeps the survivor's value."""
    if survivor_id == other_id:
        raise MergeError("A customer cannot be merged with themselves.")
    for name, side in choices.items():
        if name not in FIELDS and name != CONSENTS:
            raise ValueError(f"unknown field {name!r}")
        if side not in (SURVIVOR, OTHER):
            raise ValueError(f"choice for {name!r} must be 'survivor' or 'other'")
    stamp = _stamp(now)
    book = CustomerBook(db)
    with db.atomic():
        survivor, other = _row(survivor_id), _row(other_id)
        if survivor["deleted_at"] is not None or other["deleted_at"] is not None:
            raise MergeError("One of these customers is in Trash; restore them first.")
        record = MergeRecord(
            survivor_id=survivor_id, other_id=other_id,
            survivor_before=book.load_input(survivor_id), survivor_row=survivor,
            survivor_consents=list(Consent.select().where(Consent.customer == survivor_id)
                                   .dicts()),
            survivor_tags=_tags(db, survivor_id), other_deleted_at=other["deleted_at"])

        values = {name: other[name] if choices.get(name) == OTHER else survivor[name]
                  for name in FIELDS}
        shown = validation.display_name(CustomerInput(**values))
        Customer.update(**values, display_name=shown, sort_name=fold(shown),
                        updated_at=stamp).where(Customer.id == survivor_id).execute()

        for table, model in _MOVED.items():
            ids = [r.id for r in model.select(model.id).where(model.customer == other_id)]
            if ids:
                model.update(customer=survivor_id).where(model.id.in_(ids)).execute()
            record.moved[table] = ids
        deliveries = [r.id for r in ReminderDelivery.select(ReminderDelivery.id)
                      .where(ReminderDelivery.customer_id == other_id)]
        if deliveries:
            (ReminderDelivery.update(customer_id=survivor_id)
             .where(ReminderDelivery.id.in_(deliveries)).execute())
        record.moved["reminder_delivery"] = deliveries

        for name in _tags(db, other_id):
            tag = Tag.get(Tag.name == name)
            CustomerTag.insert(customer=survivor_id, tag=tag.id).on_conflict_ignore().execute()

        had = {c["channel"] for c in record.survivor_consents}
        for consent in Consent.select().where(Consent.customer == other_id):
            if consent.channel in had and choices.get(CONSENTS) != OTHER:
                continue
            (Consent.insert(customer=survivor_id, channel=consent.channel,
                            granted=consent.granted, recorded_on=consent.recorded_on,
                            source=consent.source)
             .on_conflict(conflict_target=[Consent.customer, Consent.channel],
                          update={Consent.granted: consent.granted,
                                  Consent.recorded_on: consent.recorded_on,
                                  Consent.source: consent.source})
             .execute())

        Customer.update(deleted_at=stamp).where(Customer.id == other_id).execute()
        search.index_customers(db, [survivor_id, other_id])
    return record


def undo_merge(db: SqliteDatabase, record: MergeRecord) -> None:
    """Put both customers back as they were before `merge` (one transaction)."""
    survivor_id, other_id = record.survivor_id, record.other_id
    with db.atomic():
        _row(survivor_id)
        _row(other_id)  # NotFound once Trash was emptied
        for table, model in _MOVED.items():
            ids = record.moved.get(table, [])
            if ids:
                model.update(customer=other_id).where(model.id.in_(ids)).execute()
        deliveries = record.moved.get("reminder_delivery", [])
        if deliveries:
            (ReminderDelivery.update(customer_id=other_id)
             .where(ReminderDelivery.id.in_(deliveries)).execute())

        CustomerTag.delete().where(CustomerTag.customer == survivor_id).execute()
        for name in record.survivor_tags:
            tag = Tag.select().where(Tag.name == name).first() or Tag.create(name=name)
            CustomerTag.insert(customer=survivor_id, tag=tag.id).on_conflict_ignore().execute()
        db.execute_sql(
            "DELETE FROM tag WHERE id NOT IN (SELECT DISTINCT tag_id FROM customer_tag)")

        Consent.delete().where(Consent.customer == survivor_id).execute()
        for row in record.survivor_consents:
            Consent.insert(**row).execute()

        # last, so the stamps the triggers set on moving conversations are the saved ones
        columns = {k: v for k, v in record.survivor_row.items() if k != "id"}
        Customer.update(**columns).where(Customer.id == survivor_id).execute()
        Customer.update(deleted_at=record.other_deleted_at).where(
            Customer.id == other_id).execute()
        search.index_customers(db, [survivor_id, other_id])


def _tags(db: SqliteDatabase, customer_id: int) -> list[str]:
    return [name for (name,) in db.execute_sql(
        "SELECT t.name FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id "
        "WHERE ct.customer_id = ? ORDER BY t.name", (customer_id,))]
