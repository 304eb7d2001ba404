"""Realistic sample customers, for trying the program out and for measuring it.

`generate` adds customers with their tags, consents, important dates, conversations,
follow-ups and purchases (about 10 a customer over three years, see `demo_sales`), written with bulk inserts straight into the schema (the per-customer rules in
`CustomerBook` are far too slow for 100,000 rows) but holding the same values those rules would
store: names, e-mails and E.164 phone numbers are already normalised, `display_name` and
`sort_name` come from `validation.display_name` and `text.fold`, and every customer passes
`validation.validate` unchanged.

Nothing here can reach a real person: phone numbers come only from ranges that regulators keep
for drama and fiction (Ofcom, Bundesnetzagentur, ARCEP, PTS, ACMA, NANPA's 555-01xx) and that
`phonenumbers` accepts as valid, and e-mail addresses use the reserved example.* domains.
In a large book some numbers repeat, as a family landline would.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import random
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import phonenumbers
from peewee import SqliteDatabase

from crmdesk.core import demo_sales, validation
from crmdesk.core.clock import system_now, utc_naive
from crmdesk.core.demo_data import (
    _CHANNELS,
    BUSINESS_PATTERNS,
    BUSINESS_WORDS,
    CHANNEL_WEIGHTS,
    CONSENT_SOURCES,
    COUNTRIES,
    CUSTOM_DAYS,
    DIETS,
    DISLIKES,
    FOLLOW_UPS,
    LIKES,
    LOCAL_NAMES,
    NAMES,
    NOTES,
    PRODUCTS,
    SIZES,
    SOURCES,
    SUMMARIES,
    TAGS,
)
from crmdesk.core.model import CustomerInput
from crmdesk.core.text import fold
from crmdesk.core.write_turn import BookBusy, write_turn
from crmdesk.store import search

Progress = Callable[[int, int], bool]

#: The tag the window's sample customers carry (`generate(..., tag=SAMPLE_TAG)`), so they can
#: be told apart from real ones and taken out again all at once (`sample_ids`).
SAMPLE_TAG = "sample"

#: Customers written per transaction; progress is reported (and cancel honoured) after each.
CHUNK = 1000
#: From this many customers on, the run gets a 200 MB page cache and checkpoints every 80 MB:
#: the sales' index pages stay in memory (100,000 customers: 114 s -> 74 s here).
BIG_BOOK = 10_000
BIG_BOOK_CACHE = -200_000
BIG_BOOK_CHECKPOINT = 20_000

_CUSTOMER_COLUMNS = (
    "id", "kind", "first_name", "last_name", "business_name", "display_name", "sort_name",
    "phone", "phone_alt", "email", "whatsapp", "address", "city", "postcode", "country", "notes",
    "likes", "dislikes", "diet", "sizes", "status", "source", "do_not_contact",
    "keep_in_touch_days", "last_contact_at", "created_at", "updated_at")
_INSERT_CUSTOMER = (f"INSERT INTO customer ({', '.join(_CUSTOMER_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(_CUSTOMER_COLUMNS))})")
_INSERT_DATE = ("INSERT INTO important_date (customer_id, kind, label, day, month, year, lead_days)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)")
_INSERT_INTERACTION = ("INSERT INTO interaction (customer_id, channel, direction, occurred_at, "
                       "summary, created_at) VALUES (?, ?, ?, ?, ?, ?)")
_INSERT_FOLLOW_UP = ("INSERT INTO follow_up (customer_id, title, due_on, done_at, created_at) "
                     "VALUES (?, ?, ?, ?, ?)")
_INSERT_CONSENT = ("INSERT INTO consent (customer_id, channel, granted, recorded_on, source) "
                   "VALUES (?, ?, ?, ?, ?)")
_INSERT_TAG_LINK = "INSERT OR IGNORE INTO customer_tag (customer_id, tag_id) VALUES (?, ?)"

_TWO_YEARS = 730
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com",
                  "post.example.org", "inbox.example.net")
_TRANSLIT = str.maketrans({"ø": "o", "æ": "ae", "ł": "l", "đ": "d", "þ": "th", "ı": "i",
                           "œ": "oe", "ð": "d"})

log = logging.getLogger(__name__)


def generate(db: SqliteDatabase, customers: int, seed: int = 1,
             progress: Progress | None = None, now: dt.datetime | None = None,
             tag: str | None = None, patience: float | None = None,
             waiting: Callable[[], None] | None = None) -> int:
    """Add `customers` sample customers; returns how many were added. With `tag`, each one also
    carries that tag (one more row a customer, written with the others). With `patience`, each
    transaction waits up to that many seconds for another crmdesk writing to the book
    (`waiting()` is called once when it has to; the command line), else raises
    write_turn.BookBusy; the dashboard's kept figures, only a speed-up, are then left out.

    The same `seed` and `now` give the same customers (ids aside, which follow those already in
    the book; customers already there are left untouched). Customers are written in chunks of
    `CHUNK`, each chunk one transaction that also brings the search index in step, so the book is
    consistent after every chunk. `progress(done, total)` is called after each chunk; when it
    returns False, generation stops there: the chunks already committed stay (they are complete
    customers) and their number is returned. Run it in a worker thread with its own connection.

    `last_contact_at` is written with each customer and kept by the schema's interaction trigger
    as the conversations go in (the trigger costs about 7 us a row, some 2 s for 300,000, which
    is cheap enough to keep one source of truth). Sales go in the same way, their per-customer
    sums kept by the purchase trigger (about 8 us a sale: 8 s of a million, and no second
    source of truth to rebuild). 100,000 customers with about 1,000,000 sales: about 60 s of
    CPU, 75 s on a busy 2-core machine.
    """
    now = utc_naive(now or system_now()).replace(microsecond=0)
    maker = _Maker(random.Random(seed), now)
    tuned = customers >= BIG_BOOK
    if tuned:  # a big book: a larger page cache and fewer checkpoints, for this run only
        cache = db.execute_sql("PRAGMA cache_size").fetchone()[0]
        checkpoint = db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0]
        db.execute_sql(f"PRAGMA cache_size = {BIG_BOOK_CACHE}")
        db.execute_sql(f"PRAGMA wal_autocheckpoint = {BIG_BOOK_CHECKPOINT}")
    turn = _turn(db, patience, waiting)
    try:
        added = _generate(db, customers, seed, progress, now, maker, tag, turn)
        if added:
            from crmdesk.core import report

            with turn():
                _sample_segments(db, now)
            try:
                with turn():
                    report.warm_up(db, now.date())  # the first dashboard opens fast
            except BookBusy:  # only a speed-up: the dashboard works its figures out itself
                log.info("the dashboard's figures were not kept: another crmdesk was writing")
        return added
    finally:
        if tuned:
            db.execute_sql(f"PRAGMA cache_size = {int(cache)}")
            db.execute_sql(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")
            db.execute_sql("PRAGMA shrink_memory")


#: Saved segments that come with the samples (only into a book that has none yet), so the
#: Segments page shows what a segment is for.
SAMPLE_SEGMENTS = (
    ("Vegetarian buyers, last 90 days", {"bought_category": "Vegetarian",
                                         "bought_within_days": 90}),
    ("Good customers not seen for 90 days", {"rfm_segments": ("at_risk", "cant_lose")}),
    ("Champions", {"rfm_segments": ("champions",)}),
)


def _sample_segments(db: SqliteDatabase, now: dt.datetime) -> None:
    from crmdesk.core.segments import SegmentRules, SegmentStore

    store = SegmentStore(db, now=lambda: now)
    if store.all():
        return
    for name, rules in SAMPLE_SEGMENTS:
        store.save(name, SegmentRules(**rules))


def _turn(db: SqliteDatabase, patience: float | None, waiting: Callable[[], None] | None):
    """One transaction holding the write lock: waiting up to `patience` seconds for another
    crmdesk writing to the book (the command line), or the connection's own short wait."""
    if patience is None:
        return lambda: db.atomic("IMMEDIATE")
    said: list[bool] = []

    def once() -> None:  # "waiting for another crmdesk to finish…" once, not per chunk
        if waiting is not None and not said:
            said.append(True)
            waiting()

    return lambda: write_turn(db, patience=patience, waiting=once)


def _generate(db: SqliteDatabase, customers: int, seed: int, progress: Progress | None,
              now: dt.datetime, maker: _Maker, tag: str | None = None, turn=None) -> int:
    turn = turn or _turn(db, None, None)
    seller = None
    done = 0
    while done < customers:
        batch = [maker.customer() for _ in range(min(CHUNK, customers - done))]
        if seller is None:  # the sample catalogue first (its own transaction)
            with turn():
                seller = demo_sales.SalesMaker(seed, now.date(), demo_sales.catalogue_ids(db))
        sales = [seller.sales(row[19], dt.date.fromisoformat(row[24][:10]))
                 for row, *_rest in batch]
        with turn():
            first_id = db.execute_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM customer").fetchone()[0]
            _write(db, batch, first_id, tag)
            search.index_customers(db, range(first_id, first_id + len(batch)))
            demo_sales.write(db, [(first_id + n, s) for n, s in enumerate(sales) if s])
        done += len(batch)
        if progress is not None and progress(done, customers) is False:
            break
    return done


def _write(db: SqliteDatabase, batch: list[tuple], first_id: int,
           tag: str | None = None) -> None:
    tag_ids = {}
    for name in (*TAGS, tag) if tag else TAGS:
        db.execute_sql("INSERT OR IGNORE INTO tag (name) VALUES (?)", (name,))
        tag_ids[name] = db.execute_sql("SELECT id FROM tag WHERE name = ?", (name,)).fetchone()[0]
    rows, dates, talks, follow_ups, consents, links = [], [], [], [], [], []
    for offset, (row, c_dates, c_talks, c_follow, c_consents, c_tags) in enumerate(batch):
        cid = first_id + offset
        rows.append((cid, *row))
        dates.extend((cid, *d) for d in c_dates)
        talks.extend((cid, *t) for t in c_talks)
        follow_ups.extend((cid, *f) for f in c_follow)
        consents.extend((cid, *c) for c in c_consents)
        links.extend((cid, tag_ids[name]) for name in c_tags)
        if tag:
            links.append((cid, tag_ids[tag]))
    cursor = db.cursor()
    cursor.executemany(_INSERT_CUSTOMER, rows)
    cursor.executemany(_INSERT_DATE, dates)
    # The interaction trigger keeps last_contact_at; the customer row already holds the same value.
    cursor.executemany(_INSERT_INTERACTION, talks)
    cursor.executemany(_INSERT_FOLLOW_UP, follow_ups)
    cursor.executemany(_INSERT_CONSENT, consents)
    cursor.executemany(_INSERT_TAG_LINK, links)


def sample_ids(db: SqliteDatabase, tag: str = SAMPLE_TAG) -> list[int]:
    """The customers not in Trash that carry the sample tag, by id."""
    return [row[0] for row in db.execute_sql(
        "SELECT c.id FROM tag t JOIN customer_tag ct ON ct.tag_id = t.id "
        "JOIN customer c ON c.id = ct.customer_id "
        "WHERE t.name = ? AND c.deleted_at IS NULL ORDER BY c.id", (tag,)).fetchall()]


@lru_cache(maxsize=1)
def phone_ranges() -> dict[tuple[str, str], tuple[tuple[str, int, int, int], ...]]:
    """Per (country, city), the fictional ranges (prefix, width, low, high) phonenumbers accepts.

    Each range is checked once, by its first, middle and last number, not every number drawn;
    a range the installed phonenumbers rejects is left out (and with it a city without ranges).
    """
    usable = {}
    for country, (_weight, _streets, cities) in COUNTRIES.items():
        for city, _postcode, ranges in cities:
            valid = tuple(
                (prefix, width, low, high) for prefix, width, low, high in ranges
                if all(phonenumbers.is_valid_number(phonenumbers.parse(
                    f"{prefix}{n:0{width}d}", None)) for n in {low, (low + high) // 2, high}))
            if valid:
                usable[country, city] = valid
    return usable


def _ascii(text: str) -> str:
    """A name as it could appear in an e-mail address: Zoë Müller-Åberg -> zoemuller-aberg."""
    text = unicodedata.normalize("NFKD", fold(text).translate(_TRANSLIT))
    return "".join(ch for ch in text if ch.isascii() and (ch.isalnum() or ch == "-"))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


class _Maker:
    """Draws one customer at a time from a seeded random stream."""

    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        self.today = now.date()
        phones = phone_ranges()
        self.places = []  # per country: [(country, city, postcode pattern, phone ranges)]
        weights = []
        for country, (weight, _streets, cities) in COUNTRIES.items():
            places = [(country, city, postcode, phones[country, city])
                      for city, postcode, _ranges in cities if (country, city) in phones]
            if places:
                self.places.append(places)
                weights.append(weight)
        self.cum_weights = list(itertools.accumulate(weights))
        self.origins = tuple(NAMES)

    def _stamp(self, days_ago_low: float, days_ago_high: float) -> dt.datetime:
        """A moment in shop hours between the two ages (in days before now), never after now."""
        rng = self.rng
        day = self.now - dt.timedelta(days=int(rng.uniform(days_ago_low, days_ago_high)))
        return min(day.replace(hour=rng.randint(8, 18), minute=rng.randrange(60), second=0),
                   self.now)

    def _phone(self, ranges: tuple) -> str:
        prefix, width, low, high = self.rng.choice(ranges)
        return f"{prefix}{self.rng.randint(low, high):0{width}d}"

    def customer(self) -> tuple:
        """(customer columns after id, dates, conversations, follow-ups, consents, tag names)."""
        rng = self.rng
        country, city, postcode_pattern, ranges = rng.choice(
            rng.choices(self.places, cum_weights=self.cum_weights)[0])
        local = LOCAL_NAMES.get(country)
        origin = local if local and rng.random() < 0.7 else rng.choice(self.origins)
        first = rng.choice(NAMES[origin][0])
        last = rng.choice(NAMES[origin if rng.random() < 0.8 else rng.choice(self.origins)][1])
        kind = "business" if rng.random() < 0.1 else "person"
        business = ""
        if kind == "business":
            pattern = rng.choice(BUSINESS_PATTERNS[country] + BUSINESS_PATTERNS["*"])
            business = pattern.format(last=last, word=rng.choice(BUSINESS_WORDS), city=city)
        display = validation.display_name(CustomerInput(
            kind=kind, first_name=first, last_name=last, business_name=business))

        status = rng.choices(("customer", "prospect", "former"), cum_weights=(78, 92, 100))[0]
        created = self._stamp(200 if status == "former" else 0, 3 * 365)
        phone = self._phone(ranges) if rng.random() < 0.92 else ""
        phone_alt = self._phone(ranges) if phone and rng.random() < 0.08 else ""
        whatsapp = phone if phone and rng.random() < 0.45 else ""
        email = self._email(first, last, business) if rng.random() < 0.75 else ""
        address = postcode = ""
        if rng.random() < 0.6:
            address = rng.choice(COUNTRIES[country][1]).format(n=rng.randint(1, 120))
            postcode = "".join(str(rng.randrange(10)) if ch == "9" else
                               chr(65 + rng.randrange(26)) if ch == "A" else ch
                               for ch in postcode_pattern)
        diet = rng.choice(DIETS) if rng.random() < 0.3 else ""
        likes = ", ".join(rng.sample(LIKES, rng.randint(1, 3))) if rng.random() < 0.7 else ""
        dislikes = ", ".join(rng.sample(DISLIKES, rng.randint(1, 2))) if rng.random() < 0.35 else ""
        notes = rng.choice(NOTES) if rng.random() < 0.4 else ""
        sizes = rng.choice(SIZES) if rng.random() < 0.15 else ""
        keep = rng.choice((14, 30, 60, 90, 180)) if rng.random() < 0.2 else None
        tags = self._tags(kind, diet, status, email)
        dates = self._dates()
        talks = self._talks(status, created)
        last_contact = max((t[2] for t in talks), default=None)
        updated = created
        if rng.random() < 0.4:
            updated = max(created, self._stamp(0, (self.now - created).days))
        row = (kind, first, last, business, display, fold(display), phone, phone_alt, email,
               whatsapp, address, city, postcode, country, notes, likes, dislikes, diet, sizes,
               status, rng.choice(SOURCES), int(rng.random() < 0.02), keep, last_contact,
               created.isoformat(" "), updated.isoformat(" "))
        return (row, dates, talks, self._follow_ups(status, created),
                self._consents(created, phone, email, whatsapp), tags)

    def _email(self, first: str, last: str, business: str) -> str:
        rng = self.rng
        domain = rng.choice(_EMAIL_DOMAINS)
        if business:
            slug = "-".join(filter(None, (_ascii(word) for word in business.split())))
            return f"{rng.choice(('hello', 'info', 'orders', 'team'))}@{slug}.{domain}"
        f, s = _ascii(first), _ascii(last).replace("-", "")
        local = rng.choice((f"{f}.{s}", f"{f}{s}", f"{f[:1]}{s}", f"{s}.{f}", f"{f}_{s[:1]}"))
        if rng.random() < 0.3:
            local += str(rng.randint(1, 99))
        return f"{local}@{domain}"

    def _tags(self, kind: str, diet: str, status: str, email: str) -> list[str]:
        rng = self.rng
        tags = set(rng.sample(("regular", "gift-buyer", "local", "tourist", "birthday club"),
                              rng.choice((0, 0, 1, 1, 1, 2))))
        if rng.random() < 0.06:
            tags.add("vip")
        if diet in ("vegetarian", "vegan", "gluten-free"):
            tags.add(diet)
        if kind == "business" and rng.random() < 0.7:
            tags.add("wholesale")
        if email and status != "former" and rng.random() < 0.35:
            tags.add("newsletter")
        return sorted(tags)

    def _dates(self) -> list[tuple]:
        """About 2.5 a customer: a birthday for most, some anniversaries, labelled days."""
        rng = self.rng
        year_now = self.today.year
        entries = []
        if rng.random() < 0.9:
            entries.append(("birthday", "",
                            year_now - rng.randint(16, 85) if rng.random() < 0.55 else None))
        if rng.random() < 0.35:
            entries.append(("anniversary", "Wedding" if rng.random() < 0.5 else "",
                            year_now - rng.randint(1, 45)))
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 2, 3))):
            entries.append(("custom", rng.choice(CUSTOM_DAYS),
                            year_now - rng.randint(0, 30) if rng.random() < 0.3 else None))
        dates = []
        for kind, label, year in entries:
            month = rng.randint(1, 12)
            if month == 2:
                last_day = 28 if year is not None and not _leap(year) else 29
            else:
                last_day = 30 if month in (4, 6, 9, 11) else 31
            lead = rng.choice((3, 7, 14)) if rng.random() < 0.1 else None
            dates.append((kind, label, rng.randint(1, last_day), month, year, lead))
        return dates

    def _talks(self, status: str, created: dt.datetime) -> list[tuple]:
        """About 3 a customer over the last two years, oldest first; former ones stopped coming."""
        rng = self.rng
        count = {"customer": rng.choice((1, 2, 2, 3, 3, 4, 4, 5, 6)),
                 "prospect": rng.choice((0, 1, 1, 2)),
                 "former": rng.choice((1, 2, 3, 4))}[status]
        newest = 180 if status == "former" else 0
        oldest = max(min((self.now - created).days, _TWO_YEARS), newest)
        talks = []
        for moment in sorted(self._stamp(newest, oldest) for _ in range(count)):
            channel = rng.choices(_CHANNELS, cum_weights=CHANNEL_WEIGHTS)[0]
            template, direction = rng.choice(SUMMARIES[channel])
            when = max(moment, created).isoformat(" ")
            summary = template.format(p=rng.choice(PRODUCTS), q=rng.choice(PRODUCTS))
            talks.append((channel, direction, when, summary, when))
        return talks

    def _follow_ups(self, status: str, created: dt.datetime) -> list[tuple]:
        rng = self.rng
        if status == "former" or rng.random() > 0.18:
            return []
        result = []
        for _ in range(rng.choice((1, 1, 1, 2))):
            title = rng.choice(FOLLOW_UPS).format(p=rng.choice(PRODUCTS))
            if rng.random() < 0.45:  # still open: a few overdue, most coming up
                due = self.today + dt.timedelta(days=rng.randint(-20, 30))
                done = None
            else:
                due = self.today - dt.timedelta(days=rng.randint(1, 300))
                done_at = dt.datetime.combine(due + dt.timedelta(days=rng.randint(-3, 2)),
                                              dt.time(rng.randint(8, 18)))
                done = max(min(done_at, self.now), created).isoformat(" ")
            made = dt.datetime.combine(due - dt.timedelta(days=rng.randint(1, 30)), dt.time(10))
            made = min(max(made, created), self.now)
            result.append((title, due.isoformat(), done, made.isoformat(" ")))
        return result

    def _consents(self, created: dt.datetime, phone: str, email: str,
                  whatsapp: str) -> list[tuple]:
        rng = self.rng
        result = []
        for channel, present, chance in (("email", email, 0.6), ("sms", phone, 0.25),
                                         ("whatsapp", whatsapp, 0.5), ("phone", phone, 0.2)):
            if present and rng.random() < chance:
                on = self._stamp(0, (self.now - created).days).date()
                result.append((channel, int(rng.random() < 0.85), on.isoformat(),
                               rng.choice(CONSENT_SOURCES)))
        return result
