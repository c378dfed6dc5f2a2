"""Fine-tuning jobs through openai.AzureOpenAI: lifecycle, events, checkpoints, results, rules, quota."""

from __future__ import annotations

import csv
import io
import re

import openai
import pytest

from tests.integration.emulator.helpers import (
    BASE_MODEL,
    create_job,
    succeeded_job,
    upload,
    upload_processed,
    wait_job,
    wait_until,
)

pytestmark = pytest.mark.integration


def test_job_runs_to_success_with_model_tokens_and_results(fresh_emulator):
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    validation = upload_processed(client, name="valid.jsonl")
    job = create_job(
        client,
        model=BASE_MODEL,
        training_file=training.id,
        validation_file=validation.id,
        suffix="demo_run-1",
        seed=42,
        hyperparameters={"n_epochs": 2},
        metadata={"run_id": "r-1"},
        extra_body={"trainingType": "GlobalStandard"},
    )
    assert job.status == "pending" and job.estimated_finish is not None
    assert job.hyperparameters.n_epochs == 2 and job.seed == 42 and job.suffix == "demo_run-1"
    done = wait_job(client, job.id)
    assert done.status == "succeeded" and done.error is None
    assert re.fullmatch(rf"{re.escape(BASE_MODEL)}\.ft-[0-9a-f]{{32}}", done.fine_tuned_model)
    assert done.trained_tokens > 0 and done.finished_at >= done.created_at
    results = client.files.retrieve(done.result_files[0])
    assert results.purpose == "fine-tune-results" and results.status == "processed"
    rows = list(csv.DictReader(io.StringIO(client.files.content(results.id).text)))
    assert list(rows[0]) == [
        "step",
        "train_loss",
        "train_mean_token_accuracy",
        "valid_loss",
        "valid_mean_token_accuracy",
        "full_valid_loss",
        "full_valid_mean_token_accuracy",
    ]
    losses = [float(r["train_loss"]) for r in rows]
    assert len(rows) == fresh_emulator.control("GET", "/timings")["job_steps"]
    assert losses[-1] < losses[0] and all(r["valid_loss"] for r in rows)


def test_events_have_messages_and_metrics_per_step_newest_first(fresh_emulator):
    client = fresh_emulator.openai_client()
    job = succeeded_job(client)
    events = list(client.fine_tuning.jobs.list_events(job.id, limit=3))  # follows `after` across pages
    messages = [e.message for e in events]
    assert (
        messages[0] == "Job succeeded."
        and messages[-1] == "Job enqueued. Waiting for jobs ahead to complete."
    )
    metrics = [e for e in events if e.type == "metrics"]
    steps = fresh_emulator.control("GET", "/timings")["job_steps"]
    assert [m.data["step"] for m in metrics] == list(range(steps, 0, -1))
    assert all(e.id.startswith("ftevent-") for e in events)


def test_checkpoints_point_at_steps_of_the_fine_tuned_model(fresh_emulator):
    client = fresh_emulator.openai_client()
    job = succeeded_job(client, hyperparameters={"n_epochs": 3})
    checkpoints = list(client.fine_tuning.jobs.checkpoints.list(job.id))
    assert len(checkpoints) == 3 and all(re.fullmatch(r"ftchkpt-[0-9a-f]{32}", c.id) for c in checkpoints)
    # The newest is the fine-tuned model itself; the two before it are deployable step checkpoints.
    assert checkpoints[0].fine_tuned_model_checkpoint == job.fine_tuned_model
    assert [c.fine_tuned_model_checkpoint for c in checkpoints[1:]] == [
        f"{job.fine_tuned_model}:ckpt-step-{c.step_number}" for c in checkpoints[1:]
    ]
    assert checkpoints[0].step_number > checkpoints[-1].step_number


def test_only_one_job_runs_at_a_time_and_cancel(fresh_emulator):
    fresh_emulator.set_timings(job_duration_seconds=60, job_start_delay_seconds=0)
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    first = create_job(client, model=BASE_MODEL, training_file=training.id)
    second = create_job(client, model=BASE_MODEL, training_file=training.id)
    wait_job(client, first.id, ("running",))
    assert client.fine_tuning.jobs.retrieve(second.id).status == "pending"
    cancelled = client.fine_tuning.jobs.cancel(first.id)
    assert cancelled.status == "cancelled"
    wait_job(client, second.id, ("running",))
    with pytest.raises(openai.BadRequestError) as caught:
        client.fine_tuning.jobs.cancel(first.id)
    assert caught.value.code == "unexpectedEntityState"


def test_pause_and_resume_a_running_job(fresh_emulator):
    fresh_emulator.set_timings(job_duration_seconds=3, job_steps=30, job_start_delay_seconds=0)
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    job = create_job(client, model=BASE_MODEL, training_file=training.id)
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.pause(job.id)  # pending: not yet trained a step
    wait_job(client, job.id, ("running",))
    wait_until(
        lambda: any(e.type == "metrics" for e in client.fine_tuning.jobs.list_events(job.id)), "a step"
    )
    assert client.fine_tuning.jobs.pause(job.id).status == "paused"
    assert client.fine_tuning.jobs.retrieve(job.id).status == "paused"
    assert client.fine_tuning.jobs.resume(job.id).status == "resuming"  # as the spec's example answers
    wait_job(client, job.id, ("running", "succeeded"))
    assert wait_job(client, job.id).status == "succeeded"


def test_list_filters_by_metadata_and_pages(fresh_emulator):
    fresh_emulator.set_timings(job_start_delay_seconds=60)
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    ids = [
        create_job(client, model=BASE_MODEL, training_file=training.id, metadata={"run": f"r{i % 2}"}).id
        for i in range(4)
    ]
    listed = [j.id for j in client.fine_tuning.jobs.list(limit=1)]
    assert listed == list(reversed(ids))
    assert [j.id for j in client.fine_tuning.jobs.list(metadata={"run": "r1"})] == [ids[3], ids[1]]


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"model": "gpt-4-turbo"}, "model"),
        ({"suffix": "has spaces"}, "suffix"),
        ({"suffix": "x" * 41}, "suffix"),
        ({"seed": -1}, "seed"),
        ({"hyperparameters": {"n_epochs": 0}}, "hyperparameters.n_epochs"),
        ({"extra_body": {"trainingType": "premium"}}, "trainingType"),
    ],
)
def test_invalid_create_requests_are_400(fresh_emulator, change, param):
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    with pytest.raises(openai.BadRequestError) as caught:
        create_job(client, **({"model": BASE_MODEL, "training_file": training.id} | change))
    assert caught.value.code == "invalidPayload" and caught.value.param == param
    assert fresh_emulator.state()["counts"]["jobs"] == 0


def test_training_type_is_case_insensitive_and_dpo_method_accepted(fresh_emulator):
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    for training_type in ("developertier", "DEVELOPER", "standard"):
        job = create_job(
            client,
            model="gpt-4.1-mini-2025-04-14",  # a model that takes dpo
            training_file=training.id,
            method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1}}},
            extra_body={"trainingType": training_type},
        )
        assert job.status == "pending" and job.method.type == "dpo"


def test_unknown_and_unprocessed_files_are_rejected(fresh_emulator):
    fresh_emulator.set_timings(file_processing_seconds=60)
    client = fresh_emulator.openai_client()
    with pytest.raises(openai.NotFoundError):
        create_job(client, model=BASE_MODEL, training_file="file-" + "0" * 32)
    pending = upload(client)
    with pytest.raises(openai.BadRequestError) as caught:
        create_job(client, model=BASE_MODEL, training_file=pending.id)
    assert "pending" in caught.value.message


def test_unknown_job_is_404_and_delete_is_204(fresh_emulator):
    client = fresh_emulator.openai_client()
    with pytest.raises(openai.NotFoundError):
        client.fine_tuning.jobs.retrieve("ftjob-" + "0" * 32)
    job = succeeded_job(client)
    status, _, _ = fresh_emulator.request(
        "DELETE",
        f"/openai/fine_tuning/jobs/{job.id}?api-version=2024-10-21",
        headers={"api-key": fresh_emulator.info["api_key"]},
    )
    assert status == 204
    assert fresh_emulator.state()["counts"]["jobs"] == 0


def test_quota_twenty_pending_jobs_then_429(fresh_emulator):
    fresh_emulator.set_timings(job_start_delay_seconds=600)
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    for _ in range(20):
        create_job(client, model=BASE_MODEL, training_file=training.id)
    with pytest.raises(openai.RateLimitError) as caught:
        create_job(client, model=BASE_MODEL, training_file=training.id)
    assert caught.value.code == "quotaExceeded"
    assert fresh_emulator.state()["counts"]["jobs"] == 20


def test_continued_fine_tuning_from_a_fine_tuned_model(fresh_emulator):
    client = fresh_emulator.openai_client()
    first = succeeded_job(client)
    training = upload_processed(client)
    second = create_job(client, model=first.fine_tuned_model, training_file=training.id)
    assert wait_job(client, second.id).fine_tuned_model.startswith(first.fine_tuned_model + ".ft-")
