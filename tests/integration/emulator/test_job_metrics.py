"""shared/job_metrics.py through the real openai client: the loss curve's points, as they arrive."""

from __future__ import annotations

import pytest

from shared import job_metrics
from tests.integration.emulator.helpers import BASE_MODEL, upload_processed, wait_job, wait_until

pytestmark = pytest.mark.integration


def _job(client):
    training = upload_processed(client)
    validation = upload_processed(client, name="valid.jsonl")
    return client.fine_tuning.jobs.create(model=BASE_MODEL, training_file=training.id,
                                          validation_file=validation.id,
                                          extra_body={"trainingType": "Standard"})  # required, as in Azure


def test_points_arrive_from_events_while_training_then_from_the_results_file(fresh_emulator):
    fresh_emulator.set_timings(job_duration_seconds=4, job_steps=8)
    client = fresh_emulator.openai_client()
    job = _job(client)
    early = wait_until(lambda: (m := job_metrics.job_metrics(client, job.id))["status"] == "running"
                       and len(m["points"]) >= 2 and m, "two steps while the job runs")
    assert early["source"] == "events" and early["complete"] is True
    steps = [p["step"] for p in early["points"]]
    assert steps == list(range(1, len(steps) + 1))           # oldest first, none missing
    first = early["points"][0]
    assert set(first) == {"step", *job_metrics.METRIC_KEYS}
    assert first["train_loss"] > 0 and first["full_valid_loss"] is not None   # a validation file: both series
    newer = job_metrics.job_metrics(client, job.id, after_step=steps[-1])
    assert all(p["step"] > steps[-1] for p in newer["points"])  # only what the page has not drawn yet

    wait_job(client, job.id)
    final = job_metrics.job_metrics(client, job.id)
    assert final["status"] == "succeeded" and final["source"] == "results_file"
    assert [p["step"] for p in final["points"]] == list(range(1, 9))
    assert final["points"][0] == first                       # the file and the events agree
    tail = job_metrics.job_metrics(client, job.id, after_step=6)
    assert [p["step"] for p in tail["points"]] == [7, 8]


def test_events_are_read_across_pages_and_only_back_to_the_last_step(fresh_emulator):
    fresh_emulator.set_timings(job_duration_seconds=0.5, job_steps=230)
    client = fresh_emulator.openai_client()
    job = _job(client)
    wait_job(client, job.id)
    points, complete = job_metrics.points_from_events(client, job.id, 0)   # > 2 pages of 100 events
    assert complete and [p["step"] for p in points] == list(range(1, 231))
    points, complete = job_metrics.points_from_events(client, job.id, 225)
    assert complete and [p["step"] for p in points] == [226, 227, 228, 229, 230]


def test_a_step_without_numbers_is_not_a_point() -> None:
    assert job_metrics.point({"step": True}) is None and job_metrics.point({"train_loss": 1.0}) is None
    empty = {"step": 3, **dict.fromkeys(job_metrics.METRIC_KEYS)}
    assert job_metrics.point({"step": 3, "train_loss": "x"}) == empty
