"""The whole app on the local host against Azurite, with runs parked at the settle stage.

SETTLE_SECONDS is an hour, so a started run waits on its settle timer and the starters'
decisions (which instance exists, with which input) can be read without the emulator.
The same settings are set in this process too, for starters called in-process.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient, ContainerClient

from tests.fixtures.host import HostProcess, start_local_host

REPO = Path(__file__).resolve().parents[3]


@dataclass
class StarterStack:
    host: HostProcess
    service: BlobServiceClient
    datasets: ContainerClient
    env: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.host.base_url


@pytest.fixture(scope="package")
def starter_stack(azurite: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StarterStack]:
    suffix = uuid.uuid4().hex[:8]
    env = {"AzureWebJobsStorage": azurite.connection_string, "DATASETS_CONTAINER": f"ds{suffix}",
           "REPORTS_CONTAINER": f"rp{suffix}", "SETTLE_SECONDS": "3600",
           "LOCAL_HOST_BLOB_POLL_SECONDS": "0.2"}
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    datasets = service.create_container(env["DATASETS_CONTAINER"])
    service.create_container(env["REPORTS_CONTAINER"])
    host = start_local_host(REPO, tmp_path_factory.mktemp("starter-host"), env)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        try:
            yield StarterStack(host, service, datasets, env)
        finally:
            host.stop()
