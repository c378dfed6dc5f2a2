"""Deployment, chat and report activities against the emulator (ARM over HTTPS with Entra ID tokens)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from activities import deployment, report
from shared import arm_ops, clients, errors, names
from tests.fixtures.emulator import EmulatorHandle
from tests.integration.activities.helpers import BASE_MODEL, AppEnv, call, chat_jsonl, wait_for
from tests.integration.emulator.helpers import create_job

pytestmark = pytest.mark.integration

SMOKE = [{"role": "system", "content": "You are a helpful assistant."},
         {"role": "user", "content": "Does Azure OpenAI support customer managed keys?"},
         {"role": "assistant", "content": "Yes, customer managed keys are supported by Azure OpenAI."},
         {"role": "user", "content": "Do other Azure AI services support this too?"}]


def finished_job(emulator: EmulatorHandle) -> dict:
    """A succeeded job made with the emulator's own client (the jobs activities are tested elsewhere)."""
    client = emulator.openai_client()
    file = client.files.create(file=("train.jsonl", chat_jsonl()), purpose="fine-tune")
    wait_for(lambda: client.files.retrieve(file.id).status == "processed", "file processed")
    job = create_job(client, model=BASE_MODEL, training_file=file.id)
    done = wait_for(lambda: (j := client.fine_tuning.jobs.retrieve(job.id)).status == "succeeded" and j,
                    "job succeeded")
    return done.model_dump()


def deployment_state(name: str, operation_url: str | None = None) -> dict:
    payload = {"name": name, "operation_url": operation_url}
    return wait_for(lambda: (state := call(deployment.get_deployment, payload))["provisioning_state"]
                    in ("Succeeded", "Failed") and state, f"deployment {name}")


def start(name: str, model: str) -> dict:
    return call(deployment.start_deployment, {"name": name, "model": model, "sku": "Standard", "capacity": 1,
                                              "instance_id": "ft-nimbus-0123456789abcdef"})


def test_deploy_then_the_smoke_test_answers(app_env: AppEnv) -> None:
    model = finished_job(app_env.emulator)["fine_tuned_model"]
    started = start("nimbus-ft", model)
    assert started["error"] is None and started["reused"] is False
    assert started["provisioning_state"] in ("Accepted", "Creating", "Succeeded")
    assert deployment_state("nimbus-ft")["provisioning_state"] == "Succeeded"
    again = start("nimbus-ft", model)
    assert again["reused"] is True and again["provisioning_state"] == "Succeeded"
    reply = call(deployment.chat_completion, {"deployment": "nimbus-ft", "messages": SMOKE, "max_tokens": 50})
    assert reply["ok"] is True and reply["reply"] and reply["error"] is None


def test_a_deployment_name_serving_another_model_is_never_replaced(app_env: AppEnv) -> None:
    model = finished_job(app_env.emulator)["fine_tuned_model"]
    start("shared-name", model)
    deployment_state("shared-name")
    other = start("shared-name", BASE_MODEL + ".ft-someoneelse")
    assert other["error"]["code"] == errors.DEPLOYMENT_FAILED and model in other["error"]["message"]


def test_a_failed_deployment_reports_arms_reason(app_env: AppEnv) -> None:
    model = finished_job(app_env.emulator)["fine_tuned_model"]
    app_env.emulator.fail_deployment(name="doomed", code="InsufficientQuota",
                                     message="No Standard capacity left in this region.")
    started = start("doomed", model)
    state = deployment_state("doomed", started["operation_url"])
    assert state["provisioning_state"] == "Failed" and state["error"]["code"] == errors.DEPLOYMENT_FAILED
    assert "No Standard capacity left in this region." in state["error"]["message"]


def test_a_model_arm_refuses_is_returned_and_a_missing_deployment_is_not_found(app_env: AppEnv) -> None:
    refused = start("nimbus-ft", BASE_MODEL + ".ft-doesnotexist")
    assert refused["error"]["code"] == errors.DEPLOYMENT_FAILED
    assert "DeploymentModelNotSupported" in refused["error"]["message"]
    assert call(deployment.get_deployment, {"name": "nowhere"})["provisioning_state"] == "NotFound"


def test_chat_against_a_missing_deployment_is_a_returned_error(app_env: AppEnv) -> None:
    result = call(deployment.chat_completion, {"deployment": "nowhere", "messages": SMOKE})
    assert result["ok"] is False and result["error"]["code"] == errors.SMOKE_TEST_FAILED
    assert result["status"] == 404


def test_the_report_writes_summary_results_and_loss_curve(app_env: AppEnv) -> None:
    job = finished_job(app_env.emulator)
    folder = "nimbus/ft-nimbus-0123456789abcdef"
    stages = [{"stage": names.STAGE_VALIDATE, "started": "2026-01-01T00:00:00Z",
               "ended": "2026-01-01T00:00:05Z", "outcome": "succeeded"},
              {"stage": names.STAGE_REPORT, "started": "2026-01-01T00:09:00Z"}]  # open while it writes
    estimate = {"role": "training", "ok": True, "billable_tokens": 700, "n_epochs": 2,
                "epochs_source": "settings", "estimated_trained_tokens": 1400}
    result = call(report.write_report, {
        "run": "nimbus", "instance_id": "ft-nimbus-0123456789abcdef", "report_folder": folder,
        "outcome": "succeeded", "stages": stages, "job_id": job["id"], "file_ids": [job["training_file"]],
        "deployment": "nimbus-ft", "smoke_test": {"ok": True, "reply": "Yes."}, "validation": [estimate],
        "approval": {"decision": "approved", "note": "ship it"}})
    assert result == {"summary_path": f"{folder}/summary.json", "results_path": f"{folder}/results.csv",
                      "loss_path": f"{folder}/loss.svg", "error": None}
    summary = json.loads(app_env.report(f"{folder}/summary.json"))
    assert summary["stages"][0]["stage"] == names.STAGE_VALIDATE
    written = summary["stages"][1]
    assert written["stage"] == names.STAGE_REPORT and written["outcome"] == "succeeded"
    assert written["ended"] and written["ended"] >= written["started"]   # the report stage has its end
    assert summary["approval"] == {"decision": "approved", "note": "ship it"}
    tokens = summary["job"]["tokens"]   # the estimate next to what the emulator's job reports
    assert tokens["estimated"] == 1400 and tokens["trained"] == job["trained_tokens"]
    assert tokens["difference"] == job["trained_tokens"] - 1400 and tokens["explanation"]
    assert summary["created"]["fine_tuned_model"] == job["fine_tuned_model"]
    assert summary["created"]["files"] == [job["training_file"]] and summary["job"]["events"]
    assert summary["job"]["final_metrics"]["train_loss"] > 0
    results = app_env.report(f"{folder}/results.csv").decode()
    assert results.startswith("step,train_loss")
    svg = ET.fromstring(app_env.report(f"{folder}/loss.svg"))
    assert svg.findall("{http://www.w3.org/2000/svg}polyline")
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert f"model {job['model']} · job {job['id']}" in texts
    assert app_env.emulator.info["client_secret"] not in json.dumps(summary)


def test_a_report_without_a_job_still_writes_the_summary(app_env: AppEnv) -> None:
    result = call(report.write_report, {"run": "bad", "instance_id": "ft-bad-0123456789abcdef",
                                        "report_folder": "bad/ft-bad-0123456789abcdef", "outcome": "failed",
                                        "error": {"code": "invalid_dataset", "stage": "validate",
                                                  "message": "Fix line 3."}})
    assert result["results_path"] is None and result["loss_path"] is None
    summary = json.loads(app_env.report(result["summary_path"]))
    assert summary["outcome"] == "failed" and summary["error"]["message"] == "Fix line 3."


def test_throttled_arm_and_chat_calls_are_retried_honouring_retry_after(app_env: AppEnv) -> None:
    model = finished_job(app_env.emulator)["fine_tuned_model"]
    app_env.emulator.add_fault(route="deployments.put", status=429, retry_after=0.2, count=1)
    assert start("busy", model)["error"] is None
    assert deployment_state("busy")["provisioning_state"] == "Succeeded"
    app_env.emulator.add_fault(route="chat.completions", status=429, retry_after=0.2, count=2)
    reply = call(deployment.chat_completion, {"deployment": "busy", "messages": SMOKE})
    assert reply["ok"] is True
    assert app_env.emulator.state()["faults"]["routes"] == []


def test_delete_deployment_removes_a_half_made_one_and_tolerates_a_missing_one(app_env: AppEnv) -> None:
    model = finished_job(app_env.emulator)["fine_tuned_model"]
    start("half-made", model)
    arm, settings = clients.arm_client(app_env.settings), app_env.settings
    group, account = settings.resource_group, settings.account_name
    assert arm_ops.delete_deployment(arm, group, account, "half-made") == {
        "name": "half-made", "deleted": True, "error": None}
    wait_for(lambda: arm_ops.get_deployment(arm, group, account, "half-made")["provisioning_state"]
             == arm_ops.NOT_FOUND, "deployment deleted")
    assert arm_ops.delete_deployment(arm, group, account, "never-made")["deleted"] is True
