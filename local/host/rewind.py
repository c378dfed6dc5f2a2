"""Rewind a Failed orchestration: the history rewrite of DTFx ``ProcessRewindOrchestrationDecision``.

The new history is the old one without the failed tasks' TaskScheduled events, without every
TaskFailed, SubOrchestrationInstanceFailed and ExecutionCompleted, and with a new execution id,
followed by OrchestratorStarted + ExecutionRewound. Replaying it makes the orchestrator schedule
the failed activities again (their ids are free once more) while every completed result stays
recorded. A failed sub-orchestration keeps its SubOrchestrationInstanceCreated event and is
rewound in turn; its completion then reaches the parent's new execution.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from local.host import history as h

_DROPPED = (h.TASK_FAILED, h.SUB_FAILED, h.EXECUTION_COMPLETED)


def rewound_history(history: list[dict[str, Any]], new_execution_id: str, parent_execution_id: str | None,
                    now: datetime, reason: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The rewritten history, and the ids of the failed sub-orchestrations to rewind too."""
    failed = {e["TaskScheduledId"] for e in history if e["EventType"] in (h.TASK_FAILED, h.SUB_FAILED)}
    events: list[dict[str, Any]] = []
    children: list[str] = []
    for event in history:
        kind = event["EventType"]
        if kind in _DROPPED or (kind == h.TASK_SCHEDULED and event["EventId"] in failed):
            continue
        if kind == h.EXECUTION_STARTED:
            event = copy.deepcopy(event)
            event["OrchestrationInstance"]["ExecutionId"] = new_execution_id
            parent = event.get("ParentInstance")
            if parent_execution_id and parent:
                parent["OrchestrationInstance"]["ExecutionId"] = parent_execution_id
        elif kind == h.SUB_CREATED and event["EventId"] in failed:
            children.append(event["InstanceId"])
        events.append(event)
    events += [h.orchestrator_started(now), h.execution_rewound(now, reason)]
    return events, children
