"""`crmdesk export --format csv|xlsx|vcf|ics|json --out FILE [--db PATH] [--marketing]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crmdesk import cli

EXIT_FAILED = 1
_CHANNELS = ("email", "sms", "whatsapp", "phone")


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "export", help="write customers to a CSV, Excel, vCard, iCalendar or JSON file",
        description="csv: every customer not in Trash, all columns, for a spreadsheet. "
                    "xlsx: the same as an Excel workbook, phones as text and dates as dates. "
                    "vcf: vCard 3.0 contacts for a phone. ics: birthdays and anniversaries as "
                    "yearly events for a calendar. json: everything (Trash, conversations, "
                    "follow-ups, appointments, purchases, loyalty, products, segments and "
                    "settings included), which `crmdesk import` brings back whole. The file is "
                    "written whole or not at all, readable by you only.")
    cli.db_option(parser)
    parser.add_argument("--format", choices=("csv", "xlsx", "vcf", "ics", "json"), default=None,
                        help="the kind of file (default: from the suffix of --out)")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the file to write (replaced if it exists)")
    parser.add_argument("--marketing", action="store_true",
                        help="csv, xlsx and vcf only: leave out customers marked "
                             "do-not-contact")
    parser.add_argument("--channel", choices=_CHANNELS, default=None,
                        help="with --marketing: only customers who consented to this channel")
    parser.add_argument("--columns", default=None, metavar="A,B,...",
                        help="csv and xlsx only: the columns, by key (name, phone, email, "
                             "city, ...)")
    parser.set_defaults(run=run)


def _fail(message: str, status: int = EXIT_FAILED) -> int:
    print(f"crmdesk: {message}", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    from crmdesk.formats import export

    out = Path(args.out).expanduser()
    fmt = args.format
    if fmt is None:
        fmt = next((name for name, suffix in export.FORMATS.items()
                    if out.suffix.lower() == suffix), None)
        if fmt is None:
            return _fail("say which kind of file to write with --format csv, xlsx, vcf, ics or "
                         "json", cli.EXIT_USAGE)
    if args.marketing and fmt not in ("csv", "xlsx", "vcf"):
        return _fail("--marketing applies to csv, xlsx and vcf exports only", cli.EXIT_USAGE)
    if args.channel and not args.marketing:
        return _fail("--channel goes with --marketing", cli.EXIT_USAGE)
    if args.columns is not None and fmt not in ("csv", "xlsx"):
        return _fail("--columns applies to csv and xlsx exports only", cli.EXIT_USAGE)
    columns = None
    if args.columns is not None:
        from crmdesk.formats.export_csv import check_columns

        columns = [key.strip() for key in args.columns.split(",") if key.strip()]
        try:
            check_columns(columns)
        except ValueError as exc:
            return _fail(str(exc), cli.EXIT_USAGE)
    if not out.parent.is_dir():
        return _fail(f"cannot write {out}: the folder {out.parent} does not exist")
    from crmdesk.store.db import DatabaseOpenError
    from crmdesk.store.rescue import read_or_rescue

    def write(db):
        if fmt == "csv":
            return export.export_csv(db, out, columns=columns,
                                     marketing=args.marketing, channel=args.channel)
        if fmt == "xlsx":
            return export.export_xlsx(db, out, columns=columns,
                                      marketing=args.marketing, channel=args.channel)
        if fmt == "vcf":
            return export.export_vcard(db, out, marketing=args.marketing, channel=args.channel)
        if fmt == "ics":
            return export.export_ical(db, out)
        return export.export_json(db, out)

    try:  # a damaged book: what can still be read is exported, and the command says so
        result, rescued = read_or_rescue(cli.database_path(args), write)
    except export.ExportError as exc:
        return _fail(str(exc))
    except DatabaseOpenError as exc:
        return _fail(str(exc), cli.EXIT_DATABASE)
    if rescued is not None:
        print(f"crmdesk: the customer book {cli.database_path(args)} is damaged; exported what "
              f"could still be read to {out} ({rescued.summary()}). The book was left "
              "untouched.", file=sys.stderr)
        return cli.EXIT_DATABASE
    noun = "customer" if result.customers == 1 else "customers"
    detail = ""
    if fmt == "ics":
        detail = f" ({result.items:,} date{'' if result.items == 1 else 's'})"
    print(f"exported {result.customers:,} {noun}{detail} to {out}")
    return cli.EXIT_OK
