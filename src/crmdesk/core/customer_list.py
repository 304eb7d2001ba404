"""The customer list: which customers match (as ordered ids), and the few rows on screen.

Searching, filtering and sorting run indexed queries; nothing here loads every customer's row.
The window keeps the ids and asks for the rows of the page it paints.

The full id list of a query without a search (the list on screen before typing) is kept while
the book does not change; a search then filters that list by the ids the search index finds,
which gives the same ids in the same order as the sorted query, several times faster for
searches that match many customers (one letter finds a fifth of the book).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Sequence
from itertools import islice

from peewee import SqliteDatabase

from crmdesk.core import dates as date_rules
from crmdesk.core.model import CustomerRow, ListQuery
from crmdesk.store import search
from crmdesk.store.db import change_mark

SORTS = ("name", "phone", "city", "tags", "last_contact", "next_date", "created")
#: Full lists kept (the customers on screen, the Trash, one more), each until the book changes.
KEPT_LISTS = 3
#: A search of two or more letters filters a kept list when at least one id in FEW matches;
#: fewer matches are sorted by the database, cheaper than a pass over every kept id.
FEW = 50


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
        # query without its text -> (book state when worked out, its ids in display order)
        self._kept: OrderedDict[ListQuery, tuple[tuple, list[int]]] = OrderedDict()

    def _where(self, query: ListQuery, join: bool = False) -> tuple[str, list[str], list]:
        """The FROM part, the WHERE clauses and their parameters. `join` starts from the
        search index whatever was typed (for a count, which has no order to follow)."""
        source = "customer c"
        clauses = ["c.deleted_at IS NOT NULL" if query.trash else "c.deleted_at IS NULL"]
        params: list = []
        match = search.match_expression(query.text)
        if match is not None and (join or search.is_selective(query.text)):
            # Few matches: start from the index and sort only those. CROSS JOIN keeps the index
            # the outer loop: with a status filter SQLite would otherwise walk the customers of
            # that status and run the search once for each (25 s for "an" on 100,000).
            source = "customer_search s CROSS JOIN customer c ON c.id = s.rowid"
            clauses.insert(0, "customer_search MATCH ?")
            params.append(match)
        elif match is not None:
            # Many matches (one letter): walk the sorted list and keep the ones that match.
            clauses.append("c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)")
            params.append(match)
        if query.status:
            clauses.append("c.status = ?")
            params.append(query.status)
        if query.phone_check:
            # Written as migration step 6's partial index says. Without statistics SQLite
            # would rather walk another index over every customer (330 ms for a count on
            # 100,000, not 0.1 ms): named where the list starts from the customers.
            clauses.append("c.phone_check <> ''")
            if source == "customer c":
                source = "customer c INDEXED BY customer_phone_check"
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
        version = (rules, today, change_mark(self.db))
        if self._segment_cache is None or self._segment_cache[0] != version:
            if rules.rfm_segments:
                rfm.ensure_fresh(self.db, today)
                # the RFM scores may just have been refreshed
                version = (rules, today, change_mark(self.db))
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
        # Looking up each match is cheaper than walking the whole live list and probing the
        # matches for each customer; the Trash, or one status, is a shorter walk.
        source, clauses, params = self._where(query, join=not query.trash and not query.status)
        sql = f"SELECT count(*) FROM {source} WHERE {' AND '.join(clauses)}"
        return self.db.execute_sql(sql, params).fetchone()[0]

    def first_ids(self, query: ListQuery, first: int) -> tuple[list[int], int]:
        """The ids to show at once and how many customers match in all. All the ids when that
        is about as quick as a first page and a count (a search, or a list already worked
        out), else the first `first` of them: the caller fetches the rest with `find_ids`.

        A search sorted by anything but the name sorts every match even for a first page
        (no index gives that order), so it gets them all at once too."""
        match = search.match_expression(query.text)
        if (search.is_selective(query.text) or self._kept_ids(query) is not None
                or (match is not None and (self._quick_to_keep(query) or query.sort != "name"))):
            ids = self.find_ids(query)
            return ids, len(ids)
        ids = self.find_ids(query, limit=first)
        return ids, (len(ids) if len(ids) < first else self.count_matching(query))

    def find_ids(self, query: ListQuery, limit: int | None = None) -> list[int]:
        """The ids of the matching customers in display order (the first `limit` of them)."""
        match = search.match_expression(query.text)
        kept = self._kept_ids(query)
        if match is None and kept is not None:
            return kept[:limit] if limit is not None else list(kept)
        if match is not None:
            if kept is None and limit is None and not search.is_selective(query.text) \
                    and self._quick_to_keep(query):
                # One letter matches many: the whole list (kept for the next keys) filtered
                # by the index beats walking the list and probing the index for each customer.
                kept = self._keep(dataclasses.replace(query, text=""))
            if not kept and kept is not None:
                return []  # nobody to search (an empty Trash)
            if kept is not None:
                matched = self._matching(match)
                if not search.is_selective(query.text) or len(matched) * FEW >= len(kept):
                    found = filter(matched.__contains__, kept)
                    return list(islice(found, limit) if limit is not None else found)
        if match is None and limit is None:
            kept = self._keep(query)
            if kept is not None:
                return list(kept)  # the caller's to change
        return self._query_ids(query, limit)

    # --- kept lists ------------------------------------------------------------------------

    def _state(self) -> tuple:
        """What a kept list depends on besides its query: the connection and the changes
        made through it, commits by any other connection (`data_version`), today and the
        29 February rule (the next-date sort)."""
        return (change_mark(self.db), self.today(), self.feb29)

    def _keep(self, query: ListQuery) -> list[int] | None:
        """Work out the full list of this query (without a search) and keep it; None when it
        cannot be kept."""
        key = self._key(query)
        if key is None:
            return None
        state = self._state()  # taken before the query runs: a change meanwhile is not missed
        ids = self._query_ids(key, None)
        self._kept[key] = (state, ids)
        while len(self._kept) > KEPT_LISTS:
            self._kept.popitem(last=False)
        return ids

    @staticmethod
    def _key(query: ListQuery) -> ListQuery | None:
        """The query without its search, under which its full list is kept (None: not kept)."""
        key = dataclasses.replace(query, text="")
        try:
            hash(key)
        except TypeError:  # a list where a tuple belongs: work it out each time
            return None
        return key

    def _kept_ids(self, query: ListQuery) -> list[int] | None:
        """The kept full list of this query without its search, if the book has not changed."""
        key = self._key(query)
        entry = self._kept.get(key) if key is not None else None
        if entry is None:
            return None
        if entry[0] != self._state():
            del self._kept[key]
            return None
        self._kept.move_to_end(key)
        return entry[1]

    @staticmethod
    def _quick_to_keep(query: ListQuery) -> bool:
        """True when the full list of this query without its search comes straight off an
        index in display order (sorted by name; 100,000 ids in about 15 ms)."""
        return (query.sort == "name" and query.tag is None and query.segment is None
                and query.only_ids is None)

    def _matching(self, match: str) -> set[int]:
        """The ids the search index finds for this expression (any state, in or out of Trash)."""
        (found,) = self.db.execute_sql(
            "SELECT json_group_array(rowid) FROM customer_search WHERE customer_search MATCH ?",
            (match,)).fetchone()
        return set(json.loads(found))

    def _query_ids(self, query: ListQuery, limit: int | None) -> list[int]:
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
        # One JSON text instead of a row per id: half the time for 100,000 ids. The aggregate
        # keeps the subquery's order (SQLite drops a subquery's ORDER BY only under a count(),
        # min() or max(), or where an outer ORDER BY or a join makes it pointless).
        (found,) = self.db.execute_sql(
            f"SELECT json_group_array(id) FROM ({sql})", params).fetchone()
        return json.loads(found)

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
             phone_check, tags) in self.db.execute_sql(
                f"SELECT c.id, c.kind, c.display_name, c.phone, c.city, c.status, "
                f"c.last_contact_at, c.deleted_at, c.phone_check, "
                f"(SELECT group_concat(name, ', ') FROM (SELECT t.name FROM customer_tag ct "
                f"JOIN tag t ON t.id = ct.tag_id WHERE ct.customer_id = c.id "
                f"ORDER BY t.name COLLATE NOCASE)) "
                f"FROM customer c WHERE c.id IN ({marks})", list(ids)):
            on, date_kind, date_label = next_dates.get(customer_id, (None, "", ""))
            result[customer_id] = CustomerRow(
                id=customer_id, kind=kind, name=name, phone=phone, city=city, tags=tags or "",
                status=status, last_contact=_parse_dt(last_contact), next_date=on,
                next_date_kind=date_kind, next_date_label=date_label,
                deleted_at=_parse_dt(deleted_at), phone_check=phone_check)
        return result

    def tags(self) -> list[str]:
        """Every tag in use by a customer not in Trash, alphabetically."""
        # Per tag, stop at its first live customer (tags are few, their links are many).
        return [name for (name,) in self.db.execute_sql(
            "SELECT t.name FROM tag t WHERE EXISTS (SELECT 1 FROM customer_tag ct "
            "JOIN customer c ON c.id = ct.customer_id "
            "WHERE ct.tag_id = t.id AND c.deleted_at IS NULL) ORDER BY t.name COLLATE NOCASE")]
