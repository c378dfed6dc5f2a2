"""Orchestration versioning rules (DTFx VersioningSettings) and the rewind history rewrite."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import azure.durable_functions as df
import pytest

from local.host import history as h
from local.host.actions import plan_episode
from local.host.replay import replay
from local.host.rewind import rewound_history
from local.host.settings import load_settings
from local.host.versioning import VersionPolicy, compare_versions, policy_from_host_json

pytestmark = pytest.mark.unit
T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("source", "other", "expected"), [
    ("", None, 0), (None, "1.0", -1), ("1.0", "  ", 1),           # blank is older than anything defined
    ("1.0", "2.0", -1), ("2.0", "1.10", 1), ("1.9", "1.10", -1),   # System.Version compares numerically
    ("1.0", "1.0.0", -1), ("1.2.3.4", "1.2.3.4", 0),               # a missing part sorts first
    ("1", "2", -1), ("10", "9", -1),                               # one part is not a System.Version: text
    ("v2", "V2", 0), ("2025-01-01", "2025-02-01", -1), ("1.0-beta", "1.0", 1),
])
def test_versions_compare_as_dtfx_does(source: str | None, other: str | None, expected: int) -> None:
    assert compare_versions(source, other) == expected


def test_match_strategies() -> None:
    older_ok = VersionPolicy("2.0", "CurrentOrOlder", "Reject")
    assert older_ok.accepts("1.0") and older_ok.accepts("2.0") and older_ok.accepts("")
    assert not older_ok.accepts("2.1")
    strict = VersionPolicy("2.0", "Strict", "Fail")
    assert strict.accepts("2.0") and not strict.accepts("1.0") and not strict.accepts("2.0.0")
    assert VersionPolicy("1.0", "None", "Reject").accepts("9.9")
    assert VersionPolicy().accepts("") and not VersionPolicy().accepts("1.0")  # no defaultVersion: ""


def test_host_json_versioning_settings(tmp_path, monkeypatch) -> None:
    same = lambda value, default: value  # noqa: E731
    assert policy_from_host_json({}, same) == VersionPolicy("", "CurrentOrOlder", "Reject")
    policy = policy_from_host_json({"defaultVersion": "1.5", "versionMatchStrategy": "strict",
                                    "versionFailureStrategy": 1}, same)
    assert policy == VersionPolicy("1.5", "Strict", "Fail")
    with pytest.raises(ValueError, match="LOCALHOST_BAD_HOST_JSON: extensions.durableTask.versionMatch"
                                         "Strategy is 'Major'; use one of None, Strict, CurrentOrOlder"):
        policy_from_host_json({"versionMatchStrategy": "Major"}, same)
    monkeypatch.setenv("HOST_TEST_VERSION", "3.0")
    durable = {"defaultVersion": "%HOST_TEST_VERSION%", "versionFailureStrategy": "Fail"}
    (tmp_path / "host.json").write_text(json.dumps({"extensions": {"durableTask": durable}}))
    assert load_settings(tmp_path, tmp_path / "state", 0).versioning == VersionPolicy("3.0", "CurrentOrOlder",
                                                                                      "Fail")


def _versioned(context):
    child = yield context.call_sub_orchestrator("child", None, None, "0.9")
    default = yield context.call_sub_orchestrator("child")
    return [context.version, child, default]


def _replay_versioned(events: list[dict]):
    episode = replay(df.Orchestrator.create(_versioned), "i1", None, events)
    return plan_episode(episode, events, T0, "orch", "e1")


def test_context_version_comes_from_execution_started_and_sub_orchestrators_carry_theirs() -> None:
    events = [h.orchestrator_started(T0),
              h.execution_started(T0, "orch", None, "i1", "e1", version="1.0")]
    plan = _replay_versioned(events)
    [explicit] = plan.work
    assert (explicit.kind, explicit.name, explicit.version) == ("sub", "child", "0.9")
    events += [h.sub_created(T0, 0, "child", "e1:0", None, "0.9"), h.orchestrator_completed(T0),
               h.orchestrator_started(T0), h.sub_completed(T0, 0, '"0.9"')]
    plan = _replay_versioned(events)
    [default] = plan.work
    assert default.version is None  # the episode gives it host.json's defaultVersion
    events += [h.sub_created(T0, 1, "child", "e1:1", None, "1.0"), h.orchestrator_completed(T0),
               h.orchestrator_started(T0), h.sub_completed(T0, 1, '"1.0"')]
    done = _replay_versioned(events)
    assert (done.outcome, done.output) == ("Completed", ["1.0", "0.9", "1.0"])


def test_rewind_drops_failures_and_keeps_completed_work() -> None:
    parent = {"OrchestrationInstance": {"InstanceId": "p", "ExecutionId": "old-parent"}, "TaskScheduleId": 4}
    history = [
        h.orchestrator_started(T0), h.execution_started(T0, "orch", None, "i1", "e1", parent),
        h.task_scheduled(T0, 0, "ok", None), h.task_scheduled(T0, 1, "bad", None),
        h.sub_created(T0, 2, "child", "i1:2", None), h.orchestrator_completed(T0), h.orchestrator_started(T0),
        h.task_completed(T0, 0, '"fine"'), h.task_failed(T0, 1, "boom", "trace"),
        h.sub_failed(T0, 2, "child failed", ""), h.orchestrator_completed(T0),
        h.execution_completed(T0, "Failed", '"Orchestrator function failed"'),
    ]
    events, children = rewound_history(history, "e2", "new-parent", T0, "fixed")
    kinds = [e["EventType"] for e in events]
    assert h.TASK_FAILED not in kinds and h.SUB_FAILED not in kinds and h.EXECUTION_COMPLETED not in kinds
    assert [e["EventId"] for e in events if e["EventType"] == h.TASK_SCHEDULED] == [0]  # 1 runs again
    assert h.TASK_COMPLETED in kinds and h.SUB_CREATED in kinds  # recorded results and the child stay
    assert children == ["i1:2"]
    started = events[1]
    assert started["OrchestrationInstance"]["ExecutionId"] == "e2"
    assert started["ParentInstance"]["OrchestrationInstance"]["ExecutionId"] == "new-parent"
    assert history[1]["OrchestrationInstance"]["ExecutionId"] == "e1"  # the old history is untouched
    assert kinds[-2:] == [h.ORCHESTRATOR_STARTED, h.EXECUTION_REWOUND] and events[-1]["Reason"] == "fixed"
