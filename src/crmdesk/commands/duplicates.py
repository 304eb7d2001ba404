"""`crmdesk duplicates [--json] [--limit N] [--db PATH]`: customers who may have been entered
twice, the same pairs as Edit ▸ Find duplicates, likeliest first.

--json prints a list of groups, each
``{"ids": [7, 12], "names": ["Anna Schmidt", "Annie S"], "reason": "same phone number, same
email", "reasons": ["same phone number", "same email"], "score": 100}``; the first id is the
older customer, the one the window suggests keeping (`crmdesk merge 7 12`).
"""

from __future__ import annotations

import argparse
import json
import sys

from crmdesk import cli


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "duplicates", help="list customers who may have been entered twice",
        description="The customers who may have been entered twice (same phone number, same "
                    "email, same or similar name), as Edit > Find duplicates shows them, "
                    "likeliest first. Customers in Trash are left out. Merge a pair with "
                    "`crmdesk merge KEEP_ID OTHER_ID`.")
    cli.db_option(parser)
    parser.add_argument("--json", action="store_true",
                        help='print JSON: a list of {"ids", "names", "reason", "reasons", '
                             '"score"}')
    parser.add_argument("--limit", type=int, default=200, metavar="N",
                        help="at most N pairs (default 200, as the window)")
    parser.set_defaults(run=run)


def groups(pairs) -> list[dict]:
    """The pairs as the --json groups."""
    return [{"ids": [p.a_id, p.b_id], "names": [p.a_name, p.b_name],
             "reason": ", ".join(p.reasons), "reasons": list(p.reasons), "score": p.score}
            for p in pairs]


def as_json(found: list[dict]) -> str:
    """The list, one group a line."""
    if not found:
        return "[]"
    return "[\n" + ",\n".join("  " + json.dumps(g, ensure_ascii=False) for g in found) + "\n]"


def text(found: list[dict]) -> str:
    if not found:
        return "No customers seem to be entered twice."
    lines = [f"{len(found)} possible duplicate{'s' if len(found) != 1 else ''} "
             f"(merge with: crmdesk merge KEEP_ID OTHER_ID):"]
    width = max(len(f"#{g['ids'][0]}") for g in found)
    for group in found:
        (a, b), (a_name, b_name) = group["ids"], group["names"]
        lines.append(f"{f'#{a}':>{width}} {a_name}  and  #{b} {b_name}")
        lines.append(f"{'':>{width}} {group['reason']} (score {group['score']})")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from crmdesk.core import duplicates

    if args.limit < 1:
        print("crmdesk: --limit must be at least 1", file=sys.stderr)
        return cli.EXIT_USAGE
    opened = cli.open_book(args)  # refuses a --db where there is no book, creating nothing
    if opened is None:
        return cli.EXIT_DATABASE
    try:
        found = groups(duplicates.find_pairs(opened.db, limit=args.limit))
    finally:
        opened.db.close()
    try:
        print(as_json(found) if args.json else text(found))
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return cli.EXIT_OK
