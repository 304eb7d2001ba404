"""Subcommands of `crmdesk` that work without a display, one module each.

Each module has `add_parser(subparsers)`, which adds its subparser and sets its handler with
`parser.set_defaults(run=run)`; `run(args) -> int` is the exit status. cli.py finds the modules
here by itself. Helpers shared by them, in cli.py: `db_option(parser)`, `database_path(args)`,
`open_book(args)` (None after printing why it cannot be opened; exit with `EXIT_DATABASE`).
"""
