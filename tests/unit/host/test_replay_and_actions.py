"""History JSON and action translation of the local host, through the real SDK (no servers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import azure.durable_functions as df
import pytest

from local.host import history as h
from local.host.actions import CUSTOM_STATUS_LIMIT, plan_episode
from local.host.replay import replay

pytestmark = pytest.mark.unit
T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


def _start(name: str, value: object) -> list[dict]:
    """The first episode's history, with the input as the Python client stores it (double-encoded)."""
    stored = json.dumps(json.dumps(value))
    return [h.orchestrator_started(T0), h.execution_started(T0, name, stored, "i1", "e1")]


def _plan(fn, events: list[dict], value: object, now: datetime = T0, name: str = "orch"):
    handle = df.Orchestrator.create(fn)
    episode = replay(handle, "i1", json.dumps(json.dumps(value)), events)
    return plan_episode(episode, events, now, name, "e1")


def _sequence(context):
    first = yield context.call_activity("hello", context.get_input())
    second = yield context.call_activity("hello", first)
    return second


def _with_retry(context):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=2)
    return (yield context.call_activity_with_retry("flaky", options, None))


def test_events_carry_int_types_version_and_full_precision_timestamps() -> None:
    started = h.execution_started(T0, "orch", None, "i1", "e1")
    assert started["EventType"] == 0 and started["Version"] == "" and started["Input"] is None
    assert started["Timestamp"] == "2026-01-01T12:00:00.123456Z"
    assert h.parse_iso(started["Timestamp"]) == T0


def test_first_episode_schedules_seq_0_with_the_json_text_input() -> None:
    plan = _plan(_sequence, _start("orch", "Tokyo"), "Tokyo")
    assert plan.outcome is None
    assert [(w.kind, w.seq, w.name, w.input) for w in plan.work] == [("activity", 0, "hello", '"Tokyo"')]


def test_completion_resumes_and_schedules_the_next_id_then_completes() -> None:
    events = _start("orch", "A") + [h.task_scheduled(T0, 0, "hello", '"A"'), h.orchestrator_completed(T0),
                                     h.orchestrator_started(T0), h.task_completed(T0, 0, '"B"')]
    plan = _plan(_sequence, events, "A")
    assert [(w.seq, w.input) for w in plan.work] == [(1, '"B"')]
    events += [h.task_scheduled(T0, 1, "hello", '"B"'), h.orchestrator_completed(T0),
               h.orchestrator_started(T0), h.task_completed(T0, 1, '"C"')]
    done = _plan(_sequence, events, "A")
    assert (done.outcome, done.output, done.work) == ("Completed", "C", [])


def test_retry_numbering_failure_timer_then_rescheduled_task() -> None:
    events = _start("orch", None) + [h.task_scheduled(T0, 0, "flaky", "null"), h.orchestrator_completed(T0),
                                     h.orchestrator_started(T0), h.task_failed(T0, 0, "bad", "trace")]
    plan = _plan(_with_retry, events, None)
    [timer] = plan.work
    assert (timer.kind, timer.seq, timer.fire_at) == ("timer", 1, T0 + timedelta(milliseconds=2000))
    events += [h.timer_created(T0, 1, timer.fire_at), h.orchestrator_completed(T0),
               h.orchestrator_started(timer.fire_at), h.timer_fired(timer.fire_at, 1, timer.fire_at)]
    plan = _plan(_with_retry, events, None, timer.fire_at)
    assert [(w.kind, w.seq, w.name) for w in plan.work] == [("activity", 2, "flaky")]
    # After the last attempt fails, one more timer (fired at once), then the failure reaches the orchestrator.
    events += [h.task_scheduled(T0, 2, "flaky", "null"), h.orchestrator_completed(T0),
               h.orchestrator_started(T0), h.task_failed(T0, 2, "still bad", "trace")]
    plan = _plan(_with_retry, events, None)
    [last_timer] = plan.work
    assert (last_timer.seq, last_timer.fire_at) == (3, T0)
    events += [h.timer_created(T0, 3, T0), h.orchestrator_completed(T0), h.orchestrator_started(T0),
               h.timer_fired(T0, 3, T0)]
    failed = _plan(_with_retry, events, None)
    assert failed.outcome == "Failed" and "still bad" in failed.output
    assert failed.output.startswith("Orchestrator function 'orch' failed:")


def _approval(context):
    timeout = context.create_timer(context.current_utc_datetime + timedelta(hours=1))
    answer = context.wait_for_external_event("Approval")
    winner = yield context.task_any([answer, timeout])
    return "approved" if winner == answer else "timeout"


def test_external_event_uses_no_id_and_the_event_wins() -> None:
    plan = _plan(_approval, _start("orch", None), None)
    assert [(w.kind, w.seq, w.fire_at) for w in plan.work] == [("timer", 0, T0 + timedelta(hours=1))]
    events = _start("orch", None) + [h.timer_created(T0, 0, T0 + timedelta(hours=1)),
                                     h.orchestrator_completed(T0), h.orchestrator_started(T0),
                                     h.event_raised(T0, "Approval", '"yes"')]
    assert _plan(_approval, events, None).output == "approved"


def _long_timer(context):
    yield context.create_timer(context.current_utc_datetime + timedelta(days=10))
    return "woke"


def test_long_timers_are_split_into_three_day_steps() -> None:
    [first] = _plan(_long_timer, _start("orch", None), None).work
    assert first.fire_at == T0 + timedelta(days=3)


def test_a_different_activity_at_a_recorded_id_is_non_determinism() -> None:
    events = _start("orch", "A") + [h.task_scheduled(T0, 0, "other", '"A"'), h.orchestrator_completed(T0),
                                     h.orchestrator_started(T0)]
    plan = _plan(_sequence, events, "A")
    assert plan.outcome == "Failed" and "Non-Deterministic workflow detected" in plan.output


def test_a_renamed_completed_activity_is_non_determinism() -> None:
    events = _start("orch", "A") + [h.task_scheduled(T0, 0, "renamed", '"A"'), h.orchestrator_completed(T0),
                                     h.orchestrator_started(T0), h.task_completed(T0, 0, '"B"')]
    plan = _plan(_sequence, events, "A")
    assert plan.outcome == "Failed" and "sequence ID 0 named 'renamed'" in plan.output


def test_retried_attempts_are_not_mistaken_for_non_determinism() -> None:
    events = _start("orch", None) + [
        h.task_scheduled(T0, 0, "flaky", "null"), h.orchestrator_completed(T0), h.orchestrator_started(T0),
        h.task_failed(T0, 0, "bad", "trace"), h.timer_created(T0, 1, T0), h.orchestrator_completed(T0),
        h.orchestrator_started(T0), h.timer_fired(T0, 1, T0), h.task_scheduled(T0, 2, "flaky", "null"),
        h.orchestrator_completed(T0), h.orchestrator_started(T0), h.task_completed(T0, 2, '"ok"')]
    assert _plan(_with_retry, events, None).outcome == "Completed"


def _continues(context):
    n = context.get_input()
    yield context.call_activity("hello", n)
    context.continue_as_new(n + 1)


def test_continue_as_new_carries_the_json_text_input() -> None:
    events = _start("orch", 1) + [h.task_scheduled(T0, 0, "hello", "1"), h.orchestrator_completed(T0),
                                  h.orchestrator_started(T0), h.task_completed(T0, 0, "null")]
    plan = _plan(_continues, events, 1)
    assert (plan.outcome, plan.output) == ("ContinuedAsNew", "2")


def _raises(context):
    yield context.call_activity("hello", 1)
    raise ValueError("no good")


def test_orchestrator_exception_fails_with_the_real_output_text() -> None:
    events = _start("orch", 1) + [h.task_scheduled(T0, 0, "hello", "1"), h.orchestrator_completed(T0),
                                  h.orchestrator_started(T0), h.task_completed(T0, 0, "null")]
    plan = _plan(_raises, events, 1)
    assert (plan.outcome, plan.output) == ("Failed", "Orchestrator function 'orch' failed: no good")


def _big_status(context):
    context.set_custom_status("x" * (CUSTOM_STATUS_LIMIT // 2))
    yield context.call_activity("hello", 1)


def test_custom_status_over_16_kb_fails_the_orchestration() -> None:
    plan = _plan(_big_status, _start("orch", 1), 1)
    assert plan.outcome == "Failed" and "16 KB" in plan.output and plan.work == []


def _entity_caller(context):
    yield context.call_entity(df.EntityId("counter", "k"), "add", 1)


def test_unsupported_actions_fail_with_a_stable_code() -> None:
    plan = _plan(_entity_caller, _start("orch", 1), 1)
    assert plan.outcome == "Failed" and "LOCALHOST_UNSUPPORTED_ACTION" in plan.output
