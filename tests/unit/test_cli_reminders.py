"""`crmdesk reminders`: what is coming, one tab-separated line each, without marking anything."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from crmdesk.cli import main
from crmdesk.core.model import CustomerInput, DateInput
from crmdesk.store.db import open_database


@pytest.fixture
def shop(db_path, clock):
    """A customer book on disk with a few dates and follow-ups; closed again for the CLI."""
    from crmdesk.core.customers import CustomerBook

    opened = open_database(db_path)
    book = CustomerBook(opened.db, now=clock, default_country=lambda: "GB")
    anna = book.create(CustomerInput(first_name="Anna", last_name="Schmidt", dates=[
        DateInput("birthday", 12, 3, 1990), DateInput("anniversary", 1, 4, 2016, "Wedding")]))
    book.create(CustomerInput(first_name="Zoë", last_name="Ångström",
                              dates=[DateInput("birthday", 29, 2, None)]))
    bob = book.create(CustomerInput(first_name="Bob", dates=[DateInput("birthday", 9, 3, None)]))
    book.add_follow_up(anna, "Call about the\torder", dt.date(2026, 3, 8))
    book.add_follow_up(bob, "Send the catalogue", dt.date(2026, 3, 20))
    opened.db.close()
    return db_path


def deliveries(path) -> list[tuple]:
    opened = open_database(path)
    try:
        return opened.db.execute_sql("SELECT * FROM reminder_delivery").fetchall()
    finally:
        opened.db.close()


def run(capsys, *args) -> tuple[int, list[str], str]:
    code = main(["reminders", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_one_line_per_occurrence_sorted_by_date_and_nothing_marked(shop, capsys):
    code, lines, err = run(capsys, "--db", str(shop), "--today", "2026-03-10")
    assert (code, err) == (0, "")
    assert lines == [
        "2026-03-08\tfollow_up\tAnna Schmidt\tFollow up: Call about the order",
        "2026-03-12\tbirthday\tAnna Schmidt\tAnna Schmidt turns 36 on Thursday 12 March",
        "2026-03-20\tfollow_up\tBob\tFollow up: Send the catalogue",
    ]
    assert all(len(line.split("\t")) == 4 for line in lines)
    assert deliveries(shop) == []


def test_days_looks_further_and_the_year_wraps(shop, capsys):
    code, lines, _ = run(capsys, "--db", str(shop), "--today", "2026-12-30", "--days", "65")
    assert code == 0
    assert [line.split("\t")[:3] for line in lines] == [
        ["2026-03-08", "follow_up", "Anna Schmidt"],
        ["2026-03-20", "follow_up", "Bob"],
        ["2027-02-28", "birthday", "Zoë Ångström"],  # Feb 29 in a year without one
    ]
    _, lines, _ = run(capsys, "--db", str(shop), "--today", "2026-03-21", "--days", "11")
    assert lines[-1] == ("2026-04-01\tanniversary\tAnna Schmidt\t"
                         "Anna Schmidt's Wedding anniversary (10 years) is on Wednesday 1 April")
    _, lines, _ = run(capsys, "--db", str(shop), "--today", "2026-03-10", "--days", "0")
    assert [line.split("\t")[0] for line in lines] == ["2026-03-08"]


@pytest.mark.parametrize("bad", ["2026-3-10", "10/03/2026", "2026-02-30", "tomorrow", ""])
def test_a_bad_today_is_a_clear_error(shop, capsys, bad):
    code, lines, err = run(capsys, "--db", str(shop), "--today", bad)
    assert code == 2 and lines == []
    assert "--today must be a date written YYYY-MM-DD, such as 2026-03-10" in err


def test_bad_days_are_refused(shop, capsys):
    code, _, err = run(capsys, "--db", str(shop), "--days", "-1")
    assert code == 2 and "--days must be between 0 and 3660" in err
    with pytest.raises(SystemExit) as exited:
        main(["reminders", "--db", str(shop), "--days", "many"])
    assert exited.value.code == 2


def test_a_database_that_cannot_be_opened_exits_2_with_the_reason(tmp_path, capsys):
    not_a_book = tmp_path / "recipes.db"
    not_a_book.write_bytes(b"this is not a database at all" * 100)
    code, lines, err = run(capsys, "--db", str(not_a_book), "--today", "2026-03-10")
    assert code == 2 and lines == []
    assert err.startswith(f"crmdesk: Cannot open the customer book {not_a_book}")
    assert "damaged or is not a database" in err


def test_the_installed_entry_point_runs_it(shop):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "crmdesk", "reminders", "--db", str(shop), "--today",
         "2027-02-27", "--days", "2"],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "2027-02-28\tbirthday\tZoë Ångström\tZoë Ångström's birthday is tomorrow")
    assert deliveries(shop) == []
