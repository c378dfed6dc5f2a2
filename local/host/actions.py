"""Turn one replay's result into work for the host (contract §2, §6, §7).

New work comes from the SDK's open tasks: each integer id not yet in the history is a
task to schedule (activity, timer, sub-orchestration, or the host-run retry timer and
rescheduled attempt of a ``*_with_retry`` call). Ids already in the history are checked
against what the history says was scheduled there (non-determinism detection).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from local.host import history as h
from local.host.replay import Episode

CUSTOM_STATUS_LIMIT = 16 * 1024  # bytes of UTF-16 (ext: SetCustomStatus)
_KIND_BY_ACTION = {0: "activity", 1: "activity", 2: "sub", 3: "sub", 5: "timer"}
_KIND_BY_EVENT = {h.TASK_SCHEDULED: "activity", h.SUB_CREATED: "sub", h.TIMER_CREATED: "timer"}
_UNSUPPORTED = {7: "CallEntity", 8: "CallHttp", 9: "SignalEntity"}


@dataclass
class Work:
    """One task to schedule, with the sequence number the orchestrator gave it."""

    kind: str  # "activity" | "timer" | "sub"
    seq: int
    name: str | None = None
    input: str | None = None
    fire_at: datetime | None = None
    instance_id: str | None = None
    version: str | None = None  # sub-orchestrations: the version asked for (None: the default version)


@dataclass
class Plan:
    """What the host must do after an episode."""

    work: list[Work] = field(default_factory=list)
    outcome: str | None = None  # None (still running) | Completed | Failed | ContinuedAsNew
    output: Any = None  # output value (Completed), failure text (Failed), input text (ContinuedAsNew)
    custom_status: Any = None
    failure: dict[str, Any] | None = None  # FailureDetails of ExecutionCompleted, when DTFx sets them


def _leaf_actions(actions: list[Any]) -> list[dict[str, Any]]:
    leaves: list[dict[str, Any]] = []
    for action in actions:
        if isinstance(action, list):
            leaves.extend(_leaf_actions(action))
        elif action.get("actionType") in (11, 12):
            leaves.extend(_leaf_actions(action.get("compoundActions", [])))
        else:
            leaves.append(action)
    return leaves


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _action_of(task: Any) -> dict[str, Any]:
    """The action JSON of an open task; NoOp retry placeholders resolve through their parent."""
    action = task.action_repr
    metadata = getattr(action, "metadata", None)
    if metadata == "rescheduled task":
        return task.parent.actions.to_json()
    if metadata == "-WithRetry timer":
        parent = task.parent
        options = parent.retry_options
        final = parent.num_attempts >= options.max_number_of_attempts
        # After the last failure DTFx fires its back-compat timer at once (contract §6).
        delay = 0 if final else options.first_retry_interval_in_milliseconds
        return {"actionType": 5, "retryDelayMs": delay}
    return action.to_json()


def _work_for(seq: int, action: dict[str, Any], now: datetime, execution_id: str) -> Work:
    kind = _KIND_BY_ACTION[action["actionType"]]
    if kind == "activity":
        return Work("activity", seq, action["functionName"], action.get("input"))
    if kind == "sub":
        child_id = action.get("instanceId") or f"{execution_id}:{seq}"
        return Work("sub", seq, action["functionName"], action.get("input"), instance_id=child_id,
                    version=action.get("version"))
    if "retryDelayMs" in action:
        return Work("timer", seq, fire_at=now + timedelta(milliseconds=action["retryDelayMs"]))
    return Work("timer", seq, fire_at=_as_utc(h.parse_iso(action["fireAt"])))


class NonDeterminism(Exception):
    """The replay scheduled something other than what the history recorded."""


def _check_same(seq: int, action: dict[str, Any], recorded: dict[str, Any]) -> None:
    kind = _KIND_BY_ACTION.get(action["actionType"])
    recorded_kind = _KIND_BY_EVENT[recorded["EventType"]]
    name = action.get("functionName")
    if kind != recorded_kind or (kind != "timer" and name != recorded.get("Name")):
        raise NonDeterminism(
            f"Non-Deterministic workflow detected: a previous execution of this orchestration scheduled "
            f"a {recorded_kind} task with sequence ID {seq} named '{recorded.get('Name') or ''}', but the "
            f"current replay scheduled a {kind} task named '{name or ''}' there. Was a change made to the "
            f"orchestrator code after this instance had already started running?")


def _check_history_order(leaves: list[dict[str, Any]], history: list[dict[str, Any]]) -> None:
    """Every activity/sub-orchestration the history scheduled must be the next one the code yields,
    or a retry of an earlier ``*_with_retry`` call of the same name (retries are not actions)."""
    calls = [(_KIND_BY_ACTION[a["actionType"]], a.get("functionName"), a["actionType"] in (1, 3))
             for a in leaves if a.get("actionType") in (0, 1, 2, 3)]
    scheduled = sorted((e for e in history if e["EventType"] in (h.TASK_SCHEDULED, h.SUB_CREATED)),
                       key=lambda e: e["EventId"])
    position = 0
    for recorded in scheduled:
        kind, name = _KIND_BY_EVENT[recorded["EventType"]], recorded.get("Name")
        if position < len(calls) and calls[position][:2] == (kind, name):
            position += 1
        elif not any(c[2] and c[:2] == (kind, name) for c in calls[:position]):
            expected = calls[position][:2] if position < len(calls) else ("nothing", "")
            raise NonDeterminism(
                f"Non-Deterministic workflow detected: a previous execution of this orchestration scheduled "
                f"a {kind} task with sequence ID {recorded['EventId']} named '{name}', but the current "
                f"replay scheduled {expected[0]} '{expected[1]}' there. Was a change made to the "
                "orchestrator code after this instance had already started running?")


def custom_status_error(custom_status: Any) -> str | None:
    if custom_status is None:
        return None
    size = len(json.dumps(custom_status).encode("utf-16-le"))
    if size > CUSTOM_STATUS_LIMIT:
        return (f"The UTF-16 size of the JSON-serialized custom status payload ({size} bytes) exceeds "
                f"the {CUSTOM_STATUS_LIMIT // 1024} KB limit.")
    return None


def plan_episode(episode: Episode, history: list[dict[str, Any]], now: datetime, name: str,
                 execution_id: str) -> Plan:
    """Decide the work and outcome of an episode; failures carry the real host's output text."""
    state = episode.state
    plan = Plan(custom_status=state.get("customStatus"))
    failure = episode.error
    if failure is None:
        failure = custom_status_error(plan.custom_status)
    if failure is None:
        try:
            plan.work = _new_work(episode, history, now, execution_id)
        except NonDeterminism as exc:
            plan.outcome, plan.output = "Failed", str(exc)
            return plan
        except _Unsupported as exc:
            failure = str(exc)
    if failure is not None:
        plan.work = []
        plan.outcome = "Failed"
        plan.output = f"Orchestrator function '{name}' failed: {failure}"
        return plan
    if episode.is_done:
        plan.work = []
        leaves = _leaf_actions(state.get("actions", []))
        continued = [a for a in leaves if a.get("actionType") == 4]
        if continued:
            plan.outcome, plan.output = "ContinuedAsNew", continued[0].get("input")
        else:
            plan.outcome, plan.output = "Completed", state.get("output")
    return plan


class _Unsupported(Exception):
    pass


def _new_work(episode: Episode, history: list[dict[str, Any]], now: datetime,
              execution_id: str) -> list[Work]:
    leaves = _leaf_actions(episode.state.get("actions", []))
    for leaf in leaves:
        if leaf.get("actionType") in _UNSUPPORTED:
            raise _Unsupported(f"LOCALHOST_UNSUPPORTED_ACTION: the local host does not run "
                               f"{_UNSUPPORTED[leaf['actionType']]} actions (durable entities/HTTP); "
                               "run this orchestration on Azure Functions.")
    _check_history_order(leaves, history)
    recorded = {e["EventId"]: e for e in history if e["EventType"] in _KIND_BY_EVENT}
    work: list[Work] = []
    for seq in sorted(episode.open_tasks):
        task = episode.open_tasks[seq]
        task = task[0] if isinstance(task, list) else task
        action = _action_of(task)
        if seq in recorded:
            _check_same(seq, action, recorded[seq])
        else:
            work.append(_work_for(seq, action, now, execution_id))
    return work
