"""Orchestration versioning on the local host: defaultVersion, start_new(version=), sub-orchestrator
versions, and which instances a worker of another version runs (CurrentOrOlder/Strict/None, Reject/Fail).

Each test copies the app and rewrites its host.json between host restarts on one state folder, as a
deployment of a new app version does.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.fixtures.host import HostProcess
from tests.integration.host.helpers import WEBHOOKS, call, status, wait_for

pytestmark = pytest.mark.integration
APP = Path(__file__).parent / "apps" / "versioned"
MISMATCH = "VersionMismatch: Orchestration version did not comply with Worker Versioning"


def _app(tmp_path: Path, **durable: str) -> Path:
    app_dir = tmp_path / "app"
    if not app_dir.exists():
        shutil.copytree(APP, app_dir)
    _deploy(app_dir, **durable)
    return app_dir


def _deploy(app_dir: Path, **durable: str) -> None:
    host_json = {"version": "2.0", "extensions": {"durableTask": {"hubName": "Versioned", **durable}}}
    (app_dir / "host.json").write_text(json.dumps(host_json))


def _start(host: HostProcess, orchestrator: str, version: str | None = None, payload: object = None) -> str:
    query = f"?version={version}" if version is not None else ""
    reply = call("POST", f"{host.base_url}/api/start/{orchestrator}{query}", payload)
    assert reply.status == 202, reply.text
    return reply.json()["id"]


def _go(host: HostProcess, instance_id: str) -> None:
    url = f"{host.base_url}{WEBHOOKS}/instances/{instance_id}/raiseEvent/Go"
    assert call("POST", url, "now").status == 202


def _stays(host: HostProcess, instance_id: str, runtime_status: str, seconds: float = 2.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert status(host.base_url, instance_id).json()["runtimeStatus"] == runtime_status
        time.sleep(0.2)


def test_default_explicit_and_sub_orchestrator_versions(local_host_factory, tmp_path: Path) -> None:
    host = local_host_factory(_app(tmp_path, defaultVersion="1.0"))
    default = _start(host, "versioned")
    older = _start(host, "versioned", version="0.5")
    for instance_id in (default, older):
        wait_for(host.base_url, instance_id, ("Running",))
        _go(host, instance_id)
    assert wait_for(host.base_url, default)["output"] == {"self": "1.0", "explicit": "0.9", "default": "1.0"}
    assert wait_for(host.base_url, older)["output"] == {"self": "0.5", "explicit": "0.9", "default": "1.0"}
    # continue_as_new keeps the instance's version
    rounds = wait_for(host.base_url, _start(host, "continues", version="0.7"))
    assert rounds["output"] == {"rounds": 2, "version": "0.7"}
    # The webhook API takes ?version= too
    reply = call("POST", f"{host.base_url}{WEBHOOKS}/orchestrators/continues?version=0.8", json.dumps(2))
    assert wait_for(host.base_url, reply.json()["id"])["output"] == {"rounds": 2, "version": "0.8"}


def test_newer_instances_wait_for_a_matching_worker_and_older_ones_continue(local_host_factory,
                                                                             tmp_path: Path) -> None:
    """The default CurrentOrOlder + Reject, through a "deployment" of defaultVersion 2.0."""
    app_dir = _app(tmp_path, defaultVersion="1.0")
    host = local_host_factory(app_dir)
    old = _start(host, "versioned")
    wait_for(host.base_url, old, ("Running",))
    newer = _start(host, "versioned", version="2.0")
    _stays(host, newer, "Pending")  # a 1.0 worker leaves a 2.0 instance alone
    assert "instance=" + newer in host.log_text() and "does not run; left as is" in host.log_text()
    host.stop()
    _deploy(app_dir, defaultVersion="2.0")
    host.start()
    wait_for(host.base_url, newer, ("Running",))
    for instance_id in (old, newer):
        _go(host, instance_id)
    # The old instance keeps its version and code path; a sub-orchestration created now gets 2.0.
    assert wait_for(host.base_url, old)["output"] == {"self": "1.0", "explicit": "0.9", "default": "2.0"}
    assert wait_for(host.base_url, newer)["output"] == {"self": "2.0", "explicit": "0.9", "default": "2.0"}


def test_strict_with_fail_fails_instances_of_other_versions(local_host_factory, tmp_path: Path) -> None:
    app_dir = _app(tmp_path, defaultVersion="1.0")
    host = local_host_factory(app_dir)
    old = _start(host, "versioned")
    wait_for(host.base_url, old, ("Running",))
    host.stop()
    _deploy(app_dir, defaultVersion="2.0", versionMatchStrategy="Strict", versionFailureStrategy="Fail")
    host.start()
    _go(host, old)
    failed = wait_for(host.base_url, old)
    assert (failed["runtimeStatus"], failed["output"]) == ("Failed", MISMATCH)
    completed = failed["historyEvents"][-1]
    assert completed["EventType"] == "ExecutionCompleted" and completed["OrchestrationStatus"] == "Failed"
    assert completed["FailureDetails"]["ErrorType"] == "VersionMismatch"
    other = wait_for(host.base_url, _start(host, "continues", version="2.0.0"))  # Strict: "2.0.0" != "2.0"
    assert (other["runtimeStatus"], other["output"]) == ("Failed", MISMATCH)
    same = wait_for(host.base_url, _start(host, "continues"))
    assert same["output"] == {"rounds": 2, "version": "2.0"}


def test_match_strategy_none_runs_every_version(local_host_factory, tmp_path: Path) -> None:
    host = local_host_factory(_app(tmp_path, defaultVersion="1.0", versionMatchStrategy="None"))
    body = wait_for(host.base_url, _start(host, "continues", version="9.0"))
    assert body["output"] == {"rounds": 2, "version": "9.0"}


def test_an_unknown_strategy_stops_the_start(tmp_path: Path) -> None:
    from tests.fixtures.host import start_local_host

    app_dir = _app(tmp_path, defaultVersion="1.0", versionMatchStrategy="Major")
    with pytest.raises(RuntimeError, match="LOCALHOST_BAD_HOST_JSON: extensions.durableTask.versionMatch"):
        start_local_host(app_dir, tmp_path / "state")
