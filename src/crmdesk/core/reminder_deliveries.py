"""What became of each occurrence: shown, snoozed, dismissed, done, or a failed attempt.
One row per occurrence key in `reminder_delivery`; every write is one transaction. No Qt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from peewee import SqliteDatabase

from crmdesk.core.clock import utc_naive
from crmdesk.core.text import clean
from crmdesk.store.models import DELIVERY_STATES, Appointment, FollowUp

if TYPE_CHECKING:
    from crmdesk.core.reminder_rules import Occurrence


@dataclass(frozen=True)
class Delivery:
    key: str
    kind: str
    state: str | None  # DELIVERY_STATES; None while only failed attempts are recorded
    snoozed_until: dt.datetime | None  # naive UTC
    updated_at: dt.datetime  # naive UTC
    attempts: int  # failed attempts
    last_error: str


def _stamp(moment: dt.datetime) -> str:
    return utc_naive(moment).isoformat(" ")


def record(db: SqliteDatabase, occurrence: Occurrence, state: str, now: dt.datetime,
           snoozed_until: dt.datetime | None = None) -> None:
    """Record what became of one occurrence (one transaction)."""
    record_all(db, [occurrence], state, now, snoozed_until)


def record_all(db: SqliteDatabase, occurrences, state: str, now: dt.datetime,
               snoozed_until: dt.datetime | None = None) -> None:
    """Record the same state for many occurrences (a summary shown), in one transaction."""
    if state not in DELIVERY_STATES:
        raise ValueError(f"Unknown reminder state {state!r}.")
    if state == "snoozed":
        if snoozed_until is None or snoozed_until <= now:
            raise ValueError("Choose a time later than now to be reminded again.")
        until = _stamp(snoozed_until)
    else:
        until = None
    rows = [(o.key, o.kind, o.customer_id, o.occurs_on.isoformat(), state, until, _stamp(now))
            for o in occurrences]
    with db.atomic():
        db.cursor().executemany(
            "INSERT INTO reminder_delivery (occurrence_key, kind, customer_id, occurs_on, state,"
            " snoozed_until, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (occurrence_key) DO UPDATE SET state = excluded.state, "
            "snoozed_until = excluded.snoozed_until, updated_at = excluded.updated_at", rows)


def record_failure(db: SqliteDatabase, occurrence: Occurrence, error: str,
                   now: dt.datetime) -> None:
    """Count a failed attempt to show it. Its state is left alone, so it stays due and is
    tried again at the next check: a failure never drops a reminder."""
    o = occurrence
    with db.atomic():
        db.execute_sql(
            "INSERT INTO reminder_delivery (occurrence_key, kind, customer_id, occurs_on, "
            "updated_at, attempts, last_error) VALUES (?, ?, ?, ?, ?, 1, ?) "
            "ON CONFLICT (occurrence_key) DO UPDATE SET attempts = attempts + 1, "
            "last_error = excluded.last_error, updated_at = excluded.updated_at",
            (o.key, o.kind, o.customer_id, o.occurs_on.isoformat(), _stamp(now),
             clean(str(error))[:500]))


def snooze(db: SqliteDatabase, occurrence: Occurrence, until: dt.datetime,
           now: dt.datetime) -> None:
    record(db, occurrence, "snoozed", now, until)


def dismiss(db: SqliteDatabase, occurrence: Occurrence, now: dt.datetime) -> None:
    record(db, occurrence, "dismissed", now)


def mark_done(db: SqliteDatabase, occurrence: Occurrence, now: dt.datetime,
              log_summary: str | None = None, book=None, channel: str = "other") -> int | None:
    """Done: closes the occurrence (all its steps); a follow-up or appointment is marked done
    too. With `log_summary` ("Sent birthday wishes") a conversation is logged through `book`
    (a CustomerBook), which also resets keep-in-touch. One transaction; returns the
    conversation's id, if one was logged."""
    if log_summary is not None and book is None:
        raise ValueError("A customer book is needed to log the conversation.")
    stamp = utc_naive(now)
    with db.atomic():
        record(db, occurrence, "done", now)
        if occurrence.kind == "follow_up":
            (FollowUp.update(done_at=stamp)
             .where(FollowUp.id == occurrence.source_id, FollowUp.done_at.is_null()).execute())
        elif occurrence.kind == "appointment":
            (Appointment.update(done_at=stamp)
             .where(Appointment.id == occurrence.source_id, Appointment.done_at.is_null())
             .execute())
        if log_summary is not None:
            return book.log_interaction(occurrence.customer_id, channel, log_summary, when=now)
    return None


def forget(db: SqliteDatabase, occurrence: Occurrence) -> None:
    """Undo: as if nothing had been recorded for this occurrence (it becomes due again)."""
    with db.atomic():
        db.execute_sql("DELETE FROM reminder_delivery WHERE occurrence_key = ?",
                       (occurrence.key,))


def deliveries(db: SqliteDatabase, keys) -> dict[str, Delivery]:
    """What is recorded for these keys (keys with nothing recorded are left out)."""
    keys, found = list(keys), {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        for row in db.execute_sql(
                "SELECT occurrence_key, kind, state, snoozed_until, updated_at, attempts, "
                f"last_error FROM reminder_delivery WHERE occurrence_key IN "
                f"({','.join('?' * len(chunk))})", chunk):
            until = dt.datetime.fromisoformat(row[3]) if row[3] else None
            found[row[0]] = Delivery(row[0], row[1], row[2], until,
                                     dt.datetime.fromisoformat(row[4]), row[5], row[6])
    return found
