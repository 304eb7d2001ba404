"""A new user's first day: messy contact exports from Google, Outlook and Excel go into an empty
book through the real program (`crmdesk import`), and every person in them arrives.

No desktop is needed: the program runs as a user runs it from a terminal, in a C locale with no
country set (so national numbers cannot be normalised), and what arrived is read back the way a
user would see it, through `crmdesk export`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

MESSY = Path(__file__).parents[1] / "fixtures" / "import" / "messy"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(LANG="C.UTF-8", HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), QT_QPA_PLATFORM="offscreen")
    return env


def _crmdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "crmdesk", *args], env=env,
                            capture_output=True, text=True, timeout=300,
                            stdin=subprocess.DEVNULL)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _excel_export(path: Path) -> None:
    """A workbook as Excel saves one typed by hand: phones typed as numbers (so the cell holds
    447700900321, shown as 4.477E+11), a birthday typed as a date, a postcode as a number."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["First name", "Last name", "Mobile", "Email", "Birthday", "Postcode"])
    sheet.append(["Ada", "Okafor", 447700900321, "ada@example.com", dt.datetime(1990, 7, 4), 10001])
    sheet.append(["Ben", "Ortiz", 447700900322.0, "", None, None])
    sheet.append(["Cleo", "Park", "", "cleo@example.com", "04/07/1992", None])
    book.save(path)


def _exported(env: dict[str, str], book: Path, out: Path) -> list[dict[str, str]]:
    result = _crmdesk(env, "export", "--db", str(book), "--format", "csv", "--out", str(out),
                      "--columns", "name,first_name,last_name,business_name,phone,phone_alt,"
                                   "email,notes,birthday,city")
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # A spreadsheet-safe CSV may mark a cell as text with a leading quote; a user sees no quote.
    return [{key: value[1:] if value.startswith("'") else value for key, value in row.items()}
            for row in rows]


def _to_check(book: Path) -> list[str]:
    """The names the customer list shows under its filter "Phone to check"."""
    from crmdesk.core.customer_list import CustomerList
    from crmdesk.core.model import ListQuery
    from crmdesk.store.db import open_database

    opened = open_database(book, create=False)
    try:
        people = CustomerList(opened.db)
        return [row.name for row in people.rows(
            people.find_ids(ListQuery(phone_check=True))).values()]
    finally:
        opened.db.close()


def test_every_person_in_messy_exports_arrives(tmp_path):
    env = _env(tmp_path)
    book = tmp_path / "book.db"
    xlsx = tmp_path / "typed by hand.xlsx"
    _excel_export(xlsx)

    google = _crmdesk(env, "import", str(MESSY / "google_messy.csv"), "--db", str(book))
    assert google.returncode == 0, google.stderr
    # Seven people (two with only an e-mail or only a number) and one row with nothing to find
    # a person by, which is the only one turned away.
    assert "imported: 7" in google.stdout, google.stdout
    assert "rejected: 1" in google.stdout, google.stdout
    assert "kept as written" in google.stdout, google.stdout

    outlook = _crmdesk(env, "import", str(MESSY / "outlook_messy.csv"), "--db", str(book),
                       "--date-order", "mdy")
    assert outlook.returncode == 0, outlook.stderr
    assert "imported: 4" in outlook.stdout, outlook.stdout
    assert "rejected: 0" in outlook.stdout, outlook.stdout

    excel = _crmdesk(env, "import", str(xlsx), "--db", str(book), "--date-order", "dmy")
    assert excel.returncode == 0, excel.stderr
    assert "imported: 3" in excel.stdout, excel.stdout

    rows = _exported(env, book, tmp_path / "out.csv")
    by_name = {row["Name"]: row for row in rows}
    assert len(rows) == 14, sorted(by_name)

    # The names, accents and letters that are not accents included, as they were written.
    for name in ("Zoë Ångström", "Bjørn Æsir", "Priya Natarajan", "Tom Short",
                 "Marie-Claire Dubois", "Grace Miller", "Hiroshi Tanaka", "Łukasz Wróbel",
                 "Leeds Bean Co", "Ada Okafor", "Ben Ortiz", "Cleo Park"):
        assert name in by_name, (name, sorted(by_name))

    # Numbers the phone library does not accept are kept: in international form where they
    # parse, every digit as written; exactly as written where they do not (a national number
    # and no country to read it with).
    def digits(text: str) -> str:
        return "".join(ch for ch in text if ch.isdigit())

    assert by_name["Priya Natarajan"]["Phone"] == "07700 900456"
    assert digits(by_name["Bjørn Æsir"]["Phone"]) == "4700000000"
    assert digits(by_name["Tom Short"]["Phone"]) == "15550100"
    assert digits(by_name["Hiroshi Tanaka"]["Phone"]) == "81300000000"
    # ... and each is marked "to check": the list's filter "Phone to check" shows them.
    assert {"Priya Natarajan", "Bjørn Æsir", "Tom Short", "Hiroshi Tanaka"} <= \
        set(_to_check(book))
    # The person known only by e-mail and the one known only by a number are there.
    assert any(row["Email"] == "nameless@example.com" for row in rows)
    assert any(row["Phone"].replace(" ", "") == "+447700900789" for row in rows)

    # Excel number cells: a country code without "+" becomes "+<digits>", never 4.477E+11 or .0
    # (the CSV writes "+44 7700900321": the space keeps a spreadsheet from reading a number)
    assert by_name["Ada Okafor"]["Phone"].replace(" ", "") == "+447700900321"
    assert by_name["Ben Ortiz"]["Phone"].replace(" ", "") == "+447700900322"
    assert by_name["Ada Okafor"]["Birthday"] == "1990-07-04"

    # What they said about themselves arrived with them.
    assert "Likes silk scarves" in by_name["Zoë Ångström"]["Notes"]
    assert "Vegetarian" in by_name["Priya Natarajan"]["Notes"]
    assert "Prefers calls after 5pm." in by_name["Grace Miller"]["Notes"]
    # A birthday that cannot be a real date is not the reason she is dropped: it is kept as
    # written, where the owner sees it.
    assert "31/02/1980" in by_name["Marie-Claire Dubois"]["Notes"]


def test_search_by_digits_finds_a_number_kept_as_written(tmp_path):
    """The owner types the digits they remember; the person whose number could not be checked
    is found all the same."""
    env = _env(tmp_path)
    book = tmp_path / "book.db"
    result = _crmdesk(env, "import", str(MESSY / "google_messy.csv"), "--db", str(book))
    assert result.returncode == 0, result.stderr

    from crmdesk.core.customer_list import CustomerList
    from crmdesk.core.model import ListQuery
    from crmdesk.store.db import open_database

    opened = open_database(book)
    try:
        people = CustomerList(opened.db)
        found = people.find_ids(ListQuery(text="900456"))
        rows = people.rows(found)
    finally:
        opened.db.close()
    assert [row.name for row in rows.values()] == ["Priya Natarajan"]
