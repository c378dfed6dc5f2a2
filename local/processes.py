"""Stopping the local stack's child processes (Azurite, the emulator, the local host) the same way."""

from __future__ import annotations

import signal
import subprocess


def terminate(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM and wait up to ``timeout`` seconds for a clean stop; SIGKILL if it does not come."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
