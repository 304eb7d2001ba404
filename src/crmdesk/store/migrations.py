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

V1_SQL = """
CREATE TABLE customer (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'business')),
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    business_name TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    sort_name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    phone_alt TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    whatsapp TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    likes TEXT NOT NULL DEFAULT '',
    dislikes TEXT NOT NULL DEFAULT '',
    diet TEXT NOT NULL DEFAULT '',
    sizes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'customer' CHECK (status IN ('prospect', 'customer', 'former')),
    source TEXT NOT NULL DEFAULT '',
    do_not_contact INTEGER NOT NULL DEFAULT 0,
    keep_in_touch_days INTEGER,
    last_contact_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME
);
CREATE INDEX customer_live_sort ON customer (deleted_at, sort_name, id);
CREATE INDEX customer_status ON customer (status, deleted_at, sort_name);
CREATE INDEX customer_city ON customer (deleted_at, city COLLATE NOCASE, sort_name);
CREATE INDEX customer_last_contact ON customer (deleted_at, last_contact_at);

CREATE TABLE consent (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    channel TEXT NOT NULL,
    granted INTEGER NOT NULL DEFAULT 0,
    recorded_on DATE,
    source TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX consent_customer_channel ON consent (customer_id, channel);

CREATE TABLE tag (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE customer_tag (
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE RESTRICT,
    PRIMARY KEY (customer_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX customer_tag_by_tag ON customer_tag (tag_id, customer_id);

CREATE TABLE important_date (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    kind TEXT NOT NULL DEFAULT 'birthday' CHECK (kind IN ('birthday', 'anniversary', 'custom')),
    label TEXT NOT NULL DEFAULT '',
    day INTEGER NOT NULL CHECK (day BETWEEN 1 AND 31),
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    year INTEGER,
    lead_days INTEGER
);
CREATE INDEX important_date_customer ON important_date (customer_id);
CREATE INDEX important_date_month_day ON important_date (month, day);

CREATE TABLE interaction (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    channel TEXT NOT NULL DEFAULT 'visit',
    direction TEXT NOT NULL DEFAULT 'out' CHECK (direction IN ('in', 'out')),
    occurred_at DATETIME NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX interaction_customer_when ON interaction (customer_id, occurred_at);

CREATE TABLE follow_up (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    title TEXT NOT NULL DEFAULT '',
    due_on DATE NOT NULL,
    done_at DATETIME,
    created_at DATETIME NOT NULL
);
CREATE INDEX follow_up_customer ON follow_up (customer_id, done_at, due_on);
CREATE INDEX follow_up_open_due ON follow_up (done_at, due_on);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- "Last contacted" is derived from the conversation log, never typed.
CREATE TRIGGER interaction_after_insert AFTER INSERT ON interaction BEGIN
    UPDATE customer SET last_contact_at =
        (SELECT MAX(occurred_at) FROM interaction WHERE customer_id = NEW.customer_id)
    WHERE id = NEW.customer_id;
END;
CREATE TRIGGER interaction_after_delete AFTER DELETE ON interaction BEGIN
    UPDATE customer SET last_contact_at =
        (SELECT MAX(occurred_at) FROM interaction WHERE customer_id = OLD.customer_id)
    WHERE id = OLD.customer_id;
END;
CREATE TRIGGER interaction_after_update AFTER UPDATE OF occurred_at, customer_id ON interaction BEGIN
    UPDATE customer SET last_contact_at =
        (SELECT MAX(occurred_at) FROM interaction WHERE customer_id = OLD.customer_id)
    WHERE id = OLD.customer_id;
    UPDATE customer SET last_contact_at =
        (SELECT MAX(occurred_at) FROM interaction WHERE customer_id = NEW.customer_id)
    WHERE id = NEW.customer_id;
END;
"""


def _v1_base_schema(db: SqliteDatabase) -> None:
    for statement in _split_sql(V1_SQL):
        db.execute_sql(statement)


def _v2_full_text_search(db: SqliteDatabase) -> None:
    db.execute_sql(search.CREATE_SQL)
    search.rebuild(db)


V3_SQL = """
CREATE TABLE appointment (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
    starts_at DATETIME NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    lead_minutes INTEGER CHECK (lead_minutes IS NULL OR lead_minutes BETWEEN 0 AND 10080),
    created_at DATETIME NOT NULL,
    done_at DATETIME
);
CREATE INDEX appointment_starts ON appointment (starts_at);
CREATE INDEX appointment_customer ON appointment (customer_id, starts_at);

-- One row per occurrence of a reminder (its key says which), so a restart never repeats or
-- loses one. state NULL: only failed attempts so far (it is still due). No foreign key: this is
-- a log, and it must not stop a customer in Trash from being erased.
CREATE TABLE reminder_delivery (
    id INTEGER PRIMARY KEY,
    occurrence_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    occurs_on DATE NOT NULL,
    state TEXT CHECK (state IN ('shown', 'snoozed', 'dismissed', 'done')),
    snoozed_until DATETIME,
    updated_at DATETIME NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reminder_delivery_customer ON reminder_delivery (customer_id);
CREATE INDEX reminder_delivery_snoozed ON reminder_delivery (snoozed_until) WHERE state = 'snoozed';

-- The reminder check reads dates by day without touching the table rows.
CREATE INDEX important_date_remind ON important_date (month, day, lead_days, kind, customer_id);
-- Dates with their own lead time, found without reading every date.
CREATE INDEX important_date_lead ON important_date (lead_days, month, day)
    WHERE lead_days IS NOT NULL;
-- Keep-in-touch: when each customer becomes overdue (core/reminders.py uses this expression).
CREATE INDEX customer_touch_due
    ON customer (julianday(COALESCE(last_contact_at, created_at)) + keep_in_touch_days)
    WHERE keep_in_touch_days IS NOT NULL AND deleted_at IS NULL AND do_not_contact = 0;
"""


def _v3_reminders(db: SqliteDatabase) -> None:
    for statement in _split_sql(V3_SQL):
        db.execute_sql(statement)


V4_SQL = """
-- What the shop sells: the owner's own list (free text on a sale is fine too).
CREATE TABLE category (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    archived INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE product (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    category_id INTEGER REFERENCES category (id) ON DELETE SET NULL,
    price_minor INTEGER,
    archived INTEGER NOT NULL DEFAULT 0
);

-- A sale. Money in integer minor units (cents, pence) of `currency`, never floats.
-- customer_id becomes NULL only when a customer row is erased for good (Empty Trash): the sale
-- stays, anonymous, in the shop's figures. Trash and "forget this person" keep it linked.
CREATE TABLE purchase (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customer (id) ON DELETE SET NULL,
    purchased_on DATE NOT NULL,
    total_minor INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    import_batch TEXT,
    created_at DATETIME NOT NULL
);
CREATE INDEX purchase_customer ON purchase (customer_id, purchased_on, total_minor);
CREATE INDEX purchase_day ON purchase (purchased_on, customer_id, total_minor);
CREATE INDEX purchase_import ON purchase (import_batch) WHERE import_batch IS NOT NULL;

-- The lines of a sale. customer_id and purchased_on repeat the sale's own (kept equal by
-- core/sales.py) so "bought X in the last N days" is one index range.
CREATE TABLE purchase_item (
    id INTEGER PRIMARY KEY,
    purchase_id INTEGER NOT NULL REFERENCES purchase (id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customer (id) ON DELETE SET NULL,
    purchased_on DATE NOT NULL,
    product_id INTEGER REFERENCES product (id) ON DELETE SET NULL,
    category_id INTEGER REFERENCES category (id) ON DELETE SET NULL,
    description TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL DEFAULT 1,
    amount_minor INTEGER
);
CREATE INDEX purchase_item_purchase ON purchase_item (purchase_id);
CREATE INDEX purchase_item_category ON purchase_item (category_id, purchased_on, customer_id);
CREATE INDEX purchase_item_product ON purchase_item (product_id, purchased_on, customer_id);
CREATE INDEX purchase_item_customer ON purchase_item (customer_id, category_id);

-- Loyalty: points or stamps earned (positive) and rewards redeemed (negative), a ledger.
CREATE TABLE loyalty_entry (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    purchase_id INTEGER REFERENCES purchase (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'adjust')),
    points INTEGER NOT NULL,
    reward TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX loyalty_entry_customer ON loyalty_entry (customer_id, created_at);
CREATE INDEX loyalty_entry_purchase ON loyalty_entry (purchase_id) WHERE purchase_id IS NOT NULL;

-- One row per customer who ever bought or earned: kept by the triggers below, so lists,
-- segments and the dashboard never add up a million sales to answer "how much has she spent".
-- The RFM scores (1-5) and segment are written by core (a whole-book recomputation).
CREATE TABLE customer_sales (
    customer_id INTEGER PRIMARY KEY REFERENCES customer (id) ON DELETE CASCADE,
    purchases INTEGER NOT NULL DEFAULT 0,
    total_minor INTEGER NOT NULL DEFAULT 0,
    first_purchase_on DATE,
    last_purchase_on DATE,
    loyalty_balance INTEGER NOT NULL DEFAULT 0,
    r_score INTEGER,
    f_score INTEGER,
    m_score INTEGER,
    rfm_segment TEXT
);
CREATE INDEX customer_sales_total ON customer_sales (total_minor);
CREATE INDEX customer_sales_last ON customer_sales (last_purchase_on);
CREATE INDEX customer_sales_rfm ON customer_sales (rfm_segment);
CREATE INDEX customer_sales_loyalty ON customer_sales (loyalty_balance) WHERE loyalty_balance > 0;

CREATE TRIGGER purchase_after_insert AFTER INSERT ON purchase
WHEN new.customer_id IS NOT NULL BEGIN
    INSERT INTO customer_sales (customer_id, purchases, total_minor, first_purchase_on,
                                last_purchase_on)
    VALUES (new.customer_id, 1, new.total_minor, new.purchased_on, new.purchased_on)
    ON CONFLICT (customer_id) DO UPDATE SET
        purchases = purchases + 1,
        total_minor = total_minor + excluded.total_minor,
        first_purchase_on = CASE WHEN first_purchase_on IS NULL
            OR excluded.first_purchase_on < first_purchase_on
            THEN excluded.first_purchase_on ELSE first_purchase_on END,
        last_purchase_on = CASE WHEN last_purchase_on IS NULL
            OR excluded.last_purchase_on > last_purchase_on
            THEN excluded.last_purchase_on ELSE last_purchase_on END;
END;
CREATE TRIGGER purchase_after_delete AFTER DELETE ON purchase
WHEN old.customer_id IS NOT NULL BEGIN
    UPDATE customer_sales SET
        purchases = (SELECT COUNT(*) FROM purchase WHERE customer_id = old.customer_id),
        total_minor = (SELECT COALESCE(SUM(total_minor), 0) FROM purchase
                       WHERE customer_id = old.customer_id),
        first_purchase_on = (SELECT MIN(purchased_on) FROM purchase
                             WHERE customer_id = old.customer_id),
        last_purchase_on = (SELECT MAX(purchased_on) FROM purchase
                            WHERE customer_id = old.customer_id)
    WHERE customer_id = old.customer_id;
END;
CREATE TRIGGER purchase_after_update AFTER UPDATE OF customer_id, purchased_on, total_minor
ON purchase BEGIN
    INSERT INTO customer_sales (customer_id) SELECT new.customer_id
        WHERE new.customer_id IS NOT NULL
        ON CONFLICT (customer_id) DO NOTHING;
    UPDATE customer_sales SET
        purchases = (SELECT COUNT(*) FROM purchase WHERE customer_id = customer_sales.customer_id),
        total_minor = (SELECT COALESCE(SUM(total_minor), 0) FROM purchase
                       WHERE customer_id = customer_sales.customer_id),
        first_purchase_on = (SELECT MIN(purchased_on) FROM purchase
                             WHERE customer_id = customer_sales.customer_id),
        last_purchase_on = (SELECT MAX(purchased_on) FROM purchase
                            WHERE customer_id = customer_sales.customer_id)
    WHERE customer_id IN (old.customer_id, new.customer_id);
END;
CREATE TRIGGER loyalty_after_insert AFTER INSERT ON loyalty_entry BEGIN
    INSERT INTO customer_sales (customer_id, loyalty_balance)
    VALUES (new.customer_id, new.points)
    ON CONFLICT (customer_id) DO UPDATE SET loyalty_balance = loyalty_balance + new.points;
END;
CREATE TRIGGER loyalty_after_delete AFTER DELETE ON loyalty_entry BEGIN
    UPDATE customer_sales SET loyalty_balance = loyalty_balance - old.points
    WHERE customer_id = old.customer_id;
END;

-- Saved filters ("bought vegetarian in the last 90 days"): rules as JSON (core/segments.py).
CREATE TABLE segment (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    rules TEXT NOT NULL DEFAULT '{}',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
"""


def _v4_sales(db: SqliteDatabase) -> None:
    for statement in _split_sql(V4_SQL):
        db.execute_sql(statement)


V5_SQL = """
-- The reminder check asks, for each occurrence that has come due, whether its key is recorded
-- and in which state: this answers from the index alone, without reading the row
-- (core/reminders.py names it with INDEXED BY; the unique key index would read every row).
CREATE INDEX reminder_delivery_state ON reminder_delivery (occurrence_key, state, snoozed_until);
-- Keep-in-touch: customer_touch_due with each lapse's reminder key beside when it falls due,
-- so the check reads the key instead of building it for thousands of customers (the
-- expressions are core/reminders.py's, written the same way so SQLite matches them).
CREATE INDEX customer_touch_key ON customer (
    julianday(COALESCE(last_contact_at, created_at)) + keep_in_touch_days,
    'keep_in_touch:' || id || ':'
        || date(julianday(COALESCE(last_contact_at, created_at)) + keep_in_touch_days))
    WHERE keep_in_touch_days IS NOT NULL AND deleted_at IS NULL AND do_not_contact = 0;
"""


def _v5_reminder_index(db: SqliteDatabase) -> None:
    for statement in _split_sql(V5_SQL):
        db.execute_sql(statement)


V6_SQL = """
-- The phone fields whose number could not be checked and is kept as written ("phone whatsapp",
-- core/phones.py mark). Books from before were all checked: '' is right for them.
ALTER TABLE customer ADD COLUMN phone_check TEXT NOT NULL DEFAULT '';
-- The customer list's "phone to check" filter, in name order, without reading every customer
-- (core/customer_list.py writes the same condition so SQLite uses this index).
CREATE INDEX customer_phone_check ON customer (deleted_at, sort_name, id)
    WHERE phone_check <> '';
"""


# The customers whose search row holds a letter that search now writes as plain ones (ø, æ,
# œ, ß, ł, đ, þ, ð and their capitals): only their rows are built again. On the 100,000-customer
# demo book (9,000 such customers) the step takes 3 s; rebuilding every row took 14 s.
V6_FOLDED_SQL = """
SELECT id FROM customer WHERE (first_name || ' ' || last_name || ' ' || business_name || ' '
    || display_name || ' ' || email || ' ' || city || ' ' || postcode || ' ' || country || ' '
    || address || ' ' || notes || ' ' || likes || ' ' || dislikes || ' ' || diet || ' '
    || sizes || ' ' || source) GLOB '*[øØæÆœŒßẞłŁđĐþÞðÐ]*'
UNION
SELECT ct.customer_id FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id
    WHERE t.name GLOB '*[øØæÆœŒßẞłŁđĐþÞðÐ]*'
"""


def _v6_phone_check(db: SqliteDatabase) -> None:
    for statement in _split_sql(V6_SQL):
        db.execute_sql(statement)
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
    for statement in _split_sql(V7_SQL):
        db.execute_sql(statement)


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
