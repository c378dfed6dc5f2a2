"""Unit tests of the emulator's models (no HTTP): validation, metrics, lifecycles, faults, tokens."""

from __future__ import annotations

import json

import pytest

from local.aoai import config
from local.aoai.config import Timings
from local.aoai.errors import EmulatorError
from local.aoai.models.common import paginate
from local.aoai.models.deployments import DeploymentsModel
from local.aoai.models.faults import Faults
from local.aoai.models.files import FilesModel
from local.aoai.models.job_lifecycle import advance_jobs
from local.aoai.models.jobs import JobsModel
from local.aoai.models.learning import digest_training_file
from local.aoai.models.metrics import results_csv, step_metrics
from local.aoai.models.tokens import TokenIssuer, audience_for_scope
from local.aoai.models.validation import check_jsonl_file

pytestmark = pytest.mark.unit

CHAT = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
DPO = {
    "input": {"messages": [{"role": "user", "content": "q"}]},
    "preferred_output": [{"role": "assistant", "content": "good"}],
    "non_preferred_output": [{"role": "assistant", "content": "bad"}],
}


def _write(tmp_path, *examples) -> object:
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in examples) + "\n", encoding="utf-8")
    return path


def test_chat_and_preference_files_are_valid(tmp_path):
    assert check_jsonl_file(_write(tmp_path, CHAT, CHAT)) is None
    assert check_jsonl_file(_write(tmp_path, DPO)) is None
    # a reinforcement prompt: it ends with the user's message, the model answers it during training
    prompt = {"messages": [{"role": "developer", "content": "One word."},
                           {"role": "user", "content": "Capital?"}], "answer": "Paris"}
    assert check_jsonl_file(_write(tmp_path, prompt)) is None


@pytest.mark.parametrize(
    "example",
    [
        {"messages": [{"role": "user", "content": "a question"}, {"role": "system", "content": "no answer"}]},
        {"messages": [{"role": "robot", "content": "x"}, {"role": "assistant", "content": "y"}]},
        {"prompt": "x", "completion": "y"},
        ["not", "an", "object"],
    ],
)
def test_invalid_examples_name_the_line(tmp_path, example):
    assert "Line 2" in check_jsonl_file(_write(tmp_path, CHAT, example))


def test_metrics_decrease_and_are_repeatable():
    losses = [step_metrics("ftjob-a", step, 10, True)["train_loss"] for step in range(1, 11)]
    assert losses[-1] < losses[0] / 2
    assert step_metrics("ftjob-a", 3, 10, True) == step_metrics("ftjob-a", 3, 10, True)
    csv = results_csv([step_metrics("ftjob-a", 1, 10, False)]).decode()
    assert csv.splitlines()[0] == (
        "step,train_loss,train_mean_token_accuracy,valid_loss,valid_mean_token_accuracy,"
        "full_valid_loss,full_valid_mean_token_accuracy"
    )
    assert csv.splitlines()[1].endswith(",,,,")
    full = step_metrics("ftjob-a", 3, 10, True)
    assert full["full_valid_loss"] > 0 and 0 < full["full_valid_mean_token_accuracy"] < 1


def _models(tmp_path, timings: Timings):
    faults = Faults()
    files = FilesModel(tmp_path, timings, faults)
    jobs = JobsModel(files, timings, faults)
    file_id, path = files.new_upload()
    path.write_text("\n".join(json.dumps(CHAT) for _ in range(10)) + "\n", encoding="utf-8")
    record = files.add(file_id, "t.jsonl", "fine-tune", path.stat().st_size, now=0.0)
    files.set_verdict(file_id, None)
    files.advance(record.ready_at)
    return files, jobs, faults, file_id


def _create(jobs: JobsModel, file_id: str, now: float):
    """A job whose training file was read (what the server does in a worker thread)."""
    job = jobs.create({"model": "gpt-4o-mini", "training_file": file_id}, now=now)
    jobs.digest(job.id, digest_training_file(jobs.files.blob_path(file_id), job.model))
    return job


def test_jobs_run_one_at_a_time_by_the_clock(tmp_path):
    timings = Timings(job_start_delay_seconds=1, job_duration_seconds=10, job_steps=5)
    files, jobs, _, file_id = _models(tmp_path, timings)
    first = _create(jobs, file_id, now=0.0)
    second = _create(jobs, file_id, now=0.0)
    advance_jobs(jobs, 0.5)
    assert (first.status, second.status) == ("pending", "pending")
    advance_jobs(jobs, 1.0)
    assert (first.status, second.status) == ("running", "pending")
    advance_jobs(jobs, 5.0)
    assert first.steps_done == 2
    advance_jobs(jobs, 11.0)
    assert first.status == "succeeded" and second.status == "running"
    assert first.fine_tuned_model == f"gpt-4o-mini.ft-{first.id.removeprefix('ftjob-')}"
    assert files.get(first.result_files[0]).purpose == "fine-tune-results" and second.result_files is None
    # Each example: 3 + 2 messages x (3 + role + content tokens) = 3 + (3+1+1) + (3+1+1) = 13 tokens
    # (o200k_base); 10 examples; auto epochs for 10 examples = 100 // 10 = 10.
    assert first.trained_tokens == 13 * 10 * 10


def test_pause_shifts_the_schedule_and_failure_stops_at_its_step(tmp_path):
    timings = Timings(job_start_delay_seconds=0, job_duration_seconds=10, job_steps=10,
                      pause_transition_seconds=1)
    _, jobs, faults, file_id = _models(tmp_path, timings)
    job = _create(jobs, file_id, now=0.0)
    advance_jobs(jobs, 0.0)
    advance_jobs(jobs, 3.0)
    assert jobs.pause(job.id, now=3.0).status == "paused"  # at once, with a deployable checkpoint
    advance_jobs(jobs, 100.0)
    assert job.status == "paused" and job.steps_done == 3
    assert job.checkpoints[-1]["step_number"] == 3  # a paused job keeps a deployable checkpoint
    jobs.resume(job.id, now=100.0)
    advance_jobs(jobs, 100.5)
    assert job.status == "resuming" and job.steps_done == 3
    advance_jobs(jobs, 107.0)  # running again from 101: 6 more seconds, 6 more steps
    assert job.status == "running" and job.steps_done == 9
    faults.next_jobs.append(faults_failure("badData", "no", 2))
    failing = _create(jobs, file_id, now=106.0)
    advance_jobs(jobs, 200.0)
    advance_jobs(jobs, 300.0)
    assert failing.status == "failed" and failing.steps_done == 2 and failing.error["code"] == "badData"


def faults_failure(code: str, message: str, at_step: int):
    from local.aoai.models.faults import Failure

    return Failure(code, message, at_step)


def test_pending_quota(tmp_path):
    _, jobs, _, file_id = _models(tmp_path, Timings(job_start_delay_seconds=1000))
    for _ in range(config.MAX_PENDING_JOBS):
        jobs.create({"model": "gpt-4o-mini", "training_file": file_id}, now=0.0)
    with pytest.raises(EmulatorError) as caught:
        jobs.create({"model": "gpt-4o-mini", "training_file": file_id}, now=0.0)
    assert caught.value.status == 429 and caught.value.body["error"]["code"] == "quotaExceeded"
    assert caught.value.headers["Retry-After"] == "1000"  # whole seconds until a queued job may start


def test_only_queued_jobs_count_against_the_queue_limit(tmp_path):
    # The service queues 20 jobs besides the one running; running and finished jobs take no place.
    _, jobs, _, file_id = _models(tmp_path, Timings(job_start_delay_seconds=0, job_duration_seconds=1000))
    done = jobs.create({"model": "gpt-4o-mini", "training_file": file_id}, now=0.0)
    jobs.cancel(done.id, now=0.0)
    running = jobs.create({"model": "gpt-4o-mini", "training_file": file_id}, now=0.0)
    advance_jobs(jobs, 0.0)
    assert (done.status, running.status) == ("cancelled", "running")
    queued = [jobs.create({"model": "gpt-4o-mini", "training_file": file_id}, now=0.0)
              for _ in range(config.MAX_PENDING_JOBS)]
    assert {job.status for job in queued} == {"pending"}
    with pytest.raises(EmulatorError) as caught:
        jobs.create({"model": "gpt-4o-mini", "training_file": file_id}, now=0.0)
    assert caught.value.status == 429
    assert f"already has {config.MAX_PENDING_JOBS} fine-tuning jobs waiting" in \
        caught.value.body["error"]["message"]


def test_deployment_states_and_injected_failure():
    faults = Faults()
    model = DeploymentsModel(Timings(deployment_seconds=3), faults)
    body = {"sku": {"name": "GlobalStandard", "capacity": 1}, "properties": {"model": {"name": "m.ft-1"}}}
    record, created = model.put("d", body, {"m.ft-1"}, now=0.0)
    assert created and record.state == "Accepted" and record.operation()["status"] == "InProgress"
    model.advance(1.5)
    assert record.state == "Creating"
    model.advance(3.0)
    assert record.state == "Succeeded" and model.serving("d") is record
    faults.next_deployments.append(faults_failure("DeploymentFailed", "no capacity", 0))
    failed, created = model.put("d", body, {"m.ft-1"}, now=10.0)
    model.advance(20.0)
    assert (
        not created and failed.operation()["error"]["message"] == "no capacity" and model.serving("d") is None
    )


def test_route_faults_count_down():
    faults = Faults()
    faults.add_route_fault({"route": "files.list", "status": 503, "count": 2})
    assert faults.take_route_fault("files.create", "POST", "/openai/files") is None
    assert faults.take_route_fault("files.list", "GET", "/openai/files").status == 503
    assert faults.take_route_fault("files.list", "GET", "/openai/files") is not None
    assert faults.take_route_fault("files.list", "GET", "/openai/files") is None


def test_tokens_verify_audience_expiry_and_issuer_key():
    issuer = TokenIssuer(b"k" * 32)
    token, _ = issuer.issue(config.COGNITIVE_AUDIENCE, 60)
    assert issuer.problem(token, config.COGNITIVE_AUDIENCE) is None
    assert issuer.problem(token, config.MANAGEMENT_AUDIENCE) == "audience"
    assert (
        issuer.problem(issuer.issue(config.COGNITIVE_AUDIENCE, -5)[0], config.COGNITIVE_AUDIENCE) == "expired"
    )
    assert TokenIssuer(b"o" * 32).problem(token, config.COGNITIVE_AUDIENCE) == "invalid"
    assert audience_for_scope("https://management.azure.com//.default") == config.MANAGEMENT_AUDIENCE


def test_paginate_after_cursor():
    items = [type("Item", (), {"id": str(i)})() for i in range(5)]
    page, more = paginate(items, None, 2)
    assert [i.id for i in page] == ["0", "1"] and more
    page, more = paginate(items, "3", 2)
    assert [i.id for i in page] == ["4"] and not more


def test_the_service_pauses_a_job_at_the_cost_cap_and_a_resume_goes_on(tmp_path):
    timings = Timings(job_start_delay_seconds=0, job_duration_seconds=10, job_steps=10,
                      pause_transition_seconds=1)
    _, jobs, faults, file_id = _models(tmp_path, timings)
    faults.next_job_pauses.append(4)
    job = _create(jobs, file_id, now=0.0)
    advance_jobs(jobs, 0.0)
    advance_jobs(jobs, 4.5)
    assert job.status == "pausing" and job.steps_done == 4
    advance_jobs(jobs, 50.0)
    assert job.status == "paused" and job.steps_done == 4
    assert "$5,000" in job.events[-1]["message"]
    assert [c["step_number"] for c in job.checkpoints][-1] == 4
    jobs.resume(job.id, now=50.0)
    advance_jobs(jobs, 51.0)
    advance_jobs(jobs, 58.0)
    assert job.status == "succeeded" and job.steps_done == 10
