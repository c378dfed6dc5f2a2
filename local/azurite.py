"""Start and stop the pinned Azurite (npm, ``node_modules/.bin/azurite``) for the local stack and tests.

Azurite 3.37 refuses the api-version that azure-storage-blob 12.31 sends unless it
runs with ``--skipApiVersionCheck``; ports are chosen by Azurite itself (``0``)
and read back from its "successfully listens on" lines, so parallel stacks never
collide.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from local.processes import terminate

REPO_ROOT = Path(__file__).resolve().parent.parent
AZURITE_BIN = REPO_ROOT / "node_modules" / ".bin" / "azurite"
DEV_ACCOUNT = "devstoreaccount1"
# Azurite's well-known development key (public, documented; not a secret).
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
# 3.37 says "is successfully listening at"; older releases "successfully listens on".
_LISTEN = re.compile(r"Azurite (Blob|Queue|Table) service (?:is )?successfully listen\w* (?:on|at) (http://\S+)")
STARTUP_TIMEOUT_S = 60


class AzuriteError(RuntimeError):
    """Azurite is not installed or did not start."""


@dataclass
class Azurite:
    """A running Azurite process and the endpoints it serves."""

    process: subprocess.Popen
    blob_endpoint: str
    queue_endpoint: str
    table_endpoint: str
    location: Path

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
            f"BlobEndpoint={self.blob_endpoint}/{DEV_ACCOUNT};"
            f"QueueEndpoint={self.queue_endpoint}/{DEV_ACCOUNT};"
            f"TableEndpoint={self.table_endpoint}/{DEV_ACCOUNT};"
        )

    def stop(self, timeout: float = 10) -> None:
        terminate(self.process, timeout)


def start_azurite(
    location: Path, host: str = "127.0.0.1", ports: tuple[int, int, int] = (0, 0, 0)
) -> Azurite:
    """Start Azurite with its data in ``location``; return once all three services listen."""
    if not AZURITE_BIN.exists():
        raise AzuriteError(f"Azurite is not installed at {AZURITE_BIN}; run 'npm ci' (make setup) first.")
    if shutil.which("node") is None:
        raise AzuriteError("Node.js is not on PATH; Azurite needs it.")
    location.mkdir(parents=True, exist_ok=True)
    blob_port, queue_port, table_port = ports
    cmd = [
        str(AZURITE_BIN), "--location", str(location), "--skipApiVersionCheck", "--loose",
        "--blobHost", host, "--queueHost", host, "--tableHost", host,
        "--blobPort", str(blob_port), "--queuePort", str(queue_port), "--tablePort", str(table_port),
        "--debug", os.devnull,
        # Without it Azurite 3.37 calls out to the instance metadata address and then ignores
        # SIGTERM for 30 s or more; the local stack reaches nothing beyond its own endpoints.
        "--disableTelemetry",
    ]
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    endpoints: dict[str, str] = {}
    ready = threading.Event()
    lines: list[str] = []

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip())
            match = _LISTEN.search(line)
            if match:
                endpoints[match.group(1)] = match.group(2)
                if len(endpoints) == 3:
                    ready.set()
        ready.set()  # the process ended

    threading.Thread(target=read_output, name="azurite-output", daemon=True).start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not ready.wait(0.1):
        if time.monotonic() > deadline:
            break
    if len(endpoints) != 3:
        process.kill()
        process.wait()
        tail = "\n".join(lines[-10:])
        raise AzuriteError(f"Azurite did not start within {STARTUP_TIMEOUT_S}s:\n{tail}")
    return Azurite(process, endpoints["Blob"], endpoints["Queue"], endpoints["Table"], location)
