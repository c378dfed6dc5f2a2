"""The status payload's historyEvents as the extension shapes them, and the Durable API's query checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from multidict import MultiDict

from local.host import history as h
from local.host import query as q
from local.host.status_view import history_view, parse_token, status_json
from local.host.store import Instance

pytestmark = pytest.mark.unit
T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
T1 = datetime(2026, 1, 1, 12, 0, 5, tzinfo=UTC)


def _history() -> list[dict]:
    """A finished run: one completed activity, one failed activity, a timer, an event, a sub-orchestration."""
    return [
        h.orchestrator_started(T0), h.execution_started(T0, "orch", '"in"', "i1", "e1", version="2.0"),
        h.task_scheduled(T0, 0, "hello", '"A"'), h.task_scheduled(T0, 1, "boom", '"B"'),
        h.timer_created(T0, 2, T1), h.sub_created(T0, 3, "child", "i1:3", '"C"', "1.5"),
        h.orchestrator_completed(T0), h.orchestrator_started(T1),
        h.task_completed(T1, 0, '{"greeting": "Hello A"}'), h.task_failed(T1, 1, "bad", "trace"),
        h.timer_fired(T1, 2, T1), h.event_raised(T1, "Go", '"now"'), h.sub_completed(T1, 3, "[1, 2]"),
        h.orchestrator_completed(T1), h.execution_completed(T1, "Completed", '"done"'),
    ]


def test_history_events_are_shaped_as_the_extension_returns_them() -> None:
    shown = history_view(_history(), show_output=True, show_input=True)
    assert [e["EventType"] for e in shown] == [
        "ExecutionStarted", "TimerCreated", "TaskCompleted", "TaskFailed", "TimerFired", "EventRaised",
        "SubOrchestrationInstanceCompleted", "ExecutionCompleted"]
    started, _, completed, failed, fired, raised, sub, done = shown
    assert started["FunctionName"] == "orch" and started["Input"] == '"in"'
    for internal in ("Name", "Version", "OrchestrationInstance", "ParentInstance", "EventId", "IsPlayed"):
        assert internal not in started
    assert completed["Result"] == {"greeting": "Hello A"}  # parsed to a JSON value
    assert (completed["FunctionName"], completed["Input"]) == ("hello", '"A"')
    assert completed["ScheduledTime"] == h.iso(T0) and "TaskScheduledId" not in completed
    assert (failed["FunctionName"], failed["Reason"], failed["Input"]) == ("boom", "bad", '"B"')
    assert "Result" not in failed and "TaskScheduledId" not in failed
    assert "TimerId" not in fired and fired["FireAt"] == h.iso(T1)
    assert raised["Input"] == '"now"'
    assert sub["Result"] == [1, 2] and sub["FunctionName"] == "child" and "Version" not in sub
    assert done["OrchestrationStatus"] == "Completed" and done["Result"] == "done"


def test_show_input_false_removes_every_input_and_no_output_removes_results() -> None:
    shown = history_view(_history(), show_output=False, show_input=False)
    assert not any("Input" in e for e in shown)
    assert not any("Result" in e for e in shown)
    assert [e for e in shown if e["EventType"] == "TaskCompleted"][0]["FunctionName"] == "hello"


def test_a_scheduled_task_without_completion_is_kept() -> None:
    events = _history()[:7]  # scheduled, nothing completed yet
    shown = history_view(events, show_output=True, show_input=True)
    assert [e["EventType"] for e in shown] == ["ExecutionStarted", "TaskScheduled", "TaskScheduled",
                                               "TimerCreated", "SubOrchestrationInstanceCreated"]
    assert shown[1]["Name"] == "hello" and "Version" not in shown[1] and "EventId" not in shown[1]


def test_results_that_are_not_json_stay_text() -> None:
    assert parse_token("not json") == "not json"
    assert parse_token("  ") == "" and parse_token(None) is None and parse_token("3") == 3


def test_status_json_has_no_history_while_pending() -> None:
    pending = Instance("i1", "orch", "e1", "Pending", '"x"', None, None, 0.0, 0.0, None, None, None, 0)
    body = status_json(pending, lambda _: _history(), show_history=True)
    assert "historyEvents" not in body and body["input"] == "x"
    running = Instance("i1", "orch", "e1", "Running", '"x"', None, None, 0.0, 0.0, None, None, None, 15)
    assert "historyEvents" in status_json(running, lambda _: _history(), show_history=True)
    assert status_json(running, lambda _: [], show_input=False)["input"] is None


@pytest.mark.parametrize("value", ["x", "0.5", "9223372036854775807", "0", "-1", "1001", " ", "1e3"])
def test_bad_page_sizes_are_refused(value: str) -> None:
    with pytest.raises(q.BadQuery, match="LOCALHOST_BAD_QUERY: 'top' must be a whole number from 1 to 1000"):
        q.page_size({"top": value})


def test_page_size_default_and_limits() -> None:
    assert q.page_size({}) == 100 and q.page_size({"top": "1"}) == 1 and q.page_size({"top": "1000"}) == 1000


@pytest.mark.parametrize("value", ["x", "0", "2024-13-01", "yesterday"])
def test_bad_dates_are_refused(value: str) -> None:
    with pytest.raises(q.BadQuery, match="'createdTimeFrom' must be an ISO-8601 date-time"):
        q.moment({"createdTimeFrom": value}, "createdTimeFrom")


def test_dates_without_offset_are_utc() -> None:
    may_first = datetime(2024, 5, 1, tzinfo=UTC).timestamp()
    assert q.moment({"t": "2024-05-01T00:00:00"}, "t") == may_first
    assert q.moment({"t": "2024-05-01T02:00:00+02:00"}, "t") == may_first
    assert q.moment({"t": "2024-05-01T00:00:00.0000000Z"}, "t") == may_first


def test_flags_take_true_or_false_in_any_case() -> None:
    assert q.flag({"f": "True"}, "f", False) is True and q.flag({"f": "FALSE"}, "f", True) is False
    assert q.flag({}, "f", True) is True
    with pytest.raises(q.BadQuery, match="'f' must be true or false"):
        q.flag({"f": "yes"}, "f", False)


def test_runtime_statuses_repeated_comma_separated_or_numbered() -> None:
    query = MultiDict([("runtimeStatus", "Running,Pending"), ("runtimeStatus", "1")])
    assert q.statuses(query.getall("runtimeStatus")) == ["Running", "Pending", "Completed"]
    with pytest.raises(q.BadQuery, match="'runtimeStatus' must be a comma-separated list of Running"):
        q.statuses(["Completed,Compleetd"])


@pytest.mark.parametrize("token", ["x", "!!", "LTE=", "YWJj", json.dumps({"a": 1})])
def test_malformed_continuation_tokens_are_refused(token: str) -> None:
    with pytest.raises(q.BadQuery, match="x-ms-continuation-token"):
        q.continuation_offset(token)


def test_continuation_tokens_round_trip() -> None:
    assert q.continuation_offset(q.continuation_token(200)) == 200 and q.continuation_offset(None) == 0


@pytest.mark.parametrize("value", ["x", "-1", "nan", "inf"])
def test_bad_durations_are_refused(value: str) -> None:
    with pytest.raises(q.BadQuery, match="'timeout' must be a number of seconds"):
        q.seconds({"timeout": value}, "timeout")
