"""Checking the rows of an import: each row read and validated on its own, on both cores.

`outcomes(...)` yields, for every row in order, its checked and normalised `CustomerInput`, or
the reason it is rejected (a string for the user). Rows do not depend on one another here (the
duplicate search, which does, stays in `importing.plan`), so a large file is split in chunks:
this process checks chunks from the front while one helper process checks chunks from the back,
until they meet. The helper is started with the "spawn" method (safe from a thread of a Qt
program, and the same on every system); a frozen program must call
`multiprocessing.freeze_support()` first thing in its entry point. When the helper cannot start
or fails, this process checks what is left itself: the answers are the same either way, only
slower. Closing the generator early (a cancelled check) stops the helper.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from crmdesk.core import phones, validation
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.formats.import_rows import RowProblem, RowReader, reason

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


def check_row(reader: RowReader, raw: list, default_country: str, today: dt.date,
              normalise_phone: phones.Normaliser) -> Outcome:
    """One row: its checked data, or why it is rejected (as the user reads it)."""
    try:
        data = reader.read(raw)
        return validation.validate(data, default_country, today,
                                   normalise_phone=normalise_phone)
    except RowProblem as exc:
        return str(exc)
    except validation.ValidationError as exc:
        return reason(exc.errors, data)


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
    gc.disable()  # this process only checks rows: see import_common.paused_gc
    _helper = (reader, default_country, today, phones.Normaliser(default_country))


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
             parallel: bool | None = None) -> Iterator[Outcome]:
    """Every row's outcome, in order. `parallel`: None decides by the number of rows and
    cores, False checks everything here, True uses a helper whatever the size (for tests)."""
    normalise_phone = phones.Normaliser(default_country)
    if parallel is None:
        parallel = len(rows) >= PARALLEL_FROM and _cores() >= 2
    if not parallel or len(rows) <= CHUNK:
        for raw in rows:
            yield check_row(reader, raw, default_country, today, normalise_phone)
        return
    starts = list(range(0, len(rows), CHUNK))
    done: dict[int, list] = {}  # chunk number -> packed outcomes from the helper
    sent: dict[Future, int] = {}
    front, back = 0, len(starts)  # chunks front.. back-1 are neither checked nor sent
    pool = _open_pool(reader, default_country, today)
    finished = False
    try:
        while front < len(starts):
            if pool is not None:
                pool, back = _feed(pool, sent, done, rows, starts, front, back)
            if front in done:
                for packed in done.pop(front):
                    yield packed if isinstance(packed, str) else unpack(packed)
            elif front < back or pool is None:
                # ours to check (or the helper failed and left it to us)
                start = starts[front]
                for raw in rows[start:start + CHUNK]:
                    yield check_row(reader, raw, default_country, today, normalise_phone)
                if front >= back:
                    back = front + 1
            else:
                wait(list(sent), return_when=FIRST_COMPLETED)
                continue
            front += 1
        finished = True
    finally:
        if pool is not None:  # stopped early: the helper drops what it has not started
            pool.shutdown(wait=finished, cancel_futures=True)


def _open_pool(reader: RowReader, default_country: str,
               today: dt.date) -> ProcessPoolExecutor | None:
    import multiprocessing

    try:
        return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_helper,
                                   initargs=(reader, default_country, today))
    except Exception:  # noqa: BLE001  (no helper: this process checks everything)
        return None


def _feed(pool: ProcessPoolExecutor, sent: dict[Future, int], done: dict[int, list],
          rows: list[list], starts: list[int], front: int,
          back: int) -> tuple[ProcessPoolExecutor | None, int]:
    """Collect what the helper finished and hand it more chunks from the back. On any failure
    of the helper, its unfinished chunks go back to this process (None is returned)."""
    try:
        for future in [f for f in sent if f.done()]:
            done[sent.pop(future)] = future.result()
        while len(sent) < _IN_FLIGHT and back - 1 > front:
            back -= 1
            start = starts[back]
            sent[pool.submit(_check_chunk, rows[start:start + CHUNK])] = back
        return pool, back
    except Exception:  # noqa: BLE001  (the helper died or could not start)
        pool.shutdown(wait=False, cancel_futures=True)
        for future, number in sent.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                done[number] = future.result()
        lost = [n for f, n in sent.items() if n not in done]
        sent.clear()
        return None, min([back, *lost]) if lost else back
