"""Every data-plane route, on each surface (2024-10-21, 2025-04-01-preview, v1), through the real openai
clients; the conftest validates each response against the published schema of its surface."""

from __future__ import annotations

import io
from typing import Any

import httpx2
import openai
import pytest
from openai.types import FileObject
from openai.types.fine_tuning import FineTuningJob

from tests.integration.emulator.helpers import create_job, wait_until

pytestmark = pytest.mark.schema

SURFACES = ["2024-10-21", "2025-04-01-preview", "v1"]
BASE = "gpt-4o-mini-2024-07-18"


def _client(clients: Any, surface: str) -> Any:
    return clients.v1() if surface == "v1" else clients.aoai(surface)


def _processed(client: Any, file_id: str) -> Any:
    return wait_until(
        lambda: (f := client.files.retrieve(file_id)).status in ("processed", "error") and f,
        f"{file_id} processed",
    )


def _uploaded(client: Any, content: bytes, name: str = "t.jsonl") -> Any:
    """A fine-tune file, uploaded and processed."""
    return _processed(client, client.files.create(file=(name, io.BytesIO(content)), purpose="fine-tune").id)


def _job_done(
    client: Any, job_id: str, statuses: tuple[str, ...] = ("succeeded", "failed", "cancelled")
) -> Any:
    return wait_until(
        lambda: (j := client.fine_tuning.jobs.retrieve(job_id)).status in statuses and j, f"{job_id}"
    )


def _trained(client: Any, content: bytes) -> Any:
    """A succeeded job of the base model on `content`."""
    training = _uploaded(client, content)
    return _job_done(client, create_job(client, model=BASE, training_file=training.id).id)


@pytest.mark.parametrize("surface", SURFACES)
def test_files_routes(clients, surface, sample_training, content_server):
    client = _client(clients, surface)
    assert client.files.list().data == []  # an empty page too
    created = client.files.create(file=("train.jsonl", io.BytesIO(sample_training)), purpose="fine-tune")
    assert created.status == "pending"
    assert _processed(client, created.id).status == "processed"
    assert [f.id for f in client.files.list(purpose="fine-tune")] == [created.id]
    assert client.files.content(created.id).read() == sample_training
    # /files/import has no SDK method: the client's own generic post sends it (auth, retries, parsing).
    imports = [
        client.post("/files/import", cast_to=FileObject, body={
            "purpose": "fine-tune", "filename": name, "content_url": content_server(path)})
        for name, path in (("imported.jsonl", "train.jsonl"), ("missing.jsonl", "missing.jsonl"))
    ]
    assert imports[0].status == "pending" and imports[0].filename == "imported.jsonl"
    done = _processed(client, imports[0].id)
    assert done.status == "processed" and done.bytes == len(sample_training)
    failed = _processed(client, imports[1].id)
    assert failed.status == "error" and "HTTP 404" in failed.status_details
    bad = client.files.create(file=("bad.jsonl", io.BytesIO(b"not json\n")), purpose="fine-tune")
    assert "Line 1" in _processed(client, bad.id).status_details
    deleted = client.files.delete(created.id)
    assert deleted.deleted is True and deleted.id == created.id
    with pytest.raises(openai.NotFoundError) as caught:
        client.files.retrieve(created.id)
    assert caught.value.code == "notFound"


@pytest.mark.parametrize("surface", SURFACES)
def test_job_routes(clients, surface, sample_training):
    client = _client(clients, surface)
    training, validation = _uploaded(client, sample_training), _uploaded(client, sample_training, "v.jsonl")
    job = create_job(client,
        model=BASE,
        training_file=training.id,
        validation_file=validation.id,
        suffix="schema",
        extra_body={"trainingType": 1},
    )
    assert job.status == "pending" and isinstance(job.seed, int) and job.result_files is None
    assert [j.id for j in client.fine_tuning.jobs.list()] == [job.id]
    done = _job_done(client, job.id)
    assert done.status == "succeeded" and done.result_files
    assert list(client.fine_tuning.jobs.list_events(job.id, limit=100))
    assert list(client.fine_tuning.jobs.checkpoints.list(job.id))
    second = create_job(client, model=done.fine_tuned_model, training_file=training.id)
    assert client.fine_tuning.jobs.cancel(second.id).status == "cancelled"
    with pytest.raises(openai.BadRequestError) as caught:
        client.fine_tuning.jobs.cancel(second.id)
    assert caught.value.code == "unexpectedEntityState"
    if surface != "2024-10-21":  # pause and resume are not in the GA spec
        clients.emulator.set_timings(job_duration_seconds=4, job_steps=40, job_start_delay_seconds=0)
        third = create_job(client, model=BASE, training_file=training.id)
        wait_until(
            lambda: any(e.type == "metrics" for e in client.fine_tuning.jobs.list_events(third.id)), "a step"
        )
        assert client.fine_tuning.jobs.pause(third.id).status == "paused"
        assert client.fine_tuning.jobs.resume(third.id).status == "resuming"
        client.fine_tuning.jobs.cancel(third.id)
    answer = client.delete(f"/fine_tuning/jobs/{second.id}", cast_to=httpx2.Response)
    assert answer.status_code == 204
    with pytest.raises(openai.NotFoundError):
        client.fine_tuning.jobs.retrieve(second.id)
    with pytest.raises(openai.BadRequestError) as caught:
        create_job(client, model="gpt-4-turbo", training_file=training.id)
    assert caught.value.code == "invalidPayload"


@pytest.mark.parametrize("surface", SURFACES)
def test_model_routes(clients, surface, sample_training):
    client = _client(clients, surface)
    listed = {m.id: m for m in client.models.list()}
    assert BASE in listed and "gpt-4o-mini" in listed
    job = _trained(client, sample_training)
    model = client.models.retrieve(job.fine_tuned_model).model_dump()
    assert model["model"] == BASE and model["fine_tune"] == job.id and model["capabilities"]["inference"]
    assert job.fine_tuned_model in {m.id for m in client.models.list()}
    assert client.models.retrieve(BASE).model_dump()["capabilities"]["fine_tune"] is True
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")


def test_job_created_from_a_raw_body_answers_the_v1_shape(clients, sample_training):
    """The v1 client parses leniently; check the raw create answer field by field as well."""
    client = clients.v1()
    training = _uploaded(client, sample_training)
    raw = client.fine_tuning.jobs.with_raw_response.create(model=BASE, training_file=training.id,
                                                           extra_body={"trainingType": "Standard"})
    body = raw.http_response.json()
    assert isinstance(body["seed"], int) and body["result_files"] is None and body["organization_id"] is None
    assert isinstance(raw.parse(), FineTuningJob)


def test_grader_routes(clients):
    """The v1 graders routes: validate echoes the grader, run answers a reward with every error flag."""
    client = clients.v1()
    exact = {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}",
             "reference": "{{item.answer}}", "operation": "eq"}
    python = {"type": "python", "name": "length", "source": "def grade(sample, item):\n    return 0.5\n"}
    multi = {"type": "multi", "name": "both", "graders": {"exact": exact, "length": python},
             "calculate_output": "(exact + length) / 2"}
    for grader in (exact, python, multi):
        assert client.fine_tuning.alpha.graders.validate(grader=grader).grader is not None
    run = client.fine_tuning.alpha.graders.run(grader=multi, item={"answer": "Paris"}, model_sample="Paris")
    assert run.reward == 0.75 and run.sub_rewards == {"exact": 1.0, "length": 0.5}
    with pytest.raises(openai.BadRequestError) as caught:
        client.fine_tuning.alpha.graders.validate(grader={**exact, "operation": "neq"})
    assert caught.value.code == "invalidPayload"
