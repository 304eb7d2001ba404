"""The schema, as an ordered ladder of migrations from the first release on.

Each step runs inside one transaction and is recorded in `schema_migration`. The database file is
copied aside (SQLite's online backup) before any step runs on an existing database. A database
whose schema is newer than this program knows is refused before anything is written to it.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.store import search
from crmdesk.store.schema_sql import (  # the released steps' SQL, as released
    V1_SQL,
    V3_SQL,
    V4_SQL,
    V5_SQL,
    V6_FOLDED_SQL,
    V6_SQL,
)


def _run(db: SqliteDatabase, sql: str) -> None:
    """Each statement of a released step's SQL, in order (inside the step's transaction)."""
    for statement in _split_sql(sql):
        db.execute_sql(statement)


def _v1_base_schema(db: SqliteDatabase) -> None:
    _run(db, V1_SQL)


def _v2_full_text_search(db: SqliteDatabase) -> None:
    db.execute_sql(search.CREATE_SQL)
    search.rebuild(db)


def _v3_reminders(db: SqliteDatabase) -> None:
    _run(db, V3_SQL)


def _v4_sales(db: SqliteDatabase) -> None:
    _run(db, V4_SQL)


def _v5_reminder_index(db: SqliteDatabase) -> None:
    _run(db, V5_SQL)


def _v6_phone_check(db: SqliteDatabase) -> None:
    _run(db, V6_SQL)
    # Their search rows again: letters such as ø, æ, ß and ł now match o, ae, ss and l.
    ids = [row[0] for row in db.execute_sql(V6_FOLDED_SQL)]
    search.index_customers(db, ids)


# Keep in touch counts a purchase as being in touch. For a customer with keep in touch,
# `touched_at` is the later of the last conversation (last_contact_at, a UTC datetime text,
# copied as it is) and the day of the last purchase (customer_sales.last_purchase_on, a local
# calendar date as the till wrote it, kept as that day's "YYYY-MM-DD 00:00:00": no zone shift,
# so a lapse falls due N days after that very day). A purchase is the later touch only when
# that midnight is after the last conversation, or after being added when there was none (an
# old purchase brought in with a new customer does not make them overdue at once); compared
# with julianday, not as text. NULL when neither, and for customers without keep in touch
# (nothing reads it there, and a sale of theirs then costs no write of their row: the demo's
# million sales). Written by the triggers below only: a conversation (the interaction triggers
# write last_contact_at), keep in touch set or changed, a purchase recorded, imported, changed,
# removed, undone or moved by a merge (the purchase triggers write customer_sales), a customer
# row written whole (the model's save writes last_contact_at too; a rescue inserts rows).
# The keep-in-touch index is built again over COALESCE(touched_at, created_at), so the
# reminder check reads the index alone, and a purchase moves a lapse and its key exactly as a
# conversation does.
V7_SQL = """
ALTER TABLE customer ADD COLUMN touched_at DATETIME;
UPDATE customer SET touched_at = COALESCE(
    (SELECT datetime(s.last_purchase_on) FROM customer_sales s
     WHERE s.customer_id = customer.id AND julianday(s.last_purchase_on)
         > julianday(COALESCE(customer.last_contact_at, customer.created_at))),
    customer.last_contact_at)
WHERE keep_in_touch_days IS NOT NULL;
DROP INDEX customer_touch_due;
DROP INDEX customer_touch_key;
-- (customer_touch_due is not made again: customer_touch_key starts with the same expression)
CREATE INDEX customer_touch_key ON customer (
    julianday(COALESCE(touched_at, created_at)) + keep_in_touch_days,
    'keep_in_touch:' || id || ':'
        || date(julianday(COALESCE(touched_at, created_at)) + keep_in_touch_days))
    WHERE keep_in_touch_days IS NOT NULL AND deleted_at IS NULL AND do_not_contact = 0;
-- A lapse recorded under schema 6's key for a purchase on or after the conversation-only day
-- ("keep_in_touch:<id>:<that day>+<purchase day>") takes the key it has now (N days after the
-- purchase), so what was shown is not shown again; OR IGNORE keeps a key already there.
UPDATE OR IGNORE reminder_delivery SET
    occurrence_key = 'keep_in_touch:' || customer_id || ':' || date(julianday(substr(
        occurrence_key, -10)) + (SELECT c.keep_in_touch_days FROM customer c
                                 WHERE c.id = reminder_delivery.customer_id)),
    occurs_on = date(julianday(substr(occurrence_key, -10)) + (SELECT c.keep_in_touch_days
        FROM customer c WHERE c.id = reminder_delivery.customer_id))
WHERE kind = 'keep_in_touch' AND occurrence_key LIKE 'keep_in_touch:%+%'
    AND (SELECT c.keep_in_touch_days FROM customer c
         WHERE c.id = reminder_delivery.customer_id) IS NOT NULL;
-- A customer row written (a conversation's last_contact_at, keep in touch set, the whole row
-- saved): touched_at again from that row and its sales, when it differs. (Not recursive:
-- SQLite's recursive_triggers is off.)
CREATE TRIGGER customer_touched_after_insert AFTER INSERT ON customer
WHEN NEW.touched_at IS NOT CASE WHEN NEW.keep_in_touch_days IS NOT NULL THEN COALESCE(
    (SELECT datetime(s.last_purchase_on) FROM customer_sales s
     WHERE s.customer_id = NEW.id AND julianday(s.last_purchase_on)
         > julianday(COALESCE(NEW.last_contact_at, NEW.created_at))),
    NEW.last_contact_at) END BEGIN
    UPDATE customer SET touched_at = CASE WHEN keep_in_touch_days IS NOT NULL THEN COALESCE(
        (SELECT datetime(s.last_purchase_on) FROM customer_sales s
         WHERE s.customer_id = customer.id AND julianday(s.last_purchase_on)
             > julianday(COALESCE(customer.last_contact_at, customer.created_at))),
        customer.last_contact_at) END
    WHERE id = NEW.id;
END;
CREATE TRIGGER customer_touched_after_update
AFTER UPDATE OF last_contact_at, created_at, keep_in_touch_days ON customer
WHEN NEW.touched_at IS NOT CASE WHEN NEW.keep_in_touch_days IS NOT NULL THEN COALESCE(
    (SELECT datetime(s.last_purchase_on) FROM customer_sales s
     WHERE s.customer_id = NEW.id AND julianday(s.last_purchase_on)
         > julianday(COALESCE(NEW.last_contact_at, NEW.created_at))),
    NEW.last_contact_at) END BEGIN
    UPDATE customer SET touched_at = CASE WHEN keep_in_touch_days IS NOT NULL THEN COALESCE(
        (SELECT datetime(s.last_purchase_on) FROM customer_sales s
         WHERE s.customer_id = customer.id AND julianday(s.last_purchase_on)
             > julianday(COALESCE(customer.last_contact_at, customer.created_at))),
        customer.last_contact_at) END
    WHERE id = NEW.id;
END;
-- The last purchase day changed (a sale recorded, imported, changed, removed, undone or
-- moved): the customer's touch from that day, when they have keep in touch.
CREATE TRIGGER customer_sales_touched_after_insert AFTER INSERT ON customer_sales
WHEN NEW.last_purchase_on IS NOT NULL AND (SELECT keep_in_touch_days FROM customer
                                           WHERE id = NEW.customer_id) IS NOT NULL BEGIN
    UPDATE customer SET touched_at = CASE WHEN julianday(NEW.last_purchase_on)
        > julianday(COALESCE(last_contact_at, created_at))
        THEN datetime(NEW.last_purchase_on) ELSE last_contact_at END
    WHERE id = NEW.customer_id AND keep_in_touch_days IS NOT NULL;
END;
CREATE TRIGGER customer_sales_touched_after_update
AFTER UPDATE OF last_purchase_on, customer_id ON customer_sales
WHEN (NEW.last_purchase_on IS NOT OLD.last_purchase_on OR NEW.customer_id IS NOT OLD.customer_id)
    AND EXISTS (SELECT 1 FROM customer WHERE id IN (OLD.customer_id, NEW.customer_id)
                AND keep_in_touch_days IS NOT NULL)
BEGIN
    UPDATE customer SET touched_at = last_contact_at
    WHERE id = OLD.customer_id AND OLD.customer_id IS NOT NEW.customer_id
        AND keep_in_touch_days IS NOT NULL;
    UPDATE customer SET touched_at = CASE WHEN julianday(NEW.last_purchase_on)
        > julianday(COALESCE(last_contact_at, created_at))
        THEN datetime(NEW.last_purchase_on) ELSE last_contact_at END
    WHERE id = NEW.customer_id AND keep_in_touch_days IS NOT NULL;
END;
CREATE TRIGGER customer_sales_touched_after_delete AFTER DELETE ON customer_sales
WHEN OLD.last_purchase_on IS NOT NULL AND (SELECT keep_in_touch_days FROM customer
                                           WHERE id = OLD.customer_id) IS NOT NULL BEGIN
    UPDATE customer SET touched_at = last_contact_at
    WHERE id = OLD.customer_id AND keep_in_touch_days IS NOT NULL;
END;
"""


def _v7_touched_at(db: SqliteDatabase) -> None:
    _run(db, V7_SQL)


Migration = Callable[[SqliteDatabase], None]

#: The ladder. Append only: never edit a step that has been released.
MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "customer book", _v1_base_schema),
    (2, "full-text search", _v2_full_text_search),
    (3, "appointments and reminder deliveries", _v3_reminders),
    (4, "purchases, loyalty and segments", _v4_sales),
    (5, "reminder check index", _v5_reminder_index),
    (6, "unchecked phone numbers, search folds more letters", _v6_phone_check),
    (7, "purchases count as keeping in touch", _v7_touched_at),
]

LATEST_VERSION = MIGRATIONS[-1][0]

VERSION_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS schema_migration ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DATETIME NOT NULL)"
)


def _split_sql(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements, current = [], []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        current.append(line)
        joined = "\n".join(current)
        in_trigger = joined.lstrip().upper().startswith("CREATE TRIGGER")
        if (in_trigger and stripped.upper() == "END;") or (not in_trigger and stripped.endswith(";")):
            statements.append(joined.rstrip().rstrip(";"))
            current = []
    if current:
        statements.append("\n".join(current))
    return statements


def current_version(conn: sqlite3.Connection) -> int | None:
    """The schema version of an open connection: 0 for an empty file, None if not ours."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        return 0
    if "schema_migration" not in tables:
        return None
    row = conn.execute("SELECT MAX(version) FROM schema_migration").fetchone()
    return int(row[0] or 0)


def backup_copy(db_path: Path, from_version: int) -> Path:
    """Copy the database aside before migrating it; returns the copy's path."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = db_path.with_name(f"{db_path.stem}.before-v{from_version + 1}-{stamp}{db_path.suffix}")
    source = sqlite3.connect(str(db_path))
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    try:
        target.chmod(0o600)
    except OSError:
        pass
    return target


def migrate(db: SqliteDatabase, target: int = LATEST_VERSION) -> list[int]:
    """Apply every step above the database's version up to `target`; returns the steps applied."""
    db.execute_sql(VERSION_TABLE_SQL)
    row = db.execute_sql("SELECT MAX(version) FROM schema_migration").fetchone()
    version = int(row[0] or 0)
    applied = []
    for number, name, step in MIGRATIONS:
        if number <= version or number > target:
            continue
        with db.atomic():
            step(db)
            db.execute_sql(
                "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                (number, name, _dt.datetime.now(_dt.UTC).replace(tzinfo=None).isoformat(" ")),
            )
        applied.append(number)
    return applied
