"""Time, injected: the rules never read the wall clock themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Now = Callable[[], dt.datetime]


def system_now() -> dt.datetime:
    """The current local time, timezone-aware."""
    return dt.datetime.now().astimezone()


def utc_naive(moment: dt.datetime) -> dt.datetime:
    """How datetimes are stored: naive UTC."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def to_local(stored: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) datetime as an aware local one."""
    return stored.replace(tzinfo=dt.UTC).astimezone()
