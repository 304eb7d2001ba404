"""Privacy: "forget me". Erase one person's personal data everywhere, keep anonymous totals.

What `forget` does, in one transaction (nothing half-forgotten, ever):

- The customer row stays (so reports keep their counts: customers by status, conversations,
  follow-ups, appointments), renamed "Forgotten customer <id>", with every personal field
  emptied (phones, email, WhatsApp, address, postcode, city, country, notes, likes, dislikes,
  diet, sizes, source, business name), "keep in touch" cleared, do-not-contact set.
- Tags unlinked (and tags nobody uses any more deleted: a tag can itself be personal);
  consents and important dates deleted; reminder deliveries deleted.
- Conversations stay as rows (channel, direction and date count for reports) but their
  summaries are emptied; follow-ups keep their dates, their titles are emptied;
  appointments keep their times, their place and note are emptied.
- Purchases stay with the customer (amounts, dates, products and categories count in the
  shop's figures) but their notes and free-text item descriptions are emptied; loyalty ledger
  rows stay (the balance) with the reward's words emptied.
- The search row is rebuilt from the emptied data, so nothing personal is findable.
- The records of merges involving the customer (kept for undo, core/merge.py) are erased:
  they hold copies of the customer's details. Such a merge can no longer be undone.
- The customer is moved to Trash (decision): the list no longer shows them, nobody can be
  reminded about or contacted by a "forgotten" row, and "Empty Trash" erases the row itself
  when the owner wants no trace at all. Restoring it from Trash brings back only the
  anonymous shell.

Erased text must not linger in the file: the connection uses `secure_delete` (SQLite
overwrites freed content with zeros), the full-text index is merged (`optimize`, so old
segments holding the person's words are dropped), and the write-ahead log is checkpointed
into the file. Backups made before remain as they were (the confirmation says so).

Not undoable. Logged without personal data.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from peewee import SqliteDatabase

from crmdesk.core import merge
from crmdesk.core.clock import utc_naive
from crmdesk.core.text import fold
from crmdesk.store import search

log = logging.getLogger(__name__)

FORGOTTEN_NAME = "Forgotten customer"

#: Every table holding a customer reference, and what `forget` does with its rows (a test reads
#: the schema and fails when a table with a customer reference is missing here).
FORGET_TABLES: dict[str, str] = {
    "consent": "erased",
    "customer_tag": "unlinked (tags nobody uses any more erased)",
    "important_date": "erased",
    "reminder_delivery": "erased",
    "interaction": "kept, summary emptied",
    "follow_up": "kept, title emptied",
    "appointment": "kept, place and note emptied",
    "purchase": "kept, note emptied",
    "purchase_item": "kept, description emptied",
    "loyalty_entry": "kept, reward's words emptied",
    "customer_sales": "kept (numbers only: sums, points, RFM scores)",
}

#: Customer fields emptied by `forget`.
PERSONAL_FIELDS = ("first_name", "last_name", "business_name", "phone", "phone_alt", "email",
                   "whatsapp", "address", "postcode", "city", "country", "notes", "likes",
                   "dislikes", "diet", "sizes", "source")


@dataclass(frozen=True)
class ForgetReport:
    customer_id: int
    name: str  # the anonymous name the row now carries
    conversations_kept: int
    follow_ups_kept: int
    appointments_kept: int
    dates_erased: int
    consents_erased: int
    tags_unlinked: int
    reminders_erased: int
    purchases_kept: int = 0


def _columns(db: SqliteDatabase, table: str) -> set[str]:
    return {row[1] for row in db.execute_sql(f"PRAGMA table_info({table})")}


def forgotten_name(customer_id: int) -> str:
    return f"{FORGOTTEN_NAME} {customer_id}"


def forget(db: SqliteDatabase, customer_id: int, now: dt.datetime) -> ForgetReport:
    """Erase the personal data of one customer (see the module's notes); raises LookupError
    for an unknown customer. Not undoable."""
    stamp = utc_naive(now)
    name = forgotten_name(customer_id)
    previous = db.execute_sql("PRAGMA secure_delete").fetchone()[0]
    db.execute_sql("PRAGMA secure_delete = ON")
    try:
        with db.atomic():
            row = db.execute_sql("SELECT deleted_at FROM customer WHERE id = ?",
                                 (customer_id,)).fetchone()
            if row is None:
                raise LookupError(customer_id)
            values = dict.fromkeys(PERSONAL_FIELDS, "")
            values.update(kind="person", first_name=FORGOTTEN_NAME, last_name=str(customer_id),
                          display_name=name, sort_name=fold(name), do_not_contact=1,
                          keep_in_touch_days=None, updated_at=stamp.isoformat(" "),
                          deleted_at=row[0] or stamp.isoformat(" "))
            if "phone_check" in _columns(db, "customer"):
                values["phone_check"] = ""  # which numbers were unchecked: none are left
            sets = ", ".join(f"{column} = ?" for column in values)
            db.execute_sql(f"UPDATE customer SET {sets} WHERE id = ?",
                           [*values.values(), customer_id])

            def run(sql: str) -> int:
                return db.execute_sql(sql, (customer_id,)).rowcount

            tags = run("DELETE FROM customer_tag WHERE customer_id = ?")
            db.execute_sql(
                "DELETE FROM tag WHERE id NOT IN (SELECT DISTINCT tag_id FROM customer_tag)")
            consents = run("DELETE FROM consent WHERE customer_id = ?")
            dates = run("DELETE FROM important_date WHERE customer_id = ?")
            reminders = run("DELETE FROM reminder_delivery WHERE customer_id = ?")
            conversations = run("UPDATE interaction SET summary = '' WHERE customer_id = ?")
            follow_ups = run("UPDATE follow_up SET title = '' WHERE customer_id = ?")
            appointments = run("UPDATE appointment SET place = '', note = '' "
                               "WHERE customer_id = ?")
            purchases = run("UPDATE purchase SET note = '' WHERE customer_id = ?")
            run("UPDATE purchase_item SET description = '' WHERE customer_id = ?")
            run("UPDATE loyalty_entry SET reward = '' WHERE customer_id = ?")
            merge.forget_records(db, customer_id)  # a merge's record holds copies of details
            search.index_customers(db, [customer_id])
            # Merge the full-text index, so no old segment still holds the person's words.
            db.execute_sql("INSERT INTO customer_search (customer_search) VALUES ('optimize')")
    finally:
        db.execute_sql(f"PRAGMA secure_delete = {int(previous)}")
    # Copy what the write-ahead log holds into the file (best effort: a reader elsewhere may
    # hold it back until later; the log is then rewritten over by the next checkpoint).
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    log.info("forgot customer %d", customer_id)
    return ForgetReport(customer_id, name, conversations, follow_ups, appointments, dates,
                        consents, tags, reminders, purchases)
