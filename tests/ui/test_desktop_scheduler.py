"""The reminder scheduler, driven by a fake clock, a fake reminder book and a fake notifier."""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
from dataclasses import dataclass

import pytest

from crmdesk.desktop.scheduler import (
    ReminderScheduler,
    in_one_hour,
    start_of_tomorrow,
    summarise,
)


@dataclass(frozen=True)
class Occ:
    key: str
    kind: str
    due: dt.datetime


class FakeReminders:
    """What core.reminders answers: due and not yet delivered; delivering records it."""

    def __init__(self):
        self.occurrences: list[Occ] = []
        self.recorded: set[str] = set()
        self.broken = False

    def add(self, key: str, kind: str, due: dt.datetime) -> Occ:
        occurrence = Occ(key, kind, due)
        self.occurrences.append(occurrence)
        return occurrence

    def check(self, now: dt.datetime) -> list[Occ]:
        if self.broken:
            raise RuntimeError("database is locked")
        return [o for o in self.occurrences if o.due <= now and o.key not in self.recorded]


class FakeNotifier:
    def __init__(self, reminders: FakeReminders):
        self.reminders = reminders
        self.shown: list[tuple[str, ...]] = []
        self.failing = False
        self.raising = False

    def _ok(self) -> bool:
        if self.raising:
            raise OSError("notification daemon crashed")
        return not self.failing

    def deliver(self, occurrence: Occ) -> bool:
        if not self._ok():
            return False
        self.shown.append(("single", occurrence.key))
        self.reminders.recorded.add(occurrence.key)
        return True

    def deliver_summary(self, occurrences: list[Occ], title: str, body: str) -> bool:
        if not self._ok():
            return False
        self.shown.append(("summary", title, body))
        self.reminders.recorded.update(o.key for o in occurrences)
        return True


@pytest.fixture
def reminders():
    return FakeReminders()


@pytest.fixture
def notifier(reminders):
    return FakeNotifier(reminders)


@pytest.fixture
def make_scheduler(qtbot, reminders, notifier, clock):
    made = []

    def make(**options) -> ReminderScheduler:
        options.setdefault("deliver_summary", notifier.deliver_summary)
        scheduler = ReminderScheduler(reminders.check, notifier.deliver, clock, **options)
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler.stop()


def ago(clock, **delta) -> dt.datetime:
    return clock() - dt.timedelta(**delta)


# --- start: one summary for what came due while the app was closed ----------------------------

def test_at_start_what_came_due_while_away_is_one_summary(make_scheduler, reminders, notifier,
                                                          clock, qtbot):
    reminders.add("b1", "birthday", ago(clock, days=2))
    reminders.add("b2", "birthday", ago(clock, hours=5))
    reminders.add("b3", "birthday", ago(clock, hours=1))
    reminders.add("f1", "follow_up", ago(clock, days=1))
    scheduler = make_scheduler()

    with qtbot.waitSignal(scheduler.delivered) as blocker:
        scheduler.start()

    assert notifier.shown == [("summary", "While you were away", "3 birthdays, 1 follow-up")]
    assert sorted(o.key for o in blocker.args[0]) == ["b1", "b2", "b3", "f1"]
    assert reminders.recorded == {"b1", "b2", "b3", "f1"}


def test_at_start_a_single_reminder_is_shown_as_itself(make_scheduler, reminders, notifier,
                                                       clock):
    reminders.add("b1", "birthday", ago(clock, hours=3))
    scheduler = make_scheduler()

    scheduler.start()

    assert notifier.shown == [("single", "b1")]


def test_without_a_summary_channel_each_reminder_is_shown(make_scheduler, reminders, notifier,
                                                          clock):
    reminders.add("b1", "birthday", ago(clock, hours=3))
    reminders.add("b2", "birthday", ago(clock, hours=2))
    scheduler = make_scheduler(deliver_summary=None)

    scheduler.start()

    assert notifier.shown == [("single", "b1"), ("single", "b2")]


def test_nothing_due_shows_nothing_and_nothing_is_shown_twice(make_scheduler, reminders,
                                                               notifier, clock, qtbot):
    scheduler = make_scheduler()
    with qtbot.assertNotEmitted(scheduler.delivered):
        scheduler.start()
    reminders.add("b1", "birthday", clock() + dt.timedelta(seconds=30))

    clock.advance(minutes=1)
    scheduler.tick()
    clock.advance(minutes=1)
    scheduler.tick()

    assert notifier.shown == [("single", "b1")]


# --- a slow first check runs in a worker thread ------------------------------------------------


def test_a_slow_first_check_runs_off_the_ui_thread_and_ticks_wait_for_it(
        make_scheduler, reminders, notifier, clock, qtbot):
    reminders.add("b1", "birthday", ago(clock, days=2))
    reminders.add("k1", "keep_in_touch", ago(clock, days=9))
    release, threads, ui_checks = threading.Event(), [], []

    def first_check(now):
        threads.append(threading.current_thread())
        assert release.wait(10)  # held until the UI thread has shown it did not wait
        return reminders.check(now)

    def check(now):
        ui_checks.append(now)
        return reminders.check(now)

    scheduler = make_scheduler(first_check=first_check)
    scheduler._check = check
    scheduler.start()  # returns while the first check is still running
    assert scheduler.starting and notifier.shown == []
    scheduler.tick()  # a tick meanwhile does not check again in the UI thread
    assert ui_checks == [] and notifier.shown == []

    with qtbot.waitSignal(scheduler.delivered, timeout=5000) as blocker:
        release.set()
    assert threads and threads[0] is not threading.main_thread()
    assert notifier.shown == [("summary", "While you were away",
                               "1 birthday, 1 customer to get in touch with")]
    assert sorted(o.key for o in blocker.args[0]) == ["b1", "k1"]
    assert not scheduler.starting
    scheduler.tick()  # later ticks check in the UI thread as before, and repeat nothing
    assert len(ui_checks) == 1 and len(notifier.shown) == 1


def test_a_failed_first_check_is_tried_again_at_once(make_scheduler, reminders, notifier,
                                                     clock, qtbot):
    reminders.add("b1", "birthday", ago(clock, hours=3))

    def first_check(now):
        raise RuntimeError("database is locked")

    scheduler = make_scheduler(first_check=first_check)
    with qtbot.waitSignal(scheduler.delivered, timeout=5000):
        scheduler.start()
    assert notifier.shown == [("single", "b1")]
    assert not scheduler.starting


# --- ticks ------------------------------------------------------------------------------------

def test_a_tick_shows_each_newly_due_reminder_on_its_own(make_scheduler, reminders, notifier,
                                                         clock):
    scheduler = make_scheduler()
    scheduler.start()
    reminders.add("a1", "appointment", clock() + dt.timedelta(seconds=20))
    reminders.add("f1", "follow_up", clock() + dt.timedelta(seconds=40))

    clock.advance(minutes=1)
    scheduler.tick()

    assert notifier.shown == [("single", "a1"), ("single", "f1")]


def test_a_flood_on_one_tick_becomes_one_summary(make_scheduler, reminders, notifier, clock):
    scheduler = make_scheduler(flood_limit=5)
    scheduler.start()
    for number in range(7):
        reminders.add(f"b{number}", "birthday", clock() + dt.timedelta(seconds=10))

    clock.advance(minutes=1)
    scheduler.tick()

    assert notifier.shown == [("summary", "7 reminders", "7 birthdays")]


def test_the_timer_checks_by_itself(make_scheduler, reminders, clock, qtbot):
    scheduler = make_scheduler(interval_ms=30)
    scheduler.start()
    assert scheduler.is_active()
    reminders.add("b1", "birthday", ago(clock, seconds=1))

    with qtbot.waitSignal(scheduler.delivered, timeout=2000) as blocker:
        pass

    assert [o.key for o in blocker.args[0]] == ["b1"]


def test_an_appointment_is_checked_at_its_exact_time(make_scheduler, reminders, notifier,
                                                    clock, qtbot):
    at = clock() + dt.timedelta(milliseconds=300)
    reminders.add("a1", "appointment", at)
    scheduler = make_scheduler(next_due_at=lambda now: at if now < at else None)
    scheduler.start()
    assert notifier.shown == []
    assert scheduler.next_due_wait_ms is not None and scheduler.next_due_wait_ms <= 600

    clock.advance(seconds=1)  # the fake clock has reached the appointment when the timer fires
    with qtbot.waitSignal(scheduler.delivered, timeout=3000):
        pass

    assert notifier.shown == [("single", "a1")]


def test_an_appointment_later_than_the_next_tick_leaves_it_to_the_tick(make_scheduler, clock):
    at = clock() + dt.timedelta(hours=2)
    scheduler = make_scheduler(next_due_at=lambda now: at)

    scheduler.start()

    assert scheduler.next_due_wait_ms is None


# --- failures are kept and retried ------------------------------------------------------------

def test_a_failed_delivery_is_kept_and_retried_on_the_next_tick(make_scheduler, reminders,
                                                                notifier, clock, qtbot):
    scheduler = make_scheduler()
    scheduler.start()
    reminders.add("b1", "birthday", clock() + dt.timedelta(seconds=5))
    notifier.failing = True

    clock.advance(minutes=1)
    with qtbot.waitSignal(scheduler.pendingChanged) as held:
        scheduler.tick()

    assert held.args == [1] and scheduler.pending == 1
    assert notifier.shown == [] and reminders.recorded == set()

    notifier.failing = False
    clock.advance(minutes=1)
    with qtbot.waitSignal(scheduler.delivered):
        scheduler.tick()

    assert notifier.shown == [("single", "b1")]
    assert scheduler.pending == 0


def test_a_failed_reminder_is_not_dropped_even_if_the_next_check_fails(make_scheduler, reminders,
                                                                      notifier, clock, caplog):
    scheduler = make_scheduler()
    scheduler.start()
    reminders.add("b1", "birthday", clock() + dt.timedelta(seconds=5))
    notifier.raising = True
    clock.advance(minutes=1)
    with caplog.at_level(logging.WARNING):
        scheduler.tick()
    assert "kept for the next tick" in caplog.text

    notifier.raising = False
    reminders.broken = True  # the check itself fails now: the kept reminder still goes out
    clock.advance(minutes=1)
    scheduler.tick()

    assert notifier.shown == [("single", "b1")]
    assert "checking for due reminders failed" in caplog.text


def test_a_failed_summary_is_retried_as_a_summary(make_scheduler, reminders, notifier, clock):
    reminders.add("b1", "birthday", ago(clock, days=1))
    reminders.add("a1", "anniversary", ago(clock, days=1))
    notifier.failing = True
    scheduler = make_scheduler()
    scheduler.start()
    assert scheduler.pending == 2

    notifier.failing = False
    clock.advance(minutes=1)
    scheduler.tick()

    assert notifier.shown == [("summary", "While you were away", "1 birthday, 1 anniversary")]
    assert reminders.recorded == {"b1", "a1"}


# --- clock jumps ------------------------------------------------------------------------------

def test_after_sleep_the_reminders_that_came_due_are_one_summary(make_scheduler, reminders,
                                                                 notifier, clock, caplog):
    scheduler = make_scheduler()
    scheduler.start()
    reminders.add("b1", "birthday", clock() + dt.timedelta(hours=2))
    reminders.add("k1", "keep_in_touch", clock() + dt.timedelta(hours=5))

    clock.advance(hours=8)  # the laptop slept; the next tick comes with the clock far ahead
    with caplog.at_level(logging.INFO):
        scheduler.tick()

    assert "the clock moved +28800 s" in caplog.text
    assert notifier.shown == [("summary", "While you were away",
                               "1 birthday, 1 customer to get in touch with")]


def test_a_clock_set_back_is_noticed(make_scheduler, reminders, notifier, clock, caplog):
    scheduler = make_scheduler()
    scheduler.start()
    clock.advance(hours=-3)
    reminders.add("b1", "birthday", clock() - dt.timedelta(minutes=1))
    reminders.add("b2", "birthday", clock() - dt.timedelta(minutes=1))

    with caplog.at_level(logging.INFO):
        scheduler.tick()

    assert "the clock moved -10800 s" in caplog.text
    assert notifier.shown == [("summary", "While you were away", "2 birthdays")]


def test_a_normal_minute_is_not_a_jump(make_scheduler, reminders, notifier, clock, caplog):
    scheduler = make_scheduler()
    scheduler.start()
    reminders.add("b1", "birthday", clock() + dt.timedelta(seconds=30))
    reminders.add("b2", "birthday", clock() + dt.timedelta(seconds=30))

    clock.advance(seconds=65)
    with caplog.at_level(logging.INFO):
        scheduler.tick()

    assert "clock moved" not in caplog.text
    assert notifier.shown == [("single", "b1"), ("single", "b2")]


# --- pause ------------------------------------------------------------------------------------

def test_paused_reminders_wait_and_come_after_the_pause(make_scheduler, reminders, notifier,
                                                       clock, qtbot):
    scheduler = make_scheduler()
    scheduler.start()
    with qtbot.waitSignal(scheduler.pausedChanged) as paused:
        scheduler.pause_until(in_one_hour(clock()))
    assert paused.args == [clock() + dt.timedelta(hours=1)]
    reminders.add("b1", "birthday", clock() + dt.timedelta(minutes=10))

    for _ in range(59):
        clock.advance(minutes=1)
        scheduler.tick()
    assert notifier.shown == []
    assert scheduler.pending == 1

    clock.advance(minutes=1)
    with qtbot.waitSignals([scheduler.pausedChanged, scheduler.delivered]):
        scheduler.tick()

    assert notifier.shown == [("single", "b1")]
    assert scheduler.paused_until is None and scheduler.pending == 0


def test_resuming_by_hand_delivers_at_once_as_a_summary(make_scheduler, reminders, notifier,
                                                        clock):
    scheduler = make_scheduler()
    scheduler.start()
    scheduler.pause_until(start_of_tomorrow(clock()))
    reminders.add("b1", "birthday", clock() + dt.timedelta(minutes=1))
    reminders.add("f1", "follow_up", clock() + dt.timedelta(minutes=1))
    clock.advance(minutes=2)
    scheduler.tick()
    assert notifier.shown == []

    scheduler.pause_until(None)

    assert notifier.shown == [("summary", "While you were away", "1 birthday, 1 follow-up")]


def test_a_pause_in_the_past_is_no_pause(make_scheduler, clock):
    scheduler = make_scheduler()
    scheduler.start()

    scheduler.pause_until(clock() - dt.timedelta(minutes=1))

    assert scheduler.paused_until is None


def test_the_end_of_a_short_pause_arms_the_exact_timer(make_scheduler, clock):
    scheduler = make_scheduler()
    scheduler.start()

    scheduler.pause_until(clock() + dt.timedelta(seconds=20))

    assert scheduler.next_due_wait_ms is not None and scheduler.next_due_wait_ms <= 20_300


# --- today's count ----------------------------------------------------------------------------

def test_count_changed_reports_todays_count_when_it_changes(make_scheduler, clock, qtbot):
    today = {"n": 2}
    scheduler = make_scheduler(today_count=lambda: today["n"])
    with qtbot.waitSignal(scheduler.countChanged) as first:
        scheduler.start()
    assert first.args == [2]

    with qtbot.assertNotEmitted(scheduler.countChanged):
        clock.advance(minutes=1)
        scheduler.tick()

    today["n"] = 0
    with qtbot.waitSignal(scheduler.countChanged) as changed:
        clock.advance(minutes=1)
        scheduler.tick()
    assert changed.args == [0]


# --- words ------------------------------------------------------------------------------------

class Kind(enum.Enum):
    BIRTHDAY = "birthday"
    CUSTOM = "custom"


@dataclass(frozen=True)
class EnumOcc:
    kind: Kind


@pytest.mark.parametrize(("kinds", "body"), [
    (["birthday"], "1 birthday"),
    (["follow_up", "birthday", "birthday"], "2 birthdays, 1 follow-up"),
    (["anniversary", "anniversary", "custom"], "2 anniversaries, 1 important date"),
    (["appointment", "keep_in_touch", "keep_in_touch"],
     "1 appointment, 2 customers to get in touch with"),
    (["birthday", "something-new"], "1 birthday, 1 other reminder"),
    (["reward", "reward", "birthday"], "1 birthday, 2 loyalty rewards to give"),
])
def test_summary_words_and_plurals(qapp, kinds, body):
    occurrences = [Occ(str(n), kind, dt.datetime(2026, 1, 1)) for n, kind in enumerate(kinds)]

    assert summarise(occurrences) == ("While you were away", body)


def test_summary_understands_enum_kinds_and_names_a_flood(qapp):
    title, body = summarise([EnumOcc(Kind.BIRTHDAY), EnumOcc(Kind.CUSTOM)], away=False)

    assert (title, body) == ("2 reminders", "1 birthday, 1 important date")


def test_pause_choices():
    now = dt.datetime(2026, 3, 10, 22, 15, tzinfo=dt.UTC)

    assert in_one_hour(now) == dt.datetime(2026, 3, 10, 23, 15, tzinfo=dt.UTC)
    assert start_of_tomorrow(now) == dt.datetime(2026, 3, 11, tzinfo=dt.UTC)
    assert start_of_tomorrow(now.replace(tzinfo=None)) == dt.datetime(2026, 3, 11)
    local = dt.datetime(2026, 12, 31, 18, 0).astimezone()
    assert start_of_tomorrow(local).replace(tzinfo=None) == dt.datetime(2027, 1, 1)
