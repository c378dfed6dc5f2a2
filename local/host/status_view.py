"""The status payload of the Durable HTTP API and its ``historyEvents``, shaped as the extension shapes
them (ext: ``HttpApiHandler.ConvertFrom`` and ``DurableClient.GetDurableOrchestrationStatusAsync``).

History events, in order, with:
- ``EventType`` as its name; ``EventId``, ``IsPlayed`` and the OrchestratorStarted/Completed
  markers removed;
- a scheduling event (TaskScheduled, SubOrchestrationInstanceCreated) folded into its completion
  as ``FunctionName``, ``ScheduledTime`` and ``Input``, and kept (without ``Version``) while it has
  no completion yet; ``TaskScheduledId`` and ``TimerId`` removed;
- ExecutionStarted: ``Name`` becomes ``FunctionName``; ``OrchestrationInstance``,
  ``ParentInstance``, ``Version`` and ``Tags`` removed;
- ``Result`` (TaskCompleted, SubOrchestrationInstanceCompleted, ExecutionCompleted) only with
  ``showHistoryOutput``, then parsed to a JSON value; ExecutionCompleted's ``OrchestrationStatus``
  as its name;
- ``showInput=false`` removes every ``Input``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local.host import history as h
from local.host.store import Instance

STATUS_NAMES = {code: name for name, code in h.STATUS_CODES.items()}
_ORIGIN_OF = {h.TASK_COMPLETED: h.TASK_SCHEDULED, h.TASK_FAILED: h.TASK_SCHEDULED,
              h.SUB_COMPLETED: h.SUB_CREATED, h.SUB_FAILED: h.SUB_CREATED}
_RESULT_SHOWN = (h.TASK_COMPLETED, h.SUB_COMPLETED, h.EXECUTION_COMPLETED)


def parse_token(text: str | None) -> Any:
    """ext ``ParseToJToken``: JSON text becomes its value; text that is not JSON stays a string."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return ""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _time(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_view(history: list[dict[str, Any]], show_output: bool, show_input: bool) -> list[dict[str, Any]]:
    scheduled: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {}
    folded: set[int] = set()
    shown: list[dict[str, Any]] = []
    for index, raw in enumerate(history):
        kind = raw["EventType"]
        item = {key: value for key, value in raw.items() if key not in ("EventId", "IsPlayed")}
        item["EventType"] = h.EVENT_NAMES.get(kind, str(kind))
        if kind in (h.TASK_SCHEDULED, h.SUB_CREATED):
            scheduled[(kind, raw["EventId"])] = (index, raw)
            item.pop("Version", None)
        elif kind in _ORIGIN_OF:
            found = scheduled.get((_ORIGIN_OF[kind], raw.get("TaskScheduledId")))
            item.pop("TaskScheduledId", None)
            if found is not None:
                origin_index, origin = found
                folded.add(origin_index)
                item["ScheduledTime"] = origin["Timestamp"]
                item["FunctionName"] = origin.get("Name")
                item["Input"] = origin.get("Input")
        elif kind == h.EXECUTION_STARTED:
            for key in ("Name", "OrchestrationInstance", "ParentInstance", "Version", "Tags"):
                item.pop(key, None)
            item["FunctionName"] = raw.get("Name")
        elif kind == h.EXECUTION_COMPLETED:
            item["OrchestrationStatus"] = STATUS_NAMES.get(raw.get("OrchestrationStatus"),
                                                           raw.get("OrchestrationStatus"))
        elif kind == h.TIMER_FIRED:
            item.pop("TimerId", None)
        elif kind in (h.ORCHESTRATOR_STARTED, h.ORCHESTRATOR_COMPLETED):
            folded.add(index)
        if kind in _RESULT_SHOWN:
            if show_output:
                item["Result"] = parse_token(raw.get("Result"))
            else:
                item.pop("Result", None)
        if not show_input:
            item.pop("Input", None)
        shown.append(item)
    return [item for index, item in enumerate(shown) if index not in folded]


def status_json(inst: Instance, history: Callable[[str], list[dict[str, Any]]], show_input: bool = True,
                show_history: bool = False, show_output: bool = False) -> dict[str, Any]:
    """The status payload; ``historyEvents`` only when asked and once the instance has started."""
    body: dict[str, Any] = {
        "name": inst.name, "instanceId": inst.id, "runtimeStatus": inst.status,
        "input": parse_token(inst.input) if show_input else None,
        "customStatus": parse_token(inst.custom_status),
        "output": parse_token(inst.output),
        "createdTime": _time(inst.created), "lastUpdatedTime": _time(inst.updated),
    }
    if show_history and inst.status != "Pending":
        body["historyEvents"] = history_view(history(inst.id), show_output, show_input)
    return body
