"""Each training method from a blob drop to a deployed model that answers, on the local stack.

DPO on a preference file, reinforcement fine-tuning with a grader the service checked before
the job was paid for, continued fine-tuning of an earlier run's model (the lineage names the
parent), the best checkpoint deployed, and a run's job paused and resumed (by the user over
HTTP, and by the service at its cost cap) while the run waits instead of looking stuck.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.stack_client import StackClient
from tests.e2e.steps import (
    REPO,
    SAMPLE,
    assert_deployed_and_answered,
    drop,
    emulator_state,
    finished,
    started_run,
    unique_run,
    wait_for,
)

pytestmark = pytest.mark.e2e
DPO_SAMPLE = REPO / "samples" / "azure-faq-dpo"
RFT_SAMPLE = REPO / "samples" / "azure-faq-rft"
SLOW_JOB = {"job_duration_seconds": 12, "job_steps": 60, "job_start_delay_seconds": 0.2}
FAST_JOB = {"job_duration_seconds": 1.5, "job_steps": 5, "job_start_delay_seconds": 0.2}


def drop_sample(client: StackClient, run: str, sample: Path, settings: dict | None = None) -> str:
    """Drop a sample's files (its finetune.json, or ``settings``) and return the run's instance id."""
    files: dict[str, Path | bytes] = {
        "finetune.json": json.dumps(settings).encode() if settings is not None else sample / "finetune.json",
        "validation.jsonl": sample / "validation.jsonl", "training.jsonl": sample / "training.jsonl"}
    etags = drop(client, run, files)
    return started_run(client, run, "training.jsonl", etags["training.jsonl"])


def summary_of(client: StackClient, status: dict[str, Any]) -> dict[str, Any]:
    path = status["output"]["report"]["summary"].split("/", 1)[1]
    return json.loads(client.read_blob(client.reports_container, path))


def v1_job(client: StackClient, job_id: str) -> dict[str, Any]:
    return client.emulator_call("GET", f"/openai/v1/fine_tuning/jobs/{job_id}").body


@pytest.fixture
def slow_jobs(client: StackClient) -> Iterator[None]:
    """Jobs created meanwhile train for 12 s (each job keeps the timings it was created with)."""
    assert client.emulator_call("PUT", "/_emulator/timings", SLOW_JOB).status == 200
    yield
    client.emulator_call("PUT", "/_emulator/timings", FAST_JOB)


def test_a_dpo_run_trains_on_preference_pairs_and_deploys(client: StackClient) -> None:
    status = finished(client, drop_sample(client, unique_run("dpo"), DPO_SAMPLE))
    job = assert_deployed_and_answered(client, status)
    assert job["method"]["type"] == "dpo" and job["method"]["dpo"]["hyperparameters"]["beta"] == 0.1
    assert job["trainingType"] == "GlobalStandard" and job["model"] == "gpt-4.1-mini-2025-04-14"
    summary = summary_of(client, status)
    assert (summary["method"], summary["training_type"]) == ("dpo", "GlobalStandard")
    training = next(v for v in summary["validation"] if v["role"] == "training")
    # billed as the docs say: the file's tokens (input and both outputs) x epochs
    assert job["trained_tokens"] == training["estimated_trained_tokens"]


def test_a_reinforcement_run_checks_its_grader_first_and_deploys_a_model_that_answers(
        client: StackClient) -> None:
    status = finished(client, drop_sample(client, unique_run("rft"), RFT_SAMPLE))
    job = assert_deployed_and_answered(client, status)
    assert status["output"]["method"] == "reinforcement"
    sent = v1_job(client, job["id"])  # submitted on Azure's v1 surface, with its grader
    assert sent["method"]["reinforcement"]["grader"]["type"] == "multi"
    assert sent["method"]["reinforcement"]["hyperparameters"]["eval_interval"] == 2
    # the service ran the grader on each file's first example before anything was uploaded
    checked = status["customStatus"]["preflight"]["grader"]
    assert [(c["line"], c["reward"]) for c in checked] == [(1, 1.0), (1, 1.0)]
    assert status["output"]["smoke_test"]["reply"] == "Azure Key Vault"
    training = next(v for v in summary_of(client, status)["validation"] if v["role"] == "training")
    # 12 prompts x 1 epoch x effort low (0.5) / 100 example-epochs per hour = 0.06 h at $100
    assert training["estimated_training_hours"] == 0.06 and training["estimated_cost_usd"] == 6.0


def test_continued_fine_tuning_trains_the_model_of_an_earlier_run_and_names_its_parent(
        client: StackClient) -> None:
    sft = {"model": "gpt-4.1-mini-2025-04-14", "deployment": {"enabled": False}}
    first = finished(client, drop_sample(client, unique_run("parent"), SAMPLE, sft))
    parent = first["output"]["fine_tuned_model"]
    assert first["runtimeStatus"] == "Completed" and parent.startswith("gpt-4.1-mini-2025-04-14.ft-")
    settings = json.loads((DPO_SAMPLE / "finetune.json").read_text())
    child = drop_sample(client, unique_run("child"), DPO_SAMPLE, {**settings, "model": parent})
    status = finished(client, child)
    job = assert_deployed_and_answered(client, status)
    assert job["model"] == parent and status["output"]["parent_model"] == parent
    assert summary_of(client, status)["parent_model"] == parent


def test_the_best_checkpoint_is_deployed_with_the_reason(client: StackClient) -> None:
    settings = {**json.loads((SAMPLE / "finetune.json").read_text()),
                "hyperparameters": {"n_epochs": 3}, "deployment": {"checkpoint": "best"}}
    status = finished(client, drop_sample(client, unique_run("best"), SAMPLE, settings))
    assert_deployed_and_answered(client, status)
    chosen = status["output"]["checkpoint"]
    assert chosen["choice"] == "best" and "lowest full_valid_loss" in chosen["reason"]
    # three epochs overfit on the emulator, as on the service: an earlier checkpoint has the lowest loss
    assert chosen["step"] == 3 and chosen["model"].endswith(":ckpt-step-3")
    deployments = {d["name"]: d for d in emulator_state(client)["deployments"]}
    assert deployments[status["output"]["deployment"]]["model_name"] == chosen["model"]
    assert summary_of(client, status)["checkpoint"] == chosen


def _summary(client: StackClient, instance_id: str) -> dict[str, Any]:
    answer = client.call("GET", f"/api/finetune/{instance_id}")
    assert answer.status == 200, answer.body
    return answer.body


def _training(client: StackClient, instance_id: str) -> dict[str, Any]:
    def stepped() -> dict[str, Any] | None:
        summary = _summary(client, instance_id)
        job = summary["job"] or {}
        trained = job.get("status") == "running" and "Step" in (job.get("newest_event") or "")
        return summary if trained else None

    return wait_for(stepped, 60, "a training step")


def test_a_user_pauses_and_resumes_the_job_over_http_while_the_run_waits(
        client: StackClient, slow_jobs: None) -> None:
    instance_id = drop_sample(client, unique_run("pause"), SAMPLE, {"hyperparameters": {"n_epochs": 1}})
    early = client.call("POST", f"/api/finetune/{instance_id}/resume")
    assert early.status == 409 and early.body["error"]["code"] == "job_not_paused"
    _training(client, instance_id)
    paused = client.call("POST", f"/api/finetune/{instance_id}/pause", {"reason": "checking the loss"})
    assert paused.status == 202, paused.body
    seen = wait_for(lambda: (s := _summary(client, instance_id))["status"] == "paused" and s, 30, "paused")
    assert seen["job"]["status"] == "paused" and seen["paused_since"] and seen["stage"] == "monitor"
    again = client.call("POST", f"/api/finetune/{instance_id}/pause")
    assert again.status == 409 and again.body["error"]["code"] == "job_not_running"
    assert client.call("POST", f"/api/finetune/{instance_id}/resume").status == 202
    client.emulator_call("PUT", "/_emulator/timings", FAST_JOB)
    status = finished(client, instance_id)
    assert_deployed_and_answered(client, status)
    assert status["customStatus"]["job_control"]["action"] == "resume"


def test_the_service_pauses_a_job_at_its_cost_cap_and_the_run_shows_it_paused(
        client: StackClient, slow_jobs: None) -> None:
    assert client.emulator_call("POST", "/_emulator/faults/jobs/pause", {"at_step": 3}).status == 201
    instance_id = drop_sample(client, unique_run("cap"), RFT_SAMPLE)
    pausing = wait_for(lambda: (s := _summary(client, instance_id))["status"] == "paused" and s, 60,
                       "pausing")
    assert pausing["job"]["status"] in ("pausing", "paused") and pausing["active"] is True
    if pausing["job"]["status"] == "pausing":  # the service takes its checkpoint: not resumable yet
        refused = client.call("POST", f"/api/finetune/{instance_id}/resume")
        assert refused.status == 409 and refused.body["error"]["code"] == "job_not_paused"
    seen = wait_for(lambda: (s := _summary(client, instance_id))["job"]["status"] == "paused" and s, 30,
                    "paused")
    assert "$5,000" in seen["job"]["newest_event"] and seen["status"] == "paused"
    assert client.call("POST", f"/api/finetune/{instance_id}/resume").status == 202
    client.emulator_call("PUT", "/_emulator/timings", FAST_JOB)
    assert_deployed_and_answered(client, finished(client, instance_id))
