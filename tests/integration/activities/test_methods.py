"""The method activities against the emulator (Entra ID tokens) and Azurite: pre-flight, RFT, job control."""

from __future__ import annotations

import json

import pytest

from activities import files, jobs, methods
from shared import errors
from tests.integration.activities.helpers import BASE_MODEL, AppEnv, call, wait_for

pytestmark = pytest.mark.integration

INSTANCE = "ft-quiz-0123456789abcdef"
RFT_MODEL = "o4-mini-2025-04-16"
GRADER = {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}",
          "reference": "{{item.answer}}", "operation": "eq"}


def prompts(count: int = 12, **extra: object) -> bytes:
    lines = [json.dumps({"messages": [{"role": "developer", "content": "One word."},
                                      {"role": "user", "content": f"Capital {i}?"}],
                         "answer": "Paris", **extra}) for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def processed(env: AppEnv, path: str, data: bytes, role: str) -> str:
    ref = env.put(path, data)
    state = call(files.upload_file, {"blob": ref, "role": role, "instance_id": INSTANCE,
                                     "file_name": f"quiz-89abcdef-{role}.jsonl"})
    return wait_for(lambda: (s := call(files.get_file_status, {"file_id": state["file_id"]}))["status"]
                    == "processed" and s, "processed")["file_id"]


def test_the_model_check_reads_the_services_models_list(app_env: AppEnv) -> None:
    ok = call(methods.check_model, {"model": BASE_MODEL, "method": "supervised"})
    assert ok["error"] is None and ok["found_by"] == "models" and not ok["fine_tuned"]
    unknown = call(methods.check_model, {"model": "gpt-4-32k", "method": "supervised"})
    assert unknown["error"]["code"] == errors.METHOD_NOT_SUPPORTED
    assert "/models" in unknown["error"]["message"]
    missing = f"{BASE_MODEL}.ft-{'0' * 32}"
    gone = call(methods.check_model, {"model": missing, "method": "supervised"})
    assert gone["error"]["code"] == errors.PARENT_MODEL_NOT_FOUND and missing in gone["error"]["message"]


def test_a_model_fine_tuned_in_the_account_is_found_and_named_as_the_parent(app_env: AppEnv) -> None:
    client = app_env.emulator.openai_client()
    from tests.integration.emulator.helpers import create_job, upload_processed, wait_job

    training = upload_processed(client)
    done = wait_job(client, create_job(client, model=BASE_MODEL, training_file=training.id).id)
    found = call(methods.check_model, {"model": done.fine_tuned_model, "method": "supervised"})
    assert found["error"] is None and found["parent_model"] == done.fine_tuned_model
    assert found["base_model"] == BASE_MODEL


def test_the_grader_check_validates_and_runs_on_each_files_first_example(app_env: AppEnv) -> None:
    training = app_env.put("quiz/train.jsonl", prompts())
    valid = app_env.put("quiz/valid.jsonl", b"\n" + prompts(2))  # a blank first line is skipped
    check = call(methods.check_grader, {"grader": GRADER, "files": [training, valid]})
    assert check["error"] is None and check["valid"]
    assert [(r["file"], r["line"], r["sample"], r["reward"]) for r in check["runs"]] == [
        ("quiz/train.jsonl", 1, "Paris", 1.0), ("quiz/valid.jsonl", 2, "Paris", 1.0)]


@pytest.mark.parametrize(("grader", "words"), [
    ({**GRADER, "operation": "neq"}, "grader.operation must be one of"),
    ({**GRADER, "reference": "{{item.solution}}"}, "invalid_variable_error"),
    ({"type": "python", "name": "p", "source": "def grade(sample, item):\n    return item['score'] / 0\n"},
     "python_grader_runtime_error"),
])
def test_a_grader_the_service_refuses_or_that_fails_on_the_data_is_invalid(app_env, grader, words) -> None:
    training = app_env.put("quiz/train.jsonl", prompts())
    check = call(methods.check_grader, {"grader": grader, "files": [training]})
    assert check["error"]["code"] == errors.INVALID_GRADER and words in check["error"]["message"]


def test_a_reinforcement_job_is_submitted_on_v1_and_paused_and_resumed(app_env: AppEnv) -> None:
    app_env.emulator.set_timings(job_duration_seconds=4, job_steps=40, job_start_delay_seconds=0)
    training = processed(app_env, "quiz/train.jsonl", prompts(), "training")
    valid = processed(app_env, "quiz/valid.jsonl", prompts(3), "validation")
    method = {"type": "reinforcement", "explicit": True, "grader": GRADER, "item_fields": ["item.answer"]}
    job = call(jobs.submit_job, {"instance_id": INSTANCE, "run": "quiz", "model": RFT_MODEL,
                                 "training_file_id": training, "validation_file_id": valid,
                                 "hyperparameters": {"eval_interval": 10}, "training_type": "Standard",
                                 "method": method})
    assert job["error"] is None and job["status"] in ("pending", "running")
    v1 = app_env.emulator.v1_client()
    sent = v1.fine_tuning.jobs.retrieve(job["job_id"])
    assert sent.method.type == "reinforcement" and sent.model_extra["trainingType"] == "Standard"
    wait_for(lambda: any(e.type == "metrics" for e in v1.fine_tuning.jobs.list_events(job["job_id"])),
             "a step")
    paused = call(methods.control_job, {"job_id": job["job_id"], "action": "pause"})
    assert paused["status"] == "paused"
    again = call(methods.control_job, {"job_id": job["job_id"], "action": "pause"})
    assert again["error"]["code"] == errors.JOB_FAILED
    assert "unexpectedEntityState" in again["error"]["message"]
    kept = call(methods.list_checkpoints, {"job_id": job["job_id"]})["checkpoints"]
    assert kept and ":ckpt-step-" in kept[0]["model"] and "train_reward_mean" in kept[0]["metrics"]
    assert call(methods.control_job, {"job_id": job["job_id"], "action": "resume"})["status"] == "resuming"
