"""Writing an export file atomically and readable by its owner only."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


class ExportError(Exception):
    """The export file could not be written; `str()` is a message for the user."""


@contextlib.contextmanager
def atomic_output(path: Path, *, encoding: str = "utf-8", newline: str | None = None,
                  binary: bool = False) -> Iterator[IO]:
    """A text file that appears at `path` only when the block finishes without an exception.

    It is written to a temporary file in the same folder (created 0o600 by mkstemp where the OS
    has permissions), flushed to disk, then moved over `path` with os.replace, so a reader sees
    the old file or the whole new one, never half of it. On any failure the temporary file is
    removed and an existing `path` is left as it was. `binary`: a bytes handle (a workbook).
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(f"Cannot write {path}: the folder {folder} does not exist.")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(f"Cannot write {path}: {exc.strerror or exc}. "
                          f"Choose a folder you may write to.") from exc
    temp = Path(temp_name)
    try:
        if hasattr(os, "fchmod"):  # mkstemp already gives 0o600; make sure of it
            with contextlib.suppress(OSError):
                os.fchmod(fd, 0o600)
        with (os.fdopen(fd, "wb") if binary else
              os.fdopen(fd, "w", encoding=encoding, newline=newline)) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.replace(temp, path)
        except OSError as exc:
            raise ExportError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):  # disk full, drive removed, ...
            raise ExportError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
        raise
