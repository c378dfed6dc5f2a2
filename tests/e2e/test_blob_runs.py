"""Runs started by dropping blobs into the datasets container of the running stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.stack_client import StackClient
from tests.e2e.steps import (
    SAMPLE,
    assert_deployed_and_answered,
    drop,
    emulator_state,
    finished,
    instances_of,
    jobs_of,
    started_run,
    unique_run,
)

pytestmark = pytest.mark.e2e


def test_dropping_the_sample_ends_completed_with_a_deployment_that_answered(client: StackClient) -> None:
    run = unique_run("sample")
    etags = drop(client, run, {"finetune.json": SAMPLE / "finetune.json",
                               "validation.jsonl": SAMPLE / "validation.jsonl",
                               "training.jsonl": SAMPLE / "training.jsonl"})
    instance_id = started_run(client, run, "training.jsonl", etags["training.jsonl"])
    status = finished(client, instance_id)
    job = assert_deployed_and_answered(client, status)
    # finetune.json reached the job: its suffix, seed and epochs
    settings = json.loads((SAMPLE / "finetune.json").read_text())
    assert job["suffix"] == settings["suffix"]
    assert job["seed"] == settings["seed"]
    assert job["hyperparameters"]["n_epochs"] == settings["hyperparameters"]["n_epochs"]
    # the report landed in the reports container, never in datasets
    report = status["output"]["report"]
    summary_blob = report["summary"].split("/", 1)[1]
    summary = json.loads(client.read_blob(client.reports_container, summary_blob))
    assert summary["instance_id"] == instance_id
    # the job billed exactly the trained tokens validation estimated (model encoding x the run's epochs)
    training = next(v for v in summary["validation"] if v["role"] == "training")
    assert job["trained_tokens"] == training["estimated_trained_tokens"] == summary["job"]["trained_tokens"]
    assert client.list_blobs(client.datasets_container, f"{run}/") == [
        f"{run}/finetune.json", f"{run}/training.jsonl", f"{run}/validation.jsonl"]


@pytest.mark.parametrize("order", ["validation_first", "validation_after"])
def test_upload_order_does_not_matter_for_the_validation_file(client: StackClient, order: str) -> None:
    run = unique_run(order.replace("_", "-"))
    files = {"training.jsonl": SAMPLE / "training.jsonl", "validation.jsonl": SAMPLE / "validation.jsonl"}
    if order == "validation_first":
        files = dict(reversed(files.items()))
    etags = drop(client, run, files)  # "after": within SETTLE_SECONDS of the training file
    status = finished(client, started_run(client, run, "training.jsonl", etags["training.jsonl"]))
    job = assert_deployed_and_answered(client, status)
    validation_file = status["output"]["files"]["validation"]
    assert validation_file and job["validation_file"] == validation_file
    assert len(instances_of(client, run)) == 1


def test_the_same_training_blob_uploaded_twice_trains_once(client: StackClient) -> None:
    run = unique_run("twice")
    first = drop(client, run, {"training.jsonl": SAMPLE / "training.jsonl"})
    second = drop(client, run, {"training.jsonl": SAMPLE / "training.jsonl",
                                "validation.jsonl": SAMPLE / "validation.jsonl"})
    assert first["training.jsonl"] != second["training.jsonl"]  # a re-upload is a new blob version
    newest = started_run(client, run, "training.jsonl", second["training.jsonl"])
    assert_deployed_and_answered(client, finished(client, newest))
    runs = instances_of(client, run)
    others = [finished(client, s["instanceId"]) for s in runs if s["instanceId"] != newest]
    # the older version's run, if the poller saw it at all, stood down before uploading anything
    assert all(s["runtimeStatus"] == "Completed" and s["output"]["status"] == "superseded" for s in others)
    jobs = jobs_of(client, {s["instanceId"] for s in runs})
    assert [job["metadata"]["finetune_run"] for job in jobs] == [newest]


def test_an_invalid_dataset_fails_at_validate_with_a_report_and_no_job(client: StackClient) -> None:
    run = unique_run("invalid")
    good = (SAMPLE / "training.jsonl").read_bytes().splitlines(keepends=True)
    no_reply = b'{"messages": [{"role": "user", "content": "no reply"}]}\n'
    broken = b"".join(good[:10]) + no_reply + b"{not json\n"
    etags = drop(client, run, {"training.jsonl": broken})
    instance_id = started_run(client, run, "training.jsonl", etags["training.jsonl"])
    status = finished(client, instance_id)
    assert status["runtimeStatus"] == "Failed"
    custom = status["customStatus"]
    assert custom["stage"] == "validate"
    assert custom["error"]["code"] == "invalid_dataset" and custom["error"]["stage"] == "validate"
    report_name = f"{run}/{instance_id}/validation.training.json"
    assert f"Details in {client.reports_container}/{report_name}." in custom["error"]["message"]
    report = json.loads(client.read_blob(client.reports_container, report_name))
    assert report["ok"] is False
    assert {(e["line"], e["code"]) for e in report["errors"]} == {(11, "no_assistant_message"),
                                                                   (12, "invalid_json")}
    assert jobs_of(client, {instance_id}) == []
    uploaded = [f["filename"] for f in emulator_state(client)["files"]]
    assert not [name for name in uploaded if name.startswith(run)], uploaded


def test_the_exercise_files_from_the_lab_run_to_a_deployment(client: StackClient, lab_datasets: Path) -> None:
    run = unique_run("lab")
    etags = drop(client, run, {"training_set.jsonl": lab_datasets / "training_set.jsonl",
                               "validation_set.jsonl": lab_datasets / "validation_set.jsonl"})
    instance_id = started_run(client, run, "training_set.jsonl", etags["training_set.jsonl"])
    status = finished(client, instance_id)
    assert_deployed_and_answered(client, status)
    counts = {v["role"]: v["examples"] for v in status["customStatus"]["validation"]}
    assert counts == {"training": 10, "validation": 10}

