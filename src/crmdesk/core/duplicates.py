"""Find customers entered twice, merge them, and undo a merge.

`find_pairs` looks for likely pairs among customers not in Trash: the same phone number (any of
phone, second phone, WhatsApp; numbers are stored normalised), the same e-mail (any case), or
similar names (the same name, first and last name swapped, or one letter apart in the same
city). Exact matches are grouped in SQL; the name checks make one pass over the names, with
keys built per customer (no comparing everyone with everyone).

Merging and undoing a merge live in `core/merge.py` (its names are re-exported here for the
window's Find duplicates dialog).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from peewee import SqliteDatabase

from crmdesk.core.merge import (  # noqa: F401  (re-exported)
    CONSENTS,
    FIELDS,
    MERGE_TABLES,
    OTHER,
    SURVIVOR,
    MergeError,
    MergeRecord,
    merge,
    undo_merge,
)
from crmdesk.core.text import fold

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


@dataclass(frozen=True)
class Pair:
    a_id: int  # the older customer (the suggested survivor)
    b_id: int
    a_name: str
    b_name: str
    score: int  # 0..100
    reasons: tuple[str, ...]


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
    # A key ("town NUL name less a letter") remembers the first name that gave it; only keys
    # given by a second name get a set (most keys are given by one name only).
    first_of: dict[str, tuple[str, str]] = {}
    shared: dict[str, set[tuple[str, str]]] = {}
    for town, name in ids_of:
        at = town + "\0"
        for key in {at + name, *(at + name[:i] + name[i + 1:] for i in range(len(name)))}:
            seen = first_of.setdefault(key, (town, name))
            if seen[1] != name:
                shared.setdefault(key, {seen}).add((town, name))
    similar_groups = []
    for names in shared.values():
        ids = sorted({cid for town_name in names for cid in ids_of[town_name]})
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
