"""The customer list: which customers match (as ordered ids), and the few rows on screen.

Searching, filtering and sorting always run a new indexed query; nothing here loads every
customer. The window keeps the ids and asks for the rows of the page it paints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from peewee import SqliteDatabase

from crmdesk.core import dates as date_rules
from crmdesk.core.model import CustomerRow, ListQuery
from crmdesk.store import search

SORTS = ("name", "phone", "city", "tags", "last_contact", "next_date", "created")


def _parse_dt(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


class CustomerList:
    def __init__(self, db: SqliteDatabase, today=dt.date.today,
                 feb29: str = date_rules.FEB29_ON_FEB28):
        self.db = db
        self.today = today
        self.feb29 = feb29
        self._segment_cache: tuple | None = None

    def _where(self, query: ListQuery) -> tuple[str, list[str], list]:
        """The FROM part, the WHERE clauses and their parameters."""
        source = "customer c"
        clauses = ["c.deleted_at IS NOT NULL" if query.trash else "c.deleted_at IS NULL"]
        params: list = []
        match = search.match_expression(query.text)
        if match is not None and search.is_selective(query.text):
            # Few matches: start from the index and sort only those.
            source = "customer_search s JOIN customer c ON c.id = s.rowid"
            clauses.insert(0, "customer_search MATCH ?")
            params.append(match)
        elif match is not None:
            # Many matches (one letter): walk the sorted list and keep the ones that match.
            clauses.append("c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)")
            params.append(match)
        if query.status:
            clauses.append("c.status = ?")
            params.append(query.status)
        if query.tag:
            clauses.append("c.id IN (SELECT ct.customer_id FROM customer_tag ct "
                           "JOIN tag t ON t.id = ct.tag_id WHERE t.name = ?)")
            params.append(query.tag)
        if query.only_ids is not None:
            clauses.append("c.id IN (SELECT value FROM json_each(?))")
            params.append("[" + ",".join(str(int(i)) for i in query.only_ids) + "]")
        if query.segment is not None:
            clauses.append("c.id IN (SELECT value FROM json_each(?))")
            params.append(self._segment_ids(query.segment))
        return source, clauses, params

    def _segment_ids(self, rules) -> str:
        """The segment's customers as a JSON list, worked out once for the list's queries
        (its first page, its count, the rest) while nothing in the book changes."""
        from crmdesk.core import rfm, segments

        today = self.today()
        conn = self.db.connection()
        version = (rules, today, conn.execute("PRAGMA data_version").fetchone()[0],
                   conn.total_changes)
        if self._segment_cache is None or self._segment_cache[0] != version:
            if rules.rfm_segments:
                rfm.ensure_fresh(self.db, today)
            version = (rules, today, conn.execute("PRAGMA data_version").fetchone()[0],
                       conn.total_changes)  # the RFM scores may just have been refreshed
            sql, params = segments.query(rules, today)
            ids = ",".join(str(row[0]) for row in self.db.execute_sql(sql, params))
            self._segment_cache = (version, f"[{ids}]")
        return self._segment_cache[1]

    def is_selective(self, query: ListQuery) -> bool:
        """True when a word of two or more letters was typed: few customers match, and the
        whole answer comes at once. Otherwise (no search, or one letter) many match, and the
        list is best shown a first page at a time."""
        return search.is_selective(query.text)

    def count_matching(self, query: ListQuery) -> int:
        source, clauses, params = self._where(query)
        sql = f"SELECT count(*) FROM {source} WHERE {' AND '.join(clauses)}"
        return self.db.execute_sql(sql, params).fetchone()[0]

    def find_ids(self, query: ListQuery, limit: int | None = None) -> list[int]:
        """The ids of the matching customers in display order (the first `limit` of them)."""
        source, clauses, params = self._where(query)
        direction = "DESC" if query.descending else "ASC"
        if query.sort == "phone":
            order = f"c.phone = '' ASC, c.phone {direction}, c.sort_name, c.id"
        elif query.sort == "city":
            order = f"c.city = '' ASC, c.city COLLATE NOCASE {direction}, c.sort_name, c.id"
        elif query.sort == "last_contact":
            order = (f"c.last_contact_at IS NULL ASC, c.last_contact_at {direction}, "
                     f"c.sort_name, c.id")
        elif query.sort == "created":
            order = f"c.created_at {direction}, c.id {direction}"
        elif query.sort == "tags":
            order = (f"(SELECT min(t.name) FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id "
                     f"WHERE ct.customer_id = c.id) IS NULL ASC, "
                     f"(SELECT min(t.name COLLATE NOCASE) FROM customer_tag ct JOIN tag t "
                     f"ON t.id = ct.tag_id WHERE ct.customer_id = c.id) {direction}, "
                     f"c.sort_name, c.id")
        elif query.sort == "next_date":
            expr, extra = date_rules.sort_key_sql(self.today(), self.feb29)
            sub = f"(SELECT min{expr} FROM important_date d WHERE d.customer_id = c.id)"
            order = f"{sub} IS NULL ASC, {sub} {direction}, c.sort_name, c.id"
            params = [*params, *extra, *extra]
        else:
            order = f"c.sort_name {direction}, c.id {direction}"
        sql = f"SELECT c.id FROM {source} WHERE {' AND '.join(clauses)} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [row[0] for row in self.db.execute_sql(sql, params).fetchall()]

    def count(self, trash: bool = False) -> int:
        sql = "SELECT count(*) FROM customer WHERE deleted_at IS " + ("NOT NULL" if trash else "NULL")
        return self.db.execute_sql(sql).fetchone()[0]

    def rows(self, ids: Sequence[int]) -> dict[int, CustomerRow]:
        """The list rows of these customers (a page: a few hundred ids at most)."""
        if not ids:
            return {}
        today = self.today()
        marks = ",".join("?" * len(ids))
        next_dates: dict[int, tuple[dt.date, str, str]] = {}
        for customer_id, kind, label, day, month in self.db.execute_sql(
                f"SELECT customer_id, kind, label, day, month FROM important_date "
                f"WHERE customer_id IN ({marks})", list(ids)):
            on = date_rules.next_occurrence(day, month, today, self.feb29)
            best = next_dates.get(customer_id)
            if best is None or on < best[0]:
                next_dates[customer_id] = (on, kind, label)
        result = {}
        for (customer_id, kind, name, phone, city, status, last_contact, deleted_at,
             tags) in self.db.execute_sql(
                f"SELECT c.id, c.kind, c.display_name, c.phone, c.city, c.status, "
                f"c.last_contact_at, c.deleted_at, "
                f"(SELECT group_concat(name, ', ') FROM (SELECT t.name FROM customer_tag ct "
                f"JOIN tag t ON t.id = ct.tag_id WHERE ct.customer_id = c.id "
                f"ORDER BY t.name COLLATE NOCASE)) "
                f"FROM customer c WHERE c.id IN ({marks})", list(ids)):
            on, date_kind, date_label = next_dates.get(customer_id, (None, "", ""))
            result[customer_id] = CustomerRow(
                id=customer_id, kind=kind, name=name, phone=phone, city=city, tags=tags or "",
                status=status, last_contact=_parse_dt(last_contact), next_date=on,
                next_date_kind=date_kind, next_date_label=date_label,
                deleted_at=_parse_dt(deleted_at))
        return result

    def tags(self) -> list[str]:
        """Every tag in use by a customer not in Trash, alphabetically."""
        # Per tag, stop at its first live customer (tags are few, their links are many).
        return [name for (name,) in self.db.execute_sql(
            "SELECT t.name FROM tag t WHERE EXISTS (SELECT 1 FROM customer_tag ct "
            "JOIN customer c ON c.id = ct.customer_id "
            "WHERE ct.tag_id = t.id AND c.deleted_at IS NULL) ORDER BY t.name COLLATE NOCASE")]
