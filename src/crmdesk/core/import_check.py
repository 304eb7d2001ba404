"""Checking the rows of an import: each row read and validated on its own, on both cores.

`outcomes(...)` yields, for every row in order, its checked and normalised `CustomerInput`, or
the reason it is rejected (a string for the user). Rows do not depend on one another here (the
duplicate search, which does, stays in `importing.plan`), so a large file is split in chunks:
this process checks chunks from the front while one helper process checks chunks from the back,
until they meet. The helper is started with the "spawn" method (safe from a thread of a Qt
program, and the same on every system); a frozen program must call
`multiprocessing.freeze_support()` first thing in its entry point. When the helper cannot start
or fails, this process checks what is left itself: the answers are the same either way, only
slower. Until the helper has answered once, its chunks are not waited for (this process checks
them when they are due), so a helper slow to start, or stuck, costs nothing but its start-up;
one that never answered is stopped at the end. Closing the generator early (a cancelled check)
drops the chunks the helper has not started.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import operator
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from crmdesk.core import phones, validation
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.formats.import_rows import RowProblem, RowReader, kept_as_written, reason

CHUNK = 2000
PARALLEL_FROM = 20_000  # rows; below this a helper's start-up (some 0.3 s) is not worth it
_IN_FLIGHT = 2  # chunks handed to the helper ahead, so it never waits for the next one

Outcome = CustomerInput | str

_FIELDS = tuple(f.name for f in dataclasses.fields(CustomerInput))
_LISTS = ("tags", "dates", "consents")
_SCALARS = tuple(name for name in _FIELDS if name not in _LISTS)
_POSITIONAL = _FIELDS[-3:] == _LISTS  # the lists last: build by position (twice as fast)
_DATE_FIELDS = tuple(f.name for f in dataclasses.fields(DateInput))
_CONSENT_FIELDS = tuple(f.name for f in dataclasses.fields(ConsentInput))


#: The longest value an import takes in each field, in characters. A longer value rejects its
#: row, saying which field and how long (the row is kept whole in the file, and in the rejected
#: rows file to fix): never cut silently, and never stored as a 10 MB name that slows every
#: list and search. Far above real names, addresses and notes.
# Short fields are capped near what any real value needs; the free-text ones far above it (a
# shop's notes on a customer, carried over from another program, can run to pages: 100,000
# characters is some 50 pages), so only a hostile file meets them.
FIELD_CAPS = {"first_name": 200, "last_name": 200, "business_name": 200, "email": 254,
              "phone": 64, "phone_alt": 64, "whatsapp": 64, "address": 2000, "city": 200,
              "postcode": 40, "country": 100, "notes": 100_000, "likes": 20_000,
              "dislikes": 20_000, "diet": 20_000, "sizes": 20_000, "source": 200}
MAX_TAGS = 100  # tags on one customer
MAX_TAG = 100  # characters in one tag
_NAMES = {"first_name": "First name", "last_name": "Last name", "business_name": "Company",
          "email": "E-mail", "phone": "Phone", "phone_alt": "Second phone",
          "whatsapp": "WhatsApp", "address": "Address", "city": "City", "postcode": "Postcode",
          "country": "Country", "notes": "Notes", "likes": "Likes", "dislikes": "Dislikes",
          "diet": "Diet", "sizes": "Sizes", "source": "Source"}


_CAPPED = operator.attrgetter(*FIELD_CAPS)
_CAPS = tuple(FIELD_CAPS.values())


def too_long(data: CustomerInput) -> str | None:
    """Why `data` is refused for a value past its cap (FIELD_CAPS), or None."""
    try:  # the usual case, all within bounds, in one quick pass
        if not any(map(operator.gt, map(len, _CAPPED(data)), _CAPS)) and \
                len(data.tags) <= MAX_TAGS and max(map(len, data.tags), default=0) <= MAX_TAG:
            return None
    except TypeError:  # a value that is not text: the careful way below
        pass
    for name, cap in FIELD_CAPS.items():
        value = getattr(data, name)
        if value.__class__ is str and len(value) > cap:
            return (f"{_NAMES[name]} is {len(value):,} characters long; an import takes at "
                    f"most {cap:,}. Shorten it in the file.")
    if len(data.tags) > MAX_TAGS:
        return f"{len(data.tags):,} tags; an import takes at most {MAX_TAGS}."
    for tag in data.tags:
        if len(tag) > MAX_TAG:
            return (f"A tag is {len(tag):,} characters long; an import takes at most "
                    f"{MAX_TAG}. Shorten it in the file.")
    return None


def check_row(reader: RowReader, raw: list, default_country: str, today: dt.date,
              normalise_phone: phones.Normaliser) -> Outcome:
    """One row: its checked data, or why it is rejected (as the user reads it)."""
    try:
        data = reader.read(raw)
        long = too_long(data)
        if long is not None:
            return long
        return validation.validate(data, default_country, today,
                                   normalise_phone=normalise_phone)
    except RowProblem as exc:
        return str(exc)
    except validation.ValidationError as exc:
        kept = keep_unchecked(data, exc.errors)
        if kept is None:
            return reason(exc.errors, data)
    try:
        return validation.validate(kept, default_country, today, normalise_phone=normalise_phone)
    except validation.ValidationError as exc:
        return reason(exc.errors, kept)


def keep_unchecked(data: CustomerInput, errors: dict[str, str]) -> CustomerInput | None:
    """`data` with the dates and the e-mail that fail their check moved to the notes as written,
    when those are the row's only problems (a person is never turned away for them); else None.
    """
    if not all(key.startswith("dates.") or key == "email" for key in errors):
        return None
    lines, bad = [], set()
    for key in errors:
        if key == "email":
            lines.append(kept_as_written("E-mail", data.email))
            continue
        index = int(key.split(".")[1])
        item = data.dates[index]
        bad.add(index)
        what = item.label or "Date" if item.kind == "custom" else item.kind.capitalize()
        year = f"/{item.year}" if item.year else ""
        lines.append(kept_as_written(what, f"{item.day:02d}/{item.month:02d}{year}"))
    notes = "\n".join([data.notes, *lines]) if data.notes else "\n".join(lines)
    return dataclasses.replace(
        data, notes=notes, email="" if "email" in errors else data.email,
        dates=[d for i, d in enumerate(data.dates) if i not in bad])


def pack(data: CustomerInput) -> tuple:
    """A CustomerInput as plain tuples: about five times cheaper to send between processes."""
    return (tuple(getattr(data, name) for name in _SCALARS), tuple(data.tags),
            tuple(tuple(getattr(d, n) for n in _DATE_FIELDS) for d in data.dates),
            tuple(tuple(getattr(c, n) for n in _CONSENT_FIELDS) for c in data.consents))


def unpack(packed: tuple) -> CustomerInput:
    scalars, tags, dates, consents = packed
    tags = list(tags)
    dates = [DateInput(*d) for d in dates] if dates else []
    consents = [ConsentInput(*c) for c in consents] if consents else []
    if _POSITIONAL:
        return CustomerInput(*scalars, tags, dates, consents)
    return CustomerInput(**dict(zip(_SCALARS, scalars, strict=True)), tags=tags, dates=dates,
                         consents=consents)


# --- the helper process (module-level state lives only in that process) ----------------------

_helper: tuple[RowReader, str, dt.date, phones.Normaliser] | None = None


def _start_helper(reader: RowReader, default_country: str, today: dt.date) -> None:
    global _helper
    _leave_with_parent()
    gc.disable()  # this process only checks rows: see import_common.paused_gc
    _helper = (reader, default_country, today, phones.Normaliser(default_country))


def _leave_with_parent() -> None:
    """End this helper as soon as the program that started it ends, however it ended (a killed
    import would otherwise leave the helper, and multiprocessing's resource tracker with it,
    running for good): a thread waits on the parent's sentinel, which every system signals when
    the parent is gone (a pipe's end on POSIX, the process handle on Windows)."""
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="crmdesk-parent-watch", daemon=True).start()


def _check_chunk(rows: list[list]) -> list:
    reader, country, today, normalise_phone = _helper
    out = []
    for raw in rows:
        outcome = check_row(reader, raw, country, today, normalise_phone)
        out.append(outcome if isinstance(outcome, str) else pack(outcome))
    return out


# --- this process --------------------------------------------------------------------------

def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def outcomes(reader: RowReader, rows: list[list], default_country: str, today: dt.date,
             parallel: bool | None = None, patient: bool = False) -> Iterator[Outcome]:
    """Every row's outcome, in order. `parallel`: None decides by the number of rows and
    cores, False checks everything here, True uses a helper whatever the size (for tests).
    `patient` waits for the helper's first answer instead of checking its chunks here when
    they are due first (for tests, which must see the helper's work)."""
    normalise_phone = phones.Normaliser(default_country)
    if parallel is None:
        parallel = len(rows) >= PARALLEL_FROM and _cores() >= 2
    if not parallel or len(rows) <= CHUNK:
        for raw in rows:
            yield check_row(reader, raw, default_country, today, normalise_phone)
        return
    helper = _Helper(reader, default_country, today, rows)
    helper.answered = patient
    finished = False
    try:
        for number, start in enumerate(helper.starts):
            helper.feed(number)
            packed = helper.take(number)
            if packed is None:  # ours to check
                for raw in rows[start:start + CHUNK]:
                    yield check_row(reader, raw, default_country, today, normalise_phone)
            else:
                for outcome in packed:
                    yield outcome if outcome.__class__ is str else unpack(outcome)
        finished = True
    finally:
        helper.close(finished)


class _Helper:
    """The helper process and the chunks handed to it, taken from the back of the file."""

    def __init__(self, reader: RowReader, default_country: str, today: dt.date,
                 rows: list[list]):
        self.rows = rows
        self.starts = range(0, len(rows), CHUNK)
        self.back = len(self.starts)  # chunks from here on were handed to the helper
        self.sent: dict[int, Future] = {}  # chunk number -> its answer to come
        self.done: dict[int, list] = {}  # chunk number -> packed outcomes
        self.answered = False  # the helper has checked a chunk: it started and works
        self.pool = _open_pool(reader, default_country, today)

    def feed(self, front: int) -> None:
        """Collect what the helper finished and hand it more chunks (never chunk `front`)."""
        if self.pool is None:
            return
        try:
            for number, future in list(self.sent.items()):
                if future.done():
                    self.done[number] = future.result()
                    del self.sent[number]
                    self.answered = True
            while len(self.sent) < _IN_FLIGHT and self.back - 1 > front:
                self.back -= 1
                start = self.starts[self.back]
                self.sent[self.back] = self.pool.submit(_check_chunk,
                                                        self.rows[start:start + CHUNK])
        except Exception:  # noqa: BLE001  (it died or could not start: its chunks are ours)
            self._give_up()

    def take(self, number: int) -> list | None:
        """The helper's packed outcomes for a chunk, or None when this process must check it:
        a chunk never handed over, or handed to a helper that failed or has not answered yet
        (one still starting, or stuck, is not waited for)."""
        if number in self.done:
            return self.done.pop(number)
        future = self.sent.pop(number, None)
        if future is None:
            return None
        if not self.answered:
            future.cancel()
            return None
        try:
            return future.result()
        except Exception:  # noqa: BLE001
            self._give_up()
            return None

    def _give_up(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        for number, future in self.sent.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                self.done[number] = future.result()
        self.sent.clear()

    def close(self, finished: bool) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if finished and self.answered:
            pool.shutdown(wait=True)
            return
        # Stopped early, or never heard from: drop what it has not started, and stop a helper
        # that never answered rather than leave it behind.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        if not self.answered:
            for process in processes:
                process.terminate()


def _open_pool(reader: RowReader, default_country: str,
               today: dt.date) -> ProcessPoolExecutor | None:
    import multiprocessing

    try:
        return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_helper,
                                   initargs=(reader, default_country, today))
    except Exception:  # noqa: BLE001  (no helper: this process checks everything)
        return None
