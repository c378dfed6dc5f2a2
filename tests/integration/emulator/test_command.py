"""`python -m local emulator`: one JSON line on stdout, request logs on stderr, clean stop on SIGTERM."""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[3]
INFO_KEYS = {
    "endpoint", "arm_endpoint", "authority", "tenant_id", "client_id", "client_secret", "api_key",
    "ca_cert", "subscription_id", "resource_group", "account",
}  # fmt: skip


def test_command_prints_info_logs_requests_and_stops_on_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "emulator", "--port", "0", "--state-dir", str(tmp_path / "state"),
         "--job-duration-seconds", "2"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        info = json.loads(process.stdout.readline())
        assert set(info) >= INFO_KEYS
        context = ssl.create_default_context(cafile=info["ca_cert"])
        request = urllib.request.Request(
            info["endpoint"] + "/openai/files?api-version=2024-10-21", headers={"api-key": info["api_key"]}
        )
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            assert json.load(response)["data"] == []
        with urllib.request.urlopen(
            info["control_endpoint"] + "/timings", context=context, timeout=10
        ) as response:
            assert json.load(response)["job_duration_seconds"] == 2
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0
    assert stdout == ""  # exactly one line: the info
    assert "GET /openai/files 200" in stderr
    assert info["api_key"] not in stderr and info["client_secret"] not in stderr
    assert (tmp_path / "state" / "state.json").exists()
