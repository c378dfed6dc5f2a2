"""Crashes: the local host killed with SIGKILL during each stage, and the emulator restarted mid-training.

A dedicated stack (the shared one keeps serving the other scenarios) runs each crash in
turn: the run is followed through the Durable status endpoint until its custom status
shows the stage, the window being widened with emulator timings or a Retry-After fault;
then the host is killed (no shutdown code runs) and started again on the same state
folder. The run must complete with a deployment that answered, and the emulator must hold
exactly one job, one deployment and one file per role for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local.stack_client import StackClient
from shared import names
from tests.e2e.steps import assert_deployed_and_answered, drop, finished, started_run, unique_run
from tests.reliability.datasets import SAMPLE, chat_dataset
from tests.reliability.harness import FAST_EMULATOR, CrashableStack
from tests.reliability.steps import (
    add_fault,
    assert_exactly_one_of_each,
    pending_faults,
    reset_emulator,
    set_timings,
    stage_of,
    wait_for_stage,
    wait_until,
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


# The activities that show the host still had the stage's work to do when it was killed: the
# restarted host runs one of them for the run. The smoke test (one chat call) cannot be widened
# with the emulator's knobs, so the kill may land just after it, while the report is written.
STAGE_WORK: dict[str, set[str]] = {
    "validate": {names.VALIDATE_DATASET, names.VALIDATE_RANGE, names.MERGE_VALIDATION},
    "upload": {names.UPLOAD_FILE},
    "files_ready": {names.GET_FILE_STATUS},
    "monitor": {names.GET_JOB_STATUS},
    "deploy": {names.START_DEPLOYMENT, names.GET_DEPLOYMENT},
    "smoke_test": {names.CHAT_COMPLETION, names.WRITE_REPORT},
}
ACTIVITY_LINE = re.compile(r"activity (\w+) instance=(\S+) duration=[\d.]+ms outcome=(\S+)")
# What the host's openai client logs before retrying a request that failed (here: refused connections).
RETRYING = "openai._base_client: Retrying request"


def activities_logged(log: str, instance_id: str) -> list[str]:
    """Names of the activities the host finished for the run (or its monitor), in order."""
    return [name for name, instance, _ in ACTIVITY_LINE.findall(log) if instance.split(":")[0] == instance_id]


# The smoke test and the report take a few milliseconds: on a busy machine the 20 ms polls can miss
# the stage, or the kill can land after the run has ended. Such an attempt proves nothing, so the
# scenario is tried again with a new run.
ATTEMPTS = {"smoke_test": 5}


def _kill_during(crash_stack: CrashableStack, stage: str) -> list[str]:
    """One attempt: a run killed at ``stage`` completes once; the activities the restarted host ran."""
    client = crash_stack.client()
    reset_emulator(client)
    files = STAGES[stage](client)
    run, instance_id = _start_run(client, files, f"crash-{stage.replace('_', '-')}")
    seen = wait_for_stage(client, instance_id, stage, timeout=90, missed_ok=stage in ATTEMPTS)
    if seen is None:  # the run ended between two polls: nothing was killed
        _assert_completed_once(crash_stack, run, instance_id)
        return []
    old_pid = crash_stack.host_pid
    crash_stack.kill_host()
    assert stage_of(seen) == stage and seen["runtimeStatus"] == "Running"
    mark = crash_stack.log_mark("host")
    crash_stack.restart_host()
    assert crash_stack.host_pid != old_pid
    _assert_completed_once(crash_stack, run, instance_id)
    assert pending_faults(client) == []  # the widening fault (upload) was met
    return activities_logged(crash_stack.log_since("host", mark), instance_id)


@pytest.mark.parametrize("stage", list(STAGES))
def test_host_killed_during_a_stage_restarts_and_completes_once(crash_stack: CrashableStack,
                                                                stage: str) -> None:
    attempts = []
    for _ in range(ATTEMPTS.get(stage, 1)):
        attempts.append(_kill_during(crash_stack, stage))
        if STAGE_WORK[stage] & set(attempts[-1]):
            return
    raise AssertionError(f"the kill never interrupted {stage}: after it the host ran {attempts}")


def test_emulator_restarted_on_its_state_during_training_and_the_run_completes_once(
        crash_stack: CrashableStack) -> None:
    client = crash_stack.client()
    reset_emulator(client)
    _widen_training(client)
    run, instance_id = _start_run(client, {}, "crash-emulator")
    wait_for_stage(client, instance_id, "monitor", timeout=90)
    mark = crash_stack.log_mark("host")
    crash_stack.kill_emulator()
    # The emulator stays down until a status read has failed against it, however busy the machine.
    wait_until(lambda: RETRYING in crash_stack.log_since("host", mark), 30,
               "a job status read to fail while the emulator is down")
    crash_stack.restart_emulator()
    status = _assert_completed_once(crash_stack, run, instance_id)
    assert status["output"]["job_id"]
    # The failed read was the monitor's: the first activity the host finished after the kill.
    after = ACTIVITY_LINE.findall(crash_stack.log_since("host", mark))
    assert after[0][:2] == (names.GET_JOB_STATUS, f"{instance_id}:monitor"), after[:3]
