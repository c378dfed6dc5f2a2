"""The commands a user types: ``demo``, and ``up`` with ``drop`` and ``status`` against it (subprocesses)."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from local.stack_client import StackClient, http_request
from tests.e2e.steps import REPO, SAMPLE

pytestmark = pytest.mark.e2e
DEMO_TIMEOUT_S = 240
UP_READY_TIMEOUT_S = 120


def local_command(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "local", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_demo_json_exits_0_with_only_the_final_status_on_stdout(tmp_path: Path) -> None:
    done = local_command("demo", "--json", "--state-dir", str(tmp_path / "demo"), timeout=DEMO_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]
    status = json.loads(done.stdout)  # the whole stdout is one JSON document
    assert status["runtimeStatus"] == "Completed"
    output = status["output"]
    assert output["status"] == "succeeded"
    assert output["job_id"].startswith("ftjob-") and ".ft-" in output["fine_tuned_model"]
    assert output["deployment"] and output["smoke_test"]["reply"]
    assert "stage monitor" in done.stderr  # the live progress went to stderr
    assert processes_using(tmp_path / "demo") == []  # Azurite, the emulator and the host were stopped


def test_demo_exits_1_with_the_failed_status_when_the_dataset_is_invalid(tmp_path: Path) -> None:
    invalid = tmp_path / "train.jsonl"
    invalid.write_text('{"messages": [{"role": "user", "content": "no reply"}]}\n')
    done = local_command("demo", "--json", "--training", str(invalid), "--state-dir", str(tmp_path / "demo"),
                         timeout=DEMO_TIMEOUT_S)
    assert done.returncode == 1, done.stderr[-3000:]
    status = json.loads(done.stdout)
    assert status["runtimeStatus"] == "Failed"
    assert status["customStatus"]["error"]["code"] == "invalid_dataset"
    assert "FAILED" in done.stderr


def processes_using(state_dir: Path) -> list[str]:
    """Command lines of running processes that name ``state_dir`` (each component gets a folder in it)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(state_dir) in text:
            found.append(text)
    return found


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, f"no line from {process.args} within {timeout}s"
    return process.stdout.readline()


def test_up_serves_drop_and_status_then_stops_everything_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "up"
    up = subprocess.Popen([sys.executable, "-m", "local", "up", "--json", "--state-dir", str(state)],
                          cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(read_line(up, UP_READY_TIMEOUT_S))
        assert info["function_key"] and info["base_url"].startswith("http://127.0.0.1:")
        assert info["runs_page"] == f"{info['base_url']}/api/ui?code={info['function_key']}"
        assert "AccountName=devstoreaccount1" in info["storage_connection_string"]
        assert info["emulator"]["endpoint"].startswith("https://")
        assert Path(info["emulator"]["ca_cert"]).exists()
        pids = info["pids"]
        components = [pids[name] for name in ("azurite", "emulator", "host")]
        assert pids["stack"] == up.pid and all(pid_alive(pid) for pid in components)
        assert json.loads((state / "stack.json").read_text())["base_url"] == info["base_url"]
        # The master key (not the function key) opens the host's admin API.
        admin = f"{info['base_url']}/admin/functions/no_such_function"
        function_key = {"x-functions-key": info["function_key"]}
        assert http_request("POST", admin, {"input": ""}, function_key).status == 401
        assert StackClient(info).run_function("no_such_function").status == 404

        dropped = local_command("drop", str(SAMPLE), "--run", "cli", "--state-dir", str(state))
        assert dropped.returncode == 0, dropped.stderr
        instance_id = dropped.stdout.strip()
        assert instance_id.startswith("ft-cli-")
        listed = local_command("status", "--state-dir", str(state))
        assert listed.returncode == 0 and instance_id in listed.stdout, listed.stderr
        one = local_command("status", instance_id, "--json", "--state-dir", str(state))
        assert one.returncode == 0, one.stderr
        summary = json.loads(one.stdout)
        assert summary["id"] == instance_id and summary["run"] == "cli"
    finally:
        up.send_signal(signal.SIGTERM)
        code = up.wait(60)
    assert code == 0, up.stderr.read() if up.stderr else ""
    deadline = time.monotonic() + 5
    while any(pid_alive(pid) for pid in components) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(pid_alive(pid) for pid in components)
    assert not (state / "stack.json").exists()
    stopped = local_command("status", "--state-dir", str(state))
    assert stopped.returncode == 1 and "no running stack" in stopped.stderr
