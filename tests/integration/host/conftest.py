"""Fixtures of the host's integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.host import HostProcess
from tests.integration.host.helpers import start_durable_app


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostProcess]:
    """The durable test app on a host shared by one test module."""
    running = start_durable_app(tmp_path_factory.mktemp("durable-app"))
    yield running
    running.stop()
