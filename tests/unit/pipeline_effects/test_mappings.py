"""Pure mappings: job request, file/job/deployment states, summary.json, the validation digest."""

from __future__ import annotations

import json

import pytest
from azure.mgmt.cognitiveservices.models import Deployment, DeploymentModel, DeploymentProperties
from openai.types import FileObject
from openai.types.fine_tuning import FineTuningJob

from shared import errors
from shared.aoai_ops import file_state, job_request, job_snapshot
from shared.arm_ops import deployment_body, deployment_state
from shared.clients import arm_scope
from shared.report_ops import build_summary
from shared.validation import ValidationOptions, validate_chunks
from shared.validation_digest import summarize

pytestmark = pytest.mark.unit


def job(**changes) -> FineTuningJob:
    data = {"id": "ftjob-1", "object": "fine_tuning.job", "created_at": 1, "model": "gpt-4o-mini-2024-07-18",
            "status": "running", "training_file": "file-t", "validation_file": None, "result_files": None,
            "hyperparameters": {"n_epochs": 2}, "organization_id": None, "seed": 1, "trained_tokens": None,
            "fine_tuned_model": None, "finished_at": None, "error": None, **changes}
    return FineTuningJob.construct(**data)  # as the SDK parses answers (non-strict: Azure sends nulls)


def test_job_request_carries_the_run_and_leaves_out_unset_values() -> None:
    kwargs = job_request({"instance_id": "ft-run-0123456789abcdef", "run": "run", "model": "gpt-4o-mini",
                          "training_file_id": "file-t", "validation_file_id": None, "seed": 7, "suffix": None,
                          "hyperparameters": {"n_epochs": 3, "batch_size": None},
                          "training_type": "GlobalStandard", "metadata": {"source": "blob"}})
    # hyperparameters go in the method (the service's form), the method and trainingType always named
    assert kwargs == {"model": "gpt-4o-mini", "training_file": "file-t", "seed": 7,
                      "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}},
                      "metadata": {"source": "blob", "finetune_run": "ft-run-0123456789abcdef"},
                      "extra_body": {"trainingType": "GlobalStandard"}}


def test_a_file_in_error_is_a_permanent_failure_with_the_status_details() -> None:
    file = FileObject(id="file-1", object="file", bytes=10, created_at=1, filename="run-train.jsonl",
                      purpose="fine-tune", status="error", status_details="Line 3 is not valid JSON.")
    state = file_state(file)
    assert state["error"]["code"] == errors.FILE_PROCESSING_FAILED
    assert "Line 3 is not valid JSON." in state["error"]["message"]
    processed = file_state(FileObject(id="file-2", object="file", bytes=10, created_at=1, filename="x",
                                      purpose="fine-tune", status="processed"))
    assert processed["error"] is None and processed["status"] == "processed"


def test_a_failed_job_carries_the_service_reason_and_a_running_one_does_not() -> None:
    reason = {"code": "invalidTrainingFile", "message": "Too few examples", "param": None}
    failed = job_snapshot(job(status="failed", error=reason))
    assert failed["error"]["code"] == errors.JOB_FAILED
    message = failed["error"]["message"]
    assert "Too few examples" in message and "invalidTrainingFile" in message
    running = job_snapshot(job(estimated_finish=99), {"created_at": 5, "level": "info", "message": "Step 3"})
    assert running["error"] is None and running["estimated_finish"] == 99
    assert running["newest_event"]["message"] == "Step 3"
    assert running["result_files"] == []  # Azure answers null until the job succeeds


def test_deployment_body_and_failed_state() -> None:
    body = deployment_body("gpt-4o-mini-2024-07-18.ft-abc", "Standard", 2).serialize()
    assert body == {"sku": {"name": "Standard", "capacity": 2}, "properties": {
        "model": {"format": "OpenAI", "name": "gpt-4o-mini-2024-07-18.ft-abc", "version": "1"}}}
    failed = Deployment(properties=DeploymentProperties(model=DeploymentModel(name="m")))
    failed.properties.provisioning_state = "Failed"  # read-only on the wire; set as the service would
    raw = {"properties": {"error": {"code": "Quota", "message": "No capacity left"}}}
    state = deployment_state(failed, raw)
    assert state["error"]["code"] == errors.DEPLOYMENT_FAILED
    assert "Quota: No capacity left" in state["error"]["message"]


def test_arm_scope_is_the_public_management_scope_except_in_sovereign_clouds() -> None:
    assert arm_scope("https://management.azure.com") == "https://management.azure.com/.default"
    assert arm_scope("https://127.0.0.1:8443") == "https://management.azure.com/.default"
    assert arm_scope("https://management.usgovcloudapi.net/") == "https://management.usgovcloudapi.net/.default"


def test_summary_names_everything_created_and_each_stage() -> None:
    report = {"run": "nimbus", "instance_id": "ft-nimbus-0123456789abcdef", "report_folder": "nimbus/ft",
              "outcome": "succeeded",
              "stages": [{"stage": "validate", "started": "t0", "ended": "t1", "outcome": "succeeded",
                          "detail": None}],
              "job_id": "ftjob-1", "file_ids": ["file-t", "file-v"], "fine_tuned_model": None,
              "deployment": "nimbus-ft", "smoke_test": {"ok": True, "reply": "Yes."}}
    summary = build_summary(report, job={"status": "succeeded", "trained_tokens": 42,
                                         "fine_tuned_model": "gpt-4o-mini.ft-1"},
                            events=[{"message": "Job succeeded."}], metrics={"train_loss": 0.5},
                            report_paths={"summary": "reports/nimbus/ft/summary.json", "loss": None})
    assert summary["created"] == {"files": ["file-t", "file-v"], "job": "ftjob-1",
                                  "fine_tuned_model": "gpt-4o-mini.ft-1", "deployment": "nimbus-ft",
                                  "reports": {"summary": "reports/nimbus/ft/summary.json"}}
    assert summary["stages"][0]["outcome"] == "succeeded"
    assert summary["job"]["final_metrics"] == {"train_loss": 0.5}
    json.dumps(summary)  # serialisable as it is


def _example(i: int) -> bytes:
    return json.dumps({"messages": [{"role": "user", "content": f"question {i}"},
                                    {"role": "assistant", "content": f"answer {i}"}]}).encode() + b"\n"


def test_validation_digest_of_a_good_and_a_bad_file() -> None:
    options = ValidationOptions(model="gpt-4o-mini-2024-07-18", role="training")
    good = validate_chunks([b"".join(_example(i) for i in range(12))], options)
    digest = summarize(good, "training", "run/ft/validation.json")
    assert digest["ok"] and digest["examples"] == 12 and digest["error"] is None
    assert digest["total_tokens"] == good.to_dict()["tokens"]["total"]["sum"] > 0
    bad = validate_chunks([b"".join(_example(i) for i in range(12)) + b"{not json\n"], options)
    digest = summarize(bad, "training", "run/ft/validation.json", "reports")
    assert not digest["ok"] and digest["error"]["code"] == errors.INVALID_DATASET
    assert digest["first_errors"] and digest["first_errors"][0].startswith("line 13:")
    assert "Details in reports/run/ft/validation.json." in digest["error"]["message"]  # with its container
