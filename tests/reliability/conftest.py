"""Fixtures of the reliability tier: one shared stack for the scenarios that can share it.

``rel_stack`` (session) runs Azurite, the emulator and the local host as subprocesses,
as ``python -m local up`` does, with short emulator lifecycles; each scenario uses run
folders of its own. ``clean_emulator`` resets the emulator (files, jobs, deployments,
faults, timings) before a test, so that counts and quotas are that test's alone.
Crash scenarios start stacks of their own (``crash_stack`` in test_crashes.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.stack_client import StackClient
from tests.reliability.harness import FAST_EMULATOR, CrashableStack
from tests.reliability.steps import reset_emulator

# Files above 150 MiB are refused (file_too_large), so the 200 MB garbage file shows that code too.
SHARED_SETTINGS = {"FINETUNE_MAX_FILE_BYTES": str(150 * 1024 * 1024)}


@pytest.fixture(scope="session")
def rel_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashableStack]:
    stack = CrashableStack(tmp_path_factory.mktemp("rel-stack"), emulator_timings=FAST_EMULATOR,
                           extra_settings=SHARED_SETTINGS)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def rel_client(rel_stack: CrashableStack) -> StackClient:
    """A client of the shared stack (keys on), with the emulator reset for this test."""
    client = rel_stack.client()
    reset_emulator(client)
    return client
