"""Recorded real-service behaviour the schemas cannot express (../shared/reference/azure-specs/README.md):
checked explicitly, field by field, on the emulator's answers to the real clients."""

from __future__ import annotations

import re

import openai
import pytest

from tests.schema.test_data_plane import BASE, _job_done, _uploaded

pytestmark = pytest.mark.schema


def test_job_lifecycle_as_recorded(clients, sample_training):
    client = clients.aoai("2025-04-01-preview")
    training, validation = _uploaded(client, sample_training), _uploaded(client, sample_training, "v.jsonl")
    raw = client.fine_tuning.jobs.with_raw_response.create(
        model=BASE, training_file=training.id, validation_file=validation.id, extra_body={"trainingType": 1}
    )
    created = raw.http_response.json()
    # New job: pending, result_files null, auto hyperparameters echoed as -1, organization_id null.
    assert created["status"] == "pending" and created["result_files"] is None
    assert created["hyperparameters"]["n_epochs"] == -1 and created["organization_id"] is None
    assert created["trainingType"] == 1 and isinstance(created["seed"], int)
    job = _job_done(client, created["id"])
    assert job.status == "succeeded" and len(job.result_files) == 1

    events = client.fine_tuning.jobs.with_raw_response.list_events(job.id, limit=100).http_response.json()
    messages = [e for e in events["data"] if e["type"] == "message"]
    metrics = [e for e in events["data"] if e["type"] == "metrics"]
    assert messages and all("data" not in e for e in messages)  # no `data` key at all
    assert metrics and all(
        {"full_valid_loss", "full_valid_mean_token_accuracy"} <= set(e["data"]) for e in metrics
    )

    checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id).data
    assert all(re.fullmatch(r"ftchkpt-[0-9a-f]{32}", c.id) for c in checkpoints)
    assert checkpoints[0].fine_tuned_model_checkpoint == job.fine_tuned_model
    assert all(":ckpt-step-" in c.fine_tuned_model_checkpoint for c in checkpoints[1:])
    assert {"full_valid_loss", "full_valid_mean_token_accuracy"} <= set(checkpoints[0].metrics.model_dump())


def test_unknown_path_and_version_answer_resource_not_found(clients):
    client = clients.aoai("2024-10-21")
    for path in ("/no/such/route", "/fine_tuning/jobs/x/y/z"):
        with pytest.raises(openai.NotFoundError) as caught:
            client.get(path, cast_to=object)
        assert caught.value.body == {"code": "404", "message": "Resource not found"}
    with pytest.raises(openai.NotFoundError):
        clients.aoai("not-a-version").files.list()
