"""The timer trigger, with the WebJobs timer extension's semantics (TimerListener, ScheduleMonitor).

- ``schedule``: NCRONTAB or TimeSpan (ncrontab.py); ``%Setting%`` references resolve from app
  settings. Occurrences follow ``WEBSITE_TIME_ZONE`` (an IANA name) or UTC, as on Azure.
- ``use_monitor`` (default true, turned off for schedules that fire more than once a minute):
  the schedule status (last, next, last updated) is kept in the host's store, so an occurrence
  missed while the host was down runs once at start with ``timer.past_due`` true. A changed
  schedule is detected and re-based instead of being reported past due.
- ``run_on_startup``: one run at start (when nothing is past due).
- One run of a function at a time; a run that overruns its next occurrence is followed by one
  catch-up run, then the schedule goes on from there (missed occurrences are not queued).
- The function gets a real ``func.TimerRequest`` (built by the worker's own converter from the
  JSON the host sends) and, when it asks, a durable client and ``context``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from azure.functions import meta
from azure.functions.timer import TimerRequestConverter

from local.host.app_loader import AppLoadError, FunctionInfo
from local.host.blob_trigger import resolve_app_settings
from local.host.http_triggers import Context
from local.host.ncrontab import CronSchedule, IntervalSchedule, ScheduleError, parse_schedule
from local.host.store import Store

log = logging.getLogger("local.host")
TIME_ZONE_SETTING = "WEBSITE_TIME_ZONE"
NEVER = datetime(9999, 12, 31, tzinfo=UTC)  # a schedule with no next occurrence
DOTNET_DEFAULT_TIME = "0001-01-01T00:00:00+00:00"  # default(DateTime): "never" in ScheduleStatus
MAX_SLEEP_S = 30.0


@dataclass
class ScheduleStatus:
    last: datetime | None  # None: default(DateTime) in the real host
    next: datetime
    last_updated: datetime | None


@dataclass
class TimerFunction:
    info: FunctionInfo
    schedule: CronSchedule | IntervalSchedule
    use_monitor: bool
    run_on_startup: bool

    def next_after(self, moment: datetime, zone: tzinfo) -> datetime:
        return self.schedule.next_after(moment, zone) or NEVER


def time_zone() -> tzinfo:
    name = os.environ.get(TIME_ZONE_SETTING, "").strip()
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AppLoadError(f"LOCALHOST_BAD_TIME_ZONE: {TIME_ZONE_SETTING}={name!r} is not an IANA time zone "
                           "name (such as Europe/Paris); fix or remove the setting.") from None


def timer_function(info: FunctionInfo) -> TimerFunction:
    """Parse a timerTrigger binding; a bad schedule stops the start, naming the function."""
    binding = info.trigger_binding
    try:
        schedule = parse_schedule(resolve_app_settings(str(binding.get("schedule") or "")))
    except (ScheduleError, LookupError) as exc:
        raise AppLoadError(f"LOCALHOST_BAD_SCHEDULE: timer function '{info.name}': {exc}") from None
    use_monitor = binding.get("useMonitor") is not False
    if isinstance(schedule, CronSchedule) and schedule.fires_more_than_once_a_minute():
        use_monitor = False  # as the extension: no persistence for sub-minute schedules
    if isinstance(schedule, IntervalSchedule) and schedule.interval < timedelta(minutes=1):
        use_monitor = False
    return TimerFunction(info, schedule, use_monitor, bool(binding.get("runOnStartup")))


def check_past_due(timer: TimerFunction, now: datetime, status: ScheduleStatus | None, zone: tzinfo,
                   save: Callable[[ScheduleStatus], None]) -> tuple[timedelta, ScheduleStatus | None]:
    """ScheduleMonitor.CheckPastDueAsync: how late the recorded next occurrence is (zero if not).

    Returns the status the listener starts from: None when nothing was recorded yet (the record
    it writes then is for the next start only), else the record, re-based if the schedule changed.
    """
    if status is None:
        upcoming = timer.next_after(now, zone)
        save(ScheduleStatus(None, upcoming, now))
        recorded_next = upcoming
    else:
        base = status.last or status.last_updated or now
        expected = timer.next_after(base, zone)
        if status.next != expected:  # the schedule changed since the record was written
            if now > expected:
                expected, base = timer.next_after(now, zone), now
            status = ScheduleStatus(None, expected, base)
            save(status)
        recorded_next = status.next
    return (now - recorded_next if now > recorded_next else timedelta(0)), status


def _iso(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).isoformat() if moment is not None else DOTNET_DEFAULT_TIME


class TimerScheduler:
    """Runs every timer function on its schedule (one asyncio task each)."""

    def __init__(self, functions: list[FunctionInfo], store: Store, app_dir: Path,
                 client_binding: Callable[[], str] | None = None) -> None:
        self.zone = time_zone()
        self.timers = {info.name: timer_function(info) for info in functions}
        self.store = store
        self.app_dir = app_dir
        self.client_binding = client_binding
        self.status: dict[str, ScheduleStatus] = {}
        self._locks = {name: asyncio.Lock() for name in self.timers}
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        for timer in self.timers.values():
            self._tasks.append(asyncio.create_task(self._guarded(timer), name=f"timer-{timer.info.name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # ---- The monitor's record (SQLite instead of azure-webjobs-hosts/timers/...) ----
    def _load(self, name: str) -> ScheduleStatus | None:
        row = self.store.timer_status(name)
        if row is None:
            return None
        last, upcoming, updated = (datetime.fromisoformat(v) if v else None for v in row)
        assert upcoming is not None
        return ScheduleStatus(last, upcoming, updated)

    def _save(self, name: str, status: ScheduleStatus) -> None:
        self.store.set_timer_status(name, status.last.isoformat() if status.last else None,
                                    status.next.isoformat(),
                                    status.last_updated.isoformat() if status.last_updated else None)

    # ---- The listener ----
    async def _guarded(self, timer: TimerFunction) -> None:
        try:
            await self._listen(timer)
        except asyncio.CancelledError:
            raise
        except Exception:  # a host fault (the store): say so rather than stop silently
            log.exception("LOCALHOST_TIMER_STOPPED: the schedule of %s stopped; restart the host",
                          timer.info.name)

    async def _listen(self, timer: TimerFunction) -> None:
        name, now = timer.info.name, datetime.now(UTC)
        past_due = False
        status: ScheduleStatus | None = None
        if timer.use_monitor:
            late, status = check_past_due(timer, now, self._load(name), self.zone,
                                          lambda s: self._save(name, s))
            past_due = late > timedelta(0)
        self.status[name] = status or ScheduleStatus(None, timer.next_after(now, self.zone), None)
        log.info("timer %s schedule=%r next=%s monitor=%s", name, timer.schedule.expression,
                 self.status[name].next.isoformat(), timer.use_monitor)
        if past_due:
            await self._occurrence(timer, past_due=True)
        elif timer.run_on_startup:
            await self._occurrence(timer, run_on_startup=True)
        while True:
            while (wait := (self.status[name].next - datetime.now(UTC)).total_seconds()) > 0:
                await asyncio.sleep(min(wait, MAX_SLEEP_S))
            await self._occurrence(timer)

    async def _occurrence(self, timer: TimerFunction, past_due: bool = False,
                          run_on_startup: bool = False) -> None:
        """TimerListener.InvokeJobFunction: run, then move the schedule on and record it."""
        name = timer.info.name
        async with self._locks[name]:
            invoked_at = datetime.now(UTC)
            await self.invoke(timer, past_due, self.status[name] if timer.use_monitor else None)
            current = self.status[name]
            adjusted = invoked_at
            if not past_due and not run_on_startup and current.next > invoked_at:
                adjusted = current.next
            self.status[name] = ScheduleStatus(adjusted, timer.next_after(adjusted, self.zone), adjusted)
            if timer.use_monitor:
                self._save(name, self.status[name])

    async def invoke(self, timer: TimerFunction, past_due: bool, status: ScheduleStatus | None) -> None:
        """Run the function once; failures are logged, never retried (as the real host)."""
        info = timer.info
        payload = {"Schedule": {"AdjustForDST": isinstance(timer.schedule, CronSchedule)},
                   "ScheduleStatus": None if status is None else {
                       "Last": _iso(status.last, self.zone), "Next": _iso(status.next, self.zone),
                       "LastUpdated": _iso(status.last_updated, self.zone)},
                   "IsPastDue": past_due}
        request = TimerRequestConverter.decode(meta.Datum(type="json", value=json.dumps(payload)),
                                               trigger_metadata=None)
        kwargs: dict[str, Any] = {info.trigger_param: request}
        if info.client_param and self.client_binding is not None:
            kwargs[info.client_param] = self.client_binding()
        if info.accepts("context"):
            kwargs["context"] = Context(uuid.uuid4().hex, info.name, str(self.app_dir))
        started = time.perf_counter()
        try:
            if info.is_async:
                await info.func(**kwargs)
            else:
                await asyncio.to_thread(lambda: info.func(**kwargs))
            outcome = "Succeeded"
        except Exception as exc:
            log.exception("timer %s failed", info.name)
            outcome = f"Failed ({type(exc).__name__})"
        log.info("timer %s past_due=%s duration=%.1fms outcome=%s", info.name, past_due,
                 (time.perf_counter() - started) * 1000, outcome)

    async def invoke_from_admin(self, name: str) -> None:
        """POST /admin/functions/{name}: TimerTriggerBinding.BindAsync gives the recorded status,
        ``IsPastDue`` false, and leaves the schedule alone."""
        timer = self.timers[name]
        status = self._load(name) if timer.use_monitor else None
        await self.invoke(timer, False, status)
