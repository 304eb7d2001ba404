"""`crmdesk import FILE`: bring customers in from CSV, Excel (.xlsx) or vCard (.vcf).

Exit 0 when the file was read (even if some rows were rejected), 1 when it could not be read or
its columns or dates need a choice (nothing is written then), 2 when the book cannot be opened.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_NOT_READ = 1
MAX_REASONS = 20


def add_parser(sub) -> None:
    from crmdesk.cli import db_option

    parser = sub.add_parser(
        "import", help="bring customers in from a CSV, Excel (.xlsx) or vCard (.vcf) file",
        description="Checks every row first, then writes all of it in one go (or nothing). "
                    "Rows that cannot be read are listed with the reason.")
    parser.add_argument("file", type=Path, metavar="FILE")
    db_option(parser)
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
    parser.add_argument("--rejected", type=Path, default=None, metavar="CSV",
                        help="save the rejected rows with their reason, to fix and import again")
    parser.set_defaults(run=run)


def _system_country() -> str:
    import locale

    name = (locale.getlocale()[0] or "")
    return name.split("_")[1][:2].upper() if "_" in name else ""


def run(args: argparse.Namespace) -> int:
    from crmdesk.cli import EXIT_DATABASE, open_book
    from crmdesk.core import importing
    from crmdesk.core import settings as settings_store
    from crmdesk.formats.import_common import ImportFileError
    from crmdesk.formats.import_file import read_file
    from crmdesk.formats.import_mapping import AmbiguousDates, build_mapping

    name = args.file.name
    try:
        table = read_file(args.file, sheet=args.sheet)
        mapping = build_mapping(table.headers, args.preset)
    except ImportFileError as exc:
        print(f"crmdesk: cannot import {name}: {exc} Nothing was changed.", file=sys.stderr)
        return EXIT_NOT_READ
    opened = open_book(args)
    if opened is None:
        return EXIT_DATABASE
    db = opened.db
    try:
        country = (args.country or settings_store.load(db).default_country
                   or _system_country()).upper()
        try:
            planned = importing.plan(table, mapping, db, country, args.on_duplicate,
                                     args.date_order)
        except AmbiguousDates as exc:
            print(f"crmdesk: cannot import {name}: {exc} Run again with --date-order dmy "
                  "(day/month/year) or --date-order mdy (month/day/year). Nothing was changed.",
                  file=sys.stderr)
            return EXIT_NOT_READ
        except ImportFileError as exc:
            print(f"crmdesk: cannot import {name}: {exc} Nothing was changed.", file=sys.stderr)
            return EXIT_NOT_READ
        if args.dry_run:
            created, merged = len(planned.to_create), len(planned.to_merge)
        else:
            result = importing.apply(planned, db, progress=_progress)
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
    for row in planned.rejected[:MAX_REASONS]:
        print(f"  {row.label}: {row.reason}")
    if len(planned.rejected) > MAX_REASONS:
        print(f"  and {len(planned.rejected) - MAX_REASONS} more")
