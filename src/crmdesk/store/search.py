"""Full-text search over customers with SQLite FTS5.

One row per customer (rowid = customer id) with two columns: `names` (person and business names)
and `details` (email, phone digits, city, country, tags, notes on taste). The unicode61 tokenizer
with remove_diacritics makes matching case and accent insensitive, and `fold_letters` writes the
letters it leaves alone (ø, æ, ß, ł...) as plain ones in the index and the query; the query adds a
prefix star to every word so results follow each key typed.

Phone numbers are indexed as digit strings together with every suffix of at least three digits,
so typing the last four digits of a number (or any run of digits inside it) finds the customer.
The index is kept in step by the write functions in `core.customers`, inside their transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from peewee import SqliteDatabase

CREATE_SQL = (
    "CREATE VIRTUAL TABLE customer_search USING fts5("
    "names, details, tokenize = \"unicode61 remove_diacritics 2\")"
)

_MIN_SUFFIX = 3
# Letters that are not a base letter with an accent, so the tokenizer's remove_diacritics
# leaves them alone: written out as the letters a keyboard without them types ("bjorn" finds
# Bjørn, "strasse" finds Straße). Applied to the indexed text and to the query alike.
_FOLD_PAIRS = {
    "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ẞ": "SS",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
}
_FOLD = str.maketrans(_FOLD_PAIRS)
# Looked for first: translate() with a table costs some 4 µs a customer, the search 0.6 µs.
_FOLDABLE = re.compile("[" + "".join(_FOLD_PAIRS) + "]")
_WORD = re.compile(r"\w+", re.UNICODE)
_NOT_DIGIT = re.compile(r"\D")
_INSERT_SQL = "INSERT INTO customer_search (rowid, names, details) VALUES (?, ?, ?)"

_SOURCE_SQL = """
SELECT c.id, c.first_name, c.last_name, c.business_name, c.display_name,
       c.email, c.phone, c.phone_alt, c.whatsapp, c.city, c.postcode, c.country, c.address,
       c.notes, c.likes, c.dislikes, c.diet, c.sizes, c.source,
       (SELECT group_concat(t.name, ' ') FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id
         WHERE ct.customer_id = c.id)
FROM customer c
"""


@lru_cache(maxsize=512)
def _trunk_prefix(country_code: int) -> str:
    import phonenumbers  # imported when first needed: it is slow to load

    region = phonenumbers.region_code_for_country_code(country_code)
    return phonenumbers.ndd_prefix_for_region(region, True) or ""


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[int]:
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    return frozenset(COUNTRY_CODE_TO_REGION_CODE)


def national_digits(number: str) -> str:
    """The digits as dialled inside the number's country ("+44 20 7946 0123" -> "02079460123").

    Worked out from the country code alone (no full parse), as it runs for every number indexed.
    """
    if not number.startswith("+"):
        return ""
    return _national(_NOT_DIGIT.sub("", number))


def _national(digits: str) -> str:
    codes = _country_codes()
    for length in (1, 2, 3):
        code = int(digits[:length] or 0)
        if code in codes:
            return _trunk_prefix(code) + digits[length:]
    return ""


def fold_letters(text: str) -> str:
    """`text` with ø, æ, œ, ß, ł, đ, þ and ð written as o, ae, oe, ss, l, d, th and d (the
    tokenizer folds case and accents itself). Plain ASCII, most text, is returned as it is."""
    if text.isascii() or _FOLDABLE.search(text) is None:
        return text
    return text.translate(_FOLD)


def phone_tokens(number: str) -> list[str]:
    """Digit tokens for a phone number: all its digits, its national form, and every suffix of
    at least three digits (so the last digits, or any run inside the number, find it)."""
    if not number:
        return []
    digits = _NOT_DIGIT.sub("", number)
    if not digits:
        return []
    tokens = {digits}
    national = _national(digits) if number.startswith("+") else ""
    if national:
        tokens.add(national)
    tokens.update([digits[start:] for start in range(1, len(digits) - _MIN_SUFFIX + 1)])
    return sorted(tokens, key=len, reverse=True)


def row_text(row: Sequence) -> tuple[str, str]:
    """(names, details) of one customer, from a row laid out as `_SOURCE_SQL` selects it: id,
    first, last, business and display name, email, the three phones, city, postcode, country,
    address, notes, likes, dislikes, diet, sizes, source, tags joined by spaces (or None)."""
    (_id, first, last, business, display, email, phone, phone_alt, whatsapp, city, postcode,
     country, address, notes, likes, dislikes, diet, sizes, source, tags) = row
    names = " ".join(x for x in (first, last, business, display) if x)
    phones = []
    for number in (phone, phone_alt, whatsapp):
        phones.extend(phone_tokens(number))
    details = " ".join(
        x for x in (email, " ".join(phones), city, postcode, country, address, tags or "",
                    notes, likes, dislikes, diet, sizes, source) if x
    )
    return fold_letters(names), fold_letters(details)


def index_customers(db: SqliteDatabase, ids: Iterable[int]) -> None:
    """Bring the search rows of these customers in step with their data (call inside a transaction)."""
    ids = list(ids)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        db.execute_sql(f"DELETE FROM customer_search WHERE rowid IN ({marks})", chunk)
        rows = db.execute_sql(f"{_SOURCE_SQL} WHERE c.id IN ({marks})", chunk).fetchall()
        cursor = db.cursor()
        cursor.executemany(_INSERT_SQL, [(row[0], *row_text(row)) for row in rows])


def clear_range(db: SqliteDatabase, first: int, last: int) -> None:
    """Remove the search rows of customer ids first..last (both included); for a bulk load of
    new customers, where one range delete costs what a single IN (...) lookup does."""
    db.execute_sql("DELETE FROM customer_search WHERE rowid BETWEEN ? AND ?", (first, last))


def add_rows(db: SqliteDatabase, rows: Iterable[tuple[int, str, str]]) -> None:
    """Insert (customer id, names, details) search rows built with `row_text` from data already
    in memory; the caller has made sure these ids have no search row (`clear_range`)."""
    db.cursor().executemany(_INSERT_SQL, rows)


def rebuild(db: SqliteDatabase) -> None:
    """Rebuild the whole index (used by the migration that introduces it, and after bulk loads)."""
    db.execute_sql("DELETE FROM customer_search")
    cursor = db.execute_sql(_SOURCE_SQL)
    insert = db.cursor()
    while True:
        batch = cursor.fetchmany(2000)
        if not batch:
            break
        insert.executemany(_INSERT_SQL, [(row[0], *row_text(row)) for row in batch])


MAX_WORDS = 8  # words of a search that are looked for (the first ones typed)


def is_selective(text: str) -> bool:
    """True when some word typed has two or more characters: few customers match, so the
    query should start from the search index rather than from the sorted customer list."""
    return any(len(word) >= 2 for word in _WORD.findall(fold_letters(text or "")))


def match_expression(text: str) -> str | None:
    """Turn what the user typed into an FTS5 query: every word must match as a prefix.

    Returns None when there is nothing searchable in the text (only spaces or punctuation).
    Words are quoted, so FTS5 operators typed by the user (AND, OR, NEAR, quotes) are plain text.
    """
    terms = []
    # At most MAX_WORDS different words: a pasted paragraph of one-letter words is not a
    # search anyone types, and each word is one more pass of the index (2 s for 950 letters).
    for word in list(dict.fromkeys(_WORD.findall(fold_letters(text or ""))))[:MAX_WORDS]:
        term = '"' + word.replace('"', '""') + '"*'
        if len(word) == 1:
            # One letter typed: look at names only. Every note and email holds most letters,
            # and a list of nearly everyone helps nobody (nor the speed of the first key).
            term = "names : " + term
        if word.isdigit() and word.startswith("00") and len(word) > 2:
            # "0044..." may be dialling abroad (the index holds "44...") or the last digits
            # of a number ("...0064"): look for both.
            term = f'({term} OR "{word[2:]}"*)'
        terms.append(term)
    if not terms:
        return None
    return " AND ".join(terms)
