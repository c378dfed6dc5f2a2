"""The e2e tier's stack: real Azurite, emulator and local host as subprocesses on free ports.

One stack serves the whole tier (each test uses its own run folder), started with
``local.stack.Stack`` exactly as ``python -m local up`` starts it, with faster emulator
lifecycles so that a full run takes seconds. It is stopped after the last e2e test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.stack import Stack
from local.stack_client import StackClient

# Emulator lifecycles for tests (docs/emulator.md, Timings.fast): a full run in ~10 s.
FAST_EMULATOR = {
    "file_processing_seconds": 0.2,
    "job_start_delay_seconds": 0.2,
    "job_duration_seconds": 1.5,
    "job_steps": 5,
    "deployment_seconds": 0.3,
}


@pytest.fixture(scope="session")
def e2e_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("stack"), emulator_timings=FAST_EMULATOR)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def client(e2e_stack: Stack) -> StackClient:
    """A client of the running stack, as ``drop``/``status`` use it (keys on)."""
    return StackClient(e2e_stack.info())
