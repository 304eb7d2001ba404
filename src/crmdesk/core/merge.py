"""Merge a customer entered twice into the one that stays, and undo a merge.

`merge` keeps one customer (the survivor) with the field values chosen and moves every row that
belongs to the other to it, in one transaction: what each table gets is `MERGE_TABLES` (a test
reads the schema and fails when a table with a customer reference is missing there):

- moved (the row's customer_id changes; the ids are recorded): purchases, their lines, the
  loyalty ledger, dates, conversations, follow-ups, appointments, reminder history;
- customer_sales (spend, visits, first and last purchase, points, RFM scores): the SQL triggers
  recompute the sums of both customers as purchases move; the loyalty balance (no trigger
  follows a ledger row that changes customer) is recomputed here, and the RFM scores by the
  next `rfm.ensure_fresh` (see `_recount`);
- tags: the survivor gets the union (the other keeps its own in Trash);
- consents, per channel: the most recent decision wins (a later "no" overrides an older "yes",
  a later "yes" an older "no"; on the same day, or with no dates, "no" wins: contacting someone
  who refused is worse than not contacting someone who agreed). `choices[CONSENTS]` set to
  "survivor" or "other" overrides that for every channel both have.

The other goes to Trash. The merge is recorded in the book (`setting` rows "merge:<n>", the last
`KEPT_MERGES`), so it can be undone from another process too (`crmdesk merge --undo`, or the
window's Edit menu): `undo_merge` puts each moved row back where it was, the sums with them, the
survivor's own fields, tags and consents, and takes the other out of Trash. What was changed by
hand since the merge is kept: a field, tag or consent edited after the merge is not reverted,
and rows added to the survivor later stay with it.

All queries go through the `db` passed in (no globally bound models).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from peewee import SqliteDatabase

from crmdesk.core import rfm, validation
from crmdesk.core.clock import utc_naive
from crmdesk.core.customers import EDITABLE_FIELDS, NotFound
from crmdesk.core.model import CustomerInput
from crmdesk.core.text import fold
from crmdesk.store import search

# The fields a merge lets the user choose, in the order a form shows them.
FIELDS = EDITABLE_FIELDS
CONSENTS = "consents"  # a choice key for every consent both customers have
SURVIVOR, OTHER = "survivor", "other"

MOVED, UNION, NEWEST, RECOMPUTED = "moved", "union", "newest decision", "recomputed"

#: Every table holding a customer reference, and what a merge does with its rows. Moved tables
#: are moved in this order (purchases first: their triggers create the survivor's sums row).
MERGE_TABLES: dict[str, str] = {
    "purchase": MOVED,
    "purchase_item": MOVED,
    "loyalty_entry": MOVED,
    "important_date": MOVED,
    "interaction": MOVED,
    "follow_up": MOVED,
    "appointment": MOVED,
    "reminder_delivery": MOVED,
    "customer_tag": UNION,
    "consent": NEWEST,
    "customer_sales": RECOMPUTED,
}
MOVED_TABLES = tuple(table for table, fate in MERGE_TABLES.items() if fate == MOVED)

LOG_PREFIX = "merge:"
KEPT_MERGES = 50  # merges remembered in the book for undo; older ones can no longer be undone
_CHUNK = 500
_PHONES = ("phone", "phone_alt", "whatsapp")
_MARK = "phone_check"  # derived from where each phone number came from


class MergeError(ValueError):
    """A merge (or its undo) that cannot be done; the message is for the user."""


@dataclass
class MergeRecord:
    """What `undo_merge` needs; plain JSON-able data (stored values as SQLite returns them)."""

    survivor_id: int
    other_id: int
    merged_at: str  # the stamp written as updated_at and as the other's deleted_at
    survivor_row: dict  # every column of the survivor's row before the merge
    merged_values: dict  # the survivor's FIELDS as the merge wrote them
    consents_before: dict  # channel -> the survivor's consent before (None: had none)
    consents_after: dict  # channel -> the consent the merge wrote
    tags_added: list[str]
    other_deleted_at: str | None
    moved: dict[str, list[int]] = field(default_factory=dict)  # table -> ids moved to survivor
    survivor_had_sums: bool = True  # had a customer_sales row before (else undo drops it)
    key: str = ""  # the `setting` row that records it ("merge:<n>")
    batch: str = ""  # merges done together (one `crmdesk merge` run) share it

    def counts(self) -> dict[str, int]:
        return {table: len(ids) for table, ids in self.moved.items()}


# --- small helpers ---------------------------------------------------------------------------

def _stamp(now) -> dt.datetime:
    value = now() if callable(now) else now
    return value


def _text(moment: dt.datetime) -> str:
    return utc_naive(moment).isoformat(" ")


def _row(db: SqliteDatabase, customer_id: int) -> dict:
    cursor = db.execute_sql("SELECT * FROM customer WHERE id = ?", (customer_id,))
    found = cursor.fetchone()
    if found is None:
        raise NotFound(customer_id)
    return dict(zip([c[0] for c in cursor.description], found, strict=True))


def _consents(db: SqliteDatabase, customer_id: int) -> dict[str, dict]:
    return {channel: {"channel": channel, "granted": bool(granted), "recorded_on": on,
                      "source": source}
            for channel, granted, on, source in db.execute_sql(
                "SELECT channel, granted, recorded_on, source FROM consent "
                "WHERE customer_id = ? ORDER BY channel", (customer_id,))}


def tags_of(db: SqliteDatabase, customer_id: int) -> list[str]:
    return [name for (name,) in db.execute_sql(
        "SELECT t.name FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id "
        "WHERE ct.customer_id = ? ORDER BY t.name", (customer_id,))]


def _ids(db: SqliteDatabase, table: str, customer_id: int) -> list[int]:
    return [i for (i,) in db.execute_sql(
        f"SELECT id FROM {table} WHERE customer_id = ? ORDER BY id", (customer_id,))]


def _move(db: SqliteDatabase, table: str, ids: list[int], source: int, target: int) -> None:
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        db.execute_sql(f"UPDATE {table} SET customer_id = ? "
                       f"WHERE customer_id = ? AND id IN ({marks})", [target, source, *chunk])


def _recount(db: SqliteDatabase, customer_ids: list[int], purchases_moved: bool) -> None:
    """The loyalty balance of these customers from their ledger (the triggers follow inserts
    and deletes only). When purchases changed hands, the RFM scores are recomputed by the next
    `rfm.ensure_fresh` (which every reader of the scores calls, as after any sale): the state
    they were computed from is forgotten, as its cheap check can miss a merge (a survivor with
    a sums row but no purchase takes over the other's: no count, total or day changes).
    Recomputing here instead would cost the window ~0.23 s at 100,000 customers."""
    for customer_id in customer_ids:
        db.execute_sql("INSERT INTO customer_sales (customer_id) SELECT ? WHERE EXISTS "
                       "(SELECT 1 FROM loyalty_entry WHERE customer_id = ?) "
                       "ON CONFLICT (customer_id) DO NOTHING", (customer_id, customer_id))
        db.execute_sql("UPDATE customer_sales SET loyalty_balance = (SELECT COALESCE(SUM(points), "
                       "0) FROM loyalty_entry WHERE customer_id = ?) WHERE customer_id = ?",
                       (customer_id, customer_id))
    if purchases_moved:
        db.execute_sql("DELETE FROM setting WHERE key = ?", (rfm.STATE_KEY,))


def _newer(mine: dict, theirs: dict) -> bool:
    """Whether the other's consent decision should replace the survivor's (see the notes)."""
    a, b = mine["recorded_on"] or "", theirs["recorded_on"] or ""
    if str(b)[:10] != str(a)[:10]:
        return str(b)[:10] > str(a)[:10]
    return mine["granted"] and not theirs["granted"]


def _write_consent(db: SqliteDatabase, customer_id: int, consent: dict | None,
                   channel: str) -> None:
    if consent is None:
        db.execute_sql("DELETE FROM consent WHERE customer_id = ? AND channel = ?",
                       (customer_id, channel))
        return
    db.execute_sql(
        "INSERT INTO consent (customer_id, channel, granted, recorded_on, source) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer_id, channel) DO UPDATE SET "
        "granted = excluded.granted, recorded_on = excluded.recorded_on, "
        "source = excluded.source",
        (customer_id, channel, int(consent["granted"]), consent["recorded_on"],
         consent["source"]))


def _phone_marks(sides: dict[str, dict]) -> str:
    """The `phone_check` mark (phone fields whose number is kept unchecked, spaced) for phone
    fields each taken from the row named for it."""
    return " ".join(name for name in _PHONES
                    if name in (sides[name].get(_MARK) or "").split())


def _drop_unused_tags(db: SqliteDatabase) -> None:
    db.execute_sql("DELETE FROM tag WHERE id NOT IN (SELECT DISTINCT tag_id FROM customer_tag)")


# --- merging ---------------------------------------------------------------------------------

def check_choices(choices: dict[str, str]) -> None:
    for name, side in choices.items():
        if name not in FIELDS and name != CONSENTS:
            raise ValueError(f"unknown field {name!r}")
        if side not in (SURVIVOR, OTHER):
            raise ValueError(f"choice for {name!r} must be 'survivor' or 'other'")


def fill_empty(db: SqliteDatabase, survivor_id: int, other_id: int) -> dict[str, str]:
    """The choices that keep the survivor's values and take the other's only where the
    survivor's field is empty (what `crmdesk merge` does); "do not contact" on either side
    stays on (a wish of the person's, never dropped by a merge)."""
    survivor, other = _row(db, survivor_id), _row(db, other_id)
    return {name: OTHER for name in FIELDS
            if (survivor[name] in ("", None) and other[name] not in ("", None))
            or (name == "do_not_contact" and other[name] and not survivor[name])}


def merge(db: SqliteDatabase, survivor_id: int, other_id: int, choices: dict[str, str],
          now: dt.datetime | Callable[[], dt.datetime], batch: str = "") -> MergeRecord:
    """Merge `other_id` into `survivor_id` (one transaction). `choices` maps a field of FIELDS
    (or CONSENTS) to "survivor" or "other"; a field not named keeps the survivor's value."""
    if survivor_id == other_id:
        raise MergeError("A customer cannot be merged with themselves.")
    check_choices(choices)
    moment = _stamp(now)
    stamp = _text(moment)
    with db.atomic():
        survivor, other = _row(db, survivor_id), _row(db, other_id)
        if survivor["deleted_at"] is not None or other["deleted_at"] is not None:
            raise MergeError("One of these customers is in Trash; restore them first.")
        values = {name: other[name] if choices.get(name) == OTHER else survivor[name]
                  for name in FIELDS}
        record = MergeRecord(
            survivor_id=survivor_id, other_id=other_id, merged_at=stamp, survivor_row=survivor,
            merged_values=values, consents_before={}, consents_after={}, tags_added=[],
            other_deleted_at=other["deleted_at"], batch=batch,
            survivor_had_sums=db.execute_sql("SELECT 1 FROM customer_sales WHERE customer_id = ?",
                                             (survivor_id,)).fetchone() is not None)

        shown = validation.display_name(CustomerInput(**values))
        columns = dict(values, display_name=shown, sort_name=fold(shown), updated_at=stamp)
        if _MARK in survivor:
            columns[_MARK] = _phone_marks({name: other if choices.get(name) == OTHER
                                           else survivor for name in _PHONES})
        sets = ", ".join(f"{name} = ?" for name in columns)
        db.execute_sql(f"UPDATE customer SET {sets} WHERE id = ?",
                       [*columns.values(), survivor_id])

        for table in MOVED_TABLES:
            ids = _ids(db, table, other_id)
            _move(db, table, ids, other_id, survivor_id)
            record.moved[table] = ids

        had = set(tags_of(db, survivor_id))
        for name in tags_of(db, other_id):
            if name not in had:
                db.execute_sql("INSERT INTO customer_tag (customer_id, tag_id) "
                               "SELECT ?, id FROM tag WHERE name = ?", (survivor_id, name))
                record.tags_added.append(name)

        mine = _consents(db, survivor_id)
        side = choices.get(CONSENTS)
        for channel, theirs in _consents(db, other_id).items():
            current = mine.get(channel)
            take = (current is None or side == OTHER
                    or (side is None and _newer(current, theirs)))
            if take and current != theirs:
                _write_consent(db, survivor_id, theirs, channel)
                record.consents_before[channel] = current
                record.consents_after[channel] = theirs

        db.execute_sql("UPDATE customer SET deleted_at = ? WHERE id = ?", (stamp, other_id))
        _recount(db, [survivor_id, other_id], bool(record.moved["purchase"]))
        search.index_customers(db, [survivor_id, other_id])
        _remember(db, record)
    return record


def undo_merge(db: SqliteDatabase, record: MergeRecord,
               now: dt.datetime | Callable[[], dt.datetime] | None = None) -> None:
    """Put both customers back as they were before `merge` (one transaction), keeping what was
    changed by hand since (see the notes). Raises NotFound once Trash was emptied, MergeError
    when this merge was already undone."""
    survivor_id, other_id = record.survivor_id, record.other_id
    moment = _stamp(now) if now is not None else dt.datetime.now().astimezone()
    with db.atomic():
        current = _row(db, survivor_id)
        other = _row(db, other_id)
        if record.key and db.execute_sql("SELECT 1 FROM setting WHERE key = ?",
                                         (record.key,)).fetchone() is None:
            raise MergeError("This merge was already undone, or is older than the last "
                             f"{KEPT_MERGES} merges the book remembers.")
        for table in reversed(MOVED_TABLES):
            _move(db, table, record.moved.get(table, []), survivor_id, other_id)

        for name in record.tags_added:
            db.execute_sql("DELETE FROM customer_tag WHERE customer_id = ? AND tag_id = "
                           "(SELECT id FROM tag WHERE name = ?)", (survivor_id, name))
        _drop_unused_tags(db)

        now_consents = _consents(db, survivor_id)
        for channel, before in record.consents_before.items():
            if now_consents.get(channel) == record.consents_after.get(channel):
                _write_consent(db, survivor_id, before, channel)

        untouched = [name for name in FIELDS
                     if current[name] == record.merged_values.get(name)]
        if len(untouched) == len(FIELDS) and current["updated_at"] == record.merged_at:
            # Nothing edited since: the row exactly as it was (its stamps included).
            columns = {k: v for k, v in record.survivor_row.items()
                       if k not in ("id", "last_contact_at", "deleted_at")}
        else:
            columns = {name: record.survivor_row[name] for name in untouched}
            values = {name: columns.get(name, current[name]) for name in FIELDS}
            shown = validation.display_name(CustomerInput(**values))
            columns.update(display_name=shown, sort_name=fold(shown), updated_at=_text(moment))
            if _MARK in current:
                columns[_MARK] = _phone_marks({name: record.survivor_row if name in untouched
                                               else current for name in _PHONES})
        if columns:
            sets = ", ".join(f"{name} = ?" for name in columns)
            db.execute_sql(f"UPDATE customer SET {sets} WHERE id = ?",
                           [*columns.values(), survivor_id])
        if other["deleted_at"] == record.merged_at:
            db.execute_sql("UPDATE customer SET deleted_at = ? WHERE id = ?",
                           (record.other_deleted_at, other_id))
        if not record.survivor_had_sums:  # the row the merge made, if nothing is left in it
            db.execute_sql("DELETE FROM customer_sales WHERE customer_id = ? AND NOT EXISTS "
                           "(SELECT 1 FROM purchase WHERE customer_id = ?) AND NOT EXISTS "
                           "(SELECT 1 FROM loyalty_entry WHERE customer_id = ?)",
                           (survivor_id, survivor_id, survivor_id))
        _recount(db, [survivor_id, other_id], bool(record.moved.get("purchase")))
        search.index_customers(db, [survivor_id, other_id])
        if record.key:
            db.execute_sql("DELETE FROM setting WHERE key = ?", (record.key,))


# --- the record kept in the book ---------------------------------------------------------------

def _remember(db: SqliteDatabase, record: MergeRecord) -> None:
    prune_records(db)
    rows = db.execute_sql("SELECT key FROM setting WHERE key LIKE ?",
                          (LOG_PREFIX + "%",)).fetchall()
    numbers = sorted(int(key[len(LOG_PREFIX):]) for (key,) in rows
                     if key[len(LOG_PREFIX):].isdigit())
    record.key = f"{LOG_PREFIX}{(numbers[-1] if numbers else 0) + 1}"
    if not record.batch:
        record.batch = record.key
    db.execute_sql("INSERT INTO setting (key, value) VALUES (?, ?)",
                   (record.key, json.dumps(asdict(record))))
    for number in numbers[:max(0, len(numbers) + 1 - KEPT_MERGES)]:
        db.execute_sql("DELETE FROM setting WHERE key = ?", (f"{LOG_PREFIX}{number}",))


def recorded_merges(db: SqliteDatabase) -> list[MergeRecord]:
    """The merges recorded in the book that can still be undone (both customers still exist),
    oldest first."""
    found = []
    for key, value in db.execute_sql("SELECT key, value FROM setting WHERE key LIKE ?",
                                     (LOG_PREFIX + "%",)).fetchall():
        if not key[len(LOG_PREFIX):].isdigit():
            continue
        try:
            record = MergeRecord(**json.loads(value))
        except (ValueError, TypeError):
            continue
        record.key = key
        alive = db.execute_sql("SELECT count(*) FROM customer WHERE id IN (?, ?)",
                               (record.survivor_id, record.other_id)).fetchone()[0]
        if alive == 2:
            found.append(record)
    return sorted(found, key=lambda r: int(r.key[len(LOG_PREFIX):]))


def prune_records(db: SqliteDatabase) -> int:
    """Erase the recorded merges whose customers are no longer in the book (Trash emptied):
    they can no longer be undone and hold copies of erased details. Returns how many."""
    gone = 0
    for key, value in db.execute_sql("SELECT key, value FROM setting WHERE key LIKE ?",
                                     (LOG_PREFIX + "%",)).fetchall():
        try:
            found = json.loads(value)
            ids = (int(found["survivor_id"]), int(found["other_id"]))
            alive = db.execute_sql("SELECT count(*) FROM customer WHERE id IN (?, ?)",
                                   ids).fetchone()[0]
        except (ValueError, TypeError, KeyError):
            alive = 0
        if alive < 2:
            db.execute_sql("DELETE FROM setting WHERE key = ?", (key,))
            gone += 1
    return gone


def forget_records(db: SqliteDatabase, customer_id: int) -> int:
    """Erase the recorded merges that involve this customer (they hold copies of the
    customer's details; "forget this person" calls this). Returns how many."""
    gone = 0
    for key, value in db.execute_sql("SELECT key, value FROM setting WHERE key LIKE ?",
                                     (LOG_PREFIX + "%",)).fetchall():
        try:
            found = json.loads(value)
            ids = {found.get("survivor_id"), found.get("other_id")}
        except (ValueError, AttributeError):
            ids = {customer_id}  # unreadable: erased rather than kept with personal data
        if customer_id in ids:
            db.execute_sql("DELETE FROM setting WHERE key = ?", (key,))
            gone += 1
    return gone


def last_batch(db: SqliteDatabase) -> list[MergeRecord]:
    """The merges of the last merge done (one `crmdesk merge` run may merge several customers),
    in the order they were done; [] when there is none left to undo."""
    records = recorded_merges(db)
    if not records:
        return []
    batch = records[-1].batch
    return [r for r in records if r.batch == batch]


def undo_last(db: SqliteDatabase, now=None) -> list[MergeRecord]:
    """Undo the last merge recorded in the book (all of its customers), in one transaction;
    returns what was undone ([] when nothing is left to undo)."""
    records = last_batch(db)
    with db.atomic():
        for record in reversed(records):
            undo_merge(db, record, now)
    return records
