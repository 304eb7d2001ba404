"""`crmdesk merge KEEP_ID OTHER_ID... [--db PATH]` and `crmdesk merge --undo [--db PATH]`.

Merges each OTHER into KEEP as Edit ▸ Find duplicates does (core/merge.py), all in one
transaction: KEEP keeps its own details and takes the other's only where its own field is empty
(the other's differing values are listed; they stay on the other, in Trash); every purchase,
sale line, loyalty entry, date, conversation, follow-up, appointment and reminder record moves
to KEEP, tags are joined, consents keep the newest decision; each other goes to Trash.

Undo: the window's Edit ▸ Undo lives in the window's memory, so a merge done here is recorded
in the book itself (core/merge.py keeps the last 50). `crmdesk merge --undo` undoes the last
merge recorded (all the customers of one `crmdesk merge` run, or one merge made in the window),
and the window's Find duplicates dialog offers the same ("Undo last merge").
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid

from crmdesk import cli

#: What the moved rows are called, singular and plural.
WORDS = {
    "purchase": ("purchase", "purchases"),
    "purchase_item": ("sale line", "sale lines"),
    "loyalty_entry": ("loyalty entry", "loyalty entries"),
    "important_date": ("date", "dates"),
    "interaction": ("conversation", "conversations"),
    "follow_up": ("follow-up", "follow-ups"),
    "appointment": ("appointment", "appointments"),
    "reminder_delivery": ("reminder record", "reminder records"),
}


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "merge", help="merge customers entered twice into one",
        description="Merge each OTHER_ID into KEEP_ID (ids as `crmdesk duplicates` shows "
                    "them): everything that belongs to the others (purchases, points, dates, "
                    "conversations, follow-ups, appointments, tags, consents) moves to KEEP_ID; "
                    "KEEP_ID keeps its details and takes the others' only where its own are "
                    "empty; the others go to Trash. One transaction: all or nothing. "
                    "`crmdesk merge --undo` puts the last merge back.")
    cli.db_option(parser)
    parser.add_argument("keep", nargs="?", metavar="KEEP_ID", help="the customer who stays")
    parser.add_argument("others", nargs="*", metavar="OTHER_ID",
                        help="the customers merged into KEEP_ID")
    parser.add_argument("--undo", action="store_true",
                        help="undo the last merge recorded in the book (from here or the "
                             "window)")
    parser.set_defaults(run=run)


def _refuse(message: str) -> int:
    print(f"crmdesk: {message}", file=sys.stderr)
    return cli.EXIT_USAGE


def _id(text: str) -> int | None:
    text = text.strip().lstrip("#")
    return int(text) if text.isdigit() else None


def _count(n: int, words: tuple[str, str]) -> str:
    return f"{n} {words[0] if n == 1 else words[1]}"


def _fields(names: list[str]) -> str:
    return ", ".join(name.replace("_", " ") for name in names)


def moved_text(counts: dict[str, int]) -> str:
    parts = [_count(n, WORDS.get(table, (table, table))) for table, n in counts.items() if n]
    return ", ".join(parts) if parts else "nothing"


def run(args: argparse.Namespace) -> int:
    if args.undo:
        if args.keep is not None or args.others:
            return _refuse("--undo takes no customer ids: it undoes the last merge")
    elif args.keep is None or not args.others:
        return _refuse("give the customer who stays and at least one to merge into them: "
                       "crmdesk merge KEEP_ID OTHER_ID... (see `crmdesk duplicates`)")
    else:
        keep = _id(args.keep)
        others = [_id(text) for text in args.others]
        bad = [text for text, value in zip([args.keep, *args.others], [keep, *others],
                                           strict=True) if value is None]
        if bad:
            return _refuse(f"not a customer id: {', '.join(bad)}")
        if keep in others:
            return _refuse(f"#{keep} is both the customer who stays and one to merge into "
                           "them")
        if len(set(others)) != len(others):
            return _refuse("a customer to merge is named twice")
    path = cli.database_path(args)
    if not path.exists():
        return _refuse(f"there is no customer book at {path} (choose one with --db)")
    opened = cli.open_book(args)
    if opened is None:
        return cli.EXIT_DATABASE
    try:
        if args.undo:
            return _undo(opened.db)
        return _merge(opened.db, keep, others)
    finally:
        opened.db.close()


def _merge(db, keep: int, others: list[int]) -> int:
    from crmdesk.core import merge

    names = dict(db.execute_sql(
        f"SELECT id, display_name FROM customer WHERE id IN ({','.join('?' * (1 + len(others)))})",
        [keep, *others]).fetchall())
    unknown = [f"#{cid}" for cid in [keep, *others] if cid not in names]
    if unknown:
        return _refuse(f"no customer {', '.join(unknown)} in this book; nothing was merged")
    now = dt.datetime.now().astimezone()
    batch = f"cli-{uuid.uuid4().hex[:12]}"
    lines = []
    try:
        with db.atomic():
            for other in others:
                choices = merge.fill_empty(db, keep, other)
                before = db.execute_sql("SELECT * FROM customer WHERE id = ?",
                                        (other,))
                columns = [c[0] for c in before.description]
                other_row = dict(zip(columns, before.fetchone(), strict=True))
                record = merge.merge(db, keep, other, choices, now, batch=batch)
                lines.append(f"moved {moved_text(record.counts())} from #{other} "
                             f"({names[other]}) to #{keep} ({names[keep]})")
                if record.tags_added:
                    lines.append(f"  tags added: {', '.join(record.tags_added)}")
                for channel, consent in record.consents_after.items():
                    answer = "yes" if consent["granted"] else "no"
                    lines.append(f"  {channel} consent: {answer}, from #{other}"
                                 + (" (the newer decision)"
                                    if record.consents_before.get(channel) else ""))
                taken = sorted(choices)
                if taken:
                    lines.append(f"  filled in from #{other}: {_fields(taken)}")
                kept = [name for name in merge.FIELDS if name not in choices
                        and other_row[name] not in ("", None)
                        and other_row[name] != record.merged_values[name]]
                if kept:
                    lines.append(f"  #{keep}'s own kept (#{other}'s stay with #{other} in "
                                 f"Trash): {_fields(kept)}")
    except merge.MergeError as exc:
        return _refuse(f"{exc} Nothing was merged.")
    print("\n".join(lines))
    print(f"{_count(len(others), ('customer', 'customers'))} moved to Trash; "
          "undo with: crmdesk merge --undo")
    return cli.EXIT_OK


def _undo(db) -> int:
    from crmdesk.core import merge
    from crmdesk.core.customers import NotFound

    try:
        records = merge.undo_last(db, dt.datetime.now().astimezone())
    except (merge.MergeError, NotFound) as exc:
        print(f"crmdesk: could not undo the last merge: {exc}", file=sys.stderr)
        return 1
    if not records:
        print("crmdesk: no merge to undo (the book remembers the last 50 merges whose "
              "customers are still there)", file=sys.stderr)
        return 1
    for record in records:
        print(f"put back {moved_text(record.counts())} from #{record.survivor_id} to "
              f"#{record.other_id}; #{record.other_id} is out of Trash")
    return cli.EXIT_OK
