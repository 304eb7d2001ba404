"""`crmdesk backup --out FILE` and `crmdesk restore FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1


def add_parser(sub) -> None:
    from crmdesk.cli import db_option

    backup = sub.add_parser(
        "backup", help="copy the customer book to a file",
        description="Copy the customer book to FILE with SQLite's online backup (safe while "
                    "crmdesk is running), check the copy, and only then replace FILE.")
    db_option(backup)
    backup.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the backup file to write")
    backup.set_defaults(run=run_backup)

    restore = sub.add_parser(
        "restore", help="replace the customer book by a backup",
        description="Check FILE, show its date and number of customers, save the current "
                    "customer book aside (crmdesk.before-restore-YYYYMMDD-HHMMSS.db), then "
                    "replace it by FILE. Close crmdesk first.")
    db_option(restore)
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    restore.add_argument("--yes", action="store_true",
                         help="do not ask before replacing the customer book")
    restore.set_defaults(run=run_restore)


def _fail(message: str, status: int = EXIT_FAILED) -> int:
    print(f"crmdesk: {message}", file=sys.stderr)
    return status


def run_backup(args: argparse.Namespace) -> int:
    from crmdesk.cli import EXIT_DATABASE, database_path, open_book
    from crmdesk.store.backup import BackupError, backup_to

    path = database_path(args)
    if not path.is_file():
        return _fail(f"there is no customer book at {path}.", EXIT_DATABASE)
    opened = open_book(args)
    if opened is None:
        return EXIT_DATABASE
    opened.db.close()
    out = Path(args.out).expanduser()
    try:
        info = backup_to(path, out)
    except BackupError as exc:
        return _fail(f"{exc} Nothing was written.")
    print(f"backed up {info.customers} customers to {out}")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    from crmdesk.cli import database_path
    from crmdesk.store.backup import BackupError, inspect_backup, restore

    path = database_path(args)
    try:
        info = inspect_backup(args.file)
    except BackupError as exc:
        return _fail(f"{exc} Nothing was changed.")
    print(f"backup of {info.created_at:%Y-%m-%d %H:%M}: {info.customers} customers "
          f"({info.path})")
    if not args.yes:
        if not sys.stdin.isatty():
            return _fail(f"not restoring: add --yes to replace the customer book at {path} "
                         "by this backup.")
        answer = input(f"Replace the customer book at {path} by this backup? "
                       "It is saved aside first. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing was changed")
            return EXIT_FAILED
    try:
        aside = restore(info.path, path)
    except BackupError as exc:
        return _fail(str(exc))
    if aside is None:
        print(f"restored to {path} (there was no customer book there before)")
    else:
        print(f"restored to {path}; the previous customer book was saved as {aside}")
    return EXIT_OK
