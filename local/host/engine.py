"""The dispatcher: runs due orchestration episodes and activity work, and offers the client operations.

Orchestration episodes run in a thread pool (``maxConcurrentOrchestratorFunctions`` workers,
one episode per instance at a time); activities run concurrently up to
``maxConcurrentActivityFunctions`` (sync ones in a thread pool, ``async def`` ones on the loop).
Activity work that was in flight when the host died is still in the store and runs again at
start (at-least-once, as in Azure).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from azure.functions import meta
from azure.functions.durable_functions import ActivityTriggerConverter

from local.host import history as h
from local.host.app_loader import AppIndex, FunctionInfo
from local.host.episode import EpisodeRunner, new_instance
from local.host.store import TERMINAL, ActivityItem, Store
from local.host.versioning import VersionPolicy

log = logging.getLogger("local.host")
MAX_IDLE_WAIT_S = 0.5


class ConflictError(Exception):
    """An instance with this id is still running."""


class Engine:
    """Owns the store, the episode runner and the worker pools."""

    def __init__(self, store: Store, index: AppIndex, max_activities: int, max_orchestrations: int,
                 policy: VersionPolicy | None = None) -> None:
        self.store = store
        self.index = index
        self.policy = policy or VersionPolicy()
        self.runner = EpisodeRunner(store, {n: f.func for n, f in index.orchestrators.items()}, self.policy)
        self._orch_pool = ThreadPoolExecutor(max_orchestrations, thread_name_prefix="orchestrator")
        self._activity_pool = ThreadPoolExecutor(max_activities, thread_name_prefix="activity")
        self._activity_slots = asyncio.Semaphore(max_activities)
        self._busy: set[str] = set()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running = False

    # ---- Lifecycle ----
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._running = True
        for item in self.store.activities():  # in flight at the last stop or crash: run again
            self._spawn_activity(item)
        self._tasks.append(asyncio.create_task(self._dispatch(), name="orchestration-dispatcher"))

    async def stop(self) -> None:
        self._running = False
        self.wake()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._orch_pool.shutdown(wait=True, cancel_futures=True)
        self._activity_pool.shutdown(wait=False, cancel_futures=True)

    def wake(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    # ---- Client operations (the Durable HTTP API calls these) ----
    def start_instance(self, name: str, instance_id: str, input_text: str | None,
                       version: str | None = None) -> None:
        """Start (or replace a finished) instance; ``version`` None means host.json's defaultVersion."""
        if name not in self.index.orchestrators:
            raise KeyError(name)
        with self.store.transaction() as db:
            row = db.execute("SELECT status FROM instances WHERE id = ?", (instance_id,)).fetchone()
            if row and row[0] not in TERMINAL:
                raise ConflictError(f"An Orchestration instance with the status {row[0]} already exists.")
            new_instance(db, name, instance_id, input_text, time.time(),
                         version=self.policy.default_version if version is None else version)
        self.runner.forget(instance_id)
        self.wake()

    def send(self, instance_id: str, kind: str, payload: Any) -> None:
        """Queue an event (EventRaised) or a control message (terminate/suspend/resume/rewind)."""
        now = time.time()
        if kind == "raise":
            name, input_text = payload
            payload = h.event_raised(datetime.fromtimestamp(now, UTC), name, input_text)
            kind = "event"
        with self.store.transaction() as db:
            Store.send(db, instance_id, None, kind, payload, now)
        self.wake()

    def purge(self, instance_ids: list[str]) -> int:
        for instance_id in instance_ids:
            self.runner.forget(instance_id)
        return self.store.purge(instance_ids)

    # ---- Orchestrations ----
    def _due(self, now: float) -> tuple[list[str], float | None]:
        rows = self.store.query(
            "SELECT m.instance_id, MIN(m.visible_at) FROM messages m LEFT JOIN instances i "
            "ON i.id = m.instance_id WHERE i.status IS NULL OR i.status != 'Suspended' "
            "OR m.kind IN ('terminate', 'resume') GROUP BY m.instance_id")
        rejected = self.runner.rejected  # another worker version's instances wait untouched
        due = [iid for iid, at in rows if at <= now and iid not in self._busy and iid not in rejected]
        future = [at for iid, at in rows if at > now and iid not in rejected]
        return due, min(future) if future else None

    async def _dispatch(self) -> None:
        assert self._loop is not None
        while self._running:
            self._wake.clear()
            due, next_at = self._due(time.time())
            for instance_id in due:
                self._busy.add(instance_id)
                future = self._loop.run_in_executor(self._orch_pool, self._run_episode, instance_id)
                future.add_done_callback(lambda f, iid=instance_id: self._episode_done(iid, f))
            wait = MAX_IDLE_WAIT_S
            if next_at is not None:
                wait = max(0.0, min(MAX_IDLE_WAIT_S, next_at - time.time()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _run_episode(self, instance_id: str) -> list[int]:
        try:
            return self.runner.run(instance_id).activity_ids
        except Exception as exc:  # a host fault: fail the instance rather than retry it in a tight loop
            log.exception("episode of instance=%s failed in the host", instance_id)
            self.runner.forget(instance_id)
            with self.store.transaction() as db:
                Store.clear_instance(db, instance_id, history=False)
                message = json.dumps(f"LOCALHOST_INTERNAL_ERROR: {type(exc).__name__}: {exc}")
                db.execute("UPDATE instances SET status = 'Failed', output = ?, updated = ? WHERE id = ?",
                           (message, time.time(), instance_id))
            return []

    def _episode_done(self, instance_id: str, future: asyncio.Future) -> None:
        self._busy.discard(instance_id)
        if future.cancelled():
            return
        if future.exception() is not None:
            log.error("episode of instance=%s crashed: %r", instance_id, future.exception())
        else:
            for item_id in future.result():
                rows = self.store.query("SELECT * FROM activities WHERE id = ?", (item_id,))
                if rows:
                    self._spawn_activity(ActivityItem(*rows[0]))
        self._wake.set()

    # ---- Activities ----
    def _spawn_activity(self, item: ActivityItem) -> None:
        self._tasks.append(asyncio.create_task(self._run_activity(item), name=f"activity-{item.id}"))
        self._tasks[:] = [t for t in self._tasks if not t.done()]

    async def _run_activity(self, item: ActivityItem) -> None:
        async with self._activity_slots:
            started = time.perf_counter()
            info = self.index.activities.get(item.name)
            try:
                if info is None:
                    raise LookupError(f"The function '{item.name}' doesn't exist, is disabled, or is not an "
                                      "activity or orchestrator function.")
                result_text = await self._invoke_activity(info, item.input)
                outcome = "Succeeded"
                completion = h.task_completed(h.utcnow(), item.seq, result_text)
            except Exception as exc:
                outcome = f"Failed ({type(exc).__name__})"
                reason = f"Activity function '{item.name}' failed: {type(exc).__name__}: {exc}"
                if info is None:
                    reason = str(exc)
                completion = h.task_failed(h.utcnow(), item.seq, reason, traceback.format_exc())
            log.info("activity %s instance=%s duration=%.1fms outcome=%s", item.name, item.instance_id,
                     (time.perf_counter() - started) * 1000, outcome)
            with self.store.transaction() as db:
                deleted = db.execute("DELETE FROM activities WHERE id = ?", (item.id,)).rowcount
                if deleted:  # gone means the instance was terminated, restarted or purged meanwhile
                    Store.send(db, item.instance_id, item.execution_id, "event", completion, time.time())
            self.wake()

    async def _invoke_activity(self, info: FunctionInfo, input_text: str | None) -> str:
        value = ActivityTriggerConverter.decode(meta.Datum(type="string", value=input_text),
                                                trigger_metadata=None)
        kwargs = {info.trigger_param: value}
        if info.is_async:
            result = await info.func(**kwargs)
        else:
            assert self._loop is not None
            result = await self._loop.run_in_executor(self._activity_pool, lambda: info.func(**kwargs))
        return ActivityTriggerConverter.encode(result, expected_type=None).value
