"""Replay one orchestration episode through the real azure-functions-durable SDK (contract §1-2).

The host builds the trigger JSON the extension would send, lets the SDK replay the history
and run the generator, and returns the orchestrator state (schema V3) plus the SDK's open
tasks, whose integer ids are the sequence numbers the extension's DTFx replay would assign.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from azure.durable_functions.models.DurableOrchestrationContext import DurableOrchestrationContext
from azure.durable_functions.orchestrator import Orchestrator

OUT_OF_PROC_LABEL = "\n\n$OutOfProcData$:"
# Azure Storage provider values (ext: AzureStorageDurabilityProvider); they turn on long-timer splitting.
LONG_TIMER_INTERVAL = "3.00:00:00"
MAX_SHORT_TIMER = "6.00:00:00"


@dataclass
class Episode:
    """What one replay produced."""

    state: dict[str, Any]
    open_tasks: dict[int, Any] = field(default_factory=dict)
    error: str | None = None  # the orchestrator raised: its message (str(exc))

    @property
    def is_done(self) -> bool:
        return bool(self.state.get("isDone"))


def trigger_json(instance_id: str, input_text: str | None, history: list[dict[str, Any]],
                 parent_instance_id: str | None) -> str:
    """The orchestration-trigger payload (ext: OrchestrationContextToString)."""
    return json.dumps({
        "history": history,
        "input": json.loads(input_text) if input_text is not None else None,
        "instanceId": instance_id,
        "isReplaying": False,
        "parentInstanceId": parent_instance_id,
        "upperSchemaVersion": 1,
        "upperSchemaVersionNew": 2,
        "longRunningTimerIntervalDuration": LONG_TIMER_INTERVAL,
        "maximumShortTimerDuration": MAX_SHORT_TIMER,
        "defaultHttpAsyncRequestSleepTimeMillseconds": 30000,
    })


def replay(handle: Any, instance_id: str, input_text: str | None, history: list[dict[str, Any]],
           parent_instance_id: str | None = None) -> Episode:
    """Run ``handle`` (the SDK's ``Orchestrator.create`` handle) over ``history``.

    ``input_text`` is the stored input (JSON text of the trigger ``input`` value).
    """
    ctx = DurableOrchestrationContext.from_json(trigger_json(instance_id, input_text, history,
                                                             parent_instance_id))
    ctx._input_expected_type = getattr(handle, "_df_input_type", None)
    try:
        state_text = Orchestrator(handle.orchestrator_function).handle(ctx)
        error = None
    except Exception as exc:  # the SDK raises with the state appended after a label
        message, label, state_text = str(exc).partition(OUT_OF_PROC_LABEL)
        if not label:
            raise
        error = message
    state = json.loads(state_text)
    if error is not None:
        state["error"] = state.get("error") or error
    open_tasks = {key: value for key, value in ctx.open_tasks.items() if isinstance(key, int)}
    return Episode(state=state, open_tasks=open_tasks, error=error)
