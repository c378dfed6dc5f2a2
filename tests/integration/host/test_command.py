"""``python -m local host`` as a command: the ready line, refusing unsupported bindings, clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.host import REPO_ROOT

pytestmark = pytest.mark.integration
APP = Path(__file__).parent / "apps" / "durable"
QUEUE_APP = '''
import azure.functions as func
app = func.FunctionApp()

@app.queue_trigger(arg_name="msg", queue_name="work", connection="AzureWebJobsStorage")
def tick(msg: func.QueueMessage) -> None:
    pass
'''


BAD_SCHEDULE_APP = '''
import azure.functions as func
app = func.FunctionApp()

@app.timer_trigger(arg_name="t", schedule="every five minutes")
def tick(t: func.TimerRequest) -> None:
    pass
'''


def _host(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "local", "host", "--port", "0", *args], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_ready_line_lists_functions_and_sigterm_stops_cleanly(tmp_path: Path) -> None:
    process = _host("--app-dir", str(APP), "--state-dir", str(tmp_path / "state"))
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Host ready at http://127.0.0.1:")
        assert "start [http /api/start/{orchestrator}]" in line and "sequence [orchestration]" in line
        assert "say_hello [activity]" in line
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_unsupported_bindings_stop_the_start_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "function_app.py").write_text(QUEUE_APP)
    process = _host("--app-dir", str(tmp_path), "--state-dir", str(tmp_path / "state"))
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "LOCALHOST_UNSUPPORTED_BINDING" in stderr and "tick: binding type(s) queueTrigger" in stderr


def test_a_bad_timer_schedule_stops_the_start_naming_the_function(tmp_path: Path) -> None:
    (tmp_path / "function_app.py").write_text(BAD_SCHEDULE_APP)
    process = _host("--app-dir", str(tmp_path), "--state-dir", str(tmp_path / "state"))
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "LOCALHOST_BAD_SCHEDULE: timer function 'tick'" in stderr
    assert "The schedule expression 'every five minutes' was not recognized" in stderr
