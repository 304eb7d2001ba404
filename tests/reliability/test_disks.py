"""A full disk and a read-only book.

Full: the book lives on a small tmpfs (mounted for the test; skipped where that cannot be done,
saying why) with a little room left; an import, a demo and a backup onto that disk run out of
room part-way. Wanted: one line that says the disk is full (exit 2 for the book's commands, as
for any book problem; a failed backup exits non-zero), no traceback, the book passes
integrity_check with the customers it had (checked on a copy: on the full disk not even a
reader can make the -shm file), opening it again on the still full disk reads or says why not
without a traceback, and no partial backup is left.

Read-only: the book on a tmpfs remounted read-only (as root: file permissions do not stop root)
or, for another user, a file and folder without write permission. Wanted: the reading commands
work (reminders, report, export), a writing one says the book is read-only (exit 2, no
traceback), and the file is never written.
"""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from reliability_helpers import (
    checked,
    crmdesk,
    demo_book,
    mount_tmpfs,
    no_traceback,
    remount_read_only,
    report,
    rounds,
    sha256,
    unmount,
    write_customers_csv,
)

pytestmark = pytest.mark.reliability

# Room left on the small disk past the book itself (and its -wal, made on the first write).
MARGINS = ([16 * 1024, 64 * 1024, 256 * 1024, 512 * 1024, 1024 * 1024] if rounds(0, 1)
           else [128 * 1024])


@pytest.fixture
def small_disk(tmp_path):
    mounted = []

    def make(size: int):
        where = tmp_path / f"disk{len(mounted)}"
        why = mount_tmpfs(where, size)
        if why:
            pytest.skip(f"no small disk to fill: {why}")
        mounted.append(where)
        return where

    yield make
    for where in mounted:
        unmount(where)


def checked_off_disk(book, folder) -> tuple[str, int]:
    """checked() of a copy of the book (with its -wal, if one was left) on a disk with room:
    on the full disk itself not even a reader can make its -shm file."""
    folder.mkdir(exist_ok=True)
    copy = folder / book.name
    for leftover in folder.glob(f"{book.name}*"):
        leftover.unlink()
    shutil.copy(book, copy)
    wal = book.with_name(book.name + "-wal")
    if wal.exists():
        shutil.copy(wal, copy.with_name(copy.name + "-wal"))
    return checked(copy)


def full_message(result) -> bool:
    words = result.stderr.lower()
    return "full" in words or "space" in words


def test_full_disk(tmp_path, small_disk):
    source = demo_book(tmp_path / "book.db", 300)
    big = demo_book(tmp_path / "big.db", 2000)
    before = checked(source)[1]
    csv = write_customers_csv(tmp_path / "new.csv", 5000, "Full")
    tried = survived = 0
    problems = []
    for margin in MARGINS:
        size = source.stat().st_size + margin
        for command in (["import", csv], ["demo", "--customers", "3000"]):
            disk = small_disk(size)
            book = disk / "book.db"
            shutil.copy(source, book)
            result = crmdesk(command[0], "--db", book, *command[1:])
            tried += 1
            verdict = checked_off_disk(book, tmp_path / "checked")
            # Opened again on the disk still full: it reads, or says why not, in one line.
            again = crmdesk("reminders", "--db", book, "--days", "7")
            ok = (result.returncode == 2 and full_message(result) and no_traceback(result)
                  and verdict == ("ok", before) and again.returncode in (0, 2)
                  and no_traceback(again))
            survived += ok
            if not ok:
                problems.append((command[0], margin, result.returncode, result.stderr[-600:],
                                 verdict, again.returncode, again.stderr[-300:]))
        # A backup onto the full disk: a clear message, nothing partial left there.
        disk = small_disk(size)
        (disk / "keep.txt").write_text("an older file on the disk")
        result = crmdesk("backup", "--db", big, "--out", disk / "backup.db")
        tried += 1
        left = sorted(p.name for p in disk.iterdir())
        ok = (result.returncode != 0 and full_message(result) and no_traceback(result)
              and left == ["keep.txt"] and checked(big) == ("ok", 2000))
        survived += ok
        if not ok:
            problems.append(("backup", margin, result.returncode, result.stderr[-600:], left))
    report(f"full disk: tried {tried}, survived {survived}")
    assert not problems, problems


@pytest.fixture
def read_only_book(tmp_path, small_disk):
    """A 300-customer book on a read-only disk (root) or in a read-only file and folder."""
    source = demo_book(tmp_path / "book.db", 300)
    if os.geteuid() == 0:
        disk = small_disk(source.stat().st_size * 2 + 1024 * 1024)
        book = disk / "book.db"
        shutil.copy(source, book)
        remount_read_only(disk)
        yield book
        return
    folder = tmp_path / "locked"
    folder.mkdir()
    book = folder / "book.db"
    shutil.copy(source, book)
    book.chmod(stat.S_IRUSR)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    yield book
    folder.chmod(stat.S_IRWXU)
    book.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_read_only_book(tmp_path, read_only_book):
    book = read_only_book
    digest = sha256(book)
    files = sorted(p.name for p in book.parent.iterdir())
    csv = write_customers_csv(tmp_path / "new.csv", 10, "ReadOnly")
    tried = survived = 0
    problems = []
    readers = [["reminders", "--today", "2026-06-01", "--days", "366"], ["report"],
               ["export", "--format", "csv", "--out", tmp_path / "out.csv"]]
    for command in readers:
        result = crmdesk(command[0], "--db", book, *command[1:])
        tried += 1
        ok = result.returncode == 0 and no_traceback(result) and (
            result.stdout.strip() or command[0] == "export")
        survived += bool(ok)
        if not ok:
            problems.append((command[0], result.returncode, result.stderr[-600:]))
    assert (tmp_path / "out.csv").exists() or problems
    for command in (["import", csv], ["demo", "--customers", "5"]):
        result = crmdesk(command[0], "--db", book, *command[1:])
        tried += 1
        words = result.stderr.lower()
        ok = (result.returncode == 2 and no_traceback(result)
              and ("read-only" in words or "read only" in words))
        survived += ok
        if not ok:
            problems.append((command[0], result.returncode, result.stderr[-600:]))
    tried += 1
    unchanged = sha256(book) == digest and sorted(p.name for p in book.parent.iterdir()) == files
    survived += unchanged
    if not unchanged:
        problems.append("the book or its folder changed")
    report(f"read-only book: tried {tried}, survived {survived}")
    assert not problems, problems
