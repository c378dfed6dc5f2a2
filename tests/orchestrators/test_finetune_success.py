"""The finetune orchestrator's successful runs, replayed through the real SDK."""

from __future__ import annotations

import json

import pytest

from local.host.replay import trigger_json
from shared import names, run_ids
from shared.payloads import RunRequest, Timing
from shared.run_settings import DEFAULT_SMOKE_MESSAGES
from tests.orchestrators.runs import HANDLES, INSTANCE, RUN, TIMING, TRAINING, finetune
from tests.orchestrators.service import FT_MODEL, REPLY, FakeService

pytestmark = pytest.mark.orchestrators

PIPELINE_ORDER = [names.READ_RUN_FOLDER, names.VALIDATE_DATASET, names.CHECK_MODEL, names.UPLOAD_FILE,
                  names.GET_FILE_STATUS,
                  names.SUBMIT_JOB, names.GET_JOB_STATUS, names.START_DEPLOYMENT, names.GET_DEPLOYMENT,
                  names.CHAT_COMPLETION, names.WRITE_REPORT]


def first_calls(run) -> list[str]:
    seen: list[str] = []
    for name in run.names():
        if name not in seen:
            seen.append(name)
    return seen


def test_happy_path_ends_with_a_smoke_tested_deployment():
    run = finetune(FakeService())
    assert run.outcome == "Completed"
    deployment = run_ids.deployment_name(RUN, INSTANCE)
    folder = f"{TIMING.reports_container}/{RUN}/{INSTANCE}"
    assert run.output == {
        "status": "succeeded", "run": RUN, "instance_id": INSTANCE, "job_id": "ftjob-1",
        "fine_tuned_model": FT_MODEL, "deployment": deployment,
        "smoke_test": {"reply": REPLY, "finish_reason": "stop"},
        "files": {"training": "file-training", "validation": "file-validation"},
        "report": {"summary": f"{folder}/summary.json", "results": f"{folder}/results.csv",
                   "loss": f"{folder}/loss.svg"},
        "approval": None, "method": "supervised", "training_type": "Standard", "parent_model": None,
        "checkpoint": {"choice": "final", "model": FT_MODEL, "step": None,
                       "reason": "deployment.checkpoint is final: the fine-tuned model."},
    }
    assert first_calls(run) == PIPELINE_ORDER
    tokens = run.custom_status["tokens"]  # estimate vs what the job trained, explained
    assert (tokens["estimated"], tokens["trained"], tokens["difference"]) == (3600, 3600, 0)
    assert tokens["explanation"].startswith("The job trained the estimated 3,600 tokens")
    assert run.custom_status["stage"] == names.STAGE_DONE
    assert run.custom_status["status"] == "succeeded"


def test_every_custom_status_names_the_stage():
    run = finetune(FakeService(settings={"deployment": {"require_approval": True}}),
                   events=lambda status, clock: [(names.EVENT_APPROVE, None)]
                   if status and status.get("status") == "waiting_for_approval" else [])
    published = [status for status in run.statuses if status is not None]
    assert published and all(status["stage"] in names.STAGES for status in published)
    stages = [status["stage"] for status in published]
    for stage in (names.STAGE_SETTLE, names.STAGE_VALIDATE, names.STAGE_MONITOR, names.STAGE_APPROVE,
                  names.STAGE_DEPLOY):
        assert stage in stages


def test_the_run_settles_on_a_durable_timer_before_reading_the_folder():
    run = finetune(FakeService())
    history = run.histories[0]
    kinds = [event["EventType"] for event in history]
    first_timer = kinds.index(10)   # TimerCreated
    first_task = kinds.index(4)     # TaskScheduled
    assert first_timer < first_task
    assert history[first_task]["Name"] == names.READ_RUN_FOLDER


def test_submit_names_the_run_and_carries_the_run_settings():
    service = FakeService(settings={"model": "gpt-4.1-mini-2025-04-14", "suffix": "faq", "seed": 7,
                                    "hyperparameters": {"n_epochs": 2}, "training_type": "GlobalStandard"})
    run = finetune(service)
    [submit] = run.payloads(names.SUBMIT_JOB)
    assert submit["model"] == "gpt-4.1-mini-2025-04-14"
    assert submit["training_file_id"] == "file-training" and submit["validation_file_id"] == "file-validation"
    assert (submit["seed"], submit["suffix"], submit["training_type"]) == (7, "faq", "GlobalStandard")
    assert submit["hyperparameters"] == {"n_epochs": 2}
    assert submit["metadata"]["finetune_run"] == INSTANCE
    uploads = run.payloads(names.UPLOAD_FILE)
    assert sorted(u["file_name"] for u in uploads) == sorted(
        run_ids.upload_file_name(RUN, INSTANCE, role) for role in ("training", "validation"))
    validations = run.payloads(names.VALIDATE_DATASET)
    assert {v["n_epochs"] for v in validations} == {2}


def test_the_smoke_test_defaults_to_the_exercise_conversation():
    run = finetune(FakeService())
    smoke = [p for p in run.payloads(names.CHAT_COMPLETION) if p["max_tokens"] != 1]
    assert smoke[-1]["messages"] == [dict(m) for m in DEFAULT_SMOKE_MESSAGES]
    assert smoke[-1]["deployment"] == run.output["deployment"]


def test_deployment_waits_until_it_answers_a_chat_call():
    service = FakeService(deployment_states=["Creating", "Creating", "Succeeded"], probe_ok_after=2)
    run = finetune(service)
    assert run.output["status"] == "succeeded"
    probes = [p for p in run.payloads(names.CHAT_COMPLETION) if p["max_tokens"] == 1]
    assert len(probes) == 3  # two "not ready yet" answers, then a reply
    assert service.counts[names.GET_DEPLOYMENT] == 5


def test_large_files_are_validated_as_parallel_byte_ranges():
    timing = Timing(**{**TIMING.to_dict(), "validation_range_bytes": 1_000})
    run = finetune(FakeService(training_size=2_500), timing=timing)
    ranges = [(p["range_start"], p["range_end"]) for p in run.payloads(names.VALIDATE_RANGE)]
    assert ranges == [(0, 1_000), (1_000, 2_000), (2_000, 2_500)]
    [merge] = run.payloads(names.MERGE_VALIDATION)
    assert merge["partial_paths"] == [p["partial_path"] for p in run.payloads(names.VALIDATE_RANGE)]
    assert merge["report_path"] == f"{RUN}/{INSTANCE}/{names.REPORT_VALIDATION}"
    # the small validation file is validated whole, in the same fan-out
    assert [p["role"] for p in run.payloads(names.VALIDATE_DATASET)] == ["validation"]
    assert run.output["status"] == "succeeded"


def test_deployment_can_be_turned_off():
    run = finetune(FakeService(settings={"deployment": {"enabled": False}}))
    assert run.output["status"] == "succeeded"
    assert run.output["fine_tuned_model"] == FT_MODEL and run.output["deployment"] is None
    assert names.START_DEPLOYMENT not in run.names() and names.CHAT_COMPLETION not in run.names()


def test_cleanup_deletes_the_uploaded_files_after_the_report():
    run = finetune(FakeService(settings={"cleanup": True}))
    assert run.names()[-2:] == [names.WRITE_REPORT, names.DELETE_FILES]
    [delete] = run.payloads(names.DELETE_FILES)
    assert sorted(delete["file_ids"]) == ["file-training", "file-validation"]
    assert run.custom_status["stage"] == names.STAGE_DONE


def test_transient_failures_are_retried_by_the_retry_policy():
    service = FakeService(transient={names.UPLOAD_FILE: 2, names.GET_JOB_STATUS: 1, names.SUBMIT_JOB: 1})
    run = finetune(service)
    assert run.output["status"] == "succeeded"
    assert service.counts[names.SUBMIT_JOB] == 2
    failed = [e for e in run.histories[0] if e["EventType"] == 6]   # TaskFailed
    assert len(failed) == 3   # upload x2, submit x1 (the job-status failure is in the monitor's history)
    monitor_failed = [e for e in run.children[0].histories[0] if e["EventType"] == 6]
    assert len(monitor_failed) == 1


def test_http_runs_use_the_given_files_without_settling():
    run = finetune(FakeService(), discover=False, validation_path=f"{RUN}/valid.jsonl", source="http",
                   settings={"hyperparameters": {"n_epochs": 1}})
    kinds = [event["EventType"] for event in run.histories[0]]
    assert kinds.index(4) < kinds.index(10)   # the folder is read before any timer
    [read] = run.payloads(names.READ_RUN_FOLDER)
    assert read["discover"] is False and read["settings"] == {"hyperparameters": {"n_epochs": 1}}
    assert read["training"] == TRAINING.to_dict()


def test_the_user_function_handle_replays_the_final_history_to_the_same_output():
    # The public seam: the orchestrator's handle called with the trigger JSON string, as the worker does.
    run = finetune(FakeService())
    request = RunRequest(run=RUN, training=TRAINING, timing=TIMING).to_dict()
    trigger = trigger_json(INSTANCE, json.dumps(json.dumps(request)), run.histories[0], None)
    state = json.loads(HANDLES[names.FINETUNE_ORCHESTRATOR](trigger))
    assert state["isDone"] is True and state["schemaVersion"] == 2
    assert state["output"] == run.output and state["customStatus"] == run.custom_status
