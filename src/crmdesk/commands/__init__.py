"""Subcommands of `crmdesk` that work without a display, one module each.

Each module has `add_parser(subparsers)` and `run(args) -> int`; cli.py registers them.
"""
