"""core/clock.py: the local zone with its rules (not today's fixed offset), whatever TZ holds.

Each case runs in a subprocess with its own TZ, so this process's zone is never changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


def run(tz: str, code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                            env=dict(os.environ, TZ=tz), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


CONVERSIONS = """
    import datetime as dt
    from crmdesk.core import clock
    zone = clock.local_zone()
    print(type(zone).__name__)
    for stamp in ("2026-01-15 12:00", "2026-07-15 12:00"):
        print(clock.to_local(dt.datetime.fromisoformat(stamp)).isoformat())
    print(clock.system_now().utcoffset() == dt.datetime.now().astimezone().utcoffset())
"""


@pytest.mark.parametrize("tz, kind, winter, summer", [
    ("Europe/London", "ZoneInfo", "2026-01-15T12:00:00+00:00", "2026-07-15T13:00:00+01:00"),
    (":America/New_York", "ZoneInfo", "2026-01-15T07:00:00-05:00",
     "2026-07-15T08:00:00-04:00"),
    ("Australia/Sydney", "ZoneInfo", "2026-01-15T23:00:00+11:00",
     "2026-07-15T22:00:00+10:00"),
    # A POSIX rule is no zone name: the platform is asked for each instant.
    ("EST5EDT4,M3.2.0,M11.1.0", "SystemLocal", "2026-01-15T07:00:00-05:00",
     "2026-07-15T08:00:00-04:00"),
])
def test_each_instant_gets_its_own_dates_offset(tz, kind, winter, summer):
    assert run(tz, CONVERSIONS).splitlines() == [kind, winter, summer, "True"]


def test_the_platforms_zone_handles_the_repeated_hour():
    out = run("EST5EDT4,M3.2.0,M11.1.0", """
        import datetime as dt
        from crmdesk.core import clock
        zone = clock.local_zone()
        for stamp in ("2026-11-01 05:30", "2026-11-01 06:30", "2026-03-08 07:00"):
            local = dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.UTC).astimezone(zone)
            print(local.isoformat(), local.fold, clock.utc_naive(local).isoformat())
    """)
    assert out.splitlines() == [
        "2026-11-01T01:30:00-04:00 0 2026-11-01T05:30:00",
        "2026-11-01T01:30:00-05:00 1 2026-11-01T06:30:00",
        "2026-03-08T03:00:00-04:00 0 2026-03-08T07:00:00"]


def test_the_systems_fixed_offset_stands_for_the_systems_zone():
    out = run("Europe/London", """
        import datetime as dt
        from zoneinfo import ZoneInfo
        from crmdesk.core import clock
        fixed = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC).astimezone()  # GMT, today's offset
        print(clock.zone_of(fixed))
        other = dt.datetime(2026, 3, 20, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        print(clock.zone_of(other))
        print(clock.zone_of(dt.datetime(2026, 3, 20, tzinfo=ZoneInfo("Asia/Tokyo"))))
    """)
    assert out.splitlines() == ["Europe/London", "UTC+02:00", "Asia/Tokyo"]


def test_an_hours_snooze_is_an_hour_across_the_autumn_change():
    out = run("Europe/London", """
        import datetime as dt
        from crmdesk.core import clock
        from crmdesk.desktop.scheduler import in_one_hour
        now = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC).astimezone(clock.local_zone())
        later = in_one_hour(now)
        print(now.isoformat(), later.isoformat(), clock.utc_naive(later).isoformat())
    """)
    assert out == "2026-10-25T01:30:00+01:00 2026-10-25T01:30:00+00:00 2026-10-25T01:30:00"


@pytest.mark.parametrize("tz", ["America/St_Johns", "Australia/Lord_Howe", "Europe/London"])
def test_the_platforms_zone_agrees_with_zoneinfo_at_every_instant(tz):
    """SystemLocal (the fallback) gives what ZoneInfo gives: offset, wall time and fold, and
    back to the same instant, at 5,000 seeded instants from 1990 to 2037 and every half hour
    of 2026 (Lord Howe changes by half an hour)."""
    out = run(tz, """
        import datetime as dt, os, random
        from zoneinfo import ZoneInfo
        from crmdesk.core.clock import SystemLocal, utc_naive
        rules, platform = ZoneInfo(os.environ["TZ"]), SystemLocal()
        rng = random.Random(15)
        start = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
        instants = [start + dt.timedelta(seconds=rng.randrange(47 * 365 * 86400))
                    for _ in range(5000)]
        day = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        instants += [day + dt.timedelta(minutes=30 * n) for n in range(365 * 48)]
        wrong = 0
        for moment in instants:
            a, b = moment.astimezone(rules), moment.astimezone(platform)
            same = (a.replace(tzinfo=None) == b.replace(tzinfo=None) and a.fold == b.fold
                    and a.utcoffset() == b.utcoffset()
                    and utc_naive(b) == moment.replace(tzinfo=None))
            wrong += not same
        print(len(instants), wrong)
    """)
    tried, wrong = map(int, out.split())
    assert tried > 20_000 and wrong == 0
