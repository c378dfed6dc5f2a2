"""Builders for Durable Task history events, as the extension writes them (contract §1).

Every event carries ``EventType`` (an int), ``EventId``, ``IsPlayed`` and an ISO-8601
``Timestamp`` with microseconds and a literal ``Z``. Completion events use ``EventId: -1``;
scheduling events carry the orchestrator's sequence number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# DTFx EventType values (models/history/HistoryEventType.py in the SDK).
EXECUTION_STARTED = 0
EXECUTION_COMPLETED = 1
EXECUTION_TERMINATED = 3
TASK_SCHEDULED = 4
TASK_COMPLETED = 5
TASK_FAILED = 6
SUB_CREATED = 7
SUB_COMPLETED = 8
SUB_FAILED = 9
TIMER_CREATED = 10
TIMER_FIRED = 11
ORCHESTRATOR_STARTED = 12
ORCHESTRATOR_COMPLETED = 13
EVENT_RAISED = 15
CONTINUE_AS_NEW = 16
EXECUTION_SUSPENDED = 19
EXECUTION_RESUMED = 20
EXECUTION_REWOUND = 21  # DTFx; the Python SDK ignores event types it does not know

EVENT_NAMES = {
    0: "ExecutionStarted", 1: "ExecutionCompleted", 2: "ExecutionFailed", 3: "ExecutionTerminated",
    4: "TaskScheduled", 5: "TaskCompleted", 6: "TaskFailed", 7: "SubOrchestrationInstanceCreated",
    8: "SubOrchestrationInstanceCompleted", 9: "SubOrchestrationInstanceFailed", 10: "TimerCreated",
    11: "TimerFired", 12: "OrchestratorStarted", 13: "OrchestratorCompleted", 14: "EventSent",
    15: "EventRaised", 16: "ContinueAsNew", 17: "GenericEvent", 18: "HistoryState",
    19: "ExecutionSuspended", 20: "ExecutionResumed", 21: "ExecutionRewound",
}
# OrchestrationStatus values in ExecutionCompleted (contract §1).
STATUS_CODES = {"Running": 0, "Completed": 1, "ContinuedAsNew": 2, "Failed": 3, "Canceled": 4,
                "Terminated": 5, "Pending": 6, "Suspended": 7}


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Full-precision ISO text with a literal Z (never cut to milliseconds: contract §7)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    """Parse the timestamps this host and the SDK write ("...Z", with or without fractions)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def event(event_type: int, at: datetime, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    return {"EventType": event_type, "EventId": event_id, "IsPlayed": False, "Timestamp": iso(at), **fields}


def orchestrator_started(at: datetime) -> dict[str, Any]:
    return event(ORCHESTRATOR_STARTED, at)


def orchestrator_completed(at: datetime) -> dict[str, Any]:
    return event(ORCHESTRATOR_COMPLETED, at)


def execution_started(at: datetime, name: str, input_text: str | None, instance_id: str, execution_id: str,
                      parent: dict[str, Any] | None = None, version: str = "") -> dict[str, Any]:
    """``Version`` is required by SDK 1.7.0 (contract §0); it is what ``context.version`` returns."""
    return event(EXECUTION_STARTED, at, Name=name, Version=version, Input=input_text,
                 OrchestrationInstance={"InstanceId": instance_id, "ExecutionId": execution_id},
                 ParentInstance=parent)


def task_scheduled(at: datetime, seq: int, name: str, input_text: str | None) -> dict[str, Any]:
    return event(TASK_SCHEDULED, at, seq, Name=name, Version="", Input=input_text)


def task_completed(at: datetime, seq: int, result: str | None) -> dict[str, Any]:
    return event(TASK_COMPLETED, at, TaskScheduledId=seq, Result=result)


def task_failed(at: datetime, seq: int, reason: str, details: str) -> dict[str, Any]:
    return event(TASK_FAILED, at, TaskScheduledId=seq, Reason=reason, Details=details)


def timer_created(at: datetime, seq: int, fire_at: datetime) -> dict[str, Any]:
    return event(TIMER_CREATED, at, seq, FireAt=iso(fire_at))


def timer_fired(at: datetime, seq: int, fire_at: datetime) -> dict[str, Any]:
    return event(TIMER_FIRED, at, TimerId=seq, FireAt=iso(fire_at))


def sub_created(at: datetime, seq: int, name: str, instance_id: str, input_text: str | None,
                version: str = "") -> dict[str, Any]:
    return event(SUB_CREATED, at, seq, Name=name, Version=version, InstanceId=instance_id, Input=input_text)


def sub_completed(at: datetime, seq: int, result: str | None) -> dict[str, Any]:
    return event(SUB_COMPLETED, at, TaskScheduledId=seq, Result=result)


def sub_failed(at: datetime, seq: int, reason: str, details: str) -> dict[str, Any]:
    return event(SUB_FAILED, at, TaskScheduledId=seq, Reason=reason, Details=details)


def event_raised(at: datetime, name: str, input_text: str | None) -> dict[str, Any]:
    return event(EVENT_RAISED, at, Name=name, Input=input_text)


def execution_completed(at: datetime, status: str, result: str | None,
                        failure: dict[str, Any] | None = None) -> dict[str, Any]:
    return event(EXECUTION_COMPLETED, at, OrchestrationStatus=STATUS_CODES[status], Result=result,
                 FailureDetails=failure)


def execution_terminated(at: datetime, reason: str) -> dict[str, Any]:
    return event(EXECUTION_TERMINATED, at, Input=reason)


def execution_suspended(at: datetime, reason: str) -> dict[str, Any]:
    return event(EXECUTION_SUSPENDED, at, Reason=reason)


def execution_resumed(at: datetime, reason: str) -> dict[str, Any]:
    return event(EXECUTION_RESUMED, at, Reason=reason)


def execution_rewound(at: datetime, reason: str) -> dict[str, Any]:
    return event(EXECUTION_REWOUND, at, Reason=reason)
