"""The HTTP API on the local host against Azurite: start, read, list, act, and clear 4xx errors."""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared import names, run_ids
from shared.storage_ops import normalize_etag
from tests.integration.host.helpers import call

pytestmark = pytest.mark.integration

TRAIN = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n'


def api(stack: Any, method: str, path: str, body: Any = None):
    return call(method, f"{stack.base_url}/api/{path}", body)


def wait_until_ended(stack: Any, instance_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        summary = api(stack, "GET", f"finetune/{instance_id}").json()
        if not summary["active"]:
            return summary
        assert time.monotonic() < deadline, f"run {instance_id} did not end: {summary}"
        time.sleep(0.1)


def test_a_run_started_over_http_can_be_read_listed_and_cancelled(starter_stack):
    container = starter_stack.env["DATASETS_CONTAINER"]
    blob = starter_stack.datasets.get_blob_client("web/train.jsonl")
    etag = normalize_etag(blob.upload_blob(TRAIN, overwrite=True)["etag"])
    body = {"training_file": f"{container}/web/train.jsonl",
            "settings": {"hyperparameters": {"n_epochs": 1}}}

    started = api(starter_stack, "POST", "finetune", body)
    assert started.status == 202, started.text
    instance_id = started.json()["id"]
    assert instance_id == run_ids.instance_id("web", "web/train.jsonl", str(etag))
    assert started.json()["statusQueryGetUri"] and started.headers["Location"]
    again = api(starter_stack, "POST", "finetune", body)      # a retried POST: the same run
    assert again.status == 202 and again.json()["id"] == instance_id

    summary = api(starter_stack, "GET", f"finetune/{instance_id}").json()
    assert summary["id"] == instance_id and summary["run"] == "web" and summary["active"] is True
    # an HTTP run reads its files at once (no settle wait); without the emulator it stops at the
    # upload, retrying. A run not yet picked up is Pending, with no stage yet.
    early = (None, names.STAGE_SETTLE, names.STAGE_VALIDATE, names.STAGE_BUDGET, names.STAGE_UPLOAD)
    assert summary["stage"] in early
    listed = api(starter_stack, "GET", "finetune?top=50").json()["runs"]
    assert instance_id in [row["id"] for row in listed]

    refused = api(starter_stack, "POST", f"finetune/{instance_id}/approve")
    assert refused.status == 409 and refused.json()["error"]["code"] == "not_waiting_for_approval"

    assert api(starter_stack, "POST", f"finetune/{instance_id}/cancel").status == 202
    ended = wait_until_ended(starter_stack, instance_id)
    assert ended["runtimeStatus"] == "Completed" and ended["status"] == "cancelled"
    assert ended["output"]["status"] == "cancelled" and ended["output"]["job_id"] is None

    finished = api(starter_stack, "POST", f"finetune/{instance_id}/cancel")
    assert finished.status == 409 and finished.json()["error"]["code"] == "run_finished"
    rerun = api(starter_stack, "POST", "finetune", body)
    assert rerun.status == 409 and rerun.json()["error"]["field"] == "training_file"


@pytest.mark.parametrize(("body", "field"), [
    ({"training_file": "reports/web/train.jsonl"}, "training_file"),
    ({"training_file": "{container}/../x/train.jsonl"}, "training_file"),
    ({"training_file": "{container}/web/train.jsonl", "settings": {"n_epochs": 3}}, "settings.n_epochs"),
    ({"training_file": "{container}/missing/train.jsonl"}, "training_file"),
    ({"training": "x"}, "training"),
])
def test_bad_requests_get_a_400_naming_the_field(starter_stack, body, field):
    container = starter_stack.env["DATASETS_CONTAINER"]
    body = {k: v.replace("{container}", container) if isinstance(v, str) else v for k, v in body.items()}
    reply = api(starter_stack, "POST", "finetune", body)
    assert reply.status == 400, reply.text
    error = reply.json()["error"]
    assert error["field"] == field and error["code"] and error["message"]


def test_unknown_runs_and_malformed_ids(starter_stack):
    unknown = run_ids.instance_id("nobody", "nobody.jsonl", "0x1")
    assert api(starter_stack, "GET", f"finetune/{unknown}").status == 404
    assert api(starter_stack, "POST", f"finetune/{unknown}/cancel").status == 404
    assert api(starter_stack, "GET", "finetune/not-an-id").status == 400
    assert api(starter_stack, "POST", f"finetune/{unknown}/destroy").status == 404
    assert api(starter_stack, "POST", "finetune", None).status == 400
    assert call("POST", f"{starter_stack.base_url}/api/finetune", raw=b"{not json").status == 400
    assert api(starter_stack, "GET", "finetune?top=0").status == 400


def test_a_terminated_run_reads_terminated_in_the_summary_and_the_list(starter_stack):
    """A Durable terminate (the built-in API) stops the run without its ending: the API says so."""
    container = starter_stack.env["DATASETS_CONTAINER"]
    starter_stack.datasets.get_blob_client("ended/train.jsonl").upload_blob(TRAIN, overwrite=True)
    started = api(starter_stack, "POST", "finetune", {"training_file": f"{container}/ended/train.jsonl"})
    assert started.status == 202, started.text
    instance_id = started.json()["id"]
    terminate = started.json()["terminatePostUri"].replace("{text}", "stopped+by+an+admin")
    assert call("POST", terminate).status == 202
    summary = wait_until_ended(starter_stack, instance_id)
    assert summary["runtimeStatus"] == "Terminated" and summary["status"] == "terminated"
    assert summary["error"]["code"] == "terminated" and "stopped by an admin" in summary["error"]["message"]
    rows = api(starter_stack, "GET", "finetune?top=100").json()["runs"]
    [row] = [r for r in rows if r["id"] == instance_id]
    assert row["status"] == "terminated"
    late = api(starter_stack, "POST", f"finetune/{instance_id}/reject", {"reason": "too late"})
    assert late.status == 409 and late.json()["error"]["code"] == "run_finished"


@pytest.mark.parametrize(("body", "field"), [({"why": "x"}, "why"), ({"reason": 42}, "reason"),
                                             (["loss too high"], None)])
def test_a_bad_note_on_an_action_is_a_400(starter_stack, body, field):
    container = starter_stack.env["DATASETS_CONTAINER"]
    starter_stack.datasets.get_blob_client("noted/train.jsonl").upload_blob(TRAIN, overwrite=True)
    started = api(starter_stack, "POST", "finetune", {"training_file": f"{container}/noted/train.jsonl"})
    instance_id = started.json()["id"]
    reply = api(starter_stack, "POST", f"finetune/{instance_id}/cancel", body)
    assert reply.status == 400 and reply.json()["error"]["field"] == field, reply.text
    assert api(starter_stack, "POST", f"finetune/{instance_id}/cancel", {"reason": "tidy up"}).status == 202
    ended = wait_until_ended(starter_stack, instance_id)
    assert ended["status"] == "cancelled" and ended["output"]["note"] == "tidy up"
