"""The monitor sub-orchestration: backoff, progress in its custom status, continue_as_new, deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from orchestrators.monitor import MAX_FAILED_POLLS, POLLS_PER_GENERATION, next_interval
from orchestrators.tracker import POLL_RETRY
from shared import errors, names
from shared.payloads import MonitorInput
from tests.orchestrators.driver import ActivityFailure, Script, run_orchestrator
from tests.orchestrators.runs import HANDLES, INSTANCE, TIMING, finetune
from tests.orchestrators.service import FakeService

pytestmark = pytest.mark.orchestrators


def test_backoff_doubles_while_quiet_and_resets_on_progress():
    assert next_interval(30, changed=False, minimum=30, maximum=240) == 60
    assert next_interval(200, changed=False, minimum=30, maximum=240) == 240
    assert next_interval(240, changed=True, minimum=30, maximum=240) == 30


def test_long_training_continues_as_new_and_keeps_history_bounded():
    statuses = ["queued"] + ["running"] * (2 * POLLS_PER_GENERATION + 5) + ["succeeded"]
    run = finetune(FakeService(job_statuses=statuses))
    assert run.output["status"] == "succeeded"
    [monitor] = run.children
    assert monitor.generations == 3
    # about 8 events per poll: each generation's history is bounded by POLLS_PER_GENERATION,
    # not by how long training takes (45 polls here)
    longest = max(len(history) for history in monitor.histories)
    assert longest <= 9 * POLLS_PER_GENERATION < 8 * len(statuses)
    assert monitor.output["polls_total"] == len(statuses)


def test_the_monitor_custom_status_carries_the_job_progress():
    run = finetune(FakeService())
    [monitor] = run.children
    progress = [s for s in monitor.statuses if s]
    assert all(s["stage"] == names.STAGE_MONITOR for s in progress)
    last_running = [s for s in progress if s["job"]["status"] == "running"][-1]
    assert set(last_running["job"]) >= {"status", "trained_tokens", "newest_event", "estimated_finish"}
    assert last_running["job"]["newest_event"].startswith("Step ")
    assert last_running["job"]["estimated_finish"] == 1767610000
    assert last_running["next_poll"] and last_running["deadline"]
    assert monitor.custom_status["job"]["status"] == "succeeded"
    assert monitor.custom_status["job"]["trained_tokens"] == 3600


def test_poll_intervals_back_off_between_the_bounds():
    service = FakeService(job_statuses=["running"] * 8 + ["succeeded"])
    original = service.get_job_status

    def quiet(payload):  # same event every poll: nothing changes, so the monitor backs off
        result = original(payload)
        result["newest_event"] = {"created_at": 1, "level": "info", "message": "Training started."}
        return result

    service.get_job_status = quiet  # type: ignore[method-assign]
    run = finetune(service)
    [monitor] = run.children
    fired = [datetime.fromisoformat(e["FireAt"].replace("Z", "+00:00"))
             for e in monitor.histories[0] if e["EventType"] == 10]
    created = [datetime.fromisoformat(e["Timestamp"].replace("Z", "+00:00"))
               for e in monitor.histories[0] if e["EventType"] == 10]
    gaps = [round((f - c).total_seconds()) for f, c in zip(fired, created, strict=True)]
    assert gaps[:5] == [30, 60, 120, 240, 240] and max(gaps) == TIMING.monitor_max_poll_seconds


def test_past_the_deadline_the_job_is_cancelled_and_the_run_fails():
    run = finetune(FakeService(job_statuses=["running"]))
    assert run.outcome == "Failed"
    assert (run.error["code"], run.error["stage"]) == (errors.TRAINING_DEADLINE, names.STAGE_MONITOR)
    [monitor] = run.children
    assert monitor.output["outcome"] == "deadline"
    assert run.payloads(names.CANCEL_JOB) == [{"job_id": "ftjob-1"}]
    assert monitor.generations > 1


def test_the_monitor_alone_reports_a_failed_job():
    start = datetime(2026, 1, 5, 9, 0)
    state = MonitorInput(job_id="ftjob-9", deadline=(start + timedelta(hours=1)).isoformat() + "Z",
                         min_interval=10, max_interval=20)
    service = FakeService(job_statuses=["running", "failed"], job_error={"message": "bad data"})
    run = run_orchestrator(HANDLES, names.MONITOR_ORCHESTRATOR, f"{INSTANCE}:monitor", state.to_dict(),
                           Script(service))
    assert run.outcome == "Completed"
    assert run.output["outcome"] == "failed" and run.output["job"]["error"] == {"message": "bad data"}


def test_a_short_outage_costs_a_poll_not_the_run():
    # 3 attempts per poll (POLL_RETRY): 4 failures = one poll lost, then the next poll retries once
    run = finetune(FakeService(transient={names.GET_JOB_STATUS: 4}))
    assert run.output["status"] == "succeeded"


def test_a_job_status_that_stays_unreadable_fails_the_run_with_advice():
    run = finetune(FakeService(transient={names.GET_JOB_STATUS: 999}))
    assert (run.error["code"], run.error["stage"]) == (errors.SERVICE_UNAVAILABLE, names.STAGE_MONITOR)
    assert "may still be running" in run.error["message"] and "503" in run.error["message"]
    [monitor] = run.children
    assert monitor.output["outcome"] == "unavailable"


def _timer_gaps(monitor) -> list[int]:
    """Seconds between each timer's creation and its FireAt, in the monitor's first generation."""
    timers = [e for e in monitor.histories[0] if e["EventType"] == 10]
    return [round((datetime.fromisoformat(e["FireAt"].replace("Z", "+00:00"))
                   - datetime.fromisoformat(e["Timestamp"].replace("Z", "+00:00"))).total_seconds())
            for e in timers]


def test_the_backoff_drops_to_the_minimum_as_soon_as_the_job_moves():
    service = FakeService(job_statuses=["running"] * 7 + ["succeeded"])
    original = service.get_job_status

    def quiet_then_moving(payload):  # the same event for 4 polls, then a new one every poll
        result = original(payload)
        step = max(service.counts[names.GET_JOB_STATUS], 4)
        result["newest_event"] = {"created_at": step, "level": "info", "message": f"Step {step}"}
        return result

    service.get_job_status = quiet_then_moving  # type: ignore[method-assign]
    run = finetune(service)
    assert run.output["status"] == "succeeded"
    [monitor] = run.children
    assert _timer_gaps(monitor) == [30, 60, 120, 240, 30, 30, 30]


def test_a_job_that_moves_on_every_poll_is_polled_at_the_minimum_interval():
    run = finetune(FakeService(job_statuses=["queued"] + ["running"] * 5 + ["succeeded"]))
    [monitor] = run.children
    assert _timer_gaps(monitor) == [TIMING.monitor_min_poll_seconds] * 6


def test_outages_on_every_other_poll_never_add_up_to_unavailable():
    # 3 attempts per poll (POLL_RETRY): 3 failures lose one poll. Losing every other poll, more
    # times than MAX_FAILED_POLLS, must not end the watch: only failures in a row count.
    outages = MAX_FAILED_POLLS + 2
    plan = ([True] * POLL_RETRY.max_number_of_attempts + [False]) * outages
    service = FakeService(job_statuses=["running"] * outages + ["succeeded"])

    def every_other_poll_down(name, payload):
        if name == names.GET_JOB_STATUS and plan and plan.pop(0):
            raise ActivityFailure("get_job_status: 503 Service Unavailable (Retry-After: 1)")
        return service(name, payload)

    run = finetune(every_other_poll_down)
    [monitor] = run.children
    assert monitor.output["outcome"] == "succeeded", monitor.output
    assert run.output["status"] == "succeeded"
    assert plan == []  # every outage happened
    assert monitor.output["polls_total"] == 2 * outages + 1
