"""`crmdesk import FILE.json`: bring back a crmdesk JSON export, whole (core/restore.py).

`crmdesk import` hands a file over when it is a crmdesk JSON export (`handles`); the options
that apply are --on-duplicate (skip, merge, create), --country, --dry-run and --rejected.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_NOT_READ = 1
MAX_REASONS = 20
PATIENCE = 600.0


def add_parser(sub) -> None:
    """Not a command of its own (cli.py asks every module here): `crmdesk import` hands over."""


def handles(path: Path) -> bool:
    """True when `path` is a JSON file for the lossless import (not a till export)."""
    from crmdesk.formats.import_common import ImportFileError
    from crmdesk.formats.import_file import sniff_kind

    try:
        return sniff_kind(path) == "json"
    except ImportFileError:
        return False  # the ordinary path says why the file cannot be read


def _country(args: argparse.Namespace, db) -> str:
    import locale

    from crmdesk.core import settings as settings_store

    name = locale.getlocale()[0] or ""
    system = name.split("_")[1][:2].upper() if "_" in name else ""
    return (args.country or settings_store.load(db).default_country or system).upper()


def run(args: argparse.Namespace) -> int:
    from crmdesk.cli import EXIT_DATABASE, open_book, say_waiting
    from crmdesk.core import importing, restore
    from crmdesk.formats import import_json
    from crmdesk.formats.import_common import ImportFileError

    name = args.file.name
    try:
        document = import_json.read_json(args.file)
    except ImportFileError as exc:
        print(f"crmdesk: cannot import {name}: {exc} Nothing was changed.", file=sys.stderr)
        return EXIT_NOT_READ
    opened = open_book(args)
    if opened is None:
        return EXIT_DATABASE
    db = opened.db
    try:
        try:
            planned = restore.plan(document, db, _country(args, db), args.on_duplicate)
        except ImportFileError as exc:  # a customer's line of the file is damaged
            print(f"crmdesk: cannot import {name}: {exc}", file=sys.stderr)
            return EXIT_NOT_READ
        added: dict[str, int] = {}
        if args.dry_run:
            created, merged = len(planned.to_create), len(planned.to_merge)
        else:
            try:
                restored = restore.apply(planned, db, document, patience=PATIENCE,
                                         waiting=say_waiting)
            except ImportFileError as exc:
                print(f"crmdesk: cannot import {name}: {exc}", file=sys.stderr)
                return EXIT_NOT_READ
            created, merged = len(restored.result.created_ids), len(restored.result.merged)
            added = restored.added
        _summary(planned, created, merged, added, args.dry_run)
        if args.rejected is not None and planned.rejected:
            count = importing.rejected_csv(planned, args.rejected)
            print(f"{count} rejected customers saved to {args.rejected}")
        return 0
    finally:
        db.close()


def _summary(planned, created: int, merged: int, added: dict[str, int], dry_run: bool) -> None:
    print(f"{len(planned.rows)} customers read from the crmdesk export")
    print(f"imported: {created}{' (dry run: would be added)' if dry_run else ''}")
    print(f"merged:   {merged}")
    print(f"skipped:  {len(planned.skipped)}")
    print(f"rejected: {len(planned.rejected)}")
    if added:
        print("with: " + ", ".join(f"{count} {kind}" for kind, count in added.items()))
    for row in planned.rejected[:MAX_REASONS]:
        print(f"  {row.label}: {row.reason}")
    if len(planned.rejected) > MAX_REASONS:
        print(f"  … and {len(planned.rejected) - MAX_REASONS} more")
