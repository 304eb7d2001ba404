"""Hostile files under a memory limit (RLIMIT_AS 1 GB in the subprocess): an .xlsx declaring
a huge sheet, a vCard with 30,000 phones, one folded over 400,000 lines, a long
quoted-printable value, a 5 MB photo, a 10 MB name (vCard and CSV), and a 950-character search.

Wanted for each: the command ends by itself (no hang; the issue asks for 30 s for files of 20 MB
or less: the time is printed, not asserted, since this machine may be busy), within the memory
limit (no MemoryError, not killed), with no traceback, exit 0 (read) or 1/2 (refused, with a
message), and the book passes integrity_check holding the customers it had or those plus the
file's one. Peak memory (ru_maxrss) and time are reported.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
import zipfile

import pytest
from reliability_helpers import PYTHON, checked, demo_book, report

pytestmark = [pytest.mark.reliability,
              pytest.mark.skipif(sys.platform == "win32",
                                 reason="the memory limit is set with POSIX setrlimit")]

MEMORY_LIMIT = 1024 ** 3
HANG = 600  # seconds: only a hang fails; the time itself is reported


def _limit_memory():  # runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(args: list, folder) -> tuple[int, str, str, float, float]:
    """(exit code, stdout, stderr, seconds, peak MB) of `python *args` under the limit. The
    peak is the child's own ru_maxrss (os.wait4); a child still running after HANG seconds is
    killed (a timer, not a poll) and reported as such."""
    import threading

    out_path, err_path = folder / "child.out", folder / "child.err"
    started = time.perf_counter()
    with open(out_path, "w") as out_file, open(err_path, "w") as err_file:
        proc = subprocess.Popen([PYTHON, *map(str, args)], stdout=out_file, stderr=err_file,
                                preexec_fn=_limit_memory)
    hung = threading.Event()

    def kill():
        hung.set()
        proc.kill()

    timer = threading.Timer(HANG, kill)
    timer.start()
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    err = err_path.read_text(errors="replace")
    if hung.is_set():
        err += f"\n(still running after {HANG} s: killed)"
    return proc.returncode, out_path.read_text(errors="replace"), err, seconds, \
        usage.ru_maxrss / 1024


def vcard(lines: list[str]) -> str:
    return "\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *lines, "END:VCARD", ""])


def fold(text: str, width: int = 74) -> str:
    return "\r\n ".join(text[i:i + width] for i in range(0, len(text), width))


def make_files(folder) -> dict[str, object]:
    files = {}
    # An .xlsx that declares A1:XFD1048576 (17 billion cells) and holds two rows.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["First name", "Last name", "Email"])
    sheet.append(["Huge", "Dimension", "huge@example.org"])
    plain = folder / "plain.xlsx"
    book.save(plain)
    huge = folder / "huge-dimension.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(huge, "w",
                                                          zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                start = text.index("<dimension")
                end = text.index("/>", start) + 2
                data = (text[:start] + '<dimension ref="A1:XFD1048576"/>' + text[end:]).encode()
            target.writestr(item, data)
    files["xlsx declaring A1:XFD1048576"] = huge
    phones = [f"TEL;TYPE=CELL:+44 7700 {i:06d}" for i in range(30000)]
    files["vCard with 30,000 phones"] = vcard(["FN:Many Phones", "N:Phones;Many;;;", *phones])
    folded = "NOTE:" + "\r\n ".join(["folded"] * 400_000)
    files["vCard folded over 400,000 lines"] = vcard(["FN:Folded Note", "N:Note;Folded;;;",
                                                      folded])
    qp = "=\r\n".join(["=41" * 25] * 80_000)  # 2,000,000 letters, 6 MB written
    files["6 MB quoted-printable value"] = vcard(
        ["FN:Quoted Printable", "N:Printable;Quoted;;;",
         "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:" + qp])
    photo = base64.b64encode(os.urandom(5 * 1024 * 1024)).decode()
    files["5 MB photo"] = vcard(["FN:Big Photo", "N:Photo;Big;;;",
                                 fold("PHOTO;ENCODING=b;TYPE=JPEG:" + photo)])
    name = "Ab" * (5 * 1024 * 1024)
    files["10 MB name (vCard)"] = vcard([f"FN:{name}", f"N:{name};Long;;;"])
    files["10 MB name (CSV)"] = f"First name,Last name,Email\r\nLong,{name},long@example.org\r\n"
    written = {}
    for n, (label, content) in enumerate(files.items()):
        if isinstance(content, str):
            suffix = ".csv" if "CSV" in label else ".vcf"
            path = folder / f"hostile{n}{suffix}"
            path.write_text(content, encoding="utf-8", newline="")
            content = path
        written[label] = content
    return written


SEARCH = """
import sys
from crmdesk.core.customer_list import CustomerList
from crmdesk.core.model import ListQuery
from crmdesk.store.db import open_database
db = open_database(sys.argv[1]).db
for text in sys.argv[2:]:
    found = CustomerList(db).find_ids(ListQuery(text=text))
    print(len(text), len(found))
"""


def test_hostile_files(tmp_path):
    source = demo_book(tmp_path / "source.db", 300)
    before = checked(source)[1]
    files = make_files(tmp_path)
    tried = survived = 0
    problems = []
    lines = []
    for label, path in files.items():
        book = tmp_path / "book.db"
        book.write_bytes(source.read_bytes())
        code, out, err, seconds, peak = run_limited(["-m", "crmdesk", "import", "--db", book,
                                                     path], tmp_path)
        verdict = checked(book)
        tried += 1
        ok = (code in (0, 1, 2) and "Traceback" not in err and "MemoryError" not in err
              and verdict[0] == "ok" and verdict[1] in (before, before + 1)
              and (code == 0 or err.strip() != ""))
        survived += ok
        size = path.stat().st_size / 1024 ** 2
        said = " ".join((err.strip() or out.strip()).split())[:90]
        lines.append(f"  {label} ({size:.1f} MB): exit {code} in {seconds:.1f} s, "
                     f"peak {peak:.0f} MB: {said}")
        if not ok:
            problems.append((label, code, err[-500:], verdict))
        for extra in tmp_path.glob("book.db*"):
            extra.unlink()
    book = tmp_path / "book.db"
    book.write_bytes(source.read_bytes())
    searches = ["a " * 475, "\"*(AND OR NOT NEAR^ -" * 45 + "xxxxx", "Müller" * 158 + "ab"]
    assert all(len(text) >= 950 for text in searches)
    code, out, err, seconds, peak = run_limited(["-c", SEARCH, book, *searches], tmp_path)
    tried += 1
    ok = code == 0 and "Traceback" not in err and len(out.splitlines()) == len(searches)
    survived += ok
    lines.append(f"  three 950-character searches: exit {code} in {seconds:.1f} s, "
                 f"peak {peak:.0f} MB")
    if not ok:
        problems.append(("950-character search", code, err[-500:]))
    report(f"hostile files under RLIMIT_AS 1 GB: tried {tried}, survived {survived}")
    for line in lines:
        report(line)
    assert not problems, problems
