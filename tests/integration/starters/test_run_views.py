"""What the runs page reads, on the local host against Azurite: reports, metrics, the list's filter,
the summary's stages and actions, and the page itself (anonymous shell, keyed data)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from shared import names, run_ids
from shared.storage_ops import normalize_etag
from tests.integration.host.helpers import call
from tests.integration.starters.test_http_api import TRAIN, api

pytestmark = pytest.mark.integration


@pytest.fixture
def parked_run(starter_stack) -> tuple[str, str]:
    """A blob run waiting on its hour-long settle timer: (run, instance id)."""
    run = f"views{uuid.uuid4().hex[:6]}"
    blob = starter_stack.datasets.get_blob_client(f"{run}/train.jsonl")
    etag = normalize_etag(blob.upload_blob(TRAIN, overwrite=True)["etag"])
    instance_id = run_ids.instance_id(run, f"{run}/train.jsonl", str(etag))
    deadline = time.monotonic() + 30
    while api(starter_stack, "GET", f"finetune/{instance_id}").status != 200:
        assert time.monotonic() < deadline, "the blob trigger started no run"
        time.sleep(0.2)
    return run, instance_id


def put_report(stack: Any, run: str, instance_id: str, name: str, body: bytes) -> None:
    container = stack.service.get_container_client(stack.env["REPORTS_CONTAINER"])
    container.upload_blob(names.report_path(run, instance_id, name), body, overwrite=True)


def test_reports_are_listed_and_served_by_name_only(starter_stack, parked_run):
    run, instance_id = parked_run
    put_report(starter_stack, run, instance_id, names.REPORT_EVAL_CSV, b"index,line\n0,1\n")
    put_report(starter_stack, run, instance_id, names.REPORT_EVAL, b'{"passed": true}')
    put_report(starter_stack, run, instance_id, "notes.txt", b"not a report")
    put_report(starter_stack, run, instance_id, f"{names.PARTIALS_FOLDER}/training-000.bin", b"partial")
    other = run_ids.instance_id("other", "other/train.jsonl", "0x2")
    put_report(starter_stack, run, other, names.REPORT_LOSS, b"<svg/>")    # another run's folder

    listed = api(starter_stack, "GET", f"finetune/{instance_id}/reports").json()["reports"]
    found = [r["name"] for r in listed]
    assert found == [names.REPORT_EVAL, names.REPORT_EVAL_CSV]      # the fixed order, known names only
    [eval_csv] = [r for r in listed if r["name"] == names.REPORT_EVAL_CSV]
    assert eval_csv["content_type"].startswith("text/csv") and eval_csv["size"] == 15

    summary = api(starter_stack, "GET", f"finetune/{instance_id}/reports/eval.json")
    assert summary.status == 200 and summary.json() == {"passed": True}
    assert summary.headers["Content-Type"].startswith("application/json")
    assert "sandbox" in summary.headers["Content-Security-Policy"]
    assert summary.headers["X-Content-Type-Options"] == "nosniff"
    csv = api(starter_stack, "GET", f"finetune/{instance_id}/reports/eval.csv")
    assert csv.headers["Content-Type"].startswith("text/csv") and csv.text == "index,line\n0,1\n"

    refused = api(starter_stack, "GET", f"finetune/{instance_id}/reports/notes.txt")
    assert refused.status == 404 and refused.json()["error"]["code"] == "report_not_found"
    assert "summary.json" in refused.json()["error"]["message"]          # says which names exist
    for name in ("..%2Fsecret.json", "partials%2Ftraining-000.bin", "%2e%2e"):   # no route, or refused
        assert api(starter_stack, "GET", f"finetune/{instance_id}/reports/{name}").status in (400, 404), name
    assert api(starter_stack, "GET", f"finetune/{instance_id}/reports/../../{instance_id}").status == 404
    missing = api(starter_stack, "GET", f"finetune/{instance_id}/reports/loss.svg")
    assert missing.status == 404 and "has no loss.svg" in missing.json()["error"]["message"]
    assert api(starter_stack, "GET", f"finetune/{other}/reports").status == 404      # no such run
    assert api(starter_stack, "GET", "finetune/not-an-id/reports").status == 400


def test_metrics_of_a_run_without_a_job_are_empty_and_bad_steps_refused(starter_stack, parked_run):
    _, instance_id = parked_run
    answer = api(starter_stack, "GET", f"finetune/{instance_id}/metrics")
    assert answer.status == 200
    assert answer.json() == {"id": instance_id, "job_id": None, "status": None, "source": None,
                             "complete": True, "points": []}
    for bad in ("-1", "x"):
        refused = api(starter_stack, "GET", f"finetune/{instance_id}/metrics?after_step={bad}")
        assert refused.status == 400 and refused.json()["error"]["field"] == "after_step"
    unknown = run_ids.instance_id("nobody", "nobody.jsonl", "0x1")
    assert api(starter_stack, "GET", f"finetune/{unknown}/metrics").status == 404


def test_summary_has_stages_and_the_actions_valid_now_and_the_list_filters(starter_stack, parked_run):
    _, instance_id = parked_run
    summary = api(starter_stack, "GET", f"finetune/{instance_id}").json()
    assert summary["actions"] == ["cancel"]                  # active, not waiting for an approval
    assert summary["model"] is None                          # known once validation starts
    if summary["stage"] == names.STAGE_SETTLE:               # (Pending before its first episode)
        [settle] = summary["stages"]
        assert settle["stage"] == names.STAGE_SETTLE and settle["started"] and settle["ended"] is None
    running = api(starter_stack, "GET", "finetune?top=100&status=running").json()["runs"]
    assert instance_id in [r["id"] for r in running] and {r["status"] for r in running} == {"running"}
    failed = api(starter_stack, "GET", "finetune?top=100&status=failed,rejected").json()["runs"]
    assert instance_id not in [r["id"] for r in failed]
    assert {"model", "fine_tuned_model", "newest_event"} <= set(running[0])
    assert api(starter_stack, "POST", f"finetune/{instance_id}/cancel").status == 202
    ended = api(starter_stack, "GET", f"finetune/{instance_id}").json()
    assert ended["actions"] in ([], ["cancel"])              # [] once the cancel has landed


def test_the_page_and_its_assets(starter_stack):
    page = call("GET", f"{starter_stack.base_url}/api/ui")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'src="/api/ui/app.js"' in page.text and "{{base}}" not in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.text and " style=" not in page.text     # no inline code
    types = {"app.js": "text/javascript", "run.js": "text/javascript", "app.css": "text/css",
             "favicon.svg": "image/svg+xml"}
    for name, content_type in types.items():
        asset = call("GET", f"{starter_stack.base_url}/api/ui/{name}")
        assert asset.status == 200 and asset.headers["Content-Type"].split(";")[0] == content_type, name
    assert call("GET", f"{starter_stack.base_url}/api/ui/../host.json").status == 404
    assert call("GET", f"{starter_stack.base_url}/api/ui/nothing.js").status == 404
