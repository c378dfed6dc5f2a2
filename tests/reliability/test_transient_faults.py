"""Transient faults: bursts of 429 (with Retry-After), 500 and 503 on every route a run uses.

Each Azure OpenAI and ARM route the pipeline calls gets a burst of failures injected
through the emulator's control API; two bursts outlast the SDK's own retries, so the
orchestrator's retry policy has to run the activity again (upload and submit, the two
calls that create something). The run must complete, every fault must have been met,
and the emulator must hold exactly one file per role, one job and one deployment.
"""

from __future__ import annotations

import pytest

from local.stack_client import StackClient
from tests.e2e.steps import SAMPLE, assert_deployed_and_answered, drop, finished, started_run, unique_run
from tests.reliability.steps import add_fault, assert_exactly_one_of_each, pending_faults

pytestmark = pytest.mark.reliability

# Every route of docs/emulator.md that a run calls (seen in the emulator's request log).
PIPELINE_ROUTES = (
    "files.list", "files.create", "files.retrieve", "files.content",
    "jobs.list", "jobs.create", "jobs.retrieve", "jobs.events",
    "chat.completions", "deployments.get", "deployments.put",
)
BURST = ({"status": 429, "retry_after": 1}, {"status": 500}, {"status": 503})
# One more failure than the openai client's 1 + 3 attempts: the activity itself fails and
# the orchestrator's RetryOptions run it again.
OUTLAST_SDK = {"files.create": 1, "jobs.create": 1}


def test_bursts_of_429_500_503_on_every_route_still_complete_with_one_of_each(
        rel_client: StackClient) -> None:
    for route in PIPELINE_ROUTES:
        for spec in BURST:
            add_fault(rel_client, route=route, count=1, **spec)
        for _ in range(OUTLAST_SDK.get(route, 0)):
            add_fault(rel_client, route=route, status=503, count=1)
    run = unique_run("transient")
    etags = drop(rel_client, run, {"training.jsonl": SAMPLE / "training.jsonl",
                                   "validation.jsonl": SAMPLE / "validation.jsonl"})
    instance_id = started_run(rel_client, run, "training.jsonl", etags["training.jsonl"])
    status = finished(rel_client, instance_id, timeout=240)
    assert_deployed_and_answered(rel_client, status)
    left = pending_faults(rel_client)
    assert left == [], f"faults never met (a route the run no longer uses?): {left}"
    assert_exactly_one_of_each(rel_client, status, run)
