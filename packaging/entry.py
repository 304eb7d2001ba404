"""The frozen program's entry point (PyInstaller runs this file as __main__)."""

import multiprocessing

from crmdesk.cli import main

if __name__ == "__main__":
    # A frozen Windows or macOS build re-runs itself for a multiprocessing child; this makes
    # such a child do its work and exit instead of starting a second crmdesk.
    multiprocessing.freeze_support()
    raise SystemExit(main())
