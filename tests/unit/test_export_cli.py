"""`crmdesk export` end to end, and exports of a demo book of 5,000 customers."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time

import icalendar
import pytest
import vobject

from crmdesk.cli import main
from crmdesk.core.model import CustomerInput, DateInput
from crmdesk.store.db import open_database


@pytest.fixture
def shop(db_path, clock):
    from crmdesk.core.customers import CustomerBook

    opened = open_database(db_path)
    book = CustomerBook(opened.db, now=clock, default_country=lambda: "GB")
    book.create(CustomerInput(first_name="Anna", last_name="Schmidt", phone="+44 7911 123456",
                              dates=[DateInput("birthday", 12, 3, 1990)]))
    book.create(CustomerInput(first_name="Zoë", last_name="Ångström", do_not_contact=True,
                              dates=[DateInput("birthday", 29, 2, None)]))
    opened.db.close()
    return db_path


def names_in_csv(path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row["Name"] for row in csv.DictReader(handle)]


def test_each_format_through_main(shop, tmp_path, capsys):
    for fmt in ("csv", "vcf", "ics", "json"):
        out = tmp_path / f"out.{fmt}"
        assert main(["export", "--format", fmt, "--out", str(out), "--db", str(shop)]) == 0
        assert out.exists()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"exported 2 customers to {tmp_path / 'out.csv'}"
    assert lines[2] == f"exported 2 customers (2 dates) to {tmp_path / 'out.ics'}"
    assert names_in_csv(tmp_path / "out.csv") == ["Anna Schmidt", "Zoë Ångström"]
    cards = list(vobject.readComponents((tmp_path / "out.vcf").read_text(encoding="utf-8")))
    assert len(cards) == 2
    assert len(icalendar.Calendar.from_ical((tmp_path / "out.ics").read_bytes())
               .walk("VEVENT")) == 2
    assert len(json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["customers"]) == 2


def test_marketing_leaves_out_do_not_contact(shop, tmp_path, capsys):
    out = tmp_path / "mail.csv"
    assert main(["export", "--out", str(out), "--db", str(shop), "--marketing"]) == 0
    assert names_in_csv(out) == ["Anna Schmidt"]
    assert "exported 1 customer to" in capsys.readouterr().out
    assert main(["export", "--out", str(tmp_path / "x.json"), "--db", str(shop),
                 "--marketing"]) == 2
    assert "csv, xlsx and vcf" in capsys.readouterr().err


def test_unwritable_or_missing_folder_fails_clearly(shop, tmp_path, capsys):
    out = tmp_path / "missing" / "x.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--db", str(shop)]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not out.parent.exists()
    if os.name == "posix" and os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert main(["export", "--out", str(locked / "x.csv"), "--db", str(shop)]) == 1
        assert "Cannot write" in capsys.readouterr().err
        assert list(locked.iterdir()) == []


def test_unknown_suffix_asks_for_format(shop, tmp_path, capsys):
    assert main(["export", "--out", str(tmp_path / "x.txt"), "--db", str(shop)]) == 2
    assert "--format" in capsys.readouterr().err


def test_python_m_crmdesk_export(shop, tmp_path):
    out = tmp_path / "contacts.vcf"
    done = subprocess.run([sys.executable, "-m", "crmdesk", "export", "--format", "vcf",
                           "--out", str(out), "--db", str(shop)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"exported 2 customers to {out}"
    assert out.read_bytes().count(b"BEGIN:VCARD") == 2


def test_five_thousand_demo_customers_in_every_format(db, tmp_path):
    from crmdesk.core import demo
    from crmdesk.formats import export

    demo.generate(db, 5000, seed=3)
    timings = {}
    for name, call, suffix in ((("csv", export.export_csv, "csv")),
                               ("vcf", export.export_vcard, "vcf"),
                               ("ics", export.export_ical, "ics"),
                               ("json", export.export_json, "json")):
        started = time.perf_counter()
        result = call(db, tmp_path / f"demo.{suffix}")
        timings[name] = time.perf_counter() - started
        assert result.path.stat().st_size > 0
        if name != "ics":
            assert result.customers == 5000
    print("export of 5,000 demo customers:",
          ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    assert len(names_in_csv(tmp_path / "demo.csv")) == 5000
    assert sum(1 for _ in vobject.readComponents(
        (tmp_path / "demo.vcf").read_text(encoding="utf-8"))) == 5000
    assert len(json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))
               ["customers"]) == 5000
