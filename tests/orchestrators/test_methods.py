"""The method branches of the finetune orchestrator, replayed through the real SDK.

Pre-flight (files, model, grader) before any upload; the method and the training tier sent
with the job; pause/resume events during training; a paused job whose paused time the
deadline does not count; the checkpoint choice before the deployment.
"""

from __future__ import annotations

import pytest

from shared import errors, names
from tests.orchestrators.runs import RUN, finetune
from tests.orchestrators.service import FT_MODEL, FakeService

pytestmark = pytest.mark.orchestrators

GRADER = {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}",
          "reference": "{{item.answer}}", "operation": "eq"}
RFT = {"model": "o4-mini-2025-04-16", "method": {"type": "reinforcement", "reinforcement": {
    "grader": GRADER, "hyperparameters": {"eval_interval": 5, "reasoning_effort": "low"}}}}
DPO = {"model": "gpt-4.1-mini-2025-04-14",
       "method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2, "n_epochs": 2}}}}
PARENT = "gpt-4.1-mini-2025-04-14.ft-0123456789abcdef0123456789abcdef"


def before_upload(run, name: str) -> bool:
    calls = run.names()
    upload = calls.index(names.UPLOAD_FILE) if names.UPLOAD_FILE in calls else len(calls)
    return name in calls and calls.index(name) < upload


def test_a_dpo_run_sends_its_method_and_tier_and_validates_preference_lines():
    run = finetune(FakeService(settings={**DPO, "training_type": "GlobalStandard"}))
    assert run.outcome == "Completed" and run.output["method"] == "dpo"
    [submit] = run.payloads(names.SUBMIT_JOB)
    assert submit["method"]["type"] == "dpo" and submit["training_type"] == "GlobalStandard"
    assert submit["hyperparameters"] == {"beta": 0.2, "n_epochs": 2}
    validated = run.payloads(names.VALIDATE_DATASET)
    assert {p["method"] for p in validated} == {"dpo"}  # each line must be a preference example
    assert before_upload(run, names.CHECK_MODEL)


def test_a_reinforcement_run_checks_its_grader_with_the_service_before_uploading():
    run = finetune(FakeService(settings=RFT))
    assert run.outcome == "Completed" and run.output["method"] == "reinforcement"
    [check] = run.payloads(names.CHECK_GRADER)
    assert check["grader"] == GRADER
    assert [blob["path"] for blob in check["files"]] == [f"{RUN}/train.jsonl", f"{RUN}/valid.jsonl"]
    assert before_upload(run, names.CHECK_GRADER)
    validated = run.payloads(names.VALIDATE_DATASET)
    assert all(p["item_fields"] == ["item.answer"] for p in validated)  # checked on every line
    [submit] = run.payloads(names.SUBMIT_JOB)
    assert submit["method"]["grader"] == GRADER and submit["method"]["type"] == "reinforcement"
    grader_runs = next(s for s in run.statuses if s and s.get("preflight"))["preflight"]["grader"]
    assert [r["reward"] for r in grader_runs] == [1.0, 1.0]


def test_a_grader_the_service_refuses_fails_the_run_before_anything_is_uploaded():
    refusal = {"code": errors.INVALID_GRADER, "message": "Azure OpenAI refused to accept the reinforcement "
               "grader (400 invalidPayload): grader.operation must be one of eq, ne, like, ilike."}
    run = finetune(FakeService(settings=RFT, grader_error=refusal))
    assert run.outcome == "Failed"
    assert run.error["code"] == errors.INVALID_GRADER and run.error["stage"] == names.STAGE_PREFLIGHT
    assert "grader.operation" in run.error["message"]
    assert names.UPLOAD_FILE not in run.names() and names.SUBMIT_JOB not in run.names()


@pytest.mark.parametrize(("settings", "code"), [
    (RFT, errors.VALIDATION_FILE_REQUIRED),
    ({"deployment": {"checkpoint": "best"}}, errors.INVALID_RUN_SETTINGS),
])
def test_a_run_missing_the_validation_file_it_needs_fails_at_preflight(settings, code):
    run = finetune(FakeService(settings=settings, validation_file=False))
    assert run.outcome == "Failed" and run.error["code"] == code
    assert run.error["stage"] == names.STAGE_PREFLIGHT and names.UPLOAD_FILE not in run.names()


def test_continuing_a_fine_tuned_model_records_its_parent():
    run = finetune(FakeService(settings={**DPO, "model": PARENT}))
    assert run.outcome == "Completed"
    assert run.output["parent_model"] == PARENT
    [submit] = run.payloads(names.SUBMIT_JOB)
    assert submit["model"] == PARENT
    [report] = run.payloads(names.WRITE_REPORT)
    assert report["parent_model"] == PARENT and report["method"] == "dpo"


def test_a_parent_model_that_does_not_exist_fails_before_anything_is_uploaded():
    missing = {"error": {"code": errors.PARENT_MODEL_NOT_FOUND, "message": f"The fine-tuned model {PARENT} "
               "does not exist in this Azure OpenAI resource."}}
    run = finetune(FakeService(settings={**DPO, "model": PARENT}, model_check=missing))
    assert run.outcome == "Failed" and run.error["code"] == errors.PARENT_MODEL_NOT_FOUND
    assert run.error["stage"] == names.STAGE_PREFLIGHT and names.UPLOAD_FILE not in run.names()


def test_an_unreachable_models_list_is_noted_and_the_run_goes_on():
    run = finetune(FakeService(transient={names.CHECK_MODEL: 10}))
    assert run.outcome == "Completed"
    noted = next(s for s in run.statuses if s and s.get("preflight"))["preflight"]["model"]
    assert noted.startswith("not checked:")


def test_the_best_checkpoint_is_deployed_and_the_reason_names_the_three_losses():
    kept = [{"id": "ftchkpt-3", "model": FT_MODEL, "step": 30, "metrics": {"full_valid_loss": 0.41}},
            {"id": "ftchkpt-2", "model": f"{FT_MODEL}:ckpt-step-20", "step": 20,
             "metrics": {"full_valid_loss": 0.35}},
            {"id": "ftchkpt-1", "model": f"{FT_MODEL}:ckpt-step-10", "step": 10,
             "metrics": {"full_valid_loss": 0.52}}]
    run = finetune(FakeService(settings={"deployment": {"checkpoint": "best"}}, checkpoints=kept))
    assert run.outcome == "Completed"
    [deployment] = run.payloads(names.START_DEPLOYMENT)
    assert deployment["model"] == f"{FT_MODEL}:ckpt-step-20"
    chosen = run.output["checkpoint"]
    assert chosen["choice"] == "best" and chosen["step"] == 20
    assert chosen["reason"] == ("Deployed the checkpoint of step 20: it has the lowest full_valid_loss of "
                                "the kept checkpoints (step 10 0.5200, step 20 0.3500, step 30 0.4100).")
    assert run.output["fine_tuned_model"] == FT_MODEL  # the job's own model is still named


def pause_then_resume():
    """A user's pause while the run trains, then a resume once the pause was applied (parent only)."""
    sent: list[str] = []

    def events(custom, clock):
        parent = isinstance(custom, dict) and "run" in custom
        if not parent or custom.get("stage") != names.STAGE_MONITOR:
            return []
        if not sent:
            sent.append(names.EVENT_PAUSE)
            return [(names.EVENT_PAUSE, {"reason": "checking the metrics"})]
        applied = (custom.get("job_control") or {}).get("action") == names.EVENT_PAUSE
        if applied and sent == [names.EVENT_PAUSE]:
            sent.append(names.EVENT_RESUME)
            return [(names.EVENT_RESUME, None)]
        return []

    return events


def test_pause_and_resume_events_reach_the_job_while_it_trains():
    service = FakeService()
    run = finetune(service, events=pause_then_resume())
    assert run.outcome == "Completed"
    assert service.controls == ["pause", "resume"]
    assert [p["action"] for p in run.payloads(names.CONTROL_JOB)] == ["pause", "resume"]
    paused = next(s for s in run.statuses if s and (s.get("job_control") or {}).get("action") == "pause")
    assert paused["job_control"]["status"] == "paused"
    assert paused["job_control"]["note"] == "checking the metrics"


def test_a_paused_job_is_shown_paused_and_its_paused_time_does_not_count_against_the_deadline():
    # TIMING's deadline is 4 hours; the job stays paused for ~7 hours of polls, then finishes.
    statuses = ["queued", "running"] + ["paused"] * 110 + ["running", "succeeded"]
    run = finetune(FakeService(job_statuses=statuses))
    assert run.outcome == "Completed", run.error
    monitor = run.children[0]
    shown = [s["job"] for s in monitor.statuses if s and s.get("job", {}).get("status") == "paused"]
    assert shown and all(s.get("paused_since") for s in shown)
    assert names.CANCEL_JOB not in run.names()


def test_a_job_running_past_the_deadline_is_still_cancelled():
    statuses = ["queued"] + ["running"] * 200
    run = finetune(FakeService(job_statuses=statuses))
    assert run.outcome == "Failed" and run.error["code"] == errors.TRAINING_DEADLINE


def test_an_rft_job_is_paused_when_its_running_time_reaches_the_runs_cap():
    # $200 per hour and a $50 cap: with a poll every 30 s the monitor pauses the job once it has
    # been seen running for a quarter of an hour (the fake job goes on running a while regardless)
    statuses = ["queued"] + ["running"] * 40 + ["paused"] * 5 + ["running", "succeeded"]
    service = FakeService(settings={**RFT, "max_cost_usd": 50}, usd_per_hour=200.0, job_statuses=statuses)
    run = finetune(service)
    assert run.outcome == "Completed"
    assert service.controls == ["pause"]  # once: a resume pays on, as after the service's own pause
    monitor = [s for child in run.children for s in child.statuses if s]
    capped = next(s["job"]["paused_at_cost_cap"] for s in monitor if s["job"].get("paused_at_cost_cap"))
    assert capped["cap_usd"] == 50 and 0.25 <= capped["hours"] < 0.3 and capped["usd"] >= 50


def test_a_run_billed_per_token_is_never_paused_for_its_cap():
    service = FakeService(settings={"max_cost_usd": 50}, job_statuses=["queued"] + ["running"] * 30 + [
        "succeeded"])
    assert finetune(service).outcome == "Completed" and service.controls == []
