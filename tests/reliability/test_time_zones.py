"""Reminders and appointment times in several time zones, across both daylight-saving changes.

The oracle is `zoneinfo` applied to each instant on its own: an appointment typed as 14:30 local
on a day after the change is stored as that day's UTC and shown back at 14:30 on that day, in
Today (`reminders.upcoming`), in the notifications (`reminders.due`, when it comes due) and in
`crmdesk reminders` run with the zone set through TZ (a subprocess, so this process's zone is
never changed). The grid: each zone's two changes in 2026; "today" from two weeks before the
change to the change itself; appointments from the day before to three days after it, around
midnight, at night (the hour that is skipped or repeated) and during the day.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from reliability_helpers import LONG, report

from crmdesk.core import reminders
from crmdesk.core.appointments import AppointmentInput, Appointments
from crmdesk.core.customers import CustomerBook, CustomerInput

pytestmark = pytest.mark.reliability

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Pacific/Auckland",
         "America/St_Johns"]
TIMES = [dt.time(0, 15), dt.time(1, 30), dt.time(2, 30), dt.time(9), dt.time(14, 30),
         dt.time(23, 30), dt.time(23, 59)]
YEAR = 2026


def changes(zone: ZoneInfo, year: int = YEAR) -> list[dt.date]:
    """The days on which the zone's UTC offset changes (at some hour of that day)."""
    found, day = [], dt.date(year, 1, 1)
    while day.year == year:
        before = dt.datetime.combine(day, dt.time(0), tzinfo=zone).utcoffset()
        after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0),
                                    tzinfo=zone).utcoffset()
        if before != after:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def exists(moment: dt.datetime) -> bool:
    """False for a local time skipped by the spring change."""
    back = moment.astimezone(dt.UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def make_book(tmp_path, name: str):
    from crmdesk.store.db import open_database

    opened = open_database(tmp_path / f"{name}.db")
    customer = CustomerBook(opened.db, now=lambda: dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                            default_country=lambda: "GB").create(
        CustomerInput(first_name="Anna", last_name="Zone"))
    return opened, customer


def plant(db, customer: int, zone: ZoneInfo, change: dt.date) -> dict[int, dt.datetime]:
    """Appointments around a change, typed as local times; {id: the intended aware start}."""
    diary = Appointments(db, now=lambda: dt.datetime(2020, 1, 1, tzinfo=dt.UTC), tz=zone)
    planted = {}
    for offset in range(-1, 4):
        day = change + dt.timedelta(days=offset)
        for at in TIMES:
            local = dt.datetime.combine(day, at, tzinfo=zone)
            if not exists(local):
                continue
            planted[diary.add(customer, AppointmentInput(day, at))] = local
    return planted


@pytest.mark.parametrize("zone_name", ZONES)
def test_appointments_keep_their_own_dates_offset(tmp_path, zone_name):
    zone = ZoneInfo(zone_name)
    opened, customer = make_book(tmp_path, zone_name.replace("/", "_"))
    db = opened.db
    tried = wrong = 0
    problems = []
    try:
        for change in changes(zone):
            db.execute_sql("DELETE FROM appointment")
            planted = plant(db, customer, zone, change)
            stored = dict(db.execute_sql("SELECT id, starts_at FROM appointment").fetchall())
            for appointment_id, local in planted.items():
                tried += 1
                want = local.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
                if str(stored[appointment_id])[:19] != want:
                    wrong += 1
                    problems.append(f"stored {local}: {stored[appointment_id]} != {want}")
            first_today = change - dt.timedelta(days=14 if LONG else 3)
            todays = [first_today + dt.timedelta(days=n)
                      for n in range((change - first_today).days + 1)]
            for today in todays:
                shown = {o.source_id: o for o in reminders.upcoming(db, today, 14, tz=zone)
                         if o.kind == "appointment"}
                for appointment_id, local in planted.items():
                    if not today <= local.date() <= today + dt.timedelta(days=14):
                        continue
                    tried += 1
                    item = shown.get(appointment_id)
                    if (item is None or item.occurs_on != local.date()
                            or item.starts_at.replace(tzinfo=None) != local.replace(tzinfo=None)
                            or f"at {local:%H:%M}" not in item.title):
                        wrong += 1
                        problems.append(f"Today {today}, {local}: {item}")
            # Notifications: each comes due exactly an hour (the default lead) before its start,
            # not a minute nor an hour earlier (in a repeated hour the wall times coincide).
            for appointment_id, local in planted.items():
                remind_at = local.astimezone(dt.UTC) - dt.timedelta(hours=1)
                for now, wanted in ((remind_at - dt.timedelta(minutes=60), False),
                                    (remind_at - dt.timedelta(minutes=1), False),
                                    (remind_at, True)):
                    tried += 1
                    found = {o.source_id: o for o in reminders.due(db, now.astimezone(zone))
                             if o.kind == "appointment"}
                    item = found.get(appointment_id)
                    ok = (item is not None) == wanted and (
                        item is None or (item.starts_at == local
                                         and f"at {local:%H:%M}" in item.title))
                    if not ok:
                        wrong += 1
                        problems.append(f"due at {now}, {local}: {item}")
    finally:
        db.close()
    report(f"time zone {zone_name}: tried {tried} checks, survived {tried - wrong}")
    assert not problems, f"{wrong} of {tried} wrong, such as:\n" + "\n".join(problems[:10])


def run_in_zone(zone_name: str, *args: str, code: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, TZ=zone_name)
    command = ([sys.executable, "-c", code, *args] if code
               else [sys.executable, "-m", "crmdesk", *args])
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("zone_name", ZONES)
def test_crmdesk_reminders_in_the_systems_zone(tmp_path, zone_name):
    """`crmdesk reminders` with TZ set: the dates and times of appointments after the change
    are those typed, not an hour off."""
    zone = ZoneInfo(zone_name)
    opened, customer = make_book(tmp_path, "cli")
    tried = wrong = 0
    lines = []
    try:
        for change in changes(zone):
            opened.db.execute_sql("DELETE FROM appointment")
            planted = plant(opened.db, customer, zone, change)
            today = change - dt.timedelta(days=2)
            result = run_in_zone(zone_name, "reminders", "--db", str(opened.path),
                                 "--today", today.isoformat(), "--days", "7")
            assert result.returncode == 0, result.stderr
            shown = sorted(line.split("\t")[0] + " " + line.split("\t")[3][-5:]
                           for line in result.stdout.splitlines()
                           if line.split("\t")[1] == "appointment")
            wanted = sorted(f"{local:%Y-%m-%d %H:%M}" for local in planted.values())
            tried += len(wanted)
            wrong += len(set(wanted) - set(shown))
            lines.append((change, shown, wanted))
    finally:
        opened.db.close()
    report(f"crmdesk reminders TZ={zone_name}: tried {tried} appointments, "
           f"survived {tried - wrong}")
    for change, shown, wanted in lines:
        assert shown == wanted, f"around {change}"


NOW_AS_THE_SYSTEM_GIVES = """
import datetime as dt, sys
from crmdesk.core import clock, reminders
from crmdesk.store.db import open_database
db = open_database(sys.argv[1]).db
instant = dt.datetime.fromisoformat(sys.argv[2])
# what `datetime.now().astimezone()` gives (today's fixed offset), and what clock.system_now() does
for now in (instant.astimezone(), instant.astimezone(clock.system_now().tzinfo)):
    found = [o for o in reminders.due(db, now) if o.kind == "appointment"]
    print(" ".join(f"{o.starts_at:%Y-%m-%d %H:%M}" for o in found))
"""


@pytest.mark.parametrize("zone_name", ZONES)
def test_the_scheduler_now_before_a_change_reminds_at_the_right_time(tmp_path, zone_name):
    """The tick's `now` is what the system gives (a fixed offset from `.astimezone()`, or
    clock.system_now()); an appointment the day after the change, whose reminder comes due
    before it (a long lead), keeps the time it was typed with."""
    zone = ZoneInfo(zone_name)
    opened, customer = make_book(tmp_path, "tick")
    diary = Appointments(opened.db, now=lambda: dt.datetime(2020, 1, 1, tzinfo=dt.UTC), tz=zone)
    tried = wrong = 0
    try:
        for change in changes(zone):
            opened.db.execute_sql("DELETE FROM appointment")
            day = change + dt.timedelta(days=1)
            diary.add(customer, AppointmentInput(day, dt.time(10), lead_minutes=3 * 24 * 60))
            now = dt.datetime.combine(change - dt.timedelta(days=1), dt.time(12), tzinfo=zone)
            result = run_in_zone(zone_name, str(opened.path),
                                 now.astimezone(dt.UTC).isoformat(),
                                 code=NOW_AS_THE_SYSTEM_GIVES)
            assert result.returncode == 0, result.stderr
            for line in result.stdout.splitlines():
                tried += 1
                wrong += line != f"{day:%Y-%m-%d} 10:00"
            assert result.stdout.splitlines() == [f"{day:%Y-%m-%d} 10:00"] * 2, change
    finally:
        opened.db.close()
    report(f"scheduler's now TZ={zone_name}: tried {tried}, survived {tried - wrong}")


class ZoneClock:
    """A fake clock in a zone with rules, moved by elapsed time (not wall time)."""

    def __init__(self, now: dt.datetime):
        self.current = now

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta) -> None:
        tz = self.current.tzinfo
        self.current = (self.current.astimezone(dt.UTC) + dt.timedelta(**delta)).astimezone(tz)


@pytest.mark.parametrize("zone_name", ZONES)
def test_the_scheduler_across_the_change(qtbot, caplog, zone_name):
    """The scheduler's clock (clock.system_now(): aware in the zone with its rules) across
    each change: a minute's tick is not taken for a clock jump, and an appointment reminder
    half a minute after the change gets its exact-time timer (half a minute, not an hour more
    or less)."""
    import logging

    from crmdesk.desktop.scheduler import ReminderScheduler

    zone = ZoneInfo(zone_name)
    tried = wrong = 0
    for change in changes(zone):
        # The instant the offset changes on that day, found minute by minute.
        moment = dt.datetime.combine(change, dt.time(), tzinfo=zone).astimezone(dt.UTC)
        start_offset = moment.astimezone(zone).utcoffset()
        while moment.astimezone(zone).utcoffset() == start_offset:
            moment += dt.timedelta(minutes=1)
        clock = ZoneClock((moment - dt.timedelta(seconds=30)).astimezone(zone))
        at = moment.astimezone(zone)  # the first instant after the change, as the rules give it
        scheduler = ReminderScheduler(lambda now: [], lambda occ: True, clock,
                                      next_due_at=lambda now, at=at: at)
        try:
            scheduler.start()
            tried += 1
            wait = scheduler.next_due_wait_ms
            if wait is None or not 25_000 <= wait <= 31_000:
                wrong += 1
            clock.advance(seconds=65)
            caplog.clear()
            with caplog.at_level(logging.INFO):
                scheduler.tick()
            tried += 1
            wrong += "clock moved" in caplog.text
        finally:
            scheduler.stop()
    report(f"scheduler across the change TZ={zone_name}: tried {tried}, "
           f"survived {tried - wrong}")
    assert wrong == 0
