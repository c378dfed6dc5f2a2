"""The readable summary of GET /api/finetune/{id}, from real SDK status objects."""

from __future__ import annotations

import json

import pytest
from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus

from starters.summary import run_row, run_summary, valid_actions

pytestmark = pytest.mark.unit


def status(**fields) -> DurableOrchestrationStatus:
    base = {"name": "finetune_orchestrator", "instanceId": "ft-faq-0123456789abcdef",
            "createdTime": "2026-01-05T09:00:00Z", "lastUpdatedTime": "2026-01-05T09:05:00Z"}
    return DurableOrchestrationStatus.from_json({**base, **fields})


def test_a_training_run_shows_the_monitor_progress():
    parent = status(runtimeStatus="Running", customStatus={
        "stage": "monitor", "status": "running", "run": "faq", "job": {"id": "ftjob-1", "status": "pending"},
        "reports": "reports/faq/ft-faq-0123456789abcdef/"})
    monitor = status(runtimeStatus="Running", customStatus={
        "stage": "monitor", "next_poll": "2026-01-05T09:06:00Z",
        "job": {"id": "ftjob-1", "status": "running", "trained_tokens": 1200, "newest_event": "Step 10",
                "estimated_finish": 1767610000, "fine_tuned_model": None}})
    summary = run_summary(parent, monitor)
    assert summary["stage"] == "monitor" and summary["active"] is True and summary["run"] == "faq"
    assert summary["job"] == {"id": "ftjob-1", "status": "running", "trained_tokens": 1200,
                              "newest_event": "Step 10", "estimated_finish": 1767610000}
    assert summary["next_poll"] == "2026-01-05T09:06:00Z"
    assert summary["created"] == "2026-01-05T09:00:00Z"


def test_a_failed_run_shows_its_error():
    error = {"code": "invalid_dataset", "stage": "validate", "message": "Fix the file."}
    failed = status(runtimeStatus="Failed", customStatus={"stage": "validate", "status": "failed",
                                                          "error": error},
                    output=f"Orchestrator function 'finetune_orchestrator' failed: {json.dumps(error)}")
    assert run_summary(failed)["error"] == error
    bare = status(runtimeStatus="Failed", customStatus=None,
                  output=f"Orchestrator function 'finetune_orchestrator' failed: {json.dumps(error)}")
    assert run_summary(bare)["error"] == error and run_summary(bare)["active"] is False


@pytest.mark.parametrize("last", ["running", "waiting_for_approval"])
def test_a_terminated_run_ends_terminated_whatever_its_custom_status_last_said(last):
    terminated = status(runtimeStatus="Terminated", output="by admin",
                        customStatus={"stage": "approve", "status": last, "run": "faq"})
    summary = run_summary(terminated)
    assert (summary["status"], summary["active"], summary["stage"]) == ("terminated", False, "approve")
    assert summary["error"]["code"] == "terminated" and summary["error"]["stage"] == "approve"
    assert "(by admin)" in summary["error"]["message"] and "/cancel" in summary["error"]["message"]
    assert "approval_deadline" not in summary   # no longer waiting for anything
    assert run_row(terminated)["status"] == "terminated"


def test_a_list_row_names_the_deployment():
    row = run_row(status(runtimeStatus="Completed", customStatus={"stage": "done", "status": "succeeded",
                                                                  "run": "faq", "deployment": "faq-v1"},
                         output={"status": "succeeded", "deployment": "faq-v1"}))
    assert row == {"id": "ft-faq-0123456789abcdef", "run": "faq", "runtimeStatus": "Completed",
                   "stage": "done", "status": "succeeded", "deployment": "faq-v1",
                   "created": "2026-01-05T09:00:00Z", "updated": "2026-01-05T09:05:00Z",
                   "model": None, "fine_tuned_model": None, "newest_event": None}
    deploying = status(runtimeStatus="Running", customStatus={"stage": "deploy", "deployment": "d-2"})
    assert run_row(deploying)["deployment"] == "d-2"


def test_the_summary_puts_the_estimate_next_to_the_trained_tokens_and_shows_the_approval():
    estimate = {"role": "training", "billable_tokens": 735, "n_epochs": 2, "epochs_source": "settings",
                "estimated_trained_tokens": 1470}
    done = status(runtimeStatus="Completed", customStatus={
        "stage": "done", "status": "rejected", "validation": [estimate],
        "approval": {"decision": "rejected", "note": "loss too high"},
        "job": {"id": "ftjob-1", "status": "succeeded", "trained_tokens": 1470, "n_epochs": 2}})
    summary = run_summary(done)
    assert summary["approval"] == {"decision": "rejected", "note": "loss too high"}
    assert (summary["tokens"]["estimated"], summary["tokens"]["trained"]) == (1470, 1470)
    assert summary["tokens"]["explanation"].startswith("The job trained the estimated 1,470 tokens")


def test_a_run_not_yet_picked_up_says_pending():
    row = run_row(status(runtimeStatus="Pending", customStatus=None))
    assert (row["stage"], row["status"], row["runtimeStatus"]) == (None, "pending", "Pending")


def test_a_run_that_has_not_taken_its_first_step_is_named_from_its_input():
    """Right after the 202 the orchestrator may not have run yet: no custom status, only the input."""
    request = {"run": "mon jeu ñ-f0a40e", "training": {"path": "datasets/mon jeu ñ-f0a40e/t.jsonl"}}
    pending = status(runtimeStatus="Pending", input=json.dumps(json.dumps(request)))
    assert run_summary(pending)["run"] == "mon jeu ñ-f0a40e"
    assert run_row(pending)["run"] == "mon jeu ñ-f0a40e"
    assert run_row(status(runtimeStatus="Pending", input="not json"))["run"] is None


# ---- What the runs page reads: row fields, stages, evaluation, the actions valid now ----

def test_a_row_has_the_model_and_the_monitors_newest_event():
    parent = status(runtimeStatus="Running", customStatus={
        "stage": "monitor", "status": "running", "run": "faq", "model": "gpt-4o-mini-2024-07-18",
        "job": {"id": "ftjob-1", "status": "pending", "newest_event": "Job started."}})
    monitor = status(runtimeStatus="Running", customStatus={"job": {"newest_event": "Step 3/10"}})
    row = run_row(parent, monitor)
    assert row["model"] == "gpt-4o-mini-2024-07-18" and row["newest_event"] == "Step 3/10"
    assert run_row(parent)["newest_event"] == "Job started."      # without the monitor: the run's own
    done = status(runtimeStatus="Completed", customStatus={"stage": "done", "status": "succeeded"},
                  output={"status": "succeeded", "fine_tuned_model": "gpt-4o-mini.ft-1", "deployment": "d"})
    assert run_row(done)["fine_tuned_model"] == "gpt-4o-mini.ft-1"


def test_the_summary_carries_the_stage_records_and_the_evaluation():
    stages = [{"stage": "settle", "started": "2026-01-05T09:00:00Z", "ended": "2026-01-05T09:00:10Z",
               "outcome": "succeeded", "detail": None}]
    evaluation = {"passed": True, "primary": "similarity", "difference": 0.2, "ci95": [0.1, 0.3]}
    done = status(runtimeStatus="Completed", customStatus={"stage": "done", "status": "succeeded",
                                                          "stages": stages},
                  output={"status": "succeeded", "evaluation": evaluation})
    summary = run_summary(done)
    assert summary["stages"] == stages and summary["evaluation"] == evaluation
    assert run_summary(status(runtimeStatus="Pending", customStatus=None))["stages"] == []


@pytest.mark.parametrize(("summary", "valid"), [
    ({"active": True, "status": "running", "job": {"status": "running"}}, ["cancel", "pause"]),
    ({"active": True, "status": "running", "job": {"status": "paused"}}, ["cancel", "resume"]),
    ({"active": True, "status": "waiting_for_approval", "job": {"status": "succeeded"}},
     ["approve", "reject", "cancel"]),
    ({"active": True, "status": "running", "job": None}, ["cancel"]),
    ({"active": False, "status": "waiting_for_approval", "job": {"status": "running"}}, []),
])
def test_valid_actions_follow_the_runs_state(summary, valid):
    supported = ("approve", "reject", "cancel", "pause", "resume")
    assert valid_actions(summary, supported) == valid
    # an action the API does not offer is never valid, whatever the state
    assert valid_actions(summary, ("approve", "reject", "cancel")) == [a for a in valid if a not in
                                                                        ("pause", "resume")]
