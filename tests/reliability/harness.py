"""The reliability tier's stack: ``local.stack.Stack`` plus crash controls (kill -9 and restart).

``CrashableStack`` starts exactly what ``python -m local up`` starts (Azurite, the emulator,
the local host on the app) and adds what the crash scenarios need:

- ``kill_host()`` sends SIGKILL to the host; ``restart_host()`` starts it again on the same
  state folder (a new port: clients re-read ``base_url``);
- ``kill_emulator()`` sends SIGKILL to the emulator; ``restart_emulator()`` starts it again
  on the same state folder *and the same port*, so the host's settings still point at it;
- ``host_peak_rss_mb()`` reads the host's peak resident memory (VmHWM) from /proc.

``local.stack.Stack`` has no public hook for these, so this subclass reuses its component
type and its wiring (the same command lines and environment as ``start()``).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from local.stack import EMULATOR_STARTUP_TIMEOUT_S, HOST_STARTUP_TIMEOUT_S, Stack, _Component
from local.stack_client import StackClient

# Emulator lifecycles for the tier: a whole run takes a few seconds.
FAST_EMULATOR: dict[str, float] = {
    "file_processing_seconds": 0.2,
    "job_start_delay_seconds": 0.2,
    "job_duration_seconds": 1.0,
    "job_steps": 4,
    "deployment_seconds": 0.3,
}


class CrashableStack(Stack):
    """A local stack whose host and emulator can be killed with SIGKILL and started again."""

    def _host_command(self) -> list[str]:
        return [sys.executable, "-m", "local", "host", "--app-dir", str(self.app_dir), "--port", "0",
                "--state-dir", str(self.state_dir / "host"), "--json"]

    def _emulator_command(self, port: int) -> list[str]:
        return [sys.executable, "-m", "local", "emulator", "--port", str(port),
                "--state-dir", str(self.state_dir / "emulator"), *self._timing_flags()]

    @property
    def host_pid(self) -> int:
        assert self._host_proc is not None, "the stack is not started"
        return self._host_proc.process.pid

    @property
    def emulator_pid(self) -> int:
        assert self._emulator_proc is not None, "the stack is not started"
        return self._emulator_proc.process.pid

    # ---- The host ----

    def kill_host(self) -> None:
        """SIGKILL the host: no shutdown code runs (what a crashed worker looks like)."""
        _kill(self._host_proc)

    def restart_host(self) -> dict[str, Any]:
        """Start the host again on the same state folder; its new ready line."""
        if self._host_proc is not None:
            self._host_proc.stop()  # closes the old log handle; the process is already gone
        self._host_proc = _Component("host", self._host_command(),
                                     {**self._tool_env(), **self._host_env(), **self.app_settings},
                                     self.logs_dir / "host.log")
        self.host = self._host_proc.wait_ready(HOST_STARTUP_TIMEOUT_S)
        return self.host

    def host_peak_rss_mb(self) -> float:
        """The host's peak resident set size so far (VmHWM), in MB."""
        return _vm_hwm_kb(self.host_pid) / 1024

    # ---- The emulator ----

    def kill_emulator(self) -> None:
        _kill(self._emulator_proc)

    def restart_emulator(self) -> dict[str, Any]:
        """Start the emulator again on its state folder and on the port the host already uses."""
        port = int(str(self.emulator["endpoint"]).rsplit(":", 1)[1])
        if self._emulator_proc is not None:
            self._emulator_proc.stop()
        self._emulator_proc = _Component("emulator", self._emulator_command(port), self._tool_env(),
                                         self.logs_dir / "emulator.log")
        ready = self._emulator_proc.wait_ready(EMULATOR_STARTUP_TIMEOUT_S)
        assert ready["endpoint"] == self.emulator["endpoint"], (ready, self.emulator)
        self.emulator = ready
        return ready

    # ---- Logs ----

    def log_texts(self) -> dict[str, str]:
        """The full text of the host's and the emulator's logs (their stderr)."""
        return {name: self.log_since(name, 0) for name in ("host", "emulator")}

    def log_mark(self, name: str) -> int:
        """Where the ``name`` log ("host" or "emulator") ends now; ``log_since`` reads on from there.

        A restarted component appends to the same file, so a mark taken before a kill also
        covers what the restarted process logs.
        """
        path = self.logs_dir / f"{name}.log"
        return path.stat().st_size if path.exists() else 0

    def log_since(self, name: str, mark: int) -> str:
        """What the ``name`` log gained since ``mark`` (a ``log_mark``)."""
        path = self.logs_dir / f"{name}.log"
        if not path.exists():
            return ""
        with path.open("rb") as log:
            log.seek(mark)
            return log.read().decode("utf-8", errors="replace")

    def client(self) -> StackClient:
        """A client for the stack as it is now (re-read after a host restart: the port changes)."""
        return StackClient(self.info())


def _kill(component: _Component | None) -> None:
    assert component is not None, "the stack is not started"
    process = component.process
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")
