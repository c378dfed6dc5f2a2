"""How a finetune run fails: the stage, a stable code, a message a user can act on, nothing more done."""

from __future__ import annotations

import pytest

from shared import errors, names
from shared.payloads import Timing
from tests.orchestrators.runs import TIMING, finetune
from tests.orchestrators.service import FakeService

pytestmark = pytest.mark.orchestrators

# Short deadlines keep the timeout paths to a few polls (each episode replays the whole history).
SHORT = Timing(**{**TIMING.to_dict(), "files_timeout_minutes": 1, "deploy_timeout_minutes": 1})


def assert_failed(run, code: str, stage: str) -> dict:
    assert run.outcome == "Failed"
    assert run.output.startswith(f"Orchestrator function '{names.FINETUNE_ORCHESTRATOR}' failed: ")
    error = run.error
    assert (error["code"], error["stage"]) == (code, stage)
    assert run.custom_status["stage"] == stage and run.custom_status["status"] == "failed"
    assert run.custom_status["error"] == error
    [report] = run.payloads(names.WRITE_REPORT)     # every failure is still reported
    assert report["outcome"] == "failed" and report["error"] == error
    return error


def test_invalid_dataset_stops_before_anything_is_uploaded():
    run = finetune(FakeService(valid_ok=False))
    error = assert_failed(run, errors.INVALID_DATASET, names.STAGE_VALIDATE)
    assert "missing_assistant x2" in error["message"] and "line 4" in error["message"]
    assert "validation.training.json" in error["message"]
    assert not {names.UPLOAD_FILE, names.SUBMIT_JOB} & set(run.names())


def test_a_bad_finetune_json_fails_the_settle_stage_with_its_field():
    message = "faq-bot/finetune.json (hyperparameters.n_epochs): hyperparameters.n_epochs must be ..."
    run = finetune(FakeService(folder_error={"code": errors.INVALID_RUN_SETTINGS, "message": message}))
    error = assert_failed(run, errors.INVALID_RUN_SETTINGS, names.STAGE_SETTLE)
    assert error["message"] == message
    assert run.names() == [names.READ_RUN_FOLDER, names.WRITE_REPORT]


@pytest.mark.parametrize(("cost", "shown"), [(12.5, "$12.50"), (10.01, "$10.01")])  # a cent over counts
def test_budget_refused_when_the_estimate_exceeds_the_cap(cost: float, shown: str):
    run = finetune(FakeService(cost_usd=cost, settings={"max_cost_usd": 10}))
    error = assert_failed(run, errors.BUDGET_EXCEEDED, names.STAGE_BUDGET)
    assert shown in error["message"] and "$10.00" in error["message"]
    assert names.UPLOAD_FILE not in run.names()


def test_budget_within_the_cap_goes_on():
    run = finetune(FakeService(cost_usd=9.99, settings={"max_cost_usd": 10}))
    assert run.output["status"] == "succeeded"


def test_an_estimate_exactly_at_the_cap_goes_on():
    run = finetune(FakeService(cost_usd=10.0, settings={"max_cost_usd": 10}))
    assert run.outcome == "Completed", run.output
    assert run.output["status"] == "succeeded"
    assert names.SUBMIT_JOB in run.names()


def test_a_cap_of_zero_refuses_any_cost_but_a_free_run():
    refused = finetune(FakeService(cost_usd=0.000001, settings={"max_cost_usd": 0}))
    assert_failed(refused, errors.BUDGET_EXCEEDED, names.STAGE_BUDGET)
    free = finetune(FakeService(cost_usd=0.0, settings={"max_cost_usd": 0}))
    assert free.outcome == "Completed", free.output


def test_a_cap_without_a_known_price_is_refused():
    run = finetune(FakeService(cost_usd=None, settings={"max_cost_usd": 10}))
    error = assert_failed(run, errors.COST_UNKNOWN, names.STAGE_BUDGET)
    assert "FINETUNE_PRICES_JSON" in error["message"]


def test_a_file_in_error_fails_with_its_status_details():
    service = FakeService(file_statuses=["pending", "error"])
    run = finetune(service)
    error = assert_failed(run, errors.FILE_PROCESSING_FAILED, names.STAGE_FILES_READY)
    assert service.file_error_details in error["message"]
    assert ".." not in error["message"]   # the service's sentence ends ours only once
    assert names.SUBMIT_JOB not in run.names()


def test_files_never_processed_time_out():
    run = finetune(FakeService(file_statuses=["running"]), timing=SHORT)
    assert_failed(run, errors.FILES_TIMEOUT, names.STAGE_FILES_READY)


def test_a_failed_job_fails_the_monitor_stage_with_the_service_message():
    service = FakeService(job_statuses=["running", "failed"],
                          job_error={"code": "invalid_training_file", "message": "Too few examples (4)."})
    run = finetune(service)
    error = assert_failed(run, errors.JOB_FAILED, names.STAGE_MONITOR)
    assert "Too few examples (4)." in error["message"]
    assert names.START_DEPLOYMENT not in run.names()


def test_a_job_cancelled_outside_the_app_fails_the_run():
    run = finetune(FakeService(job_statuses=["running", "cancelled"]))
    assert_failed(run, errors.JOB_CANCELLED, names.STAGE_MONITOR)
    assert names.CANCEL_JOB not in run.names()


def test_a_failed_deployment_fails_with_the_arm_message():
    run = finetune(FakeService(deployment_states=["Creating", "Failed"]))
    error = assert_failed(run, errors.DEPLOYMENT_FAILED, names.STAGE_DEPLOY)
    assert "Quota exceeded" in error["message"]
    assert [p for p in run.payloads(names.CHAT_COMPLETION)] == []


def test_a_deployment_never_ready_times_out():
    run = finetune(FakeService(deployment_states=["Creating"]), timing=SHORT)
    assert_failed(run, errors.DEPLOYMENT_TIMEOUT, names.STAGE_DEPLOY)


def test_a_silent_smoke_test_fails_the_run():
    run = finetune(FakeService(smoke_ok=False))
    assert_failed(run, errors.SMOKE_TEST_FAILED, names.STAGE_SMOKE_TEST)


def test_transient_failures_that_outlast_the_retries_name_the_activity():
    run = finetune(FakeService(transient={names.SUBMIT_JOB: 99}))
    error = assert_failed(run, errors.SERVICE_UNAVAILABLE, names.STAGE_SUBMIT)
    assert names.SUBMIT_JOB in error["message"] and "503" in error["message"]
    assert run.names().count(names.SUBMIT_JOB) == 5   # STANDARD_RETRY's attempts


def test_a_returned_permanent_error_is_not_retried():
    service = FakeService()
    service.submit_job = lambda payload: {"error": {"code": "quota_exceeded",  # type: ignore[method-assign]
                                                    "message": "Fine-tuning quota reached."}}
    run = finetune(service)
    error = assert_failed(run, errors.SUBMIT_FAILED, names.STAGE_SUBMIT)
    assert error["message"] == "Fine-tuning quota reached. (service code: quota_exceeded)"
    assert run.names().count(names.SUBMIT_JOB) == 1


def test_cleanup_after_a_failure_deletes_the_uploaded_files():
    run = finetune(FakeService(settings={"cleanup": True}, job_statuses=["failed"]))
    assert_failed(run, errors.JOB_FAILED, names.STAGE_MONITOR)
    assert run.names()[-1] == names.DELETE_FILES


def test_a_huge_service_message_is_cut_to_fit_the_custom_status():
    run = finetune(FakeService(file_statuses=["error"], file_error_details="x" * 50_000))
    error = assert_failed(run, errors.FILE_PROCESSING_FAILED, names.STAGE_FILES_READY)
    assert len(error["message"]) == 2_000 and error["message"].endswith("…")
