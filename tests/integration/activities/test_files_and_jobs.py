"""Files and jobs activities against the emulator over HTTPS, with Entra ID tokens (azure-identity)."""

from __future__ import annotations

import json

import openai
import pytest

from activities import files, jobs
from shared import clients, errors
from tests.integration.activities.helpers import BASE_MODEL, AppEnv, call, chat_jsonl, wait_for

pytestmark = pytest.mark.integration

INSTANCE = "ft-nimbus-0123456789abcdef"
FILE_NAME = "nimbus-89abcdef-training.jsonl"


def upload(env: AppEnv, data: bytes | None = None, file_name: str = FILE_NAME) -> dict:
    ref = env.put("nimbus/train.jsonl", chat_jsonl() if data is None else data)
    return call(files.upload_file, {"blob": ref, "role": "training", "file_name": file_name,
                                    "instance_id": INSTANCE})


def processed(file_id: str) -> dict:
    return wait_for(lambda: (state := call(files.get_file_status, {"file_id": file_id}))["status"]
                    in ("processed", "error") and state, f"file {file_id} processed")


def submit(file_id: str, **extra) -> dict:
    return call(jobs.submit_job, {"instance_id": INSTANCE, "run": "nimbus", "model": BASE_MODEL,
                                  "training_file_id": file_id, "seed": 7, "suffix": "nimbus",
                                  "hyperparameters": {"n_epochs": 2}, "training_type": "Standard", **extra})


def test_upload_streams_the_blob_and_a_retry_finds_the_same_file(app_env: AppEnv) -> None:
    data = chat_jsonl(30)
    first = upload(app_env, data)
    assert first["error"] is None and first["reused"] is False and first["bytes"] == len(data)
    again = upload(app_env, data)
    assert again["file_id"] == first["file_id"] and again["reused"] is True
    state = app_env.emulator.state()
    assert [f["filename"] for f in state["files"]] == [FILE_NAME]
    assert processed(first["file_id"])["status"] == "processed"
    content = app_env.emulator.openai_client().files.content(first["file_id"]).read()
    assert content == data


def test_a_429_with_retry_after_is_retried_by_rewinding_the_stream(app_env: AppEnv) -> None:
    app_env.emulator.add_fault(route="files.create", status=429, retry_after=0.2, count=2)
    data = chat_jsonl(20)
    result = upload(app_env, data)
    assert result["error"] is None and result["bytes"] == len(data)
    assert app_env.emulator.state()["faults"]["routes"] == []  # both faults were hit
    assert app_env.emulator.openai_client().files.content(result["file_id"]).read() == data


def test_persistent_server_errors_are_raised_for_the_orchestrator_to_retry(app_env: AppEnv) -> None:
    app_env.emulator.add_fault(route="files.list", status=503, retry_after=0.1, count=10)
    with pytest.raises(openai.InternalServerError):
        upload(app_env)


def test_a_file_the_service_rejects_ends_in_a_file_processing_error(app_env: AppEnv) -> None:
    app_env.emulator.fail_file(filename=FILE_NAME, message="Line 4: the JSON is not a chat example.")
    state = processed(upload(app_env)["file_id"])
    assert state["status"] == "error"
    assert state["error"]["code"] == errors.FILE_PROCESSING_FAILED
    assert "Line 4: the JSON is not a chat example." in state["error"]["message"]


def test_submit_is_idempotent_and_the_job_runs_to_success(app_env: AppEnv) -> None:
    file_id = upload(app_env)["file_id"]
    processed(file_id)
    first = submit(file_id)
    second = submit(file_id)
    assert first["error"] is None and first["reused"] is False
    assert second["job_id"] == first["job_id"] and second["reused"] is True
    state = app_env.emulator.state()
    assert len(state["jobs"]) == 1 and state["jobs"][0]["metadata"]["finetune_run"] == INSTANCE
    done = wait_for(lambda: (snap := call(jobs.get_job_status, {"job_id": first["job_id"]}))["status"]
                    in ("succeeded", "failed") and snap, "job finished")
    assert done["status"] == "succeeded" and done["fine_tuned_model"].startswith(BASE_MODEL + ".ft-")
    assert done["newest_event"]["message"] and done["trained_tokens"] > 0 and done["result_files"]


def test_a_refused_submit_returns_the_service_message(app_env: AppEnv) -> None:
    file_id = upload(app_env)["file_id"]
    processed(file_id)
    result = submit(file_id, model="not-a-model")
    assert result["error"]["code"] == errors.SUBMIT_FAILED
    assert "The specified base model does not support fine-tuning." in result["error"]["message"]
    assert result["status"] == 400 and result["service_code"] == "invalidPayload"


def test_a_failed_job_reports_the_service_reason(app_env: AppEnv) -> None:
    app_env.emulator.fail_job(code="invalidTrainingFile", message="The training file has too few examples.")
    file_id = upload(app_env)["file_id"]
    processed(file_id)
    job_id = submit(file_id)["job_id"]
    done = wait_for(lambda: (snap := call(jobs.get_job_status, {"job_id": job_id}))["status"]
                    in ("succeeded", "failed") and snap, "job finished")
    assert done["status"] == "failed" and done["error"]["code"] == errors.JOB_FAILED
    assert "The training file has too few examples." in done["error"]["message"]


def test_cancel_stops_the_job_and_cancelling_again_is_harmless(app_env: AppEnv) -> None:
    app_env.emulator.set_timings(job_duration_seconds=30)
    file_id = upload(app_env)["file_id"]
    processed(file_id)
    job_id = submit(file_id)["job_id"]
    cancelled = call(jobs.cancel_job, {"job_id": job_id})
    assert cancelled["status"] == "cancelled" and cancelled["error"] is None
    assert call(jobs.cancel_job, {"job_id": job_id})["status"] == "cancelled"


def test_delete_files_counts_missing_ones(app_env: AppEnv) -> None:
    file_id = upload(app_env)["file_id"]
    result = call(files.delete_files, {"file_ids": [file_id, "file-00000000000000000000000000000000"]})
    assert result["deleted"] == [file_id] and result["missing"] == ["file-00000000000000000000000000000000"]


def test_a_dataset_replaced_before_upload_is_not_uploaded(app_env: AppEnv) -> None:
    stale = app_env.put("nimbus/train.jsonl", chat_jsonl())
    app_env.put("nimbus/train.jsonl", chat_jsonl(14))
    result = call(files.upload_file, {"blob": stale, "role": "training", "file_name": FILE_NAME,
                                      "instance_id": INSTANCE})
    assert result["error"]["code"] == errors.DATASET_SUPERSEDED
    assert app_env.emulator.state()["files"] == []


def test_an_api_key_is_used_when_configured_and_a_wrong_one_is_a_permanent_error(
        app_env: AppEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", app_env.emulator.info["api_key"])
    clients.clear_cache()
    assert upload(app_env)["error"] is None
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "wrong-key")
    clients.clear_cache()
    refused = upload(app_env, file_name="other.jsonl")
    assert refused["error"]["code"] == errors.UPLOAD_FAILED and refused["status"] == 401
    assert "wrong-key" not in json.dumps(refused)
