"""A scripted driver for orchestrator tests through the real azure-functions-durable replay.

It builds histories exactly as the extension does (the local host's builders in
local/host/history.py, contract §1), replays them with the real SDK (local/host/replay.py),
turns each episode's new actions into work (local/host/actions.py: sequence numbers, retry
timers) and answers that work from a script:
- activities: ``script.activity(name, payload) -> result`` (a raised ActivityFailure becomes
  TaskFailed, which the SDK's RetryOptions then retry);
- timers: fire in time order, the clock jumping to their FireAt (time-skipping);
- external events: ``script.events(custom_status, clock)`` is asked before each episode and
  may return [(name, data)] to raise then, even while activities run (data double-encoded
  as the Python client sends it);
- sub-orchestrations: run through the same driver with the same script, then complete.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from local.host import history as h
from local.host.actions import Work, plan_episode
from local.host.replay import replay

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MAX_EPISODES = 2_000


class ActivityFailure(Exception):
    """Raised by a script to make an activity fail (a transient error: the retry policy applies)."""


class Stuck(AssertionError):
    """The orchestration waits for something the script never sends."""


@dataclass
class Run:
    """The end of an orchestration: outcome, output, custom status, and what it did."""

    outcome: str                       # Completed | Failed
    output: Any
    custom_status: Any
    calls: list[tuple[str, Any]]       # (activity name, payload) in call order
    generations: int = 1               # executions (continue_as_new adds one each)
    statuses: list[Any] = field(default_factory=list)   # every custom status, in order
    histories: list[list[dict[str, Any]]] = field(default_factory=list)
    children: list[Run] = field(default_factory=list)     # sub-orchestrations, in completion order

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def payloads(self, name: str) -> list[Any]:
        return [payload for called, payload in self.calls if called == name]

    @property
    def error(self) -> dict[str, Any]:
        """The {code, stage, message} of a failed finetune run (from its failure text)."""
        text = str(self.output)
        return json.loads(text[text.index("{"):])


class Script:
    """Answers an orchestration's work. Subclass or pass callables."""

    def __init__(self, activity: Callable[[str, Any], Any],
                 events: Callable[[Any, datetime], list[tuple[str, Any]]] | None = None) -> None:
        self._activity = activity
        self._events = events or (lambda status, clock: [])

    def activity(self, name: str, payload: Any) -> Any:
        return self._activity(name, payload)

    def events(self, custom_status: Any, clock: datetime) -> list[tuple[str, Any]]:
        return self._events(custom_status, clock)


class Driver:
    """Runs orchestrators (by function name) to completion against a Script."""

    def __init__(self, handles: dict[str, Any], script: Script) -> None:
        self.handles = handles
        self.script = script
        self.clock = START
        self.calls: list[tuple[str, Any]] = []
        self.children: list[Run] = []

    def tick(self, at: datetime | None = None) -> datetime:
        self.clock = max(self.clock + timedelta(milliseconds=1), at or self.clock)
        return self.clock

    def run(self, name: str, instance_id: str, input_value: Any, parent: str | None = None) -> Run:
        """Run ``name`` as the Python client would start it (input double-encoded, contract §4)."""
        input_text = json.dumps(json.dumps(input_value)) if input_value is not None else None
        return self._run_text(name, instance_id, input_text, parent)

    def _run_text(self, name: str, instance_id: str, input_text: str | None, parent: str | None) -> Run:
        statuses: list[Any] = []
        histories: list[list[dict[str, Any]]] = []
        generation = 0
        while True:
            generation += 1
            history = [h.orchestrator_started(self.tick()),
                       h.execution_started(self.clock, name, input_text, instance_id, f"exec-{generation}")]
            outcome, output, status = self._execute(name, instance_id, input_text, history, parent, statuses)
            histories.append(history)
            if outcome != "ContinuedAsNew":
                calls = list(self.calls)
                return Run(outcome, output, status, calls, generation, statuses, histories)
            input_text = json.dumps(output) if output is not None else None

    def _execute(self, name: str, instance_id: str, input_text: str | None, history: list[dict[str, Any]],
                 parent: str | None, statuses: list[Any]) -> tuple[str, Any, Any]:
        pending: dict[int, Work] = {}
        for _ in range(MAX_EPISODES):
            episode = replay(self.handles[name], instance_id, input_text, history, parent)
            plan = plan_episode(episode, history, self.clock, name, history[1]["OrchestrationInstance"]
                                ["ExecutionId"])
            statuses.append(plan.custom_status)
            for work in plan.work:
                history.append(self._scheduled(work))
                pending[work.seq] = work
            history.append(h.orchestrator_completed(self.clock))
            if plan.outcome:
                return plan.outcome, plan.output, plan.custom_status
            history.append(h.orchestrator_started(self.tick()))
            history.extend(self._next_events(pending, plan.custom_status, instance_id))
        raise Stuck(f"{name} did not finish within {MAX_EPISODES} episodes")

    def _scheduled(self, work: Work) -> dict[str, Any]:
        if work.kind == "activity":
            return h.task_scheduled(self.clock, work.seq, work.name or "", work.input)
        if work.kind == "sub":
            return h.sub_created(self.clock, work.seq, work.name or "", work.instance_id or "", work.input)
        return h.timer_created(self.clock, work.seq, work.fire_at or self.clock)

    def _next_events(self, pending: dict[int, Work], custom_status: Any, instance_id: str) -> list[dict]:
        """Scripted events first (they may arrive while activities run), then every activity, then
        sub-orchestrations, then the earliest timer."""
        raised = self.script.events(custom_status, self.clock)
        if raised:
            return [h.event_raised(self.clock, event, json.dumps(json.dumps(data))) for event, data in raised]
        for kind in ("activity", "sub"):
            ready = [w for w in pending.values() if w.kind == kind]
            if ready:
                return [self._complete(pending.pop(work.seq), instance_id) for work in ready]
        timers = sorted((w for w in pending.values() if w.kind == "timer"), key=lambda w: (w.fire_at, w.seq))
        if not timers:
            raise Stuck(f"waiting with no timer and no scripted event; custom status: {custom_status}")
        timer = pending.pop(timers[0].seq)
        started = self.tick(timer.fire_at)
        return [h.timer_fired(started, timer.seq, timer.fire_at or started)]

    def _complete(self, work: Work, instance_id: str) -> dict[str, Any]:
        if work.kind == "sub":
            child_input = json.dumps(work.input) if work.input is not None else None
            child = self._run_text(work.name or "", work.instance_id or "", child_input, instance_id)
            self.children.append(child)
            if child.outcome == "Completed":
                return h.sub_completed(self.clock, work.seq, json.dumps(child.output))
            return h.sub_failed(self.clock, work.seq, str(child.output), "")
        payload = json.loads(work.input) if work.input is not None else None
        self.calls.append((work.name or "", payload))
        try:
            result = self.script.activity(work.name or "", payload)
        except ActivityFailure as exc:
            reason = f"Activity function '{work.name}' failed: ActivityFailure: {exc}"
            return h.task_failed(self.clock, work.seq, reason, "Traceback (most recent call last): ...")
        return h.task_completed(self.clock, work.seq, json.dumps(result))



def orchestrator_handles(*builders: Any) -> dict[str, Any]:
    """The SDK handles of decorated orchestrators (FunctionBuilders of a blueprint), by function name.

    Built from the blueprints rather than ``app.get_functions()``, which may run once per process.
    """
    functions = [builder.build() for builder in builders]
    return {function.get_function_name(): function.get_user_function() for function in functions}


def run_orchestrator(handles: dict[str, Any], name: str, instance_id: str, input_value: Any,
                     script: Script) -> Run:
    driver = Driver(handles, script)
    result = driver.run(name, instance_id, input_value)
    result.children = list(driver.children)
    return result
