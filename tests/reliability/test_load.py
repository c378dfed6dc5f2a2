"""Load: many datasets dropped at once plus HTTP starts, queued on the one-running-job quota.

The tier runs a smaller wave than the benchmark (14 dropped folders + 6 HTTP starts: the
most the service queues, 1 running + 20 pending, without refusing); ``bench/bench_load.py``
runs the full 50 + 20 and docs/reliability.md has its figures. Every run must complete,
none lost and none duplicated: one job and one uploaded file per run.

A second scenario fills the service's job queue first (20 jobs pending for ~45 s, longer
than the submit retries last), as a busy resource or a wave above 21 runs does: the runs
must wait their turn instead of failing.
"""

from __future__ import annotations

import ssl
import time

import openai
import pytest

from local.stack_client import StackClient
from tests.integration.emulator.helpers import create_job
from tests.reliability.datasets import chat_dataset
from tests.reliability.harness import CrashableStack
from tests.reliability.load import problems, run_load
from tests.reliability.steps import set_timings, wait_until

pytestmark = pytest.mark.reliability
QUEUE_HELD_S = 45


def test_a_wave_of_dropped_and_http_runs_all_complete_once(rel_stack: CrashableStack) -> None:
    result = run_load(rel_stack, datasets=14, http=6, timeout=300)
    assert len(result.started) == 20
    assert problems(result) == []


def _aoai(client: StackClient) -> openai.AzureOpenAI:
    emu = client.emulator
    return openai.AzureOpenAI(azure_endpoint=emu["endpoint"], api_key=emu["api_key"],
                              api_version="2025-04-01-preview", max_retries=0,
                              http_client=openai.DefaultHttpxClient(
                                  verify=ssl.create_default_context(cafile=emu["ca_cert"])))


def _fill_the_job_queue(client: StackClient) -> None:
    """20 jobs of someone else, pending for QUEUE_HELD_S: the service refuses new jobs meanwhile."""
    aoai = _aoai(client)
    upload = aoai.files.create(file=("other-team.jsonl", chat_dataset(10)), purpose="fine-tune")
    wait_until(lambda: aoai.files.retrieve(upload.id).status == "processed", 30, "the filler file")
    set_timings(client, job_start_delay_seconds=QUEUE_HELD_S, job_duration_seconds=0.05, job_steps=1)
    for _ in range(20):
        create_job(aoai, model="gpt-4o-mini-2024-07-18", training_file=upload.id)
    with pytest.raises(openai.RateLimitError):
        create_job(aoai, model="gpt-4o-mini-2024-07-18", training_file=upload.id)


def test_runs_wait_their_turn_when_the_service_job_queue_is_full(rel_stack: CrashableStack) -> None:
    mark = rel_stack.log_mark("emulator")
    started = time.monotonic()
    result = run_load(rel_stack, datasets=2, http=1, timeout=300,
                      before_start=_fill_the_job_queue)
    assert time.monotonic() - started > QUEUE_HELD_S  # they did have to wait for the queue
    assert problems(result) == []
    # The fault happened: besides the filler's own check, the runs' submits were refused (429).
    refused = rel_stack.log_since("emulator", mark).count("POST /openai/fine_tuning/jobs 429")
    assert refused > 1, f"the service refused {refused} job creation(s): the runs never met the full queue"
