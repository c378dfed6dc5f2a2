"""The load scenario, shared by the reliability test (small counts) and bench/bench_load.py (50 + 20).

``run_load(stack, datasets, http)`` drops ``datasets`` run folders at once and, at the same
moment, makes ``http`` starts through ``POST /api/finetune``, with the emulator's one
running job per resource (and at most 20 pending jobs) in force and very short lifecycles.
It follows every run to its end and returns what happened: each run's final status, the
emulator's jobs and files, the wall time and the host's peak memory. The runs skip the
deployment (``deployment.enabled: false``): the emulator, like ARM, allows only 5
deployments per account, which is not what this scenario measures.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from local.stack_client import StackClient
from shared import run_ids
from tests.e2e.steps import unique_run
from tests.reliability.datasets import chat_dataset
from tests.reliability.harness import CrashableStack
from tests.reliability.steps import TERMINAL, emulator_state, reset_emulator, set_timings

LOAD_TIMINGS = {"file_processing_seconds": 0.05, "job_start_delay_seconds": 0.05, "job_duration_seconds": 0.3,
                "job_steps": 2, "deployment_seconds": 0.1}
NO_DEPLOYMENT = {"deployment": {"enabled": False}}
POLL_S = 1.0


@dataclass
class LoadResult:
    started: dict[str, str] = field(default_factory=dict)       # instance id -> "blob" | "http"
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    wall_seconds: float = 0.0
    host_peak_rss_mb: float = 0.0

    @property
    def runs_per_minute(self) -> float:
        return len(self.started) / self.wall_seconds * 60 if self.wall_seconds else 0.0


def _prepare_http_files(client: StackClient, count: int) -> list[str]:
    """Training files outside the blob convention (the blob trigger ignores them)."""
    paths = []
    for index in range(count):
        run = unique_run(f"load-http-{index}")
        client.upload(f"{run}/examples.jsonl", chat_dataset(12 + index))
        paths.append(f"datasets/{run}/examples.jsonl")
    return paths


def _drop(client: StackClient, index: int) -> str:
    run = unique_run(f"load-blob-{index}")
    client.upload(f"{run}/finetune.json", json.dumps(NO_DEPLOYMENT).encode())
    etag = client.upload(f"{run}/training.jsonl", chat_dataset(12 + index))
    return run_ids.instance_id(run, f"{run}/training.jsonl", etag)


def _http_start(client: StackClient, path: str) -> str:
    answer = client.call("POST", "/api/finetune", {"training_file": path, "settings": NO_DEPLOYMENT})
    assert answer.status == 202, answer.body
    return str(answer.body["id"])


def _follow_all(client: StackClient, ids: set[str], timeout: float) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    done: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline:
        for status in client.durable_instances():
            if status["instanceId"] in ids and status["runtimeStatus"] in TERMINAL:
                done[status["instanceId"]] = status
        if len(done) == len(ids):
            return done
        time.sleep(POLL_S)
    return done


def run_load(stack: CrashableStack, datasets: int, http: int, timeout: float = 900,
             job_seconds: float | None = None,
             before_start: Callable[[StackClient], None] | None = None) -> LoadResult:
    client = stack.client()
    reset_emulator(client)
    timings = dict(LOAD_TIMINGS)
    if job_seconds is not None:
        timings["job_duration_seconds"] = job_seconds
    if before_start is not None:
        before_start(client)
    set_timings(client, **timings)
    http_paths = _prepare_http_files(client, http)
    result = LoadResult()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        blob_runs = pool.map(lambda index: _drop(client, index), range(datasets))
        http_runs = pool.map(lambda path: _http_start(client, path), http_paths)
        result.started = {**{i: "blob" for i in blob_runs}, **{i: "http" for i in http_runs}}
    result.statuses = _follow_all(client, set(result.started), timeout)
    result.wall_seconds = time.monotonic() - started
    result.state = emulator_state(client)
    result.host_peak_rss_mb = stack.host_peak_rss_mb()
    return result


def training_files(result: LoadResult) -> list[dict[str, Any]]:
    """The uploaded datasets (not the results files the service writes for each job)."""
    return [f for f in result.state["files"] if f["purpose"] == "fine-tune"
            and not f["filename"].startswith("other-team")]


def quota_refusals(stack: CrashableStack) -> int:
    """How many job creations the emulator refused with 429 (its 20-pending-jobs quota)."""
    return stack.log_texts()["emulator"].count("POST /openai/fine_tuning/jobs 429")


def problems(result: LoadResult) -> list[str]:
    """Every way the load run fell short: lost, failed, duplicated or missing work."""
    found = []
    lost = set(result.started) - set(result.statuses)
    if lost:
        found.append(f"{len(lost)} run(s) never ended: {sorted(lost)[:5]}")
    for instance, status in result.statuses.items():
        output = status.get("output")
        if status["runtimeStatus"] != "Completed" or not isinstance(output, dict) or \
                output.get("status") != "succeeded":
            custom = json.dumps(status.get("customStatus"))
            found.append(f"{instance} ended {status['runtimeStatus']}: {custom}"[:600])
    jobs: dict[str, list[dict[str, Any]]] = {}
    for job in result.state["jobs"]:
        if not (job.get("metadata") or {}).get("finetune_run"):
            continue  # someone else's job (a scenario's filler)
        jobs.setdefault((job.get("metadata") or {}).get("finetune_run"), []).append(job)
    for instance in result.started:
        mine = jobs.get(instance, [])
        if len(mine) != 1 or mine[0]["status"] != "succeeded":
            found.append(f"{instance} has {len(mine)} job(s): {[j['status'] for j in mine]}")
    extra = set(jobs) - set(result.started)
    if extra:
        found.append(f"jobs of runs nobody started: {sorted(map(str, extra))[:5]}")
    uploaded = training_files(result)
    if len(uploaded) != len(result.started):
        found.append(f"{len(uploaded)} training files uploaded for {len(result.started)} runs")
    return found
