"""Segments: saved filters over the customer book ("bought vegetarian in the last 90 days",
"good customers we have not seen for 90 days"), turned into one SQL query.

Every rule becomes one condition on the customer row (alias ``c``) or its sales sums
(``customer_sales``, alias ``s``, LEFT JOINed: a customer who never bought has none); rules about
tags, consents, birthdays and what was bought are ``c.id IN (subquery)`` over an index, which
SQLite evaluates once per query (not once per customer). Values are always bound parameters,
never pasted into the SQL. Only customers not in Trash match.

Rules, in plain words (all given rules must hold):

- statuses: the customer's status is one of these;
- tags: the customer has at least one of these tags (case-insensitive);
- city: lives in this city (case-insensitive, whole name);
- consent: has granted consent for this channel;
- do_not_contact: "exclude" leaves out customers marked do-not-contact, "only" keeps only them;
- birthday_month: has a birthday in this month;
- bought_category / bought_product: bought something of this category / this product (by
  name, case-insensitive), within the last ``bought_within_days`` days when given (today and
  the N-1 days before it), ever otherwise;
- spent_min_minor / spent_max_minor: lifetime spend at least / at most (never bought = 0);
- visits_min / visits_max: number of purchases at least / at most (never bought = 0);
- last_purchase_older_days: has bought, but not in the last N days;
- last_contact_older_days: no conversation in the last N days (or none at all);
- rfm_segments: in one of these RFM segments (see core/rfm.py; recomputed first when stale).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from peewee import IntegrityError, SqliteDatabase

from crmdesk.core import money, rfm

STATUSES = ("prospect", "customer", "former")
CONSENT_CHANNELS = ("email", "sms", "whatsapp", "phone")
DNC_CHOICES = ("any", "exclude", "only")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class SegmentRules:
    statuses: tuple[str, ...] = ()          # any of prospect/customer/former
    tags: tuple[str, ...] = ()              # has any of these tags
    city: str = ""                          # case-insensitive equal
    consent: str = ""                       # channel that must be granted: email/sms/whatsapp/phone
    do_not_contact: str = "any"             # "any" | "exclude" | "only"
    birthday_month: int | None = None       # 1-12
    bought_category: str = ""               # category name
    bought_product: str = ""                # product name
    bought_within_days: int | None = None   # with bought_*: within the last N days
    spent_min_minor: int | None = None
    spent_max_minor: int | None = None
    visits_min: int | None = None
    visits_max: int | None = None
    last_purchase_older_days: int | None = None
    last_contact_older_days: int | None = None
    rfm_segments: tuple[str, ...] = ()      # keys from rfm.SEGMENTS

    def to_json(self) -> str:
        """Only the rules that are set, as a JSON object."""
        defaults = SegmentRules()
        data = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value != getattr(defaults, field.name):
                data[field.name] = list(value) if isinstance(value, tuple) else value
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> SegmentRules:
        """Rules from `to_json`'s text; unknown keys and values of the wrong type are ignored."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        values = {}
        for field in dataclasses.fields(cls):
            if field.name not in data:
                continue
            value = data[field.name]
            default = field.default
            if isinstance(default, tuple):
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    values[field.name] = tuple(value)
            elif isinstance(default, str):
                if isinstance(value, str):
                    values[field.name] = value
            elif value is None or (isinstance(value, int) and not isinstance(value, bool)):
                values[field.name] = value
        return cls(**values)

    def is_empty(self) -> bool:
        return self == SegmentRules()

    def describe(self, currency: str = "") -> list[str]:
        """The rules in plain words, one line per condition."""
        lines = []
        if self.statuses:
            lines.append("Status: " + " or ".join(self.statuses))
        if self.tags:
            lines.append("Tagged " + " or ".join(f"“{t}”" for t in self.tags))
        if self.city:
            lines.append(f"Lives in {self.city}")
        if self.consent:
            lines.append(f"Agreed to be contacted by {self.consent}")
        if self.do_not_contact == "exclude":
            lines.append("Not marked do-not-contact")
        elif self.do_not_contact == "only":
            lines.append("Marked do-not-contact")
        if self.birthday_month:
            lines.append(f"Birthday in {_MONTHS[self.birthday_month - 1]}")
        within = (f" in the last {self.bought_within_days} days"
                  if self.bought_within_days is not None else "")
        if self.bought_category:
            lines.append(f"Bought something from “{self.bought_category}”{within}")
        if self.bought_product:
            lines.append(f"Bought “{self.bought_product}”{within}")
        if self.spent_min_minor is not None:
            lines.append(f"Spent at least {money.format_plain(self.spent_min_minor, currency)}")
        if self.spent_max_minor is not None:
            lines.append(f"Spent at most {money.format_plain(self.spent_max_minor, currency)}")
        if self.visits_min is not None:
            lines.append(f"At least {self.visits_min} purchase{_s(self.visits_min)}")
        if self.visits_max is not None:
            lines.append(f"At most {self.visits_max} purchase{_s(self.visits_max)}")
        if self.last_purchase_older_days is not None:
            lines.append(f"Has bought, but not in the last {self.last_purchase_older_days} days")
        if self.last_contact_older_days is not None:
            lines.append(f"No conversation in the last {self.last_contact_older_days} days")
        if self.rfm_segments:
            lines.append("Customer group: " + " or ".join(rfm.LABELS.get(k, k)
                                                      for k in self.rfm_segments))
        return lines or ["Every customer"]


def _s(n: int) -> str:
    return "" if n == 1 else "s"


@dataclass(frozen=True)
class SavedSegment:
    id: int
    name: str
    rules: SegmentRules


def _day(today: dt.date, days_back: int) -> str:
    return (today - dt.timedelta(days=days_back)).isoformat()


def conditions(rules: SegmentRules, today: dt.date) -> tuple[list[str], list, bool]:
    """SQL conditions on ``c`` (customer) and ``s`` (customer_sales), their parameters, and
    whether a customer must have a customer_sales row (so an inner join serves)."""
    where: list[str] = ["c.deleted_at IS NULL"]
    params: list = []
    needs_sales = False
    if rules.statuses:
        where.append(f"c.status IN ({','.join('?' * len(rules.statuses))})")
        params.extend(rules.statuses)
    if rules.tags:
        where.append("c.id IN (SELECT ct.customer_id FROM tag t JOIN customer_tag ct "
                     f"ON ct.tag_id = t.id WHERE t.name IN ({','.join('?' * len(rules.tags))}))")
        params.extend(rules.tags)
    if rules.city:
        where.append("c.city = ? COLLATE NOCASE")
        params.append(rules.city.strip())
    if rules.consent:
        where.append("EXISTS (SELECT 1 FROM consent k WHERE k.customer_id = c.id "
                     "AND k.channel = ? AND k.granted = 1)")
        params.append(rules.consent)
    if rules.do_not_contact == "exclude":
        where.append("c.do_not_contact = 0")
    elif rules.do_not_contact == "only":
        where.append("c.do_not_contact = 1")
    if rules.birthday_month:
        where.append("c.id IN (SELECT customer_id FROM important_date "
                     "WHERE month = ? AND kind = 'birthday')")
        params.append(int(rules.birthday_month))
    since = (_day(today, rules.bought_within_days - 1)
             if rules.bought_within_days is not None else None)
    for name, table, column in ((rules.bought_category, "category", "category_id"),
                                (rules.bought_product, "product", "product_id")):
        if not name:
            continue
        sql = (f"c.id IN (SELECT i.customer_id FROM {table} x JOIN purchase_item i "
               f"ON i.{column} = x.id WHERE x.name = ?")
        params.append(name.strip())
        if since is not None:
            sql += " AND i.purchased_on >= ? AND i.purchased_on <= ?"
            params.extend((since, today.isoformat()))
        where.append(sql + ")")
        needs_sales = True
    for value, column, compare in ((rules.spent_min_minor, "total_minor", ">="),
                                   (rules.spent_max_minor, "total_minor", "<="),
                                   (rules.visits_min, "purchases", ">="),
                                   (rules.visits_max, "purchases", "<=")):
        if value is not None:
            where.append(f"COALESCE(s.{column}, 0) {compare} ?")
            params.append(int(value))
            # "at least N > 0" leaves out who never bought: the sales sums can lead the query
            needs_sales = needs_sales or (compare == ">=" and value > 0)
    if rules.last_purchase_older_days is not None:
        where.append("s.purchases > 0 AND s.last_purchase_on <= ?")
        params.append(_day(today, rules.last_purchase_older_days))
        needs_sales = True
    if rules.last_contact_older_days is not None:
        # last_contact_at is a UTC moment; a day's start is close enough for "N days".
        where.append("(c.last_contact_at IS NULL OR c.last_contact_at < ?)")
        params.append(_day(today, rules.last_contact_older_days - 1))
    if rules.rfm_segments:
        where.append(f"s.rfm_segment IN ({','.join('?' * len(rules.rfm_segments))})")
        params.extend(rules.rfm_segments)
        needs_sales = True
    return where, params, needs_sales


def _source(rules: SegmentRules, needs_sales: bool) -> tuple[str, str]:
    """FROM and the first WHERE term, starting from the most selective index: what was bought
    (rowid IN list), the RFM or sales indexes, else the customer table. Without statistics
    SQLite would start from the deleted_at index, i.e. every customer; the unary + keeps it
    from doing so when a better start exists."""
    if rules.bought_category or rules.bought_product:
        return ("customer c JOIN customer_sales s ON s.customer_id = c.id",
                "+c.deleted_at IS NULL")
    if needs_sales:
        return ("customer_sales s CROSS JOIN customer c ON c.id = s.customer_id",
                "+c.deleted_at IS NULL")
    uses_sales = (rules.spent_min_minor is not None or rules.spent_max_minor is not None
                  or rules.visits_min is not None or rules.visits_max is not None)
    # A tag or birthday list is a better start than every customer (a city is better still).
    live = ("+c.deleted_at IS NULL" if (rules.tags or rules.birthday_month) and not rules.city
            else "c.deleted_at IS NULL")
    if uses_sales:
        return "customer c LEFT JOIN customer_sales s ON s.customer_id = c.id", live
    return "customer c", live


def query(rules: SegmentRules, today: dt.date, select: str = "c.id") -> tuple[str, list]:
    """``SELECT <select> FROM customer c, customer_sales s ... WHERE ...``."""
    where, params, needs_sales = conditions(rules, today)
    source, live = _source(rules, needs_sales)
    where[0] = live
    return f"SELECT {select} FROM {source} WHERE {' AND '.join(where)}", params


def _prepare(db: SqliteDatabase, rules: SegmentRules, today: dt.date) -> None:
    if rules.rfm_segments:
        rfm.ensure_fresh(db, today)


def count(db: SqliteDatabase, rules: SegmentRules, today: dt.date) -> int:
    """How many customers (not in Trash) match."""
    _prepare(db, rules, today)
    sql, params = query(rules, today, "count(*)")
    return db.execute_sql(sql, params).fetchone()[0]


def customer_ids(db: SqliteDatabase, rules: SegmentRules, today: dt.date) -> list[int]:
    """The matching customers' ids, sorted by name."""
    _prepare(db, rules, today)
    sql, params = query(rules, today)
    sql += " ORDER BY c.sort_name, c.id"
    return [row[0] for row in db.execute_sql(sql, params)]


def id_condition(db: SqliteDatabase, rules: SegmentRules, today: dt.date) -> tuple[str, list]:
    """``c.id IN (...)`` selecting the matching customers, for another query on ``customer c``
    (the customer list)."""
    _prepare(db, rules, today)
    sql, params = query(rules, today)
    return f"c.id IN ({sql})", params


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SegmentStore:
    """Saved segments: a name and its rules."""

    def __init__(self, db: SqliteDatabase, now: Callable[[], dt.datetime] = _utc_now):
        self.db = db
        self.now = now

    def _stamp(self) -> str:
        moment = self.now()
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment.replace(microsecond=0).isoformat(" ")

    def all(self) -> list[SavedSegment]:
        return [SavedSegment(i, name, SegmentRules.from_json(rules)) for i, name, rules in
                self.db.execute_sql("SELECT id, name, rules FROM segment "
                                    "ORDER BY name COLLATE NOCASE, id")]

    def get(self, segment_id: int) -> SavedSegment | None:
        row = self.db.execute_sql("SELECT id, name, rules FROM segment WHERE id = ?",
                                  (segment_id,)).fetchone()
        return None if row is None else SavedSegment(row[0], row[1],
                                                     SegmentRules.from_json(row[2]))

    def save(self, name: str, rules: SegmentRules, segment_id: int | None = None) -> int:
        """Add a segment (or change `segment_id`'s); returns its id. ValueError with a plain
        message for an empty name or one another segment already has."""
        name = " ".join((name or "").split())
        if not name:
            raise ValueError("Give the segment a name.")
        clash = self.db.execute_sql("SELECT id FROM segment WHERE name = ? AND id IS NOT ?",
                                    (name, segment_id)).fetchone()
        if clash is not None:
            raise ValueError(f"There is already a segment called “{name}”.")
        stamp = self._stamp()
        try:
            with self.db.atomic():
                if segment_id is None:
                    cursor = self.db.execute_sql(
                        "INSERT INTO segment (name, rules, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?)", (name, rules.to_json(), stamp, stamp))
                    return cursor.lastrowid
                cursor = self.db.execute_sql(
                    "UPDATE segment SET name = ?, rules = ?, updated_at = ? WHERE id = ?",
                    (name, rules.to_json(), stamp, segment_id))
                if cursor.rowcount == 0:
                    raise ValueError("This segment no longer exists.")
                return segment_id
        except IntegrityError:
            raise ValueError(f"There is already a segment called “{name}”.") from None

    def delete(self, segment_id: int) -> None:
        with self.db.atomic():
            self.db.execute_sql("DELETE FROM segment WHERE id = ?", (segment_id,))
