"""Steps the reliability scenarios share: the emulator's control API, stage waits, what a run left behind.

Everything here talks to the stack the way a client would (the Durable status API, the
emulator's control API and data plane, the storage API); the e2e tier's steps
(``tests.e2e.steps``) are reused for dropping files and following runs.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from local.stack_client import StackClient
from shared import run_ids
from tests.e2e.steps import wait_for

TERMINAL = {"Completed", "Failed", "Terminated", "Canceled"}
STAGE_POLL_S = 0.02


# ---- The emulator's control API ----

def control(client: StackClient, method: str, path: str, body: Any = None) -> Any:
    answer = client.emulator_call(method, "/_emulator/" + path, body)
    assert answer.status in (200, 201, 204), (method, path, answer.status, answer.body)
    return answer.body


def reset_emulator(client: StackClient) -> None:
    """Forget files, jobs, deployments and faults; restore the start-up timings."""
    control(client, "POST", "reset")


def add_fault(client: StackClient, **spec: Any) -> dict[str, Any]:
    return control(client, "POST", "faults", spec)


def pending_faults(client: StackClient) -> list[dict[str, Any]]:
    body = control(client, "GET", "faults")
    return body["routes"] if isinstance(body, dict) and "routes" in body else body


def set_timings(client: StackClient, **timings: float) -> dict[str, Any]:
    return control(client, "PUT", "timings", timings)


def emulator_state(client: StackClient) -> dict[str, Any]:
    return control(client, "GET", "state")


# ---- What a run left in the emulator ----

def files_of(state: dict[str, Any], run: str, instance_id: str) -> list[dict[str, Any]]:
    """The uploaded files named after this run (shared/run_ids.upload_file_name)."""
    prefix = f"{run_ids.slug(run)}-{run_ids.short_id(instance_id)}-"
    return [f for f in state["files"] if str(f.get("filename", "")).startswith(prefix)]


def files_of_run_folder(state: dict[str, Any], run: str) -> list[dict[str, Any]]:
    """Every uploaded file whose name starts with the run folder's slug (any instance)."""
    prefix = f"{run_ids.slug(run)}-"
    return [f for f in state["files"] if str(f.get("filename", "")).startswith(prefix)]


def jobs_of(state: dict[str, Any], instance_id: str) -> list[dict[str, Any]]:
    return [j for j in state["jobs"] if (j.get("metadata") or {}).get("finetune_run") == instance_id]


def deployments_named(state: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [d for d in state["deployments"] if d.get("name") == name]


def assert_exactly_one_of_each(client: StackClient, status: dict[str, Any], run: str) -> dict[str, Any]:
    """The emulator holds one job, one deployment and one file per role for this run."""
    instance_id = status["instanceId"]
    state = emulator_state(client)
    jobs = jobs_of(state, instance_id)
    assert len(jobs) == 1, jobs
    output = status["output"]
    assert jobs[0]["id"] == output["job_id"]
    deployments = [d for d in state["deployments"]
                   if d["name"] == output["deployment"] or d["model_name"] == output["fine_tuned_model"]]
    assert len(deployments) == 1, deployments
    files = files_of(state, run, instance_id)
    roles = sorted(f["filename"].rsplit("-", 1)[1] for f in files)
    assert roles == sorted(f"{role}.jsonl" for role in output["files"]), files
    return state


# ---- Stages ----

def stage_of(status: dict[str, Any] | None) -> str | None:
    custom = (status or {}).get("customStatus")
    return custom.get("stage") if isinstance(custom, dict) else None


def wait_for_stage(client: StackClient, instance_id: str, stage: str, timeout: float = 60,
                   ready: Any = None, missed_ok: bool = False) -> dict[str, Any] | None:
    """Poll the Durable status tightly until the run is at ``stage`` (and ``ready(status)`` holds).

    A run that ends first fails the wait, or returns None with ``missed_ok`` (a stage that lasts
    milliseconds can fall between two polls).
    """
    deadline = time.monotonic() + timeout
    status: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        status = client.durable_status(instance_id)
        if status is not None and stage_of(status) == stage and (ready is None or ready(status)):
            return status
        if status is not None and status.get("runtimeStatus") in TERMINAL:
            if missed_ok:
                return None
            raise AssertionError(f"the run ended before stage {stage}: {status}")
        time.sleep(STAGE_POLL_S)
    raise AssertionError(f"the run did not reach stage {stage} within {timeout}s: {status}")


def wait_until(predicate: Any, timeout: float, what: str, interval: float = 0.1) -> Any:
    """The e2e tier's ``wait_for``, polling a little faster."""
    return wait_for(predicate, timeout, what, interval)


# ---- Datasets ----

def blob_fingerprint(client: StackClient, name: str) -> tuple[str, str]:
    """(ETag, MD5 of the content) of a dataset blob: proves the pipeline left it untouched."""
    blob = client.blob_service().get_blob_client(client.datasets_container, name)
    etag = str(blob.get_blob_properties().etag)
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in blob.download_blob().chunks():
        digest.update(chunk)
    return etag, digest.hexdigest()
