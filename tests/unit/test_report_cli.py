"""`crmdesk report`: the KPIs as JSON or as a short text, for a period; clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from tests.unit.test_report import shop  # noqa: F401  (the hand-made book)

from crmdesk.cli import main
from crmdesk.core import settings as settings_store

PERIOD = ["--from", "2026-02-09", "--to", "2026-03-10"]


@pytest.fixture
def book_file(db, db_path, shop):  # noqa: F811
    settings_store.save(db, settings_store.BusinessSettings(currency="EUR"))
    return db_path


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_keys_and_values(book_file, capsys):
    code, out, err = run(capsys, "--db", str(book_file), "--json", *PERIOD)
    assert code == 0, err
    data = json.loads(out)
    assert data["period"] == {"from": "2026-02-09", "to": "2026-03-10"}
    assert data["currency"] == "EUR"
    assert (data["customers"], data["active_customers"], data["purchases"]) == (5, 2, 5)
    assert data["revenue"] == 162.0 and data["average_basket"] == 32.4
    assert data["repeat_customer_rate"] == 0.5
    assert data["average_clv"] == 36.25
    assert [(t["name"], t["total"]) for t in data["top_customers"]] == [
        ("Ann Able", 60.0), ("Cat Cole", 40.0), ("Dan Dale", 40.0), ("Ben Best", 5.0)]
    assert data["previous_period"]["from"] == "2026-01-10"
    assert data["previous_period"]["revenue"] == 40.0


def test_text_report(book_file, capsys):
    code, out, _err = run(capsys, "--db", str(book_file), *PERIOD)
    assert code == 0
    assert "From 2026-02-09 to 2026-03-10" in out
    assert "Revenue:" in out and "162.00 EUR" in out
    assert "Repeat customers:" in out and "50%" in out
    assert "1. Ann Able" in out


def test_default_period_is_the_last_30_days(book_file, capsys):
    code, out, _err = run(capsys, "--db", str(book_file), "--json")
    period = json.loads(out)["period"]
    import datetime as dt

    start, end = (dt.date.fromisoformat(period[k]) for k in ("from", "to"))
    assert code == 0 and (end - start).days == 29 and end == dt.datetime.now().date()


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-13-01"], "--from must be a date written YYYY-MM-DD"),
    (["--to", "10/03/2026"], "--to must be a date written YYYY-MM-DD"),
    (["--from", "2026-03-10", "--to", "2026-03-01"], "is after --to"),
])
def test_bad_dates_are_refused_plainly(book_file, capsys, args, message):
    code, out, err = run(capsys, "--db", str(book_file), *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_no_book_and_a_damaged_book_are_refused(tmp_path, capsys):
    missing = tmp_path / "nothing.db"
    code, _out, err = run(capsys, "--db", str(missing), "--json")
    assert code == 2 and "no customer book" in err and not missing.exists()
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database at all" * 100)
    code, _out, err = run(capsys, "--db", str(damaged), "--json")
    assert code == 2 and "damaged" in err


def test_as_a_program(book_file):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-m", "crmdesk", "report", "--db", str(book_file),
                             "--json", *PERIOD], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["revenue"] == 162.0 and data["top_customers"][0]["name"] == "Ann Able"
