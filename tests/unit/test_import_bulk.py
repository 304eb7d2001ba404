"""The bulk import's shortcuts give exactly what the one-customer paths give: phone answers
remembered per import, search rows built from the data in memory."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.core import import_check, importing, phones
from crmdesk.core.model import ConsentInput, CustomerInput, DateInput
from crmdesk.formats import import_file, import_mapping
from crmdesk.store import search

NUMBERS = ["07400 123456", "07400123456", "+44 7400 123456", "0044 7400 123456", " 07400 123456 ",
           "+33 1 99 00 00 01", "+1 202 555 0100", "(0117) 496 0123", "12", "hello",
           "07700 900123", "07400 123456 789 012", "", "   ", None]


def answer(call, raw):
    try:
        return ("number", call(raw))
    except phones.InvalidPhone as exc:
        return ("refused", str(exc))


@pytest.mark.parametrize("country", ["GB", "de", ""])
def test_a_remembered_number_gets_the_answer_a_fresh_check_gives(country):
    remembered = phones.Normaliser(country)
    for _ in range(2):  # the second time round every answer comes from memory
        for raw in NUMBERS:
            assert answer(remembered, raw) == answer(
                lambda r: phones.normalise(r, country), raw), raw


def test_a_full_memory_still_answers_right():
    remembered = phones.Normaliser("GB", limit=1)
    assert [answer(remembered, r) for r in ("07400 123456", "12", "12")] == [
        ("number", "+447400123456"),
        ("refused", "This number has too few or too many digits."),
        ("refused", "This number has too few or too many digits.")]


def test_search_rows_of_imported_customers_are_what_the_index_builds(db, book, clock, tmp_path,
                                                                    find):
    book.create(CustomerInput(first_name="Old", last_name="Friend", tags=["vip"]))
    path = tmp_path / "list.csv"
    path.write_text(
        "Name,Company,Mobile,Home Phone,E-mail,City,Notes,Tags\n"
        "Zoë Ångström,,07400 123456,+33 1 99 00 00 01,Zoe@Example.com,Bristol,vegan,"
        "Zebra; VIP; Apple\n"
        ",Café Übersee,0117 496 0123,,,Berlin,,Wholesale\n"
        "Ben Cole,,,,,,,\n", encoding="utf-8")
    table = import_file.read_file(path)
    plan = importing.plan(table, import_mapping.build_mapping(table.headers), db, "GB",
                          today=clock.today())
    result = importing.apply(plan, db, now=clock)
    ids = result.created_ids
    query = f"SELECT rowid, names, details FROM customer_search WHERE rowid IN " \
            f"({','.join('?' * len(ids))}) ORDER BY rowid"
    imported = db.execute_sql(query, ids).fetchall()
    search.index_customers(db, ids)
    assert imported == db.execute_sql(query, ids).fetchall()
    zoe, cafe, ben = ids
    assert find("zebra") == [zoe] and zoe in find("vip") and find("3456") == [zoe]
    assert find("ubersee") == [cafe] and find("4960123") == [cafe] and find("ben cole") == [ben]


def test_an_import_replaces_search_rows_left_without_a_customer(db, book, clock, tmp_path, find):
    first = book.create(CustomerInput(first_name="First", last_name="One"))
    # As if a customer had been deleted for good and its search row left behind.
    gone = first + 1
    db.execute_sql("INSERT INTO customer_search (rowid, names, details) VALUES (?, ?, ?)",
                   (gone, "Ghost Row", "ghost"))
    assert find("ghost") == []
    path = tmp_path / "list.csv"
    path.write_text("Name\nAnna Berg\n", encoding="utf-8")
    table = import_file.read_file(path)
    plan = importing.plan(table, import_mapping.build_mapping(table.headers), db, "GB",
                          today=clock.today())
    result = importing.apply(plan, db, now=clock)
    assert result.created_ids == [gone]
    assert find("ghost") == [] and find("anna") == [gone]


@pytest.mark.parametrize("text", ["Anna Berg", "  anna   BERG ", "Chloé Dubois", "ÅNGSTRÖM",
                                  "Straße", "ﬁne", "", "Zoe\u0308"])
def test_the_quick_fold_folds_like_the_full_one(text):
    from crmdesk.core.text import fold

    assert importing.fast_fold(text) == fold(text)


# --- checking on two cores --------------------------------------------------------------------

def messy_table(tmp_path, rows: int):
    """Rows good and bad, repeated phones, e-mails and names (duplicates across chunks)."""
    phones_ = ["020 7946 0001", "+44 20 7946 0002", "07400 123456", "12", "hello", "",
               "+33 1 99 00 00 01", "07700 900123", "0044 7400 123457"]
    emails = ["anna@example.com", "bad@", "", "", "x@y.org"]
    dates = ["1980-03-15", "31/02/1990", "", "2030-01-01", "13/13/2000", "5 March 1975"]
    lines = ["Name,Mobile,Home Phone,E-mail,Birthday,Tags,Status"]
    for i in range(rows):
        lines.append(f"Person {i % 700},{phones_[i % 9]},{phones_[(i * 7) % 9]},"
                     f"{emails[i % 5]},{dates[i % 6]},{'VIP' if i % 3 else ''},"
                     f"{'weird' if i % 97 == 0 else ''}")
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return import_file.read_file(path)


def planned(db, clock, table, mode, **kwargs):
    plan = importing.plan(table, import_mapping.build_mapping(table.headers), db, "GB", mode,
                          date_order="dmy", today=clock.today(), **kwargs)
    return [(r.index, r.label, r.action, r.existing_id, r.reason, r.data) for r in plan.rows]


@pytest.mark.parametrize("mode", ["skip", "merge"])
def test_checking_on_two_cores_plans_exactly_what_one_core_plans(db, book, clock, tmp_path,
                                                                 mode):
    book.create(CustomerInput(first_name="Person", last_name="7", phone="020 7946 0002"))
    table = messy_table(tmp_path, 4 * import_check.CHUNK + 123)
    one = planned(db, clock, table, mode, parallel=False)
    assert {r[2] for r in one} >= {"create", "skip", "reject"}
    assert planned(db, clock, table, mode, parallel=True) == one


def test_the_helper_process_answers_as_this_one_does(clock, tmp_path, monkeypatch):
    from crmdesk.formats.import_rows import RowReader

    table = messy_table(tmp_path, 5 * import_check.CHUNK + 7)
    reader = RowReader(table, import_mapping.build_mapping(table.headers),
                       {i: "dmy" for i in range(len(table.headers))}, clock.today())
    here = list(import_check.outcomes(reader, table.rows, "GB", clock.today(), parallel=False))
    from_helper = []
    unpack = import_check.unpack
    monkeypatch.setattr(import_check, "unpack",
                        lambda packed: from_helper.append(1) or unpack(packed))
    both = list(import_check.outcomes(reader, table.rows, "GB", clock.today(), parallel=True,
                                      patient=True))
    assert both == here
    assert from_helper  # some of the rows were checked by the helper


class BrokenPool:
    """A helper process that cannot be started."""

    def submit(self, *args):
        from concurrent.futures.process import BrokenProcessPool

        raise BrokenProcessPool("no helper")

    def shutdown(self, *args, **kwargs):
        pass


def test_without_a_helper_process_the_check_still_completes(db, clock, tmp_path, monkeypatch):
    table = messy_table(tmp_path, 3 * import_check.CHUNK)
    one = planned(db, clock, table, "skip", parallel=False)
    monkeypatch.setattr(import_check, "_open_pool", lambda *args: BrokenPool())
    assert planned(db, clock, table, "skip", parallel=True) == one


class SilentPool:
    """A helper process that started but never answers (stuck, or slow to start)."""

    def submit(self, *args):
        from concurrent.futures import Future

        return Future()

    def shutdown(self, *args, **kwargs):
        pass


def test_a_helper_that_never_answers_is_not_waited_for(db, clock, tmp_path, monkeypatch):
    table = messy_table(tmp_path, 3 * import_check.CHUNK)
    one = planned(db, clock, table, "merge", parallel=False)
    monkeypatch.setattr(import_check, "_open_pool", lambda *args: SilentPool())
    assert planned(db, clock, table, "merge", parallel=True) == one


def test_cancelling_a_check_on_two_cores_stops_it(db, clock, tmp_path):
    table = messy_table(tmp_path, 6 * import_check.CHUNK)
    seen = []

    def progress(done, total):
        seen.append(done)
        return len(seen) < 2

    with pytest.raises(importing.ImportCancelled):
        importing.plan(table, import_mapping.build_mapping(table.headers), db, "GB",
                       date_order="dmy", today=clock.today(), progress=progress, parallel=True)
    assert seen == [importing.CHUNK, 2 * importing.CHUNK]


def test_a_customer_survives_the_trip_between_processes():
    data = CustomerInput(kind="business", business_name="Café", phone="+447400123456",
                         keep_in_touch_days=30, do_not_contact=True, tags=["VIP", "Ö"],
                         dates=[DateInput(kind="custom", day=29, month=2, label="Day",
                                          lead_days=3)],
                         consents=[ConsentInput("email", True, dt.date(2026, 1, 2), "form")])
    assert import_check.unpack(import_check.pack(data)) == data
