"""Function keys on the local host, and durability: kill -9 mid-orchestration, restart, finish."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.integration.host.helpers import WEBHOOKS, call, status, wait_for

pytestmark = pytest.mark.integration
APP = Path(__file__).parent / "apps" / "durable"
KEY = "test-key-123"


def test_keys_guard_function_level_http_and_the_webhook_api(local_host_factory, tmp_path: Path) -> None:
    env = {"RUNS_FILE": str(tmp_path / "runs.jsonl")}
    host = local_host_factory(APP, env=env, args=("--function-key", KEY))
    assert call("GET", f"{host.base_url}/api/ping").status == 200  # anonymous
    assert call("GET", f"{host.base_url}/api/items/1").status == 401
    assert call("GET", f"{host.base_url}/api/items/1?code=wrong").status == 401
    assert call("GET", f"{host.base_url}/api/items/1?code={KEY}").text == "item 1"
    assert call("GET", f"{host.base_url}/api/items/1", headers={"x-functions-key": KEY}).status == 200
    assert call("POST", f"{host.base_url}/api/start/sequence", ["K"]).status == 401
    reply = call("POST", f"{host.base_url}/api/start/sequence?code={KEY}", ["K"])
    assert reply.status == 202  # the starter's client reached the host over RPC without a key
    status_url = reply.json()["statusQueryGetUri"]
    assert f"code={KEY}" in status_url and f"code={KEY}" in reply.headers["Location"]
    instance_id = reply.json()["id"]
    assert status(host.base_url, instance_id).status == 401
    assert wait_for(host.base_url, instance_id, key=KEY)["output"] == ["Hello K!"]
    assert call("GET", status_url).status == 200
    assert KEY not in host.log_text()


def _completed_steps(base_url: str, instance_id: str) -> set[int]:
    body = status(base_url, instance_id, "showHistory=true&showHistoryOutput=true").json()
    events = body.get("historyEvents", [])
    return {e["Result"] for e in events if e["EventType"] == "TaskCompleted"}  # parsed, as the extension does


def test_kill_9_mid_orchestration_then_restart_completes_without_rerunning_done_work(
        local_host_factory, tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    host = local_host_factory(APP, env={"RUNS_FILE": str(runs)})
    reply = call("POST", f"{host.base_url}{WEBHOOKS}/orchestrators/slow_steps/crash-1", json.dumps(6))
    assert reply.status == 202
    deadline = time.monotonic() + 20
    while len(_completed_steps(host.base_url, "crash-1")) < 2:
        assert time.monotonic() < deadline, "the orchestration made no progress"
        time.sleep(0.05)
    done_before = _completed_steps(host.base_url, "crash-1")
    host.kill()
    host.start()  # same state folder, new process
    body = wait_for(host.base_url, "crash-1", timeout=30)
    assert body["runtimeStatus"] == "Completed" and body["output"] == list(range(6))
    counts: dict[int, int] = {}
    for line in runs.read_text().splitlines():
        name, step = json.loads(line)
        if name == "slow":
            counts[step] = counts.get(step, 0) + 1
    assert set(counts) == set(range(6))
    assert all(counts[step] == 1 for step in done_before), counts  # recorded results are never redone
