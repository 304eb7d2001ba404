"""Time, injected: the rules never read the wall clock themselves.

Stored datetimes are naive UTC. Local time is the system's zone *with its rules*: every instant
gets its own date's UTC offset (a summer appointment seen in winter is still at its summer
time). `local_zone()` is that zone: a `zoneinfo.ZoneInfo` named by the system (the TZ variable,
else /etc/localtime or /etc/timezone) when it agrees with the platform's clock, else a zone that
asks the platform for each instant (Windows without tzdata, a POSIX TZ rule string). A fixed
offset, such as `datetime.now().astimezone().tzinfo`, is today's offset only and is wrong
across a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from pathlib import Path

Now = Callable[[], dt.datetime]

_EPOCH = dt.datetime(1970, 1, 1)


class SystemLocal(dt.tzinfo):
    """The platform's local time, asked for each instant (what `.astimezone()` without an
    argument does), as a tzinfo that can be attached to any datetime."""

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta | None:
        if moment is None:
            return None
        return moment.replace(tzinfo=None).astimezone().utcoffset()

    def dst(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None

    def tzname(self, moment: dt.datetime | None) -> str | None:
        if moment is None:
            return time.tzname[0]
        return moment.replace(tzinfo=None).astimezone().tzname()

    def fromutc(self, moment: dt.datetime) -> dt.datetime:
        local = moment.replace(tzinfo=dt.UTC).astimezone()
        wall = local.replace(tzinfo=None)
        fold = int(wall.astimezone().utcoffset() != local.utcoffset())
        return wall.replace(tzinfo=self, fold=fold)

    def __repr__(self) -> str:
        return "SystemLocal()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SystemLocal)

    def __hash__(self) -> int:
        return hash(SystemLocal)


def _key_from_path(path: str) -> str | None:
    marker = "zoneinfo/"
    return path.split(marker, 1)[1] if marker in path else None


def _system_key() -> str | None:
    """The system's zone name ("Europe/London"), or None when it has none to give."""
    tz = os.environ.get("TZ")
    if tz is not None:
        tz = tz.lstrip(":")
        if not tz:
            return "UTC"
        return _key_from_path(tz) if tz.startswith("/") else tz
    try:
        key = _key_from_path(os.path.realpath("/etc/localtime"))
        if key:
            return key
        return Path("/etc/timezone").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _agrees(zone: dt.tzinfo) -> bool:
    """Does `zone` give the platform's offsets now and half a year either side?"""
    now = time.time()
    for stamp in (now, now - 182 * 86400, now + 182 * 86400):
        moment = _EPOCH + dt.timedelta(seconds=int(stamp))
        platform = moment.replace(tzinfo=dt.UTC).astimezone().utcoffset()
        if moment.replace(tzinfo=dt.UTC).astimezone(zone).utcoffset() != platform:
            return False
    return True


_zone_cache: dict[tuple, dt.tzinfo] = {}


def local_zone() -> dt.tzinfo:
    """The system's local zone, with its daylight-saving rules (see the module's docstring).
    Looked up again when TZ or the platform's zone names change."""
    stamp = (os.environ.get("TZ"), time.tzname, time.timezone)
    zone = _zone_cache.get(stamp)
    if zone is None:
        zone = SystemLocal()
        key = _system_key()
        if key:
            try:
                import zoneinfo

                named = zoneinfo.ZoneInfo(key)
                if _agrees(named):
                    zone = named
            except (KeyError, ValueError, OSError, ImportError):  # not a key, no tzdata
                pass
        _zone_cache.clear()
        _zone_cache[stamp] = zone
    return zone


def zone_of(moment: dt.datetime) -> dt.tzinfo:
    """The zone whose rules apply to an aware `moment` (naive: the system's). A fixed offset
    that is the system's own (what `datetime.now().astimezone()` gives) stands for the
    system's zone, so later dates get their own offsets; any other zone is kept as it is."""
    tz = moment.tzinfo
    if tz is None:
        return local_zone()
    if isinstance(tz, dt.timezone) and tz.tzname(None) in time.tzname:
        zone = local_zone()
        if zone.utcoffset(moment.replace(tzinfo=None)) == moment.utcoffset():
            return zone
    return tz


def system_now() -> dt.datetime:
    """The current local time, aware, in `local_zone()`."""
    return dt.datetime.now(local_zone())


def utc_naive(moment: dt.datetime) -> dt.datetime:
    """How datetimes are stored: naive UTC."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def to_local(stored: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """A stored (naive UTC) datetime as an aware local one, with its own date's offset."""
    return stored.replace(tzinfo=dt.UTC).astimezone(tz or local_zone())
