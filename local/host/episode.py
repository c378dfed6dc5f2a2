"""One orchestration episode: read due messages, replay, and commit the result atomically.

This is the only code that changes an instance's state once it exists (the client API only
sends messages), and the engine never runs two episodes of one instance at once, so each
instance has a single writer, as in DTFx. Before anything else an episode applies the worker's
version policy (docs/local-host.md, "Orchestration versioning").
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.host import history as h
from local.host.actions import Plan, Work, plan_episode
from local.host.replay import replay
from local.host.rewind import rewound_history
from local.host.store import TERMINAL, Instance, Message, Store
from local.host.versioning import MISMATCH_MESSAGE, MISMATCH_TYPE, VersionPolicy

log = logging.getLogger("local.host")


@dataclass
class Committed:
    """What an episode did that the engine must act on after the commit."""

    activity_ids: list[int] = field(default_factory=list)
    changed: bool = False


def new_instance(db: Any, name: str, instance_id: str, input_text: str | None, now: float,
                 parent: tuple[str, str, int] | None = None, version: str = "") -> Instance:
    """Create (or overwrite) an instance in Pending state with its ExecutionStarted message."""
    Store.clear_instance(db, instance_id)
    execution_id = uuid.uuid4().hex
    parent_id, parent_execution, parent_seq = parent or (None, None, None)
    inst = Instance(instance_id, name, execution_id, "Pending", input_text, None, None, now, now,
                    parent_id, parent_execution, parent_seq, 0, version)
    Store.put_instance(db, inst)
    parent_ref = {"OrchestrationInstance": {"InstanceId": parent_id, "ExecutionId": parent_execution},
                  "TaskScheduleId": parent_seq} if parent_id else None
    started = h.execution_started(datetime.fromtimestamp(now, UTC), name, input_text, instance_id,
                                  execution_id, parent_ref, version)
    Store.send(db, instance_id, execution_id, "event", started, now)
    return inst


class EpisodeRunner:
    """Runs episodes for the engine; keeps each instance's history in memory to avoid re-reading it."""

    def __init__(self, store: Store, orchestrators: dict[str, Any],
                 policy: VersionPolicy | None = None) -> None:
        self.store = store
        self.orchestrators = orchestrators
        self.policy = policy or VersionPolicy()
        self.rejected: set[str] = set()  # instances of a version this worker leaves alone (Reject)
        self._histories: dict[str, list[dict[str, Any]]] = {}

    def _history(self, inst: Instance) -> list[dict[str, Any]]:
        cached = self._histories.get(inst.id)
        if cached is None or len(cached) != inst.history_len:
            cached = self.store.history(inst.id)
            self._histories[inst.id] = cached
        return cached

    def forget(self, instance_id: str) -> None:
        self._histories.pop(instance_id, None)
        self.rejected.discard(instance_id)

    def run(self, instance_id: str) -> Committed:
        now = h.utcnow()
        # Messages first: a restart (start_new over a finished id) that lands in between then shows
        # up as a new execution, whose messages this episode leaves alone.
        messages = self.store.messages(instance_id, now.timestamp())
        if not messages:
            return Committed()
        inst = self.store.instance(instance_id)
        if inst is not None and not self.policy.accepts(inst.version):
            if self.policy.failure == "Reject":  # DTFx abandons the work item: nothing changes
                log.warning("instance=%s has version %r, which this worker (%r, %s) does not run; left as is",
                            instance_id, inst.version, self.policy.default_version, self.policy.match)
                self.rejected.add(instance_id)
                return Committed()
            if inst.status not in TERMINAL:
                return self._fail_version(inst, messages, now)
        if inst is None or inst.status in TERMINAL:
            rewinds = [m for m in messages if m.kind == "rewind"]
            if inst is not None and inst.status == "Failed" and rewinds:
                return self._rewind(inst, [m.id for m in messages], rewinds[-1].payload, now)
            with self.store.transaction() as db:  # events for finished instances are dropped
                Store.delete_messages(db, [m.id for m in messages])
            return Committed(changed=True)
        stale = [m for m in messages if m.execution_id not in (None, inst.execution_id)]
        current = [m for m in messages if m not in stale]
        return self._apply(inst, current, [m.id for m in stale], now)

    def _apply(self, inst: Instance, messages: list[Message], consumed: list[int],
               now: datetime) -> Committed:
        control = [m for m in messages if m.kind not in ("event", "wake")]
        events = [m for m in messages if m.kind == "event"]
        wakes = [m for m in messages if m.kind == "wake"]
        for message in control:
            if message.kind == "terminate":
                return self._terminate(inst, consumed + [m.id for m in messages], message.payload, now)
        appended: list[dict[str, Any]] = []
        for message in control:
            consumed.append(message.id)
            if message.kind == "suspend" and inst.status != "Suspended":
                inst.status = "Suspended"
                appended.append(h.execution_suspended(now, message.payload))
            elif message.kind == "resume" and inst.status == "Suspended":
                inst.status = "Running"
                appended.append(h.execution_resumed(now, message.payload))
        if inst.status == "Suspended" or not (events or wakes):
            return self._commit(inst, appended, consumed, Plan(custom_status=_loads(inst.custom_status)),
                                now, keep_status=True)
        consumed.extend(m.id for m in events + wakes)
        new_events = [m.payload for m in events]
        now = max([now] + [h.parse_iso(e["FireAt"]) for e in new_events if e["EventType"] == h.TIMER_FIRED])
        appended += [h.orchestrator_started(now), *new_events]
        plan = self._replay(inst, appended, now)
        for work in plan.work:
            if work.kind == "sub" and work.version is None:
                work.version = self.policy.default_version  # the extension's default for sub-orchestrations
        appended += [_scheduling_event(w, now) for w in plan.work]
        appended.append(h.orchestrator_completed(now))
        return self._commit(inst, appended, consumed, plan, now)

    def _replay(self, inst: Instance, appended: list[dict[str, Any]], now: datetime) -> Plan:
        full = self._history(inst) + appended
        handle = self.orchestrators.get(inst.name)
        started = time.perf_counter()
        if handle is None:
            plan = Plan(outcome="Failed", output=f"The function '{inst.name}' doesn't exist, is disabled, "
                                                 "or is not an orchestrator function.")
        else:
            try:
                episode = replay(handle, inst.id, inst.input, full, inst.parent_id)
                plan = plan_episode(episode, full, now, inst.name, inst.execution_id)
            except Exception as exc:  # an SDK or host error: fail the instance, say why
                plan = Plan(outcome="Failed", output=f"Orchestrator function '{inst.name}' failed: "
                                                     f"{type(exc).__name__}: {exc}")
        outcome = plan.outcome or f"awaiting {len(plan.work)} new task(s)"
        log.info("orchestrator %s instance=%s duration=%.1fms outcome=%s", inst.name, inst.id,
                 (time.perf_counter() - started) * 1000, outcome)
        return plan

    def _fail_version(self, inst: Instance, messages: list[Message], now: datetime) -> Committed:
        """versionFailureStrategy Fail: complete as Failed with DTFx's VersionMismatch failure details."""
        log.warning("instance=%s has version %r, which this worker (%r, %s) does not run; failing it",
                    inst.id, inst.version, self.policy.default_version, self.policy.match)
        new_events = [m.payload for m in messages if m.kind == "event"
                      and m.execution_id in (None, inst.execution_id)]
        appended = [h.orchestrator_started(now), *new_events, h.orchestrator_completed(now)]
        plan = Plan(outcome="Failed", output=f"{MISMATCH_TYPE}: {MISMATCH_MESSAGE}",
                    custom_status=_loads(inst.custom_status))
        plan.failure = {"ErrorType": MISMATCH_TYPE, "ErrorMessage": MISMATCH_MESSAGE, "StackTrace": None,
                        "InnerFailure": None, "IsNonRetriable": True}
        return self._commit(inst, appended, [m.id for m in messages], plan, now)

    def _terminate(self, inst: Instance, consumed: list[int], reason: str, now: datetime) -> Committed:
        plan = Plan(outcome="Terminated", output=reason, custom_status=_loads(inst.custom_status))
        return self._commit(inst, [h.execution_terminated(now, reason)], consumed, plan, now)

    def _rewind(self, inst: Instance, consumed: list[int], payload: dict[str, Any],
                now: datetime) -> Committed:
        new_execution = uuid.uuid4().hex
        parent_execution = payload.get("parent_execution")
        events, children = rewound_history(self._history(inst), new_execution, parent_execution, now,
                                           payload.get("reason") or "")
        stamp = now.timestamp()
        with self.store.transaction() as db:
            current = db.execute("SELECT execution_id FROM instances WHERE id = ?", (inst.id,)).fetchone()
            if current is None or current[0] != inst.execution_id:
                return Committed()
            Store.delete_messages(db, consumed)
            inst.execution_id, inst.status, inst.output, inst.updated = new_execution, "Running", None, stamp
            inst.parent_execution = parent_execution or inst.parent_execution
            Store.replace_history(db, inst, events)
            for child in children:  # each failed sub-orchestration is rewound; its result wakes us
                Store.send(db, child, None, "rewind", {"reason": payload.get("reason") or "",
                                                       "parent_execution": new_execution}, stamp)
            if not children:  # nothing to wait for: replay now, which schedules the failed activities
                Store.send(db, inst.id, new_execution, "wake", None, stamp)
            Store.put_instance(db, inst)
        self.forget(inst.id)
        log.info("orchestrator %s instance=%s rewound (%d failed sub-orchestration(s) rewound too)",
                 inst.name, inst.id, len(children))
        return Committed(changed=True)

    def _commit(self, inst: Instance, appended: list[dict[str, Any]], consumed: list[int], plan: Plan,
                now: datetime, keep_status: bool = False) -> Committed:
        done = Committed(changed=True)
        stamp = now.timestamp()
        with self.store.transaction() as db:
            current = db.execute("SELECT execution_id FROM instances WHERE id = ?", (inst.id,)).fetchone()
            if current is None or current[0] != inst.execution_id:
                return done  # purged or restarted meanwhile: this episode no longer applies
            Store.delete_messages(db, consumed)
            Store.append_history(db, inst, appended)
            if not keep_status and inst.status == "Pending":
                inst.status = "Running"
            inst.custom_status = json.dumps(plan.custom_status) if plan.custom_status is not None else None
            inst.updated = stamp
            for work in plan.work:
                self._schedule(db, inst, work, stamp, done)
            if plan.outcome == "ContinuedAsNew":
                self._continue_as_new(db, inst, plan.output, stamp)
            elif plan.outcome:
                self._finish(db, inst, plan, now)
            Store.put_instance(db, inst)
        history = self._histories.get(inst.id)
        if history is not None and inst.history_len == len(history) + len(appended):
            history.extend(appended)
        else:
            self._histories.pop(inst.id, None)
        return done

    def _schedule(self, db: Any, inst: Instance, work: Work, stamp: float, done: Committed) -> None:
        if work.kind == "activity":
            done.activity_ids.append(Store.add_activity(db, inst.id, inst.execution_id, work.seq,
                                                        work.name or "", work.input))
        elif work.kind == "timer":
            assert work.fire_at is not None
            fired = h.timer_fired(work.fire_at, work.seq, work.fire_at)
            Store.send(db, inst.id, inst.execution_id, "event", fired, work.fire_at.timestamp())
        else:
            child_input = json.dumps(work.input) if work.input is not None else None
            new_instance(db, work.name or "", work.instance_id or "", child_input, stamp,
                         parent=(inst.id, inst.execution_id, work.seq), version=work.version or "")

    def _continue_as_new(self, db: Any, inst: Instance, input_text: str | None, stamp: float) -> None:
        db.execute("DELETE FROM messages WHERE instance_id = ? AND execution_id IS NOT NULL", (inst.id,))
        db.execute("DELETE FROM activities WHERE instance_id = ?", (inst.id,))
        db.execute("DELETE FROM history WHERE instance_id = ?", (inst.id,))
        inst.execution_id = uuid.uuid4().hex
        inst.history_len = 0
        inst.input = json.dumps(input_text) if input_text is not None else None
        inst.status = "Running"
        started = h.execution_started(datetime.fromtimestamp(stamp, UTC), inst.name, inst.input, inst.id,
                                      inst.execution_id, version=inst.version)  # the version is kept
        Store.send(db, inst.id, inst.execution_id, "event", started, stamp)

    def _finish(self, db: Any, inst: Instance, plan: Plan, now: datetime) -> None:
        Store.clear_instance(db, inst.id, history=False)
        inst.status = plan.outcome or "Completed"
        inst.output = json.dumps(plan.output)
        if plan.outcome != "Terminated":
            completed = h.execution_completed(now, inst.status, inst.output, plan.failure)
            Store.append_history(db, inst, [completed])
        if inst.parent_id and inst.parent_seq is not None and plan.outcome in ("Completed", "Failed"):
            if plan.outcome == "Completed":
                reply = h.sub_completed(now, inst.parent_seq, inst.output)
            else:
                reply = h.sub_failed(now, inst.parent_seq, str(plan.output), "")
            Store.send(db, inst.parent_id, inst.parent_execution, "event", reply, now.timestamp())


def _scheduling_event(work: Work, now: datetime) -> dict[str, Any]:
    if work.kind == "activity":
        return h.task_scheduled(now, work.seq, work.name or "", work.input)
    if work.kind == "timer":
        assert work.fire_at is not None
        return h.timer_created(now, work.seq, work.fire_at)
    return h.sub_created(now, work.seq, work.name or "", work.instance_id or "", work.input,
                         work.version or "")


def _loads(text: str | None) -> Any:
    return json.loads(text) if text is not None else None
