"""`crmdesk report [--db PATH] [--from DATE] [--to DATE] [--json]`: how the shop is doing."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys

from crmdesk import cli


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "report", help="print the shop's figures for a period (customers, revenue, ...)",
        description="The dashboard's figures for a period (default: the last 30 days up to "
                    "today) against the period of the same length before it. With --json: "
                    "one JSON object; money as decimal numbers in the shop's currency (key "
                    "\"currency\"), dates as YYYY-MM-DD, repeat_customer_rate from 0 to 1.")
    cli.db_option(parser)
    parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", default=None,
                        help="first day of the period (default: 29 days before --to)")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", default=None,
                        help="last day of the period (default: today)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(run=run)


def _date(text: str, option: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError(text)
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{option} must be a date written YYYY-MM-DD, such as 2026-03-10 "
                         f"(not {text!r})") from None


def _fail(message: str) -> int:
    print(f"crmdesk: {message}", file=sys.stderr)
    return cli.EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    from crmdesk.core import report

    today = dt.datetime.now().astimezone().date()
    try:
        end = _date(args.end, "--to") if args.end is not None else None
        start = _date(args.start, "--from") if args.start is not None else None
    except ValueError as exc:
        return _fail(str(exc))
    if end is None:
        end = today if start is None or start <= today else start + dt.timedelta(days=29)
    if start is None:
        start = end - dt.timedelta(days=29)
    if start > end:
        return _fail(f"--from ({start}) is after --to ({end})")
    opened = cli.open_book(args)  # refuses a --db where there is no book, creating nothing
    if opened is None:
        return cli.EXIT_DATABASE
    from crmdesk.core import settings as settings_store

    try:
        currency = settings_store.load(opened.db).currency
        data = report.report_json(opened.db, report.Period(start, end), today, currency)
    finally:
        opened.db.close()
    try:
        if args.json:
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            print(_text(data))
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return cli.EXIT_OK


def _money(value, currency: str) -> str:
    from decimal import Decimal

    from crmdesk.core import money

    minor = money.to_minor(Decimal(str(value)), currency)
    return money.format_plain(minor, currency)


def _change(now, before) -> str:
    if before == now:
        return "  (same as before)"
    if not before:
        return f"  (before: {before})"
    return f"  ({(now - before) / before:+.0%} on before)"


def _text(data: dict) -> str:
    cur = data["currency"]
    prev = data["previous_period"]
    lines = [f"From {data['period']['from']} to {data['period']['to']} "
             f"(before: {prev['from']} to {prev['to']})", ""]
    for label, key, money in (
            ("Customers", "customers", False), ("New customers", "new_customers", False),
            ("Active customers", "active_customers", False),
            ("Lapsed customers", "lapsed_customers", False),
            ("Revenue", "revenue", True), ("Purchases", "purchases", False),
            ("Average basket", "average_basket", True),
            ("Average customer value", "average_clv", True),
            ("Predicted customer value", "predicted_clv", True)):
        shown = _money(data[key], cur) if money else f"{data[key]:,}"
        lines.append(f"{label + ':':<26}{shown:>16}{_change(data[key], prev[key])}")
    rate, before = data["repeat_customer_rate"], prev["repeat_customer_rate"]
    lines.append(f"{'Repeat customers:':<26}{rate:>16.0%}  (before: {before:.0%})")
    lines.append(f"{'Birthdays, next 30 days:':<26}{data['upcoming_birthdays']:>16,}")
    if data["top_customers"]:
        lines += ["", "Top customers (spent in all):"]
        for rank, entry in enumerate(data["top_customers"], 1):
            lines.append(f"{rank:>3}. {entry['name']:<40}{_money(entry['total'], cur):>16}")
    return "\n".join(lines)
