"""The runs page in a real browser: the key, the list, a run followed live, and its panels."""

from __future__ import annotations

import json
import os
import re

import pytest
from playwright.sync_api import expect

from local.stack_client import StackClient, http_request
from shared import names
from tests.e2e.browser.conftest import Shots
from tests.e2e.browser.pages import (
    APPROVAL,
    drop_run,
    emulator_timings,
    page_url,
    run_fragment,
    summary,
    wait_for_status,
    write_evaluation_reports,
)
from tests.e2e.steps import REPO, SAMPLE, drop, started_run, unique_run, wait_for

pytestmark = pytest.mark.browser
# `make screenshot` sets it: the run page of a finished run, for README.md.
SCREENSHOT_TO = os.environ.get("RUNS_PAGE_SCREENSHOT")


def unlabelled_controls(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button')]
        .filter((c) => c.offsetParent !== null)
        .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label'))
        .filter((c) => !c.textContent.trim())
        .map((c) => c.outerHTML)""")


def test_the_shell_carries_no_secret_and_a_strict_policy(client: StackClient) -> None:
    answer = http_request("GET", page_url(client))   # the key the user brought, in the address only
    assert answer.status == 200 and "<main" in answer.body
    assert client.function_key not in answer.body
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert http_request("GET", f"{client.base_url}/api/finetune").status == 401   # the data stays keyed
    assert http_request("GET", f"{client.base_url}/api/ui/../finetune").status in (401, 404)
    assert http_request("GET", f"{client.base_url}/api/ui/secrets.txt").status == 404


def test_a_bad_key_shows_a_clear_message_and_the_right_key_recovers(
    page, client: StackClient, shots: Shots
) -> None:
    page.goto(page_url(client, key="not-the-key"))
    shots.step("bad key")
    panel = page.locator("#key-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#key-title")).to_have_text("The function key was refused")
    expect(page.locator("#key-message")).to_contain_text("401")
    assert "code=" not in page.url   # taken out of the address bar at once
    assert unlabelled_controls(page) == []
    page.fill("#key-input", client.function_key)
    page.keyboard.press("Enter")
    expect(panel).to_be_hidden()
    expect(page.locator("main h1")).to_have_text("Runs")
    shots.step("right key")
    page.goto(f"{client.base_url}/api/ui")   # a new tab of its own: no key at all
    page.evaluate("sessionStorage.clear()")
    page.reload()
    expect(page.locator("#key-title")).to_have_text("A function key is needed")
    assert page.problems == []


def test_the_list_shows_a_dropped_run_and_its_page_follows_it_live(
    page, client: StackClient, shots: Shots
) -> None:
    # a job that trains for 14 s in 14 steps, so there is something to watch (restored after)
    timings = emulator_timings(client, job_duration_seconds=14, job_steps=14)
    with timings:
        watch_a_run(page, client, shots)


def watch_a_run(page, client: StackClient, shots: Shots) -> None:
    run, instance_id = drop_run(client, "watch")
    page.goto(page_url(client))
    row = page.locator(f'[data-run-id="{instance_id}"]')
    expect(row).to_be_visible(timeout=20_000)   # the list polls: the new run appears on its own
    assert page.locator("tr", has=row).locator("td").nth(1).inner_text() == run
    shots.step("list")
    page.select_option("#status-filter", "failed")
    expect(row).to_be_hidden()
    page.select_option("#status-filter", "")
    row.click()
    expect(page.locator("main h1")).to_contain_text(run)
    stages, points = [], []
    chart = page.locator("#loss-chart")

    def watch() -> bool:
        stage = page.locator("#run-stage").inner_text()
        if not stages or stages[-1] != stage:
            stages.append(stage)
        if chart.count():
            count = int(chart.get_attribute("data-points"))
            if not points or points[-1] != count:
                points.append(count)
                shots.step(f"{count} points")
        return page.locator("#run-status").inner_text().strip().endswith("succeeded")

    wait_for(watch, 90, "the run to succeed on its page", interval=0.25)
    shots.step("succeeded")
    order = [s for s in names.STAGES if s in stages]
    assert stages == order and {"monitor", "done"} <= set(stages), stages   # seen advancing, in order
    assert len(points) >= 3 and points == sorted(points) and points[-1] == 14, points   # grew as it trained
    expect(page.locator('[data-stage="deploy"]')).to_contain_text("succeeded")
    expect(page.locator("#deployment-name")).to_have_text(summary(client, instance_id)["deployment"])
    for name in (names.REPORT_SUMMARY, names.REPORT_RESULTS, names.REPORT_LOSS, names.REPORT_VALIDATION):
        expect(page.locator(f'[data-report="{name}"]')).to_be_visible()
    with page.expect_download() as download:
        page.locator(f'[data-report="{names.REPORT_SUMMARY}"]').click()
    assert download.value.suggested_filename == names.REPORT_SUMMARY
    if SCREENSHOT_TO:
        page.screenshot(path=str(REPO / SCREENSHOT_TO), full_page=True)
    page.set_viewport_size({"width": 640, "height": 450})   # 1280 px at 200 % zoom
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shots.step("200 percent")
    assert page.problems == []


def test_approving_from_the_page_deploys_the_model(page, client: StackClient, shots: Shots) -> None:
    _, instance_id = drop_run(client, "approve", APPROVAL, validation=False)
    page.goto(page_url(client, fragment=run_fragment(instance_id)))
    approve = page.locator('button[data-action="approve"]')
    expect(approve).to_be_visible(timeout=60_000)
    expect(page.locator('button[data-action="reject"]')).to_be_visible()
    assert summary(client, instance_id)["status"] == "waiting_for_approval"
    approve.focus()                      # keyboard only: Enter opens, type, Tab to the button, Enter
    page.keyboard.press("Enter")
    expect(page.locator("#confirm")).to_be_visible()
    shots.step("confirm")
    page.keyboard.type("ship it")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#confirm")).to_be_hidden()
    final = wait_for_status(client, instance_id, "succeeded")
    assert final["approval"] == {"decision": "approved", "note": "ship it"}
    deployments = {d["name"] for d in client.emulator_call("GET", "/_emulator/state").body["deployments"]}
    assert final["deployment"] in deployments
    expect(page.locator("#run-status")).to_contain_text("succeeded", timeout=30_000)
    expect(approve).to_be_hidden()      # no action once the run ended
    shots.step("deployed")


def test_rejecting_from_the_page_records_the_reason(page, client: StackClient, shots: Shots) -> None:
    _, instance_id = drop_run(client, "reject", APPROVAL, validation=False)
    page.goto(page_url(client, fragment=run_fragment(instance_id)))
    reject = page.locator('button[data-action="reject"]')
    expect(reject).to_be_visible(timeout=60_000)
    reject.click()
    page.locator("#confirm-yes").click()          # a reason is required: the dialog stays
    expect(page.locator("#confirm")).to_be_visible()
    page.fill("#confirm-note", "loss too high")
    shots.step("reason")
    page.locator("#confirm-yes").click()
    final = wait_for_status(client, instance_id, "rejected")
    assert final["approval"] == {"decision": "rejected", "note": "loss too high"}
    assert final["output"]["deployment"] is None
    expect(page.locator("main")).to_contain_text("rejected: “loss too high”", timeout=30_000)
    shots.step("rejected")


def test_a_refused_action_shows_the_apis_words(page, client: StackClient, shots: Shots) -> None:
    _, instance_id = drop_run(client, "refused", APPROVAL, validation=False)
    page.goto(page_url(client, fragment=run_fragment(instance_id)))
    reject = page.locator('button[data-action="reject"]')
    expect(reject).to_be_visible(timeout=60_000)
    reject.click()
    page.fill("#confirm-note", "too late")
    answer = client.call("POST", f"/api/finetune/{instance_id}/approve")   # another reviewer, first
    assert answer.status == 202, answer.body
    wait_for(lambda: summary(client, instance_id)["status"] != "waiting_for_approval", 30, "the approval")
    page.locator("#confirm-yes").click()
    alert = page.locator('[role="alert"]', has_text="Refused")
    expect(alert).to_be_visible()
    # the API's own sentence: not waiting any more (409), or already ended (409 run_finished)
    expect(alert).to_contain_text(re.compile(r"is not waiting for an approval|has (already|just) ended"))
    shots.step("refused")
    wait_for_status(client, instance_id, "succeeded")


def test_cancelling_during_training_cancels_the_job(page, client: StackClient, shots: Shots) -> None:
    with emulator_timings(client, job_duration_seconds=60):
        _, instance_id = drop_run(client, "cancel", validation=False)
        cancel_while_training(page, client, shots, instance_id)


def cancel_while_training(page, client: StackClient, shots: Shots, instance_id: str) -> None:
    page.goto(page_url(client, fragment=run_fragment(instance_id)))
    expect(page.locator("#job-title + dl")).to_contain_text("running", timeout=60_000)
    page.locator('button[data-action="cancel"]').click()
    shots.step("confirm cancel")
    page.locator("#confirm-yes").click()
    final = wait_for_status(client, instance_id, "cancelled", timeout=30)
    job_id = final["job"]["id"]
    job = client.emulator_call("GET", f"/openai/fine_tuning/jobs/{job_id}?api-version=2025-04-01-preview")
    job = job.body
    assert job["status"] == "cancelled"        # at the emulator, well before its 60 s of training
    expect(page.locator("#run-status")).to_contain_text("cancelled", timeout=30_000)
    expect(page.locator('button[data-action="cancel"]')).to_be_hidden()
    shots.step("cancelled")


def test_evaluation_and_deployment_panels(page, client: StackClient, shots: Shots) -> None:
    run, instance_id = drop_run(client, "gate", validation=True)
    final = wait_for_status(client, instance_id, "succeeded")
    evaluation = write_evaluation_reports(client, run, instance_id, final["deployment"])
    page.goto(page_url(client, fragment=run_fragment(instance_id)))
    panel = page.locator('section[aria-labelledby="evaluation-title"]')
    expect(panel).to_contain_text("passed the quality gate")
    expect(panel).to_contain_text(f"{evaluation['candidate']['score']:.3f}"[:4])
    expect(panel.locator("table").first).to_contain_text("similarity (primary)")
    expect(panel.locator("img.report")).to_be_visible()
    assert panel.locator("table").nth(1).locator("tbody tr").count() == 5   # example rows of eval.csv
    expect(panel.locator("table").nth(1)).to_contain_text("No comment.")
    deployment = page.locator('section[aria-labelledby="deployment-title"]')
    expect(deployment).to_contain_text(final["deployment"])
    # GET /api/deployments is issue 12 (built in parallel): until it is served, the panel says so
    if client.call("GET", "/api/deployments").status == 404:
        expect(deployment).to_contain_text("Lineage and cost are not available")
    shots.step("panels")
    assert page.problems == []
    # The shape issue 12 documents for GET /api/deployments, given to the page by the browser (the
    # route is built in parallel); the roll-back goes to the real app, whose refusal is shown.
    row = {"name": final["deployment"], "lineage": final["deployment"],
           "model": final["output"]["fine_tuned_model"], "kind": "stable",
           "created": "2026-12-01T10:00:00Z", "last_promotion": "2026-12-01T10:05:00Z",
           "hourly_cost_usd": 1.7, "cost_so_far_usd": 3.4}
    page.route("**/api/deployments", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({"deployments": [row]})))
    page.reload()
    expect(deployment).to_contain_text("$1.70 per hour")
    expect(deployment).to_contain_text("stable")
    deployment.locator('button[data-action="rollback"]').click()
    expect(page.locator("#confirm-title")).to_have_text(f"Roll back {final['deployment']}?")
    page.locator("#confirm-yes").click()
    expect(page.locator('[role="alert"]', has_text="Refused")).to_be_visible()
    shots.step("rollback refused")



def test_a_failed_run_shows_its_code_what_to_do_and_the_first_bad_lines(
    page, client: StackClient, shots: Shots
) -> None:
    lines = (SAMPLE / "training.jsonl").read_bytes().splitlines(keepends=True)
    lines[3] = b'{"messages": [ this is not json\n'          # line 4
    run = unique_run("invalid")
    etags = drop(client, run, {"training.jsonl": b"".join(lines)})
    instance_id = started_run(client, run, "training.jsonl", etags["training.jsonl"])
    wait_for_status(client, instance_id, "failed", timeout=60)
    page.goto(page_url(client, fragment=run_fragment(instance_id)))
    error = page.locator('section[aria-labelledby="error-title"]')
    expect(error).to_contain_text("invalid_dataset")
    expect(error).to_contain_text("Fix the file and upload it again")       # what to do
    validation = page.locator('section[aria-labelledby="validation-title"]')
    expect(validation).to_contain_text("Line 4:")
    expect(validation).to_contain_text("invalid_json")
    expect(page.locator('[data-stage="validate"]')).to_contain_text("failed")
    assert page.locator("[data-action]").count() == 0                       # nothing to do on an ended run
    shots.step("failed run")
    page.goto(page_url(client, fragment="#/?status=failed"))   # the list, filtered by the address
    expect(page.locator(f'[data-run-id="{instance_id}"]')).to_be_visible()
    assert page.locator("#status-filter").input_value() == "failed"
    page.goto(page_url(client, fragment="#/deployments"))
    if client.call("GET", "/api/deployments").status == 404:                # issue 12, built in parallel
        expect(page.locator("main")).to_contain_text("The deployments list is not available")
    shots.step("deployments view")
    assert page.problems == []
