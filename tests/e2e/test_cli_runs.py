"""The commands a new user types against a running stack: drop's checks, --follow, approve/reject, status."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from local.stack import Stack
from local.stack_client import StackClient
from tests.e2e.steps import REPO, SAMPLE, unique_run

pytestmark = pytest.mark.e2e
FOLLOW_TIMEOUT_S = 180


@pytest.fixture(scope="session")
def state_dir(e2e_stack: Stack) -> Path:
    """The e2e stack's state dir, with the stack.json that drop/status/approve read (as `up` writes it)."""
    e2e_stack.write_stack_file()
    return e2e_stack.state_dir


def local(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "local", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, check=False)


def run_folder(tmp_path: Path, name: str, settings: dict) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for source in ("training.jsonl", "validation.jsonl"):
        (folder / source).write_bytes((SAMPLE / source).read_bytes())
    (folder / "finetune.json").write_text(json.dumps(settings))
    return folder


def test_drop_refuses_a_run_over_its_cap_before_uploading(client: StackClient, state_dir: Path,
                                                          tmp_path: Path) -> None:
    run = unique_run("capped")
    folder = run_folder(tmp_path, run, {"max_cost_usd": 0.001})   # the sample costs about $0.01
    done = local("drop", str(folder), "--state-dir", str(state_dir))
    assert done.returncode == 3, done.stderr
    assert "refused: [budget_exceeded] at budget:" in done.stderr and "Nothing was uploaded" in done.stderr
    assert "exceeds the run's cap of $0.0010" in done.stderr
    assert "The price is an ESTIMATE, not a quote" in done.stderr   # the table's price, not the user's
    assert client.list_blobs(client.datasets_container, f"{run}/") == []
    checked = local("validate", str(folder))   # the same check, without a stack
    assert checked.returncode == 1 and "REFUSED [budget_exceeded] at budget" in checked.stdout


def test_drop_follow_exits_0_for_a_run_that_trains_without_deploying(state_dir: Path, tmp_path: Path) -> None:
    folder = run_folder(tmp_path, unique_run("nodeploy"), {"deployment": {"enabled": False}})
    done = local("drop", str(folder), "--follow", "--state-dir", str(state_dir), timeout=FOLLOW_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "trained, not deployed (deployment.enabled is false)" in done.stderr
    final = json.loads(done.stdout[done.stdout.index("{"):])
    assert final["output"]["status"] == "succeeded" and final["output"]["deployment"] is None


def _read_until(process: subprocess.Popen[bytes], wanted: str, timeout: float) -> str:
    """stderr of ``process`` up to ``wanted`` (raw reads: a buffered readline hides lines from select)."""
    assert process.stderr is not None
    seen, deadline = "", time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {wanted!r} within {timeout}s:\n{seen[-2000:]}"
        ready, _, _ = select.select([process.stderr], [], [], left)
        chunk = os.read(process.stderr.fileno(), 65536).decode(errors="replace") if ready else ""
        assert chunk or not ready, f"stderr closed before {wanted!r}:\n{seen[-2000:]}"
        seen += chunk
    return seen


def test_follow_tells_how_to_approve_and_a_rejection_keeps_its_reason(client: StackClient, state_dir: Path,
                                                                      tmp_path: Path) -> None:
    folder = run_folder(tmp_path, unique_run("cli-approval"),
                        {"deployment": {"require_approval": True, "approval_timeout_hours": 1}})
    command = [sys.executable, "-m", "local", "drop", str(folder), "--follow", "--state-dir", str(state_dir)]
    follower = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = _read_until(follower, "local reject", FOLLOW_TIMEOUT_S)
        instance_id = next(word for word in seen.split() if word.startswith("ft-"))
        assert f"-m local approve {instance_id}" in seen
        rejected = local("reject", instance_id, "--reason", "loss too high", "--state-dir", str(state_dir))
        assert rejected.returncode == 0, rejected.stderr
        _, raw_err = follower.communicate(timeout=FOLLOW_TIMEOUT_S)
        err = raw_err.decode(errors="replace")
    finally:
        if follower.poll() is None:
            follower.kill()
    assert follower.returncode == 0, err[-2000:]   # a person's rejection is an ending as asked
    assert "rejected: model" in err and "(loss too high)" in err
    shown = local("status", instance_id, "--state-dir", str(state_dir))
    assert "approval          rejected: loss too high" in shown.stdout, shown.stdout
    summary = client.call("GET", f"/api/finetune/{instance_id}").body
    assert summary["approval"] == {"decision": "rejected", "note": "loss too high"}
    assert summary["output"]["note"] == "loss too high"
    report = json.loads(client.read_blob(client.reports_container,
                                         summary["output"]["report"]["summary"].split("/", 1)[1]))
    assert report["approval"]["note"] == "loss too high" and "None" not in json.dumps(report["stages"])
    assert [s for s in report["stages"] if s["stage"] == "approve"][0]["detail"] == "loss too high"
    late = local("approve", instance_id, "--state-dir", str(state_dir))
    assert late.returncode == 1 and "[run_finished]" in late.stderr
