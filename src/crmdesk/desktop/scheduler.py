"""When to ask "what is due?" and how to hand the answer to the notifier.

`ReminderScheduler` owns the timers, in the GUI thread:
- it checks at `start()`, then every `interval_ms` (a minute), and at the exact time of the next
  timed appointment when the caller gives `next_due_at(now)`;
- it notices the wall clock jumping (after sleep or hibernation, or set back by hand) between two
  checks, checks at once and re-arms the appointment timer;
- at start and after a jump, when more than one reminder came due meanwhile, they go out as ONE
  summary ("While you were away: 3 birthdays, 1 follow-up") instead of a flood; so does a tick
  that finds more than `flood_limit` at once;
- a delivery that fails (returns False or raises) is kept and tried again on the next check;
- `pause_until(moment)` holds everything back until then; what came due meanwhile goes out
  when the pause ends (it is not delivered, so `check` keeps returning it).

`check(now)` runs in the UI thread at every tick, so it must be quick: one indexed query of the
due, undelivered occurrences (budget: 20 ms over 100,000 customers); a slow one is logged.
The first check can be slow where nothing was ever shown (thousands come due at once on a big
book): given `first_check(now)`, `start()` runs that one in a worker thread (it must use its
own database connection, e.g. `reminders.due_in_worker`) and hands the answer out when it
arrives; ticks wait for it, so the UI thread never does.
`deliver(occurrence) -> bool` shows one reminder and records it as delivered;
`deliver_summary(occurrences, title, body) -> bool` shows the summary and records them all.
An occurrence needs a `kind` ("birthday", "anniversary", "custom", "appointment", "follow_up",
"keep_in_touch"); `key_of(occurrence)` (default: its `key` attribute, else itself) tells two
occurrences apart.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import time
from collections.abc import Callable, Hashable, Sequence

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal

from crmdesk.ui.formatting import count

log = logging.getLogger(__name__)

MINUTE_MS = 60_000
SLOW_CHECK_MS = 100
MAX_DUE_WAIT_MS = 24 * 60 * MINUTE_MS

#: kind -> (one, many), in the order the summary names them.
KIND_WORDS = {
    "birthday": ("%n birthday", "%n birthdays"),
    "anniversary": ("%n anniversary", "%n anniversaries"),
    "custom": ("%n important date", "%n important dates"),
    "appointment": ("%n appointment", "%n appointments"),
    "follow_up": ("%n follow-up", "%n follow-ups"),
    "keep_in_touch": ("%n customer to get in touch with", "%n customers to get in touch with"),
    "reward": ("%n loyalty reward to give", "%n loyalty rewards to give"),
}
OTHER_WORDS = ("%n other reminder", "%n other reminders")


def tr(text: str) -> str:
    return QCoreApplication.translate("ReminderScheduler", text)


def kind_of(occurrence) -> str:
    kind = getattr(occurrence, "kind", "")
    return str(kind.value if isinstance(kind, enum.Enum) else kind)


def default_key(occurrence) -> Hashable:
    return getattr(occurrence, "key", occurrence)


def summarise(occurrences: Sequence, away: bool = True) -> tuple[str, str]:
    """One notification for many reminders: ("While you were away", "3 birthdays, 1 follow-up")
    when `away`, else ("5 reminders", ...). Kinds in a fixed order; unknown kinds as "other"."""
    tally: dict[str, int] = {}
    for occurrence in occurrences:
        kind = kind_of(occurrence)
        kind = kind if kind in KIND_WORDS else ""
        tally[kind] = tally.get(kind, 0) + 1
    parts = [count(tally[kind], *words) for kind, words in KIND_WORDS.items() if kind in tally]
    if "" in tally:
        parts.append(count(tally[""], *OTHER_WORDS))
    body = ", ".join(parts)
    title = (tr("While you were away") if away
             else count(len(occurrences), "%n reminder", "%n reminders"))
    return title, body


def in_one_hour(now: dt.datetime) -> dt.datetime:
    """An hour of elapsed time later (not of wall time: across a DST change too)."""
    return (now.astimezone(dt.UTC) + dt.timedelta(hours=1)).astimezone(now.tzinfo)


def start_of_tomorrow(now: dt.datetime) -> dt.datetime:
    """The midnight that begins the next day, in `now`'s time zone; when `now` is the
    system's local time, tomorrow's own UTC offset is used (a DST change overnight)."""
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
    if now.tzinfo is None:
        return tomorrow
    if now.utcoffset() == now.astimezone().utcoffset():
        return tomorrow.astimezone()
    return tomorrow.replace(tzinfo=now.tzinfo)


class ReminderScheduler(QObject):
    """Checks for due reminders on a timer and delivers them; see the module's docstring.

    Signals: `delivered(list)` (the occurrences just shown, singly or in a summary),
    `countChanged(int)` (today's count from `today_count()`, after a check that changed it),
    `pendingChanged(int)` (reminders due but held back: paused or failed),
    `pausedChanged(object)` (the end of the pause, or None).
    """

    delivered = Signal(list)
    countChanged = Signal(int)
    pendingChanged = Signal(int)
    pausedChanged = Signal(object)

    def __init__(self, check: Callable[[dt.datetime], list], deliver: Callable[[object], bool],
                 now: Callable[[], dt.datetime], parent: QObject | None = None,
                 interval_ms: int = MINUTE_MS, *,
                 deliver_summary: Callable[[list, str, str], bool] | None = None,
                 next_due_at: Callable[[dt.datetime], dt.datetime | None] | None = None,
                 today_count: Callable[[], int] | None = None,
                 key_of: Callable[[object], Hashable] = default_key,
                 jump_slack_ms: int | None = None, flood_limit: int = 5,
                 first_check: Callable[[dt.datetime], list] | None = None):
        super().__init__(parent)
        self._check, self._deliver, self._now = check, deliver, now
        self._deliver_summary = deliver_summary
        self._next_due_at, self._today_count, self._key_of = next_due_at, today_count, key_of
        self.interval_ms = interval_ms
        self.jump_slack_ms = interval_ms // 2 if jump_slack_ms is None else jump_slack_ms
        self.flood_limit = flood_limit
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._due_timer = QTimer(self)
        self._due_timer.setSingleShot(True)
        self._due_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._due_timer.timeout.connect(self.check_now)
        self._failed: dict[Hashable, object] = {}
        self._held = 0
        self._last_check: dt.datetime | None = None
        self._paused_until: dt.datetime | None = None
        self._count: int | None = None
        self._running = False
        self._summary_failed = False  # retry a failed summary as a summary, not as a flood
        self._first_check = first_check
        self._first_job = None  # the first check's BackgroundJob while it runs

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Check at once (what came due while the app was closed goes out as one summary),
        then every interval."""
        self._timer.start()
        if self._first_check is None:
            self._run(catch_up=True)
            return
        from crmdesk.ui.workers import BackgroundJob

        check, now = self._first_check, self._now()
        job = BackgroundJob(lambda _progress: list(check(now)), parent=self)
        job.succeeded.connect(self._first_checked)
        job.failed.connect(self._first_failed)
        self._first_job = job
        job.start()

    def stop(self) -> None:
        self._timer.stop()
        self._due_timer.stop()

    @property
    def starting(self) -> bool:
        """True while the first check runs in its worker thread."""
        return self._first_job is not None

    def _first_checked(self, found: list) -> None:
        self._first_job = None
        if self.is_active():  # not stopped meanwhile
            self._run(catch_up=True, found=found)

    def _first_failed(self, message: str) -> None:
        self._first_job = None
        log.error("the first reminder check failed (%s); checking again at once", message)
        if self.is_active():
            self._run(catch_up=True)

    def is_active(self) -> bool:
        return self._timer.isActive()

    # --- slots --------------------------------------------------------------------------------

    def tick(self) -> None:
        """The periodic check (the timer's slot; tests call it directly)."""
        self._run(catch_up=self._clock_jumped(self._now()))

    def check_now(self) -> None:
        """Check at once, e.g. after the user added a date or the system woke up."""
        self.tick()

    # --- pause --------------------------------------------------------------------------------

    @property
    def paused_until(self) -> dt.datetime | None:
        return self._paused_until

    def pause_until(self, until: dt.datetime | None) -> None:
        """Hold reminders back until `until`; None resumes at once."""
        if until is not None and until <= self._now():
            until = None
        changed = until != self._paused_until
        self._paused_until = until
        if changed:
            self.pausedChanged.emit(until)
        if until is None:
            self._run(catch_up=True)
        else:
            self._arm_due_timer(self._now())

    @property
    def pending(self) -> int:
        """Reminders that are due but not shown yet (held by a pause, or failed)."""
        return self._held

    # --- the check ----------------------------------------------------------------------------

    def _clock_jumped(self, now: dt.datetime) -> bool:
        if self._last_check is None:
            return False
        # As instants: two datetimes of one zone subtract by wall time (an hour off at a change).
        elapsed_ms = (now.astimezone(dt.UTC)
                      - self._last_check.astimezone(dt.UTC)).total_seconds() * 1000
        jumped = (elapsed_ms > self.interval_ms + self.jump_slack_ms
                  or elapsed_ms < -self.jump_slack_ms)
        if jumped:
            log.info("the clock moved %+.0f s between two checks; checking at once",
                     elapsed_ms / 1000)
        return jumped

    def _run(self, catch_up: bool, found: list | None = None) -> None:
        """Check (or take `found`, the worker's answer), hand out what is due, re-arm."""
        if self._running or self._first_job is not None:
            return  # a deliver() that spins the event loop must not re-enter; the first
            # check in its worker answers for now
        self._running = True
        try:
            now = self._now()
            self._last_check = now
            due = self._due(now, found)
            if self._paused_until is not None and now >= self._paused_until:
                self._paused_until = None
                self.pausedChanged.emit(None)
                catch_up = True
            if self._paused_until is None and due:
                self._hand_out(due, catch_up)
                due = list(self._failed.values())
            self._set_held(len(due))
            self._update_count()
            self._arm_due_timer(now)
        finally:
            self._running = False

    def _due(self, now: dt.datetime, found: list | None = None) -> list:
        if found is None:
            started = time.perf_counter()
            try:
                found = list(self._check(now))
            except Exception:
                log.exception("checking for due reminders failed; trying again at the next tick")
                found = []
            took_ms = (time.perf_counter() - started) * 1000
            if took_ms > SLOW_CHECK_MS:
                log.warning("the reminder check took %.0f ms (budget 20 ms)", took_ms)
        merged = dict(self._failed)
        for occurrence in found:
            merged.setdefault(self._key_of(occurrence), occurrence)
        return list(merged.values())

    def _hand_out(self, due: list, catch_up: bool) -> None:
        shown: list = []
        catch_up = catch_up or self._summary_failed
        summary = (catch_up and len(due) > 1) or len(due) > self.flood_limit
        if summary and self._deliver_summary is not None:
            title, body = summarise(due, away=catch_up)
            if self._attempt(self._deliver_summary, due, title, body):
                shown = list(due)
            self._summary_failed = not shown
        else:
            shown = [occurrence for occurrence in due if self._attempt(self._deliver, occurrence)]
        done = {self._key_of(occurrence) for occurrence in shown}
        self._failed = {self._key_of(o): o for o in due if self._key_of(o) not in done}
        if self._failed:
            log.warning("%d reminder(s) could not be shown; trying again at the next tick",
                        len(self._failed))
        if shown:
            self.delivered.emit(shown)

    @staticmethod
    def _attempt(function, *args) -> bool:
        try:
            return bool(function(*args))
        except Exception:
            log.exception("delivering a reminder failed; it is kept for the next tick")
            return False

    def _set_held(self, held: int) -> None:
        if held != self._held:
            self._held = held
            self.pendingChanged.emit(held)

    def _update_count(self) -> None:
        if self._today_count is None:
            return
        try:
            value = int(self._today_count())
        except Exception:
            log.exception("counting today's reminders failed")
            return
        if value != self._count:
            self._count = value
            self.countChanged.emit(value)

    def _arm_due_timer(self, now: dt.datetime) -> None:
        """A single shot at the next appointment's exact time, when it comes before the next
        tick would (QTimer runs on the monotonic clock, so it is re-armed at every check)."""
        self._due_timer.stop()
        moments = []
        if self._next_due_at is not None:
            try:
                moments.append(self._next_due_at(now))
            except Exception:
                log.exception("asking for the next appointment's time failed")
        if self._paused_until is not None:
            moments.append(self._paused_until)
        instant = now.astimezone(dt.UTC)  # compared as instants, not wall times
        upcoming = [m.astimezone(dt.UTC) for m in moments if m is not None]
        upcoming = [m for m in upcoming if m > instant]
        if not upcoming:
            return
        wait_ms = (min(upcoming) - instant).total_seconds() * 1000
        if wait_ms < self.interval_ms:
            self._due_timer.start(int(min(wait_ms + 200, MAX_DUE_WAIT_MS)))

    @property
    def next_due_wait_ms(self) -> int | None:
        """How long until the appointment timer fires (None when it is not armed)."""
        return self._due_timer.remainingTime() if self._due_timer.isActive() else None
