"""Crashes: the local host killed with SIGKILL during each stage, and the emulator restarted mid-training.

A dedicated stack (the shared one keeps serving the other scenarios) runs each crash in
turn: the run is followed through the Durable status endpoint until its custom status
shows the stage, the window being widened with emulator timings or a Retry-After fault;
then the host is killed (no shutdown code runs) and started again on the same state
folder. The run must complete with a deployment that answered, and the emulator must hold
exactly one job, one deployment and one file per role for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local.stack_client import StackClient
from tests.e2e.steps import assert_deployed_and_answered, drop, finished, started_run, unique_run
from tests.reliability.datasets import SAMPLE, chat_dataset
from tests.reliability.harness import FAST_EMULATOR, CrashableStack
from tests.reliability.steps import (
    add_fault,
    assert_exactly_one_of_each,
    reset_emulator,
    set_timings,
    stage_of,
    wait_for_stage,
)

pytestmark = pytest.mark.reliability
WIDE_S = 4.0  # how long a widened stage lasts in the emulator


@pytest.fixture(scope="module")
def crash_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashableStack]:
    stack = CrashableStack(tmp_path_factory.mktemp("crash-stack"), emulator_timings=FAST_EMULATOR)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def _widen_validate(client: StackClient) -> dict[str, Any]:
    return {"training.jsonl": chat_dataset(40_000)}  # a few MB: validation takes a while


def _widen_upload(client: StackClient) -> dict[str, Any]:
    add_fault(client, route="files.create", status=429, retry_after=WIDE_S, count=1)
    return {}


def _widen_files_ready(client: StackClient) -> dict[str, Any]:
    set_timings(client, file_processing_seconds=WIDE_S)
    return {}


def _widen_training(client: StackClient) -> dict[str, Any]:
    set_timings(client, job_duration_seconds=WIDE_S)
    return {}


def _widen_deploy(client: StackClient) -> dict[str, Any]:
    set_timings(client, deployment_seconds=WIDE_S)
    return {}


def _widen_smoke_test(client: StackClient) -> dict[str, Any]:
    # One chat request per 10 s for the run's capacity-1 deployment: the deploy stage's readiness
    # probe takes it, the smoke test's call is refused with Retry-After: 10, which the SDK honours.
    # (A 20 ms status poll alone could miss the one-call stage on a loaded machine.)
    set_timings(client, requests_per_minute_per_capacity=6)
    return {}


STAGES: dict[str, Callable[[StackClient], dict[str, Any]]] = {
    "validate": _widen_validate,
    "upload": _widen_upload,
    "files_ready": _widen_files_ready,
    "monitor": _widen_training,
    "deploy": _widen_deploy,
    "smoke_test": _widen_smoke_test,
}


def _start_run(client: StackClient, files: dict[str, Any], prefix: str) -> tuple[str, str]:
    run = unique_run(prefix)
    dataset = {"training.jsonl": SAMPLE / "training.jsonl", "validation.jsonl": SAMPLE / "validation.jsonl",
               **files}
    etags = drop(client, run, dataset)
    return run, started_run(client, run, "training.jsonl", etags["training.jsonl"])


def _assert_completed_once(stack: CrashableStack, run: str, instance_id: str) -> dict[str, Any]:
    client = stack.client()
    status = finished(client, instance_id, timeout=180)
    assert_deployed_and_answered(client, status)
    assert_exactly_one_of_each(client, status, run)
    return status


@pytest.mark.parametrize("stage", list(STAGES))
def test_host_killed_during_a_stage_restarts_and_completes_once(crash_stack: CrashableStack,
                                                                stage: str) -> None:
    client = crash_stack.client()
    reset_emulator(client)
    files = STAGES[stage](client)
    run, instance_id = _start_run(client, files, f"crash-{stage.replace('_', '-')}")
    seen = wait_for_stage(client, instance_id, stage, timeout=90)
    old_pid = crash_stack.host_pid
    crash_stack.kill_host()
    assert stage_of(seen) == stage and seen["runtimeStatus"] == "Running"
    crash_stack.restart_host()
    assert crash_stack.host_pid != old_pid
    _assert_completed_once(crash_stack, run, instance_id)


def test_emulator_restarted_on_its_state_during_training_and_the_run_completes_once(
        crash_stack: CrashableStack) -> None:
    client = crash_stack.client()
    reset_emulator(client)
    _widen_training(client)
    run, instance_id = _start_run(client, {}, "crash-emulator")
    wait_for_stage(client, instance_id, "monitor", timeout=90)
    crash_stack.kill_emulator()
    time.sleep(1.0)  # the monitor's status reads fail meanwhile
    crash_stack.restart_emulator()
    status = _assert_completed_once(crash_stack, run, instance_id)
    assert status["output"]["job_id"]
