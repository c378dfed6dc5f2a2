"""A full job queue (429 quotaExceeded) at submit: the run waits its turn on durable timers, to a deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from local.host import history as h
from shared import errors, names
from shared.payloads import Timing
from tests.orchestrators.driver import Run
from tests.orchestrators.runs import TIMING, finetune
from tests.orchestrators.service import QUEUE_FULL, FakeService
from tests.orchestrators.test_finetune_failures import assert_failed

pytestmark = pytest.mark.orchestrators

# 3 minutes: the waits are 30 s, 60 s, then cut at the deadline (90 s), and the 4th submit is the last.
SHORT_DEADLINE = Timing(**{**TIMING.to_dict(), "monitor_deadline_hours": 0.05})


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def submit_timers(run: Run) -> tuple[datetime, list[tuple[datetime, datetime]]]:
    """When the submit stage began, and each durable timer between its first submit and its last one
    as (the orchestration's clock when set, FireAt)."""
    [history] = run.histories
    submits = [i for i, e in enumerate(history)
               if e["EventType"] == h.TASK_SCHEDULED and e["Name"] == names.SUBMIT_JOB]
    clocks = [parse(e["Timestamp"]) for e in history[:submits[0]] if e["EventType"] == h.ORCHESTRATOR_STARTED]
    began, now, timers = clocks[-1], clocks[-1], []
    for event in history[submits[0]:submits[-1]]:
        if event["EventType"] == h.ORCHESTRATOR_STARTED:   # the orchestration's clock in that episode
            now = parse(event["Timestamp"])
        if event["EventType"] == h.TIMER_CREATED:
            timers.append((now, parse(event["FireAt"])))
    return began, timers


def waiting_statuses(run: Run) -> list[dict]:
    """The custom statuses published while the run waited for a place in the queue."""
    return [s for s in run.statuses if isinstance(s, dict) and s.get("stage") == names.STAGE_SUBMIT
            and s.get("status") == "running" and (s.get("job") or {}).get("status") == "waiting_for_queue"]


def test_a_full_job_queue_waits_on_timers_then_submits_and_succeeds():
    run = finetune(FakeService(queue_full_submits=3))
    assert run.outcome == "Completed" and run.output["status"] == "succeeded"
    assert run.output["job_id"] == "ftjob-1"
    assert run.names().count(names.SUBMIT_JOB) == 4
    # The same request each time (the activity finds an accepted job by its metadata, so no duplicate).
    assert len({repr(p) for p in run.payloads(names.SUBMIT_JOB)}) == 1
    waiting = waiting_statuses(run)
    assert waiting
    assert waiting[-1]["job"] == {"id": None, "status": "waiting_for_queue", "service_message": QUEUE_FULL}
    # Backoff between submits from MONITOR_MIN_POLL_SECONDS, doubling.
    _, timers = submit_timers(run)
    assert [fire - now for now, fire in timers] == [timedelta(seconds=s) for s in (30, 60, 120)]
    # Once accepted, the job's own status replaces the waiting one.
    monitoring = [s for s in run.statuses if isinstance(s, dict) and s.get("stage") == names.STAGE_MONITOR]
    assert monitoring and all(s["job"]["id"] == "ftjob-1" for s in monitoring)


def test_a_job_queue_full_past_the_deadline_fails_the_submit_stage():
    run = finetune(FakeService(queue_full_submits=99), timing=SHORT_DEADLINE)
    error = assert_failed(run, errors.SUBMIT_FAILED, names.STAGE_SUBMIT)
    assert "stayed full for 0.05 hours" in error["message"] and QUEUE_FULL in error["message"]
    assert error["message"].endswith("Cancel queued jobs or start the run again later.")
    assert run.names().count(names.SUBMIT_JOB) == 4
    began, timers = submit_timers(run)
    assert [fire - now for now, fire in timers[:2]] == [timedelta(seconds=30), timedelta(seconds=60)]
    assert timers[-1][1] == began + timedelta(minutes=3)   # the last wait is cut at the deadline
    assert waiting_statuses(run)
    assert names.GET_JOB_STATUS not in run.names()
