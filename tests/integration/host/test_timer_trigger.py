"""Timer triggers on the local host (schedules, run_on_startup, past-due runs after a restart) and the
admin endpoint that runs a non-HTTP function at once."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fixtures.host import HostProcess
from tests.integration.host.helpers import call, recorded_runs, until, wait_for

pytestmark = pytest.mark.integration
APP = Path(__file__).parent / "apps" / "timers"
NIGHTLY = "0 0 3 * * *"
NEVER = "0001-01-01T00:00:00+00:00"  # default(DateTime): no run recorded yet


def _host(local_host_factory, tmp_path: Path, **env: str) -> tuple[HostProcess, Path]:
    runs = tmp_path / "runs.jsonl"
    host = local_host_factory(APP, env={"RUNS_FILE": str(runs), "NIGHTLY_SCHEDULE": NIGHTLY, **env},
                              state_dir=tmp_path / "state")
    return host, runs


def _next_3am(after: datetime) -> datetime:
    candidate = after.replace(hour=3, minute=0, second=0, microsecond=0)
    return candidate if candidate > after else candidate + timedelta(days=1)


def test_schedules_run_on_startup_and_keep_going_after_failures(local_host_factory, tmp_path: Path) -> None:
    started = datetime.now(UTC)
    host, runs = _host(local_host_factory, tmp_path)
    listed = {f["name"]: f for f in host.functions}
    assert listed["nightly"] == {"name": "nightly", "trigger": "timer", "schedule": "%NIGHTLY_SCHEDULE%"}
    until(lambda: len(recorded_runs(runs, "every_two_seconds")) >= 3, "three runs of a two-second schedule")
    until(lambda: len(recorded_runs(runs, "always_fails")) >= 2, "a failing timer to run again")
    ticks = recorded_runs(runs, "every_two_seconds")
    # Never early and never twice for one occurrence: each run falls in a two-second slot of its own.
    slots = [int(t["at"] // 2) for t in ticks]
    assert len(set(slots)) == len(slots), [t["at"] for t in ticks]
    # Sub-minute schedules are not monitored: no schedule status, never past due.
    assert all(t["past_due"] is False and t["status"] == {} for t in ticks)
    [nightly] = recorded_runs(runs, "nightly")  # run_on_startup, on a schedule read from an app setting
    assert nightly["past_due"] is False and nightly["function_name"] == "nightly"
    assert nightly["status"]["Last"] == NEVER and nightly["status"]["LastUpdated"] == NEVER
    upcoming = datetime.fromisoformat(nightly["status"]["Next"])
    assert upcoming in (_next_3am(started), _next_3am(datetime.now(UTC)))
    assert not recorded_runs(runs, "hourly") and not recorded_runs(runs, "yearly_starter")
    assert "timer always_fails failed" in host.log_text()


def _status_row(state_dir: Path, function: str) -> tuple:
    with sqlite3.connect(state_dir / "durable.sqlite") as db:
        return db.execute("SELECT last, next, last_updated FROM timer_status WHERE function = ?",
                          (function,)).fetchone()


def test_an_occurrence_missed_while_the_host_was_down_runs_once_past_due(local_host_factory,
                                                                         tmp_path: Path) -> None:
    host, runs = _host(local_host_factory, tmp_path)
    until(lambda: _status_row(host.state_dir, "hourly") is not None, "the monitor's first record")
    host.stop()
    # Time travel by the record: the host last recorded its schedule 90 minutes ago, so the
    # occurrence at the top of the previous hour came and went while it was down.
    missed = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    recorded_at = missed - timedelta(minutes=30)
    with sqlite3.connect(host.state_dir / "durable.sqlite") as db:
        db.execute("UPDATE timer_status SET last = NULL, next = ?, last_updated = ? "
                   "WHERE function = 'hourly'", (missed.isoformat(), recorded_at.isoformat()))
    host.start()
    until(lambda: bool(recorded_runs(runs, "hourly")), "the past-due run")
    [late] = recorded_runs(runs, "hourly")
    assert late["past_due"] is True
    assert datetime.fromisoformat(late["status"]["Next"]) == missed
    last, upcoming, _ = _status_row(host.state_dir, "hourly")
    assert datetime.fromisoformat(last) > missed and datetime.fromisoformat(upcoming) > datetime.now(UTC)
    host.restart()  # the record is current now: nothing is past due any more
    until(lambda: len(recorded_runs(runs, "nightly")) == 3, "run_on_startup, which runs at every start")
    time.sleep(0.5)  # a past-due run would start beside it
    assert len(recorded_runs(runs, "hourly")) == 1


def test_admin_endpoint_runs_a_timer_function_now(local_host_factory, tmp_path: Path) -> None:
    master = "master-key-for-timers"
    host, runs = _host(local_host_factory, tmp_path, LOCAL_HOST_FUNCTION_KEY="fkey",
                       LOCAL_HOST_MASTER_KEY=master)
    url = f"{host.base_url}/admin/functions/yearly_starter"
    key = {"x-functions-key": master}
    assert call("POST", url, {"input": ""}).status == 401
    assert call("POST", f"{host.base_url}/admin/functions/no_such_function", {"input": ""}, key).status == 404
    assert call("POST", url, raw=b"", headers=key).status == 400
    assert call("POST", url, {"input": {"an": "object"}}, key).status == 400
    assert call("POST", url, raw=b"x", headers={**key, "Content-Type": "text/plain"}).status == 415
    reply = call("POST", f"{url}?code={master}", {"input": "ignored by timers"})
    assert (reply.status, reply.text) == (202, "")
    until(lambda: bool(recorded_runs(runs, "yearly_starter")), "the admin run")
    [run] = recorded_runs(runs, "yearly_starter")
    assert run["past_due"] is False and run["status"]["Last"] == NEVER  # the monitor's record, unchanged
    body = wait_for(host.base_url, run["instance_id"], key="fkey")
    assert body["output"] == {"past_due": False}  # the timer's durable client started an orchestration
    assert master not in host.log_text()
