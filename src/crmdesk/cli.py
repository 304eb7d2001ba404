"""Command line: no subcommand opens the window; subcommands work without a display."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from crmdesk import __version__

#: Process start as early as we can see it, for `--ready-and-exit`.
PROCESS_START = time.perf_counter()

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_DATABASE = 2


class _CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: an option it does not know is an error shown with its own usage
    (`crmdesk export --bogus` shows how to use export), not handed up to the top-level one."""

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def _db_option(parser: argparse.ArgumentParser, top: bool) -> None:
    parser.add_argument(
        "--db", type=Path, metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="the customer book to use (default: crmdesk.db in your data folder)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crmdesk", description="crmdesk: your customer book, with reminders.")
    parser.add_argument("--version", action="version", version=f"crmdesk {__version__}")
    _db_option(parser, top=True)
    parser.add_argument("--ready-and-exit", action="store_true",
                        help="open the window, print 'ready <ms>' once the list is painted, exit")
    parser.add_argument("--minimized", action="store_true", help="start in the system tray")
    parser.add_argument("--self-test", nargs="?", const="", default=None, metavar="REPORT",
                        help="check that this installation works (Qt, icons, database, "
                             "notifications), print what was checked and exit (0: all passed; "
                             "with no display, all but the window itself); "
                             "with REPORT, also write the report to that file")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)

    demo = sub.add_parser("demo", help="fill the customer book with realistic sample customers")
    _db_option(demo, top=False)
    demo.add_argument("--customers", type=int, default=200, metavar="N",
                      help="how many customers to add (default 200)")
    demo.add_argument("--seed", type=int, default=1, metavar="S",
                      help="the same seed gives the same customers (default 1)")

    reminders = sub.add_parser(
        "reminders", help="list birthdays, dates, appointments and follow-ups coming up",
        description="One line per reminder from --today to --days ahead, tab-separated: date "
                    "(YYYY-MM-DD), kind, customer, text; sorted by date. Open follow-ups and "
                    "customers to get in touch with that are already overdue come first. "
                    "Nothing is marked as shown.")
    _db_option(reminders, top=False)
    reminders.add_argument("--today", metavar="YYYY-MM-DD", default=None,
                           help="the day to start from (default: today)")
    reminders.add_argument("--days", type=int, default=14, metavar="N",
                           help="how many days ahead to look (default 14)")
    for module in _command_modules():
        module.add_parser(sub)
    return parser


def _command_modules() -> list:
    """The subcommands in crmdesk.commands (import, export, backup, ...), in name order."""
    import importlib
    import pkgutil

    import crmdesk.commands

    return [importlib.import_module(f"crmdesk.commands.{info.name}")
            for info in sorted(pkgutil.iter_modules(crmdesk.commands.__path__),
                               key=lambda info: info.name)]


def _database_path(args: argparse.Namespace) -> Path:
    if getattr(args, "db", None):
        return Path(args.db).expanduser()
    from crmdesk import paths

    return paths.default_database_path()


def _creates(args: argparse.Namespace) -> bool:
    """Only `demo` and `import` (not a dry run, not --undo) may start a new book; every other
    command refuses a --db path where there is no book, and creates no file and no folder."""
    if getattr(args, "command", None) == "demo":
        return True
    return (getattr(args, "command", None) == "import" and not getattr(args, "dry_run", False)
            and getattr(args, "undo", None) is None)


def _open(path: Path, create: bool = False):
    from crmdesk.store.db import DatabaseOpenError, open_database

    new = not path.exists()
    if new and not create:
        print(f"crmdesk: there is no customer book at {path} (choose one with --db); "
              "nothing was created", file=sys.stderr)
        return None
    try:  # a command always quick-checks the book first: 1-2 s at 100,000 customers
        opened = open_database(path, check=True, create=create)
    except DatabaseOpenError as exc:
        print(f"crmdesk: {exc}", file=sys.stderr)
        return None
    if new:
        print(f"crmdesk: created a new customer book at {opened.path}", file=sys.stderr)
    return opened


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.customers < 1:
        print("crmdesk: --customers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    opened = _open(_database_path(args), create=True)
    if opened is None:
        return EXIT_DATABASE
    from crmdesk.core import demo

    started = time.perf_counter()

    def progress(done: int, total: int) -> bool:
        if sys.stderr.isatty():
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)
        return True

    # Waits its turn like an import (up to 10 minutes) when another crmdesk is writing.
    added = demo.generate(opened.db, args.customers, seed=args.seed, progress=progress,
                          patience=600, waiting=say_waiting)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"added {added} sample customers to {opened.path} "
          f"in {time.perf_counter() - started:.1f} s")
    opened.db.close()
    return EXIT_OK


def _cmd_reminders(args: argparse.Namespace) -> int:
    import datetime as dt
    import re

    if args.today is None:
        today = dt.datetime.now().astimezone().date()
    else:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.today):
                raise ValueError(args.today)
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            print(f"crmdesk: --today must be a date written YYYY-MM-DD, such as 2026-03-10 "
                  f"(not {args.today!r})", file=sys.stderr)
            return EXIT_USAGE
    if not 0 <= args.days <= 3660:
        print("crmdesk: --days must be between 0 and 3660", file=sys.stderr)
        return EXIT_USAGE
    opened = _open(_database_path(args))
    if opened is None:
        return EXIT_DATABASE
    from crmdesk.core import reminders
    from crmdesk.core import settings as settings_store

    try:
        found = reminders.upcoming(opened.db, today, args.days, settings_store.load(opened.db))
    finally:
        opened.db.close()
    try:
        for item in found:
            fields = (item.occurs_on.isoformat(), item.kind, item.customer_name, item.title)
            print("\t".join(" ".join(str(field).split()) for field in fields))
        sys.stdout.flush()
    except BrokenPipeError:  # `crmdesk reminders | head`: the reader has all it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def _run_command(args: argparse.Namespace) -> int:
    """Run a subcommand; a damaged book, a full disk, a read-only book (store/problems.py)
    is told in one line, exit 2, whenever in the command it shows."""
    from crmdesk.store.problems import explain

    try:
        if args.command == "demo":
            return _cmd_demo(args)
        if args.command == "reminders":
            return _cmd_reminders(args)
        return args.run(args)  # a subcommand from crmdesk.commands
    except Exception as exc:
        problem = explain(exc, _database_path(args))
        if problem is None:
            raise
        print(f"crmdesk: {problem}", file=sys.stderr)
        return EXIT_DATABASE


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test is not None:
        from crmdesk import selftest

        return selftest.run(Path(args.self_test) if args.self_test else None)
    if args.command in ("demo", "reminders") or getattr(args, "run", None) is not None:
        return _run_command(args)
    from crmdesk.app import run_gui

    return run_gui(
        _database_path(args),
        ready_and_exit=args.ready_and_exit,
        minimized=args.minimized,
        process_start=PROCESS_START,
    )


if __name__ == "__main__":
    raise SystemExit(main())


# --- for the subcommands in crmdesk.commands ------------------------------------------------

def db_option(parser: argparse.ArgumentParser) -> None:
    """Add `--db PATH` to a subcommand's parser."""
    _db_option(parser, top=False)


def say_waiting() -> None:
    """What a command says once when another crmdesk is writing to the book and it waits."""
    print("waiting for another crmdesk to finish…", file=sys.stderr, flush=True)


def database_path(args: argparse.Namespace) -> Path:
    return _database_path(args)


def open_book(args: argparse.Namespace, create: bool | None = None):
    """The opened book (store.db.OpenResult), or None after printing why it cannot be opened
    (the caller then exits with EXIT_DATABASE). Where there is no book yet, one is created
    (and that is said) only if `create`; None: only for `import` (not --dry-run, not --undo)
    and `demo`. Every other command refuses, and creates no file and no folder."""
    return _open(_database_path(args), _creates(args) if create is None else create)
