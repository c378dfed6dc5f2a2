"""Approval (approve / reject / timeout) and cancellation of a finetune run, through real replay."""

from __future__ import annotations

import pytest

from shared import errors, names
from tests.orchestrators.runs import finetune, when_stage
from tests.orchestrators.service import FakeService

pytestmark = pytest.mark.orchestrators

APPROVAL = {"deployment": {"require_approval": True, "approval_timeout_hours": 2}}


def test_an_approved_run_is_deployed():
    run = finetune(FakeService(settings=APPROVAL), events=when_stage(names.STAGE_APPROVE, names.EVENT_APPROVE,
                                                                     {"comment": "looks good"}))
    assert run.output["status"] == "succeeded" and run.output["deployment"]
    waiting = [s for s in run.statuses if s and s.get("status") == "waiting_for_approval"]
    assert waiting and waiting[0]["stage"] == names.STAGE_APPROVE and waiting[0]["approval_deadline"]
    assert run.names().index(names.START_DEPLOYMENT) > run.names().index(names.GET_JOB_STATUS)
    approval = {"decision": "approved", "note": "looks good"}
    assert run.custom_status["approval"] == approval and run.output["approval"] == approval
    assert run.payloads(names.WRITE_REPORT)[0]["approval"] == approval   # summary.json shows it


def test_a_rejected_run_ends_without_deploying():
    run = finetune(FakeService(settings=APPROVAL),
                   events=when_stage(names.STAGE_APPROVE, names.EVENT_REJECT, {"comment": "loss too high"}))
    assert run.outcome == "Completed"
    assert run.output["status"] == "rejected" and run.output["note"] == "loss too high"
    assert run.output["fine_tuned_model"] and run.output["deployment"] is None
    assert names.START_DEPLOYMENT not in run.names()
    assert run.custom_status["status"] == "rejected" and run.custom_status["stage"] == names.STAGE_APPROVE
    assert run.payloads(names.WRITE_REPORT)[0]["outcome"] == "rejected"
    rejected = {"decision": "rejected", "note": "loss too high"}
    assert run.payloads(names.WRITE_REPORT)[0]["approval"] == rejected


@pytest.mark.parametrize(("data", "note"), [
    ({"reason": "loss too high"}, "loss too high"),            # a JSON body's reason
    ('{"reason": "loss too high"}', "loss too high"),          # the same, encoded once more by a client
    ("loss too high", "loss too high"),
    (None, None),                                              # no reason: None, never the text "None"
    ({"comment": None}, None),
    ("None", None),
])
def test_a_rejection_keeps_its_reason_or_none(data, note):
    run = finetune(FakeService(settings=APPROVAL),
                   events=when_stage(names.STAGE_APPROVE, names.EVENT_REJECT, data))
    assert run.output["status"] == "rejected" and run.output["note"] == note
    assert run.custom_status["approval"] == {"decision": "rejected", "note": note}
    [stage] = [s for s in run.payloads(names.WRITE_REPORT)[0]["stages"] if s["stage"] == names.STAGE_APPROVE]
    assert (stage["outcome"], stage["detail"]) == ("rejected", note)


def test_an_approval_that_never_comes_times_out():
    run = finetune(FakeService(settings=APPROVAL))
    assert run.outcome == "Failed"
    assert (run.error["code"], run.error["stage"]) == (errors.APPROVAL_TIMEOUT, names.STAGE_APPROVE)
    assert "2 hours" in run.error["message"]
    assert names.START_DEPLOYMENT not in run.names()


def test_without_require_approval_an_approve_event_is_not_needed():
    run = finetune(FakeService())
    assert not [s for s in run.statuses if s and s.get("status") == "waiting_for_approval"]
    assert run.output["status"] == "succeeded"


def test_cancel_while_settling_ends_before_anything_happens():
    run = finetune(FakeService(), events=when_stage(names.STAGE_SETTLE, names.EVENT_CANCEL))
    assert run.outcome == "Completed"
    assert run.output["status"] == "cancelled" and run.output["cancelled_at_stage"] == names.STAGE_SETTLE
    assert run.names() == [names.WRITE_REPORT]
    assert run.custom_status == {**run.custom_status, "stage": names.STAGE_SETTLE, "status": "cancelled"}


def test_cancel_during_training_cancels_the_job():
    run = finetune(FakeService(), events=when_stage(names.STAGE_MONITOR, names.EVENT_CANCEL))
    assert run.output["status"] == "cancelled" and run.output["cancelled_at_stage"] == names.STAGE_MONITOR
    assert run.payloads(names.CANCEL_JOB) == [{"job_id": "ftjob-1"}]
    assert names.START_DEPLOYMENT not in run.names()
    assert run.custom_status["job"]["status"] == "cancelled"   # the job's final state, not "pending"
    assert run.custom_status["job"]["id"] == "ftjob-1"


def test_cancel_sent_while_an_activity_runs_is_not_lost():
    # The event lands while validation runs, after the settle wait already used the cancel waiter.
    run = finetune(FakeService(), events=when_stage(names.STAGE_VALIDATE, names.EVENT_CANCEL))
    assert run.output["status"] == "cancelled" and run.output["cancelled_at_stage"] == names.STAGE_VALIDATE
    assert names.UPLOAD_FILE not in run.names()


def test_cancel_while_waiting_for_files_cleans_up_when_asked():
    run = finetune(FakeService(settings={"cleanup": True}, file_statuses=["pending"]),
                   events=when_stage(names.STAGE_FILES_READY, names.EVENT_CANCEL))
    assert run.output["status"] == "cancelled"
    assert names.SUBMIT_JOB not in run.names() and names.CANCEL_JOB not in run.names()
    assert run.payloads(names.DELETE_FILES) == [{"file_ids": ["file-training", "file-validation"]}]


def test_cancel_while_waiting_for_approval_wins_over_the_deadline():
    run = finetune(FakeService(settings=APPROVAL), events=when_stage(names.STAGE_APPROVE, names.EVENT_CANCEL))
    assert run.output["status"] == "cancelled" and run.output["cancelled_at_stage"] == names.STAGE_APPROVE
    assert names.CANCEL_JOB not in run.names()   # the job had already succeeded


def test_a_superseded_training_file_ends_the_run_quietly():
    run = finetune(FakeService(superseded=True))
    assert run.outcome == "Completed" and run.output["status"] == "superseded"
    assert run.names() == [names.READ_RUN_FOLDER]


def test_cancel_interrupts_an_activity_that_keeps_failing():
    run = finetune(FakeService(transient={names.UPLOAD_FILE: 99}),
                   events=when_stage(names.STAGE_UPLOAD, names.EVENT_CANCEL))
    assert run.outcome == "Completed"
    assert run.output["status"] == "cancelled" and run.output["cancelled_at_stage"] == names.STAGE_UPLOAD
    assert run.names().count(names.UPLOAD_FILE) == 2   # the first attempts only: no retries awaited
