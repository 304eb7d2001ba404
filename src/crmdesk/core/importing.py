"""Import customers: a dry run first (`plan`), then one transaction (`apply`), then `undo`.

    table = import_file.read_file(path, sheet)              # formats/: ImportFileError
    mapping = import_mapping.build_mapping(table.headers, preset, user_mapping)
    orders = import_mapping.date_orders(table, mapping)     # "ambiguous" -> ask dmy / mdy
    plan_ = plan(table, mapping, db, country, on_duplicate, date_order)   # writes nothing
    result = apply(plan_, db, progress)                     # all or nothing; ImportCancelled
    undo(result, db)                                        # created -> Trash, merged -> before

Duplicates are found against live customers (not those in Trash) and within the file, by the
normalised phone numbers (phone, second phone, WhatsApp), then the e-mail, then the same name
(case and accents folded). A merge only fills what the existing customer lacks: empty fields take
the file's value, new phones and e-mails go to empty slots or else to the notes, tags and dates
are added; nothing already there is overwritten.

Undo works within the session that ran the import: `ImportResult` holds the created ids and the
merged customers' data as it was before (the schema has no import table, and it is not ours to
change). Created customers go to Trash, so even undo loses nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.core import import_check, validation
from crmdesk.core.clock import Now, system_now, utc_naive
from crmdesk.core.customers import CustomerBook, NotFound
from crmdesk.core.model import CustomerInput
from crmdesk.core.text import fold
from crmdesk.core.write_turn import write_turn
from crmdesk.formats.export_csv import is_own_export
from crmdesk.formats.export_files import atomic_output
from crmdesk.formats.import_common import Table, cell_text, paused_gc
from crmdesk.formats.import_mapping import AmbiguousDates, check_mapping, date_orders, date_shape
from crmdesk.formats.import_rows import RowReader, reason  # noqa: F401  (import_json uses it)
from crmdesk.store import search

Progress = Callable[[int, int], bool | None]
ON_DUPLICATE = ("skip", "merge", "create")
CHUNK = 2000

_COLUMNS = ("id", "kind", "first_name", "last_name", "business_name", "display_name",
            "sort_name", "phone", "phone_alt", "email", "whatsapp", "address", "city",
            "postcode", "country", "notes", "likes", "dislikes", "diet", "sizes", "status",
            "source", "do_not_contact", "keep_in_touch_days", "phone_check", "created_at",
            "updated_at")
_INSERT = f"INSERT INTO customer ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_INSERT_DATE = ("INSERT INTO important_date (customer_id, kind, label, day, month, year, "
                "lead_days) VALUES (?, ?, ?, ?, ?, ?, ?)")
_FILL = ("first_name", "last_name", "business_name", "address", "city", "postcode", "country",
         "likes", "dislikes", "diet", "sizes", "source", "whatsapp")


class ImportCancelled(Exception):
    """The user cancelled: the transaction was rolled back and nothing was written."""


@dataclass
class PlannedRow:
    index: int  # position in table.rows
    label: str  # "Row 7" / "Card 3", as the user sees the file
    action: str  # "create", "merge", "skip", "reject"
    data: CustomerInput | None = None  # checked and normalised (None when rejected)
    existing_id: int | None = None  # the customer to merge into, or that made it a duplicate
    reason: str = ""  # why it is skipped or rejected, in plain words


@dataclass
class ImportPlan:
    table: Table
    mapping: dict[str, str]
    on_duplicate: str
    default_country: str
    today: dt.date
    rows: list[PlannedRow]

    def _with(self, action: str) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == action]

    @property
    def to_create(self) -> list[PlannedRow]:
        return self._with("create")

    @property
    def to_merge(self) -> list[PlannedRow]:
        return self._with("merge")

    @property
    def skipped(self) -> list[PlannedRow]:
        return self._with("skip")

    @property
    def rejected(self) -> list[PlannedRow]:
        return self._with("reject")

    @property
    def kept_as_written(self) -> list[PlannedRow]:
        """Rows to add or merge with a phone number that could not be checked: kept as
        written and marked "to check" (`CustomerInput.phone_check`), not refused."""
        return [r for r in self.rows if r.action in ("create", "merge")
                and r.data is not None and r.data.phone_check]


@dataclass
class ImportResult:
    batch: str  # the import's marker, shown to the user and kept with the undo data
    created_ids: list[int] = field(default_factory=list)
    merged: list[tuple[int, CustomerInput]] = field(default_factory=list)  # (id, data before)
    skipped: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)  # merges that could not be written
    kept_as_written: int = 0  # customers added or merged with a phone number left to check


def fast_fold(text: str) -> str:
    """`core.text.fold`, skipping its Unicode decomposition for plain ASCII (a no-op there)."""
    return " ".join(text.casefold().split()) if text.isascii() else fold(text)


def _keys(data: CustomerInput) -> list[tuple[str, str]]:
    phone, phone_alt, whatsapp = data.phone, data.phone_alt, data.whatsapp
    if phone_alt or whatsapp:
        keys = [("phone", p) for p in dict.fromkeys((phone, phone_alt, whatsapp)) if p]
    else:
        keys = [("phone", phone)] if phone else []
    if data.email:
        keys.append(("email", data.email.casefold()))
    name = fast_fold(validation.display_name(data))
    if name:
        keys.append(("name", name))
    return keys


_WHY = {"phone": "same phone number", "email": "same e-mail", "name": "same name"}


def known_keys(db: SqliteDatabase) -> dict[tuple[str, str], int]:
    """Duplicate keys (phone, e-mail, name) of the customers already in the book -> their id."""
    known: dict[tuple[str, str], int] = {}
    for cid, phone, phone_alt, whatsapp, email, sort_name in db.execute_sql(
            "SELECT id, phone, phone_alt, whatsapp, email, sort_name FROM customer "
            "WHERE deleted_at IS NULL ORDER BY id"):
        for key in (("phone", phone), ("phone", phone_alt), ("phone", whatsapp),
                    ("email", (email or "").casefold()), ("name", sort_name)):
            if key[1]:
                known.setdefault(key, cid)
    return known


def _first(keys: list[tuple[str, str]], found: dict) -> tuple | None:
    """(what the first key found maps to, that key's kind), or None."""
    for key in keys:
        if key in found:
            return found[key], key[0]
    return None


def place_row(row: PlannedRow, known: dict, in_file: dict, on_duplicate: str) -> PlannedRow:
    """Decide what a checked row becomes: created, or skipped / merged as a duplicate of a
    customer in the book (`known`) or of an earlier row of the file (`in_file`, updated)."""
    data = row.data
    keys = _keys(data)
    if on_duplicate == "create":  # created whatever it matches
        existing = earlier = None
    else:
        existing = _first(keys, known)
        earlier = _first(keys, in_file)
    if on_duplicate != "create" and existing is not None:
        row.existing_id = existing[0]
        if on_duplicate == "skip":
            row.action = "skip"
            row.reason = f"Already in your book ({_WHY[existing[1]]})."
        else:
            row.action = "merge"
    elif on_duplicate != "create" and earlier is not None:
        first, why = earlier
        row.action = "skip"
        row.existing_id = first.existing_id
        if on_duplicate == "merge" and first.data is not None:
            first.data = merge_into(first.data, data)
            row.reason = f"Combined with {first.label.lower()} ({_WHY[why]})."
        else:
            row.reason = f"Same customer as {first.label.lower()} ({_WHY[why]})."
    if row.action in ("create", "merge"):
        for key in keys:
            in_file.setdefault(key, row)
    return row


def plan(table: Table, mapping: dict[str, str], db: SqliteDatabase, default_country: str,
         on_duplicate: str = "skip", date_order: str | None = None,
         today: dt.date | None = None, progress: Progress | None = None,
         parallel: bool | None = None) -> ImportPlan:
    """Check every row and find duplicates; writes nothing. Raises MappingError (AmbiguousDates
    when a date column reads both ways and `date_order` is None) and ImportCancelled.
    A large file is checked on two cores (`import_check`; `parallel` False: on this one)."""
    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(f"on_duplicate must be one of {ON_DUPLICATE}")
    if date_order not in (None, "dmy", "mdy"):
        raise ValueError("date_order must be 'dmy', 'mdy' or None")
    today = today or system_now().date()
    check_mapping(mapping, table.headers)
    orders = date_orders(table, mapping)
    unsure = {h: [r[table.headers.index(h)] for r in table.rows
                  if date_shape(r[table.headers.index(h)]) == "either"][:3]
              for h, o in orders.items() if o == "ambiguous"}
    if unsure and date_order is None:
        raise AmbiguousDates(unsure)
    by_index = {i: (orders.get(h) if orders.get(h) in ("dmy", "mdy") else date_order)
                for i, h in enumerate(table.headers)}
    reader = RowReader(table, mapping, by_index, today, default_country)

    known = known_keys(db)
    in_file: dict[tuple[str, str], PlannedRow] = {}
    # crmdesk's own export: its rows were apart in the book it comes from (two Anna Smiths),
    # so they are matched against this book only, never against each other.
    own = is_own_export(table.headers)
    rows: list[PlannedRow] = []
    total = len(table.rows)
    checked = import_check.outcomes(reader, table.rows, default_country, today, parallel)
    with closing(checked), paused_gc():  # closing: a cancelled check stops its helper process
        for index, outcome in enumerate(checked):
            label = table.label(index)
            if outcome.__class__ is str:
                rows.append(PlannedRow(index, label, "reject", reason=outcome))
            else:
                rows.append(place_row(PlannedRow(index, label, "create", outcome), known,
                                      {} if own else in_file, on_duplicate))
            if progress is not None and index % CHUNK == CHUNK - 1 and \
                    progress(index + 1, total) is False:
                raise ImportCancelled("The check was cancelled.")
    return ImportPlan(table, mapping, on_duplicate, default_country, today, rows)


def choose(row: PlannedRow, action: str) -> None:
    """Change what happens to one row after the dry run (the wizard's "row by row" choice):
    a row that was checked may be created, skipped, or merged into the customer it matched."""
    if row.action == "reject":
        raise ValueError("A rejected row cannot be imported: fix it in the file.")
    if action not in ("create", "skip", "merge"):
        raise ValueError(f"unknown action {action!r}")
    if action == "merge" and row.existing_id is None:
        raise ValueError("This row matches no customer in the book to merge into.")
    row.action = action
    if action != "skip":
        row.reason = ""


def merge_into(base: CustomerInput, new: CustomerInput) -> CustomerInput:
    """`base` with what it lacks taken from `new` (never overwriting what `base` holds)."""
    out = dataclasses.replace(base, tags=list(base.tags), dates=list(base.dates),
                              consents=list(base.consents))
    for name in _FILL:
        if not getattr(out, name) and getattr(new, name):
            setattr(out, name, getattr(new, name))
    extra = []
    for number in (new.phone, new.phone_alt):
        if not number or number in (out.phone, out.phone_alt, out.whatsapp):
            continue
        if not out.phone:
            out.phone = number
        elif not out.phone_alt:
            out.phone_alt = number
        else:
            extra.append(f"Other phone: {number}")
    if new.email and new.email != out.email:
        if not out.email:
            out.email = new.email
        else:
            extra.append(f"Other e-mail: {new.email}")
    notes = [n for n in (new.notes, *extra) if n and n not in out.notes]
    if notes:
        out.notes = "\n".join(x for x in (out.notes, *notes) if x)
    known_tags = {t.casefold() for t in out.tags}
    out.tags += [t for t in new.tags if t.casefold() not in known_tags]
    have = {(d.kind, d.label.casefold()) for d in out.dates}
    out.dates += [dataclasses.replace(d, id=None) for d in new.dates
                  if (d.kind, d.label.casefold()) not in have]
    channels = {c.channel for c in out.consents}
    out.consents += [c for c in new.consents if c.channel not in channels]
    out.do_not_contact = out.do_not_contact or new.do_not_contact  # a "no" is never lost
    if out.keep_in_touch_days is None:
        out.keep_in_touch_days = new.keep_in_touch_days
    return out


def recheck(plan_: ImportPlan, db: SqliteDatabase) -> int:
    """Inside the transaction that writes: rows planned as new customers that now match one in
    the book (added or changed by another program since the check, such as the same file
    imported twice at once) are skipped or merged, as the plan's `on_duplicate` says. Rows the
    user chose to create although they matched (`existing_id` set) are left as chosen.
    Returns how many rows changed."""
    if plan_.on_duplicate == "create":
        return 0
    fresh = [r for r in plan_.rows
             if r.action == "create" and r.existing_id is None and r.data is not None]
    if not fresh:
        return 0
    known = known_keys(db)
    changed = 0
    for row in fresh:
        found = _first(_keys(row.data), known)
        if found is None:
            continue
        row.existing_id = found[0]
        if plan_.on_duplicate == "merge":
            row.action = "merge"
        else:
            row.action = "skip"
            row.reason = (f"Already in your book ({_WHY[found[1]]}): added by another "
                          "import while this one was checked.")
        changed += 1
    return changed


def apply(plan_: ImportPlan, db: SqliteDatabase, progress: Progress | None = None,
          now: Now = system_now, patience: float | None = None,
          waiting: Callable[[], None] | None = None,
          still_waiting: Callable[[], bool | None] | None = None) -> ImportResult:
    """Write the plan in one transaction. `progress(done, total)` is called every few thousand
    customers; returning False cancels: ImportCancelled is raised and nothing is written.

    The transaction takes the book's write lock first (`write_turn`; another crmdesk writing:
    `waiting()` is called and the lock waited for up to `patience` seconds, else BookBusy),
    then checks the duplicates again against what the book now holds (`recheck`, which may
    change the plan's rows), then writes. `still_waiting()` returning False stops the wait."""
    with write_turn(db, patience, waiting, still_waiting):
        recheck(plan_, db)
        return _write(plan_, db, progress, now)


def _write(plan_: ImportPlan, db: SqliteDatabase, progress: Progress | None,
           now: Now) -> ImportResult:
    result = ImportResult(batch=uuid.uuid4().hex[:12], skipped=len(plan_.skipped),
                          rejected=len(plan_.rejected),
                          kept_as_written=len(plan_.kept_as_written))
    creates = [r.data for r in plan_.to_create]
    merges = plan_.to_merge
    total = len(creates) + len(merges)
    # As sqlite3 would write the datetime itself (its default adapter), once for all rows.
    stamp = utc_naive(now()).isoformat(" ")
    book = CustomerBook(db, now=now, default_country=lambda: plan_.default_country)
    done = 0

    def report(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None and progress(done, total) is False:
            raise ImportCancelled("The import was cancelled: nothing was written.")

    with db.atomic(), paused_gc():
        tags = _tags(db, {t for d in creates for t in d.tags})
        next_id = db.execute_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM customer").fetchone()[0]
        if creates:  # search rows left by customers deleted for good, if any: not theirs
            search.clear_range(db, next_id, next_id + len(creates) - 1)
        for start in range(0, len(creates), CHUNK):
            chunk = creates[start:start + CHUNK]
            ids = range(next_id, next_id + len(chunk))
            next_id += len(chunk)
            _insert(db, *_layout(chunk, ids, tags, stamp))
            _insert_consents(db, chunk, ids, plan_.today)
            result.created_ids.extend(ids)
            report(len(chunk))
        pending = 0
        for row in merges:
            try:
                before = book.load_input(row.existing_id)
            except NotFound:  # gone since the check: add the row as a new customer
                result.created_ids.append(book.create(row.data))
            else:
                try:
                    book.update(row.existing_id, merge_into(before, row.data))
                    result.merged.append((row.existing_id, before))
                except validation.ValidationError as exc:
                    result.problems.append(f"{row.label}: could not be merged ({exc}).")
            pending += 1
            if pending == 200:
                report(pending)
                pending = 0
        report(pending)
    return result


def _tags(db: SqliteDatabase, names: set[str]) -> dict[str, tuple[int, str]]:
    """{tag as in the file: (its id, its name as kept)}, adding the tags the book lacks (a tag
    already there keeps its spelling: names are compared without case)."""
    tags = {}
    for name in sorted(names):
        db.execute_sql("INSERT OR IGNORE INTO tag (name) VALUES (?)", (name,))
        tags[name] = tuple(db.execute_sql("SELECT id, name FROM tag WHERE name = ?",
                                          (name,)).fetchone())
    return tags


def _layout(chunk: list[CustomerInput], ids: range, tags: dict[str, tuple[int, str]],
            stamp: str) -> tuple[list, list, list, list]:
    """The rows to insert for new customers: customer, dates, tag links, and search rows (built
    here from the data, as `search.index_customers` would build them from the tables)."""
    rows, dates, links, found = [], [], [], []
    for cid, d in zip(ids, chunk, strict=True):
        display = validation.display_name(d)
        rows.append((cid, d.kind, d.first_name, d.last_name, d.business_name, display,
                     fast_fold(display), d.phone, d.phone_alt, d.email, d.whatsapp, d.address,
                     d.city, d.postcode, d.country, d.notes, d.likes, d.dislikes, d.diet,
                     d.sizes, d.status, d.source, int(d.do_not_contact), d.keep_in_touch_days,
                     d.phone_check, stamp, stamp))
        if d.dates:
            dates.extend((cid, x.kind, x.label, x.day, x.month, x.year, x.lead_days)
                         for x in d.dates)
        tag_names = None
        if d.tags:
            own = dict(tags[t] for t in d.tags)
            links.extend((cid, tag_id) for tag_id in own)
            # As the index's group_concat lists them: in the order of the tag ids.
            tag_names = " ".join(own[tag_id] for tag_id in sorted(own))
        found.append((cid, *search.row_text(
            (cid, d.first_name, d.last_name, d.business_name, display, d.email, d.phone,
             d.phone_alt, d.whatsapp, d.city, d.postcode, d.country, d.address, d.notes,
             d.likes, d.dislikes, d.diet, d.sizes, d.source, tag_names))))
    return rows, dates, links, found


def _insert_consents(db: SqliteDatabase, chunk: list[CustomerInput], ids: range,
                     today: dt.date) -> None:
    """The new customers' consents; one without a date is recorded on the day of the import."""
    rows = [(cid, c.channel, int(c.granted), (c.recorded_on or today).isoformat(), c.source)
            for cid, d in zip(ids, chunk, strict=True) for c in d.consents]
    if rows:
        db.cursor().executemany(
            "INSERT OR REPLACE INTO consent (customer_id, channel, granted, recorded_on, "
            "source) VALUES (?, ?, ?, ?, ?)", rows)


def _insert(db: SqliteDatabase, rows: list, dates: list, links: list, found: list) -> None:
    cursor = db.cursor()
    cursor.executemany(_INSERT, rows)
    cursor.executemany(_INSERT_DATE, dates)
    cursor.executemany("INSERT OR IGNORE INTO customer_tag (customer_id, tag_id) VALUES (?, ?)",
                       links)
    search.add_rows(db, found)


def undo(result: ImportResult, db: SqliteDatabase, now: Now = system_now,
         default_country: str = "") -> None:
    """Undo an import of this session in one transaction: the customers it created go to Trash
    (where Restore brings them back) and merged customers get their earlier data back."""
    book = CustomerBook(db, now=now, default_country=lambda: default_country)
    with db.atomic():
        for start in range(0, len(result.created_ids), 500):
            book.trash(result.created_ids[start:start + 500])
        for cid, before in reversed(result.merged):  # the first snapshot is restored last
            try:
                book.update(cid, before)
            except NotFound:
                continue  # sent to Trash since: nothing to put back on the list


def rejected_csv(plan_: ImportPlan, path: Path | str) -> int:
    """Write the rejected rows, as they were in the file, with a "reason" column first; returns
    how many. UTF-8 with a byte-order mark, so spreadsheet programs show accents right.
    Readable by its owner only (it holds personal data); ExportError when it cannot be written."""
    rejected = plan_.rejected
    with atomic_output(Path(path), encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reason", *plan_.table.headers])
        for row in rejected:
            writer.writerow([row.reason, *(cell_text(c) for c in plan_.table.rows[row.index])])
    return len(rejected)
