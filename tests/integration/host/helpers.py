"""HTTP helpers for the host's integration tests (stdlib only)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.fixtures.host import HostProcess, start_local_host

WEBHOOKS = "/runtime/webhooks/durabletask"
DONE = ("Completed", "Failed", "Terminated", "Canceled")
DURABLE_APP = Path(__file__).parent / "apps" / "durable"


class Reply:
    def __init__(self, status: int, headers: dict[str, str], text: str) -> None:
        self.status, self.headers, self.text = status, headers, text

    def json(self) -> Any:
        return json.loads(self.text)


def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
         raw: bytes | None = None) -> Reply:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers), exc.read().decode())


def start(base_url: str, orchestrator: str, payload: Any = None, instance_id: str | None = None) -> str:
    url = f"{base_url}/api/start/{orchestrator}" + (f"?id={instance_id}" if instance_id else "")
    reply = call("POST", url, payload)
    assert reply.status == 202, reply.text
    return reply.json()["id"]


def status(base_url: str, instance_id: str, query: str = "", key: str | None = None) -> Reply:
    code = f"&code={key}" if key else ""
    return call("GET", f"{base_url}{WEBHOOKS}/instances/{instance_id}?{query}{code}")


def wait_for(base_url: str, instance_id: str, statuses: tuple[str, ...] = DONE, timeout: float = 30,
             key: str | None = None) -> dict[str, Any]:
    """Poll the public status API until the instance reaches one of ``statuses``."""
    deadline = time.monotonic() + timeout
    while True:
        reply = status(base_url, instance_id, "showHistory=true&showHistoryOutput=true", key)
        if reply.status in (200, 202) and reply.json()["runtimeStatus"] in statuses:
            return reply.json()
        if time.monotonic() > deadline:
            raise AssertionError(f"{instance_id} did not reach {statuses}: {reply.status} {reply.text[:500]}")
        time.sleep(0.05)


def client_op(base_url: str, operation: str, instance_id: str = "", body: Any = None,
              query: str = "") -> Reply:
    """Run one DurableOrchestrationClient call inside the app (the real client against the host)."""
    return call("POST", f"{base_url}/api/client/{operation}/{instance_id}?{query}", body)


def start_durable_app(folder: Path) -> HostProcess:
    """The durable test app on a host of its own; its activities log their runs to ``host.runs_file``."""
    host = start_local_host(DURABLE_APP, folder / "state", env={"RUNS_FILE": str(folder / "runs.jsonl")})
    host.runs_file = folder / "runs.jsonl"  # type: ignore[attr-defined]
    return host


def activity_runs(host: HostProcess, name: str) -> list[Any]:
    """What the durable test app's activities logged as ``[name, value]`` lines, for ``name``."""
    path: Path = host.runs_file  # type: ignore[attr-defined]
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(line)[1] for line in lines if json.loads(line)[0] == name]


def utc_now_text() -> str:
    """Now, as a query parameter takes it (no '+', which a query string turns into a space)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def recorded_runs(path: Path, function: str) -> list[dict[str, Any]]:
    """The ``{"function": ...}`` lines a test app appended to ``path`` for ``function``."""
    lines = path.read_text().splitlines() if path.exists() else []
    return [entry for entry in map(json.loads, lines) if entry["function"] == function]


def until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
