"""Timer-trigger schedules: NCRONTAB, TimeSpan intervals and the schedule monitor's past-due check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from local.host.app_loader import AppLoadError, FunctionInfo
from local.host.ncrontab import CronSchedule, IntervalSchedule, ScheduleError, parse_schedule
from local.host.timer_trigger import NEVER, ScheduleStatus, check_past_due, timer_function

pytestmark = pytest.mark.unit
T = datetime(2026, 1, 1, 12, 0, 0, 500000, tzinfo=UTC)  # a Thursday


def _next(expression: str, after: datetime = T, zone=UTC) -> datetime | None:
    return parse_schedule(expression).next_after(after, zone)


@pytest.mark.parametrize(("expression", "expected"), [
    ("*/5 * * * * *", datetime(2026, 1, 1, 12, 0, 5, tzinfo=UTC)),
    ("0 */5 * * * *", datetime(2026, 1, 1, 12, 5, tzinfo=UTC)),
    ("0 0 */2 * * *", datetime(2026, 1, 1, 14, tzinfo=UTC)),
    ("0 30 9 * * MON-FRI", datetime(2026, 1, 2, 9, 30, tzinfo=UTC)),    # Friday
    ("0 30 9 * * Sat,sun", datetime(2026, 1, 3, 9, 30, tzinfo=UTC)),
    ("0 0 0 1 Feb *", datetime(2026, 2, 1, tzinfo=UTC)),
    ("0 0 0 1 JANUARY-march/2 *", datetime(2026, 3, 1, tzinfo=UTC)),   # Jan (passed) and Mar
    ("15,45 5-7 12 * * *", datetime(2026, 1, 1, 12, 5, 15, tzinfo=UTC)),
    ("10/20 * * * * *", datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC)),   # a/n runs from a to the end
    ("0 0 12 13 * 5", datetime(2026, 2, 13, 12, tzinfo=UTC)),           # day AND weekday: Friday the 13th
    ("0 0 0 29 2 MON", datetime(2044, 2, 29, tzinfo=UTC)),
    ("0 0 * * *", datetime(2026, 1, 2, tzinfo=UTC)),                    # five fields: no seconds
])
def test_next_occurrences(expression: str, expected: datetime) -> None:
    assert _next(expression) == expected


def test_an_occurrence_is_strictly_after_the_given_time() -> None:
    at_noon = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert _next("0 0 12 * * *", at_noon) == datetime(2026, 1, 2, 12, tzinfo=UTC)


def test_a_schedule_that_never_occurs_has_no_next() -> None:
    assert _next("0 0 0 31 2 *") is None  # February 31st


def test_occurrences_follow_the_wall_clock_of_the_time_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert _next("0 0 9 * * *", T, paris) == datetime(2026, 1, 2, 8, tzinfo=UTC)  # 09:00 CET
    new_york = ZoneInfo("America/New_York")  # 2026-03-08: clocks jump from 02:00 to 03:00
    after = datetime(2026, 3, 8, 5, tzinfo=UTC)  # 00:00 EST
    assert _next("0 30 2 * * *", after, new_york).astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(("expression", "reason"), [
    ("* * * *", "needs 6 fields"), ("* * * * * * *", "needs 6 fields"), ("60 * * * * *", "outside 0-59"),
    ("0 0 24 * * *", "outside 0-23"), ("0 0 0 0 * *", "outside 1-31"), ("0 0 0 * 13 *", "outside 1-12"),
    ("0 0 0 * * 7", "outside 0-6"), ("*/0 * * * * *", "invalid step"), ("5-1 * * * * *", "backwards range"),
    ("0 0 0 ? * *", "not a valid day value"), ("0 0 0 L * *", "not a valid day value"),
    ("0 0 0 * * MON#2", "not a valid day-of-week value"), ("0 0 0 * Foo *", "not a month name"),
    ("0,,5 * * * * *", "empty item"),
])
def test_bad_expressions_say_what_is_wrong(expression: str, reason: str) -> None:
    with pytest.raises(ScheduleError, match=f"not recognized as a valid cron expression.*{reason}"):
        parse_schedule(expression)


@pytest.mark.parametrize(("text", "interval"), [
    ("00:30:00", timedelta(minutes=30)), ("01:30", timedelta(hours=1, minutes=30)),
    ("1.02:00:00", timedelta(days=1, hours=2)), ("7", timedelta(days=7)),
    ("00:00:01.5", timedelta(seconds=1.5)),
])
def test_timespan_schedules(text: str, interval: timedelta) -> None:
    schedule = parse_schedule(text)
    assert isinstance(schedule, IntervalSchedule) and schedule.interval == interval
    assert schedule.next_after(T, UTC) == T + interval


@pytest.mark.parametrize("text", ["00:00:00", "-00:01:00", "24:00:00", "00:60:00"])
def test_zero_negative_or_out_of_range_timespans_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def _info(binding: dict) -> FunctionInfo:
    return FunctionInfo("tick", "timer", None, [{"type": "timerTrigger", "name": "t", **binding}], "t", False)


def test_monitor_defaults_on_and_is_off_for_sub_minute_schedules(monkeypatch) -> None:
    assert timer_function(_info({"schedule": "0 */5 * * * *"})).use_monitor
    assert timer_function(_info({"schedule": "0 * * * * *"})).use_monitor  # once a minute keeps it
    assert not timer_function(_info({"schedule": "*/10 * * * * *"})).use_monitor
    assert not timer_function(_info({"schedule": "00:00:30"})).use_monitor
    assert timer_function(_info({"schedule": "00:01:00"})).use_monitor
    assert not timer_function(_info({"schedule": "0 */5 * * * *", "useMonitor": False})).use_monitor
    assert timer_function(_info({"schedule": "0 0 0 1 1 *", "runOnStartup": True})).run_on_startup
    monkeypatch.setenv("HOST_TEST_SCHEDULE", "0 0 3 * * *")
    from_setting = timer_function(_info({"schedule": "%HOST_TEST_SCHEDULE%"}))
    assert from_setting.schedule == CronSchedule.parse("0 0 3 * * *")


def test_bad_or_unresolved_schedules_stop_the_start(monkeypatch) -> None:
    with pytest.raises(AppLoadError, match="LOCALHOST_BAD_SCHEDULE: timer function 'tick': The schedule"):
        timer_function(_info({"schedule": "every five minutes"}))
    monkeypatch.delenv("HOST_TEST_MISSING", raising=False)
    with pytest.raises(AppLoadError, match="LOCALHOST_BAD_SCHEDULE.*LOCALHOST_UNRESOLVED_SETTING"):
        timer_function(_info({"schedule": "%HOST_TEST_MISSING%"}))


def test_past_due_check_records_a_first_status_then_finds_a_missed_occurrence() -> None:
    timer = timer_function(_info({"schedule": "0 0 * * * *"}))  # hourly
    saved: list[ScheduleStatus] = []
    late, status = check_past_due(timer, T, None, UTC, saved.append)
    assert late == timedelta(0) and status is None  # nothing recorded yet: not past due
    assert saved == [ScheduleStatus(None, datetime(2026, 1, 1, 13, tzinfo=UTC), T)]
    later = T + timedelta(hours=3)  # the host was down over 13:00, 14:00 and 15:00
    late, status = check_past_due(timer, later, saved[-1], UTC, saved.append)
    assert late == later - datetime(2026, 1, 1, 13, tzinfo=UTC) and len(saved) == 1
    ran = ScheduleStatus(datetime(2026, 1, 1, 13, tzinfo=UTC), datetime(2026, 1, 1, 14, tzinfo=UTC),
                         datetime(2026, 1, 1, 13, tzinfo=UTC))
    late, _ = check_past_due(timer, datetime(2026, 1, 1, 13, 30, tzinfo=UTC), ran, UTC, saved.append)
    assert late == timedelta(0)


def test_a_changed_schedule_is_rebased_not_reported_past_due() -> None:
    hourly = ScheduleStatus(None, datetime(2026, 1, 1, 13, tzinfo=UTC), T)
    every_day = timer_function(_info({"schedule": "0 0 0 * * *"}))
    saved: list[ScheduleStatus] = []
    late, status = check_past_due(every_day, T + timedelta(hours=3), hourly, UTC, saved.append)
    assert late == timedelta(0) and saved == [ScheduleStatus(None, datetime(2026, 1, 2, tzinfo=UTC), T)]
    assert status == saved[0]


def test_a_never_occurring_schedule_waits_forever() -> None:
    timer = timer_function(_info({"schedule": "0 0 0 30 2 *"}))
    assert timer.next_after(T, UTC) == NEVER
