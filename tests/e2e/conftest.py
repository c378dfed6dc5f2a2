"""The e2e tier's stack: real Azurite, emulator and local host as subprocesses on free ports.

One stack serves the whole tier (each test uses its own run folder), started with
``local.stack.Stack`` exactly as ``python -m local up`` starts it, with faster emulator
lifecycles so that a full run takes seconds. It is stopped after the last e2e test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.stack import Stack
from local.stack_client import Response, StackClient
from tests.e2e.steps import emulator_state

# Emulator lifecycles for tests (docs/emulator.md, Timings.fast): a full run in ~10 s.
FAST_EMULATOR = {
    "file_processing_seconds": 0.2,
    "job_start_delay_seconds": 0.2,
    "job_duration_seconds": 1.5,
    "job_steps": 5,
    "deployment_seconds": 0.3,
}


def delete_deployment(client: StackClient, name: str) -> Response:
    """ARM DELETE of a deployment, with a management token the emulator issued."""
    emulator = client.emulator
    token = client.emulator_call("POST", "/_emulator/tokens", {"audience": "management", "expires_in": 300})
    path = (f"/subscriptions/{emulator['subscription_id']}/resourceGroups/{emulator['resource_group']}"
            f"/providers/Microsoft.CognitiveServices/accounts/{emulator['account']}/deployments/{name}"
            "?api-version=2024-10-01")
    return client.emulator_call("DELETE", path, bearer=token.body["access_token"])


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


@pytest.fixture(autouse=True)
def delete_deployments_after(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used the stack, delete its deployments through ARM, as a user would.

    The emulator enforces Azure's limit of 5 fine-tuned deployments per account, and the
    pipeline (rightly) never deletes a deployment it made; the tests share one account.
    """
    yield
    if "client" not in request.fixturenames:
        return
    client: StackClient = request.getfixturevalue("client")
    for name in [d["name"] for d in emulator_state(client)["deployments"]]:
        answer = delete_deployment(client, name)
        assert answer.status in (200, 202, 204), answer.body
