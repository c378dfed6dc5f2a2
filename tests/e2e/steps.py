"""Steps the e2e tests share: drop files, find and follow a run, read the emulator's state."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from local.runs import TERMINAL, find_run, follow
from local.stack_client import StackClient

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "azure-faq"
START_TIMEOUT_S = 30
RUN_TIMEOUT_S = 120


def unique_run(prefix: str) -> str:
    """A run folder name no other test (or earlier session on the same stack) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def drop(client: StackClient, run: str, files: dict[str, Path | bytes]) -> dict[str, str]:
    """Upload ``files`` (name -> content) into ``datasets/<run>/`` in the given order; name -> ETag."""
    return {name: client.upload(f"{run}/{name}", content) for name, content in files.items()}


def started_run(client: StackClient, run: str, training_name: str, etag: str) -> str:
    """The instance id of the run that this training blob version started (fails if none starts)."""
    status = find_run(client, run, f"{run}/{training_name}", etag, START_TIMEOUT_S)
    assert status is not None, f"no run started for {run}/{training_name} within {START_TIMEOUT_S}s"
    return status["instanceId"]


def finished(client: StackClient, instance_id: str, timeout: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """The run's final Durable status (fails if it has not ended within ``timeout``)."""
    status = follow(client, instance_id, timeout)
    assert status is not None and status["runtimeStatus"] in TERMINAL, f"run still going: {status}"
    return status


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.2) -> Any:
    """Poll ``predicate()`` until truthy; return its value, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def emulator_state(client: StackClient) -> dict[str, Any]:
    answer = client.emulator_call("GET", "/_emulator/state")
    assert answer.status == 200, answer.body
    return answer.body


def jobs_of(client: StackClient, instance_ids: set[str]) -> list[dict[str, Any]]:
    """The emulator's fine-tuning jobs whose metadata names one of these runs (data plane view)."""
    return [job for job in client.emulator_jobs()
            if (job.get("metadata") or {}).get("finetune_run") in instance_ids]


def instances_of(client: StackClient, run: str) -> list[dict[str, Any]]:
    """Every finetune orchestration of a run folder (the Durable list API; monitors excluded)."""
    prefix = f"ft-{run}-"
    return [s for s in client.durable_instances()
            if s["instanceId"].startswith(prefix) and ":" not in s["instanceId"]]


def assert_deployed_and_answered(client: StackClient, status: dict[str, Any]) -> dict[str, Any]:
    """A Completed run's output names the job, model, deployment and reply, and they exist."""
    assert status["runtimeStatus"] == "Completed", status
    output = status["output"]
    assert output["status"] == "succeeded", output
    assert output["job_id"] and output["fine_tuned_model"] and output["deployment"]
    assert output["smoke_test"]["reply"], output["smoke_test"]
    job = client.emulator_call("GET", f"/openai/fine_tuning/jobs/{output['job_id']}"
                                      "?api-version=2025-04-01-preview").body
    assert job["status"] == "succeeded" and job["fine_tuned_model"] == output["fine_tuned_model"]
    assert job["metadata"]["finetune_run"] == status["instanceId"]
    deployments = {d["name"]: d for d in emulator_state(client)["deployments"]}
    assert output["deployment"] in deployments, deployments
    return job
