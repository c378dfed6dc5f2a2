"""Runs driven through the app's HTTP API: start, approve, reject and cancel."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from local.runs import progress_fields
from local.stack_client import StackClient, http_request
from tests.e2e.steps import (
    SAMPLE,
    assert_deployed_and_answered,
    drop,
    emulator_state,
    finished,
    jobs_of,
    started_run,
    unique_run,
    wait_for,
)

pytestmark = pytest.mark.e2e


def _start(client: StackClient, body: dict) -> tuple[int, dict]:
    answer = client.call("POST", "/api/finetune", body)
    return answer.status, answer.body


def test_http_start_runs_the_named_files_with_the_body_settings(client: StackClient) -> None:
    run = unique_run("http")
    # names outside the convention (not train*/valid*): the blob trigger leaves them alone
    drop(client, run, {"examples.jsonl": SAMPLE / "training.jsonl",
                       "holdout.jsonl": SAMPLE / "validation.jsonl"})
    body = {"training_file": f"datasets/{run}/examples.jsonl",
            "validation_file": f"datasets/{run}/holdout.jsonl",
            "settings": {"suffix": "viahttp", "hyperparameters": {"n_epochs": 1}}}
    keyless = http_request("POST", client.base_url + "/api/finetune", body)
    assert keyless.status == 401  # function-level auth: the stack runs with keys on
    status_code, payload = _start(client, body)
    assert status_code == 202, payload
    instance_id = payload["id"]
    again_code, again = _start(client, body)  # a retried POST for the same file version: the same run
    assert (again_code, again.get("id")) == (202, instance_id) or again["error"]["code"] == "run_exists"
    final = http_request("GET", payload["statusQueryGetUri"])  # the handed-out URL carries the key
    assert final.status in (200, 202)
    status = finished(client, instance_id)
    job = assert_deployed_and_answered(client, status)
    assert job["hyperparameters"]["n_epochs"] == 1 and job["suffix"] == "viahttp"
    assert job["validation_file"] == status["output"]["files"]["validation"]
    summary = client.call("GET", f"/api/finetune/{instance_id}").body
    assert summary["runtimeStatus"] == "Completed" and summary["output"]["deployment"]
    bad_code, bad = _start(client, {"training_file": "reports/x/train.jsonl"})
    assert bad_code == 400 and bad["error"]["field"] == "training_file"


@pytest.fixture
def approval_run(client: StackClient) -> tuple[str, str]:
    """A blob run that waits for an approval before deploying: (run, instance id) once it waits."""
    run = unique_run("approval")
    settings = {"suffix": "approve", "deployment": {"require_approval": True, "approval_timeout_hours": 1}}
    etags = drop(client, run, {"finetune.json": json.dumps(settings).encode(),
                               "training.jsonl": SAMPLE / "training.jsonl"})
    instance_id = started_run(client, run, "training.jsonl", etags["training.jsonl"])
    wait_for(lambda: (client.durable_status(instance_id) or {}).get("customStatus", {}).get("status")
             == "waiting_for_approval", 90, "the run to wait for an approval")
    return run, instance_id


def test_approving_a_waiting_run_deploys_it(client: StackClient, approval_run: tuple[str, str]) -> None:
    run, instance_id = approval_run
    deployed = {d["name"] for d in emulator_state(client)["deployments"]}
    assert not [name for name in deployed if name.startswith(f"ft-{run}")]  # nothing before the approval
    answer = client.call("POST", f"/api/finetune/{instance_id}/approve", params={"comment": "ship it"})
    assert answer.status == 202, answer.body
    status = finished(client, instance_id)
    assert_deployed_and_answered(client, status)
    assert status["output"]["approval"] == {"decision": "approved", "note": "ship it"}


def test_rejecting_a_waiting_run_ends_it_without_a_deployment(
    client: StackClient, approval_run: tuple[str, str]
) -> None:
    run, instance_id = approval_run
    answer = client.call("POST", f"/api/finetune/{instance_id}/reject", {"reason": "loss too high"})
    assert answer.status == 202, answer.body
    status = finished(client, instance_id)
    assert status["runtimeStatus"] == "Completed" and status["output"]["status"] == "rejected"
    assert status["output"]["note"] == "loss too high"   # from the JSON body, never the text "None"
    assert status["customStatus"]["approval"] == {"decision": "rejected", "note": "loss too high"}
    assert status["output"]["deployment"] is None
    deployed = {d["name"] for d in emulator_state(client)["deployments"]}
    assert not [name for name in deployed if name.startswith(f"ft-{run}")]
    assert client.call("POST", f"/api/finetune/{instance_id}/approve").status == 409  # run_finished


@pytest.fixture
def slow_training(client: StackClient) -> Iterator[None]:
    """Jobs that train for a while, so that a cancel arrives during training."""
    before = client.emulator_call("GET", "/_emulator/timings").body["job_duration_seconds"]
    client.emulator_call("PUT", "/_emulator/timings", {"job_duration_seconds": 60})
    yield
    client.emulator_call("PUT", "/_emulator/timings", {"job_duration_seconds": before})


def test_cancel_during_training_cancels_the_job_and_ends_the_run(
    client: StackClient, slow_training: None
) -> None:
    run = unique_run("cancel")
    etags = drop(client, run, {"training.jsonl": SAMPLE / "training.jsonl"})
    instance_id = started_run(client, run, "training.jsonl", etags["training.jsonl"])

    def training() -> bool:
        status = client.durable_status(instance_id) or {}
        if progress_fields(status)["stage"] == "monitor":
            status["monitor"] = client.durable_status(f"{instance_id}:monitor")
        return progress_fields(status)["job"] == "running"

    wait_for(training, 60, "the job to be running")
    answer = client.call("POST", f"/api/finetune/{instance_id}/cancel")
    assert answer.status == 202, answer.body
    status = finished(client, instance_id, timeout=30)  # well before the 60 s of training
    assert status["runtimeStatus"] == "Completed"
    assert status["output"]["status"] == "cancelled" and status["output"]["cancelled_at_stage"] == "monitor"
    assert status["output"]["deployment"] is None
    jobs = jobs_of(client, {instance_id})
    assert [job["status"] for job in jobs] == ["cancelled"]
    summary = client.call("GET", f"/api/finetune/{instance_id}").body
    assert summary["job"]["status"] == "cancelled"   # the job's final state, as the service says
