"""`crmdesk import FILE`: bring customers in from CSV, Excel (.xlsx) or vCard (.vcf), or, with
`--kind purchases`, purchase history from a till export (core/purchase_import.py).

Exit 0 when the file was read (even if some rows were rejected or matched no customer), 1 when it
could not be read or its columns or dates need a choice (nothing is written then), 2 when the
book cannot be opened. A file whose columns look like a till export is not imported as customers
unless `--kind customers` says so (exit 1, asking for --kind).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_NOT_READ = 1
EXIT_USAGE = 2
MAX_REASONS = 20
#: How long the command line waits for another crmdesk (an import, the window) to finish
#: writing before giving up, in seconds; the window itself never waits this long.
PATIENCE = 600.0


def add_parser(sub) -> None:
    from crmdesk.cli import db_option

    parser = sub.add_parser(
        "import", help="bring customers in from a CSV, Excel (.xlsx) or vCard (.vcf) file",
        description="Checks every row first, then writes all of it in one go (or nothing). "
                    "Rows that cannot be read are listed with the reason.")
    parser.add_argument("file", type=Path, metavar="FILE", nargs="?")
    db_option(parser)
    parser.add_argument("--kind", choices=("customers", "purchases"), default=None,
                        help="what the file holds: customers (default) or purchases, the sales "
                             "history of a till export, each sale matched to a customer by "
                             "phone, e-mail or name")
    parser.add_argument("--preset", choices=("auto", "google", "outlook"), default="auto",
                        help="column names of a Google Contacts or Outlook export "
                             "(default: recognise them from the column names)")
    parser.add_argument("--on-duplicate", choices=("skip", "merge", "create"), default="skip",
                        help="a customer already in the book (same phone, e-mail or name): "
                             "leave as is (default), fill in what it lacks, or add anyway")
    parser.add_argument("--date-order", choices=("dmy", "mdy"), default=None,
                        help="dates like 03/04/1990: day/month/year (dmy) or month/day/year "
                             "(mdy); asked for when the file does not tell")
    parser.add_argument("--sheet", default=None, metavar="NAME",
                        help="the sheet of an Excel workbook (default: the first)")
    parser.add_argument("--country", default=None, metavar="CC",
                        help="country for phone numbers written without +code, such as GB "
                             "(default: the book's setting, else the system's)")
    parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    parser.add_argument("--undo", default=None, metavar="BATCH",
                        help="take back a purchase import: remove the sales of the import batch "
                             "its summary named (no FILE then)")
    parser.add_argument("--rejected", type=Path, default=None, metavar="CSV",
                        help="save the rejected (and, for purchases, unmatched) rows with their "
                             "reason, to fix and import again")
    parser.set_defaults(run=run)


def _system_country() -> str:
    import locale

    name = (locale.getlocale()[0] or "")
    return name.split("_")[1][:2].upper() if "_" in name else ""


def _country(args: argparse.Namespace, shop) -> str:
    """The country for phone numbers written without one: --country, the shop's, the system's."""
    return (args.country or shop.default_country or _system_country()).upper()


def _plan(name: str, make_plan):
    """The import's check (`make_plan()`), or None after saying plainly why it cannot go on."""
    from crmdesk.formats.import_common import ImportFileError
    from crmdesk.formats.import_mapping import AmbiguousDates

    try:
        return make_plan()
    except AmbiguousDates as exc:
        print(f"crmdesk: cannot import {name}: {exc} Run again with --date-order dmy "
              "(day/month/year) or --date-order mdy (month/day/year). Nothing was changed.",
              file=sys.stderr)
    except ImportFileError as exc:
        print(f"crmdesk: cannot import {name}: {exc} Nothing was changed.", file=sys.stderr)
    return None


def run(args: argparse.Namespace) -> int:
    """The command; `crmdesk import … | head` ends quietly when the reader has seen enough."""
    from crmdesk.cli import EXIT_DATABASE
    from crmdesk.core.write_turn import BookBusy
    from crmdesk.formats.export_files import ExportError

    try:
        try:
            return _run(args)
        except BookBusy as exc:
            print(f"crmdesk: {exc}", file=sys.stderr)
            return EXIT_DATABASE
        except ExportError as exc:  # the --rejected file (the import itself is done)
            print(f"crmdesk: {exc}", file=sys.stderr)
            return EXIT_NOT_READ
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return 0


def _quiet_stdout() -> None:
    """The reader of our output went away: send the rest (and Python's last flush) nowhere."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _run(args: argparse.Namespace) -> int:
    from crmdesk.cli import EXIT_DATABASE, open_book, say_waiting
    from crmdesk.core import importing
    from crmdesk.core import settings as settings_store
    from crmdesk.formats import purchase_import as sales_format
    from crmdesk.formats.import_common import ImportFileError
    from crmdesk.formats.import_file import read_file
    from crmdesk.formats.import_mapping import build_mapping

    if args.undo is not None:
        return _undo_purchases(args)
    if args.file is None:
        print("crmdesk import: say which FILE to import (or --undo BATCH)", file=sys.stderr)
        return EXIT_USAGE
    name = args.file.name
    from crmdesk.commands import import_json

    if args.kind != "purchases" and import_json.handles(args.file):
        return import_json.run(args)  # a crmdesk JSON export: brought back whole
    try:
        table = read_file(args.file, sheet=args.sheet)
        if args.kind == "purchases":
            mapping = sales_format.build_mapping(table.headers)
        else:
            if args.kind is None and sales_format.looks_like_purchases(table.headers):
                print(f"crmdesk: {name} looks like sales (a till export), not a list of "
                      "customers. Run again with --kind purchases to import the purchase "
                      "history, or --kind customers to import its rows as customers. Nothing "
                      "was changed.", file=sys.stderr)
                return EXIT_NOT_READ
            mapping = build_mapping(table.headers, args.preset)
    except ImportFileError as exc:
        print(f"crmdesk: cannot import {name}: {exc} Nothing was changed.", file=sys.stderr)
        return EXIT_NOT_READ
    if args.kind == "purchases":
        return _run_purchases(args, table, mapping)
    opened = open_book(args)
    if opened is None:
        return EXIT_DATABASE
    db = opened.db
    try:
        country = _country(args, settings_store.load(db))
        planned = _plan(name, lambda: importing.plan(table, mapping, db, country,
                                                     args.on_duplicate, args.date_order))
        if planned is None:
            return EXIT_NOT_READ
        if args.dry_run:
            created, merged = len(planned.to_create), len(planned.to_merge)
        else:
            result = importing.apply(planned, db, progress=_progress, patience=PATIENCE,
                                     waiting=say_waiting)
            if sys.stderr.isatty():
                print(file=sys.stderr)
            created, merged = len(result.created_ids), len(result.merged)
        _summary(planned, created, merged, args.dry_run)
        if args.rejected is not None and planned.rejected:
            count = importing.rejected_csv(planned, args.rejected)
            print(f"{count} rejected rows saved to {args.rejected}")
        return 0
    finally:
        db.close()


def _progress(done: int, total: int) -> bool:
    if sys.stderr.isatty():
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)
    return True


def _summary(planned, created: int, merged: int, dry_run: bool) -> None:
    would = "would be " if dry_run else ""
    print(f"{len(planned.rows)} {planned.table.unit}s read from the file")
    print(f"imported: {created}{' (dry run: ' + would + 'added)' if dry_run else ''}")
    print(f"merged:   {merged}")
    print(f"skipped:  {len(planned.skipped)}")
    print(f"rejected: {len(planned.rejected)}")
    print(f"kept as written: {len(planned.kept_as_written)} (a phone number to check)")
    for row in planned.rejected[:MAX_REASONS]:
        print(f"  {row.label}: {row.reason}")
    if len(planned.rejected) > MAX_REASONS:
        print(f"  and {len(planned.rejected) - MAX_REASONS} more")


def _run_purchases(args: argparse.Namespace, table, mapping: dict[str, str]) -> int:
    from crmdesk.cli import EXIT_DATABASE, open_book, say_waiting
    from crmdesk.core import purchase_import
    from crmdesk.core import settings as settings_store

    name = args.file.name
    opened = open_book(args)
    if opened is None:
        return EXIT_DATABASE
    db = opened.db
    try:
        shop = settings_store.load(db)
        planned = _plan(name, lambda: purchase_import.plan(table, mapping, db,
                                                           _country(args, shop), shop.currency,
                                                           args.date_order))
        if planned is None:
            return EXIT_NOT_READ
        batch = ""
        if not args.dry_run and planned.to_import:
            result = purchase_import.apply(planned, db, progress=_progress,
                                           patience=PATIENCE, waiting=say_waiting)
            if sys.stderr.isatty():
                print(file=sys.stderr)
            batch = result.batch
        _purchase_summary(planned, args.dry_run, batch, shop.currency)
        if args.rejected is not None and planned.not_imported:
            count = purchase_import.rejected_csv(planned, args.rejected)
            print(f"{_n(count, 'row')} not imported saved to {args.rejected}, with the reason")
        return 0
    finally:
        db.close()


def _undo_purchases(args: argparse.Namespace) -> int:
    from crmdesk.cli import EXIT_DATABASE, open_book
    from crmdesk.core import purchase_import

    if args.file is not None:
        print("crmdesk import: --undo takes no FILE", file=sys.stderr)
        return EXIT_USAGE
    opened = open_book(args)
    if opened is None:
        return EXIT_DATABASE
    try:
        removed = purchase_import.undo(opened.db, args.undo.strip())
    finally:
        opened.db.close()
    if not removed:
        print(f"crmdesk: no imported sales have the batch “{args.undo}”. Nothing was changed.",
              file=sys.stderr)
        return EXIT_NOT_READ
    print(f"{_n(removed, 'imported sale')} removed (import batch {args.undo.strip()})")
    return 0


def _n(count: int, word: str) -> str:
    """ "1 row", "2 rows", "1 category", "3 categories"."""
    if count == 1:
        return f"1 {word}"
    return f"{count} {word[:-1]}ies" if word.endswith("y") else f"{count} {word}s"


def _purchase_summary(planned, dry_run: bool, batch: str, currency: str) -> None:
    from crmdesk.core.money import format_plain

    would = "to import" if dry_run else "imported"
    purchases = planned.to_import
    items = sum(len(p.items) for p in purchases)
    print(f"{_n(len(planned.rows), 'row')} read from the file")
    print(f"{would}: {_n(len(purchases), 'purchase')} ({_n(len(planned.matched), 'row')}, "
          f"{_n(items, 'item')}, {format_plain(planned.total_minor, currency)})"
          + (" (dry run: nothing written)" if dry_run else ""))
    print(f"already imported: {_n(len(planned.duplicates), 'row')} "
          f"({_n(planned.duplicate_purchases, 'purchase')} already in the book, skipped)")
    print(f"unmatched: {_n(len(planned.unmatched), 'row')} (no customer, or more than one, "
          "found)")
    print(f"rejected: {_n(len(planned.rejected), 'row')}")
    if planned.new_categories or planned.new_products:
        print(f"{'to add' if dry_run else 'added'} to the catalogue: "
              f"{_n(len(planned.new_categories), 'category')}, "
              f"{_n(len(planned.new_products), 'product')}")
    print("Imported history earns no loyalty points: the loyalty program counts from the day "
          "it is switched on.")
    shown = planned.not_imported
    if shown:
        print("Not imported:")
    for row in shown[:MAX_REASONS]:
        print(f"  {row.label}: {row.reason}")
    if len(shown) > MAX_REASONS:
        print(f"  and {len(shown) - MAX_REASONS} more (--rejected FILE.csv saves them all)")
    if batch:
        print(f"import batch: {batch} (crmdesk import --undo {batch} takes it back)")
