"""Permanent failures: the service refuses or fails something, and the run ends Failed at once.

File processing error, job failed, job cancelled outside the app, deployment failed and
deployment quota exceeded. Each run must end ``Failed`` with the stage and the service's
own message in ``customStatus.error``, and everything it created before (files, job,
deployment) must be named in the custom status and in ``summary.json``, and be exactly
what the emulator holds for the run (nothing created that nobody knows about).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.stack_client import StackClient
from tests.e2e.steps import assert_deployed_and_answered, drop, finished, started_run, unique_run
from tests.reliability.datasets import SAMPLE
from tests.reliability.steps import (
    control,
    emulator_state,
    files_of,
    jobs_of,
    set_timings,
    wait_for_stage,
)

pytestmark = pytest.mark.reliability
API = "?api-version=2025-04-01-preview"


def _start(client: StackClient, prefix: str) -> tuple[str, str]:
    run = unique_run(prefix)
    etags = drop(client, run, {"training.jsonl": SAMPLE / "training.jsonl",
                               "validation.jsonl": SAMPLE / "validation.jsonl"})
    return run, started_run(client, run, "training.jsonl", etags["training.jsonl"])


def _summary(client: StackClient, status: dict[str, Any]) -> dict[str, Any]:
    path = status["customStatus"]["report"]["summary"]
    container, name = path.split("/", 1)
    return json.loads(client.read_blob(container, name))


def assert_failed_and_accounted(client: StackClient, run: str, status: dict[str, Any], stage: str,
                                code: str, service_words: str) -> dict[str, Any]:
    """Failed at ``stage`` with ``code`` quoting the service; what exists is named in status and report."""
    assert status["runtimeStatus"] == "Failed", status
    custom = status["customStatus"]
    assert custom["stage"] == stage and custom["status"] == "failed", custom
    error = custom["error"]
    assert (error["code"], error["stage"]) == (code, stage), error
    assert service_words in error["message"], error
    assert json.loads(status["output"].split(": ", 1)[1]) == error  # the failure text is the same error
    summary = _summary(client, status)
    assert summary["outcome"] == "failed" and summary["error"] == error
    created = summary["created"]
    state = emulator_state(client)
    instance_id = status["instanceId"]
    uploaded = sorted(f["id"] for f in files_of(state, run, instance_id))
    assert sorted(custom.get("files", {}).values()) == uploaded == sorted(created["files"])
    jobs = [job["id"] for job in jobs_of(state, instance_id)]
    assert jobs == ([custom["job"]["id"]] if custom.get("job") else []) == ([created["job"]]
                                                                          if created["job"] else [])
    return summary


def test_a_file_the_service_cannot_process_fails_at_files_ready(rel_client: StackClient) -> None:
    words = "Invalid file format. Line 3: injected processing error"
    control(rel_client, "POST", "faults/files", {"count": 2, "message": words})
    run, instance_id = _start(rel_client, "file-error")
    status = finished(rel_client, instance_id)
    assert_failed_and_accounted(rel_client, run, status, "files_ready", "file_processing_failed", words)


def test_a_failed_job_fails_at_monitor_with_the_service_reason(rel_client: StackClient) -> None:
    words = "The job failed due to an injected internal error"
    control(rel_client, "POST", "faults/jobs", {"count": 1, "code": "internalError", "message": words})
    run, instance_id = _start(rel_client, "job-failed")
    status = finished(rel_client, instance_id)
    summary = assert_failed_and_accounted(rel_client, run, status, "monitor", "job_failed", words)
    assert summary["created"]["deployment"] is None


def test_a_job_cancelled_outside_the_app_fails_at_monitor(rel_client: StackClient) -> None:
    set_timings(rel_client, job_duration_seconds=6)
    run, instance_id = _start(rel_client, "job-cancelled")
    seen = wait_for_stage(rel_client, instance_id, "monitor", timeout=60)
    job_id = seen["customStatus"]["job"]["id"]
    answer = rel_client.emulator_call("POST", f"/openai/fine_tuning/jobs/{job_id}/cancel{API}")
    assert answer.status == 200, answer.body
    status = finished(rel_client, instance_id)
    assert_failed_and_accounted(rel_client, run, status, "monitor", "job_cancelled", "cancel")


def test_a_failed_deployment_fails_at_deploy_and_is_named(rel_client: StackClient) -> None:
    words = "Injected: the capacity requested is not available in this region"
    control(rel_client, "POST", "faults/deployments", {"count": 1, "code": "InsufficientCapacity",
                                                        "message": words})
    run, instance_id = _start(rel_client, "deploy-failed")
    status = finished(rel_client, instance_id)
    name = status["customStatus"]["deployment"]
    left = [d for d in emulator_state(rel_client)["deployments"] if d["name"] == name]
    assert [d["state"] for d in left] == ["Failed"]  # it exists (Failed): status and report must name it
    summary = assert_failed_and_accounted(rel_client, run, status, "deploy", "deployment_failed", words)
    assert summary["created"]["deployment"] == name


def _arm_put(client: StackClient, name: str, model: str) -> None:
    emu = client.emulator
    token = control(client, "POST", "tokens", {"audience": "management"})["access_token"]
    path = (f"/subscriptions/{emu['subscription_id']}/resourceGroups/{emu['resource_group']}/providers/"
            f"Microsoft.CognitiveServices/accounts/{emu['account']}/deployments/{name}?api-version=2024-10-01")
    body = {"sku": {"name": "Standard", "capacity": 1},
            "properties": {"model": {"format": "OpenAI", "name": model, "version": "1"}}}
    answer = client.emulator_call("PUT", path, body, bearer=token)
    assert answer.status in (200, 201), answer.body


def test_deployment_quota_exceeded_fails_at_deploy_with_the_service_message(rel_client: StackClient) -> None:
    first_run, first = _start(rel_client, "quota-fill")
    model = assert_deployed_and_answered(rel_client, finished(rel_client, first))["fine_tuned_model"]
    for index in range(4):  # the account now holds the maximum of 5 deployments
        _arm_put(rel_client, f"filler-{index}", model)
    run, instance_id = _start(rel_client, "quota")
    status = finished(rel_client, instance_id)
    assert_failed_and_accounted(rel_client, run, status, "deploy", "deployment_failed", "maximum allowed")
    assert "InsufficientQuota" in status["customStatus"]["error"]["message"]
    assert not [d for d in emulator_state(rel_client)["deployments"]
                if d["name"] == status["customStatus"]["deployment"]]  # refused: nothing was created
