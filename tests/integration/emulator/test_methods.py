"""Training methods on the emulator through the real openai client: trainingType, DPO, RFT, continuation.

Each test drives the emulator as the app does (openai.AzureOpenAI on 2025-04-01-preview, and on
/openai/v1 for reinforcement fine-tuning) and checks what the service's contract says: which
requests are refused and how, and what a job of each method reports while it trains.
"""

from __future__ import annotations

import json

import openai
import pytest

from tests.integration.emulator.helpers import (
    BASE_MODEL,
    chat_lines,
    create_job,
    deploy,
    upload_processed,
    wait_job,
)

pytestmark = pytest.mark.integration

DPO_MODEL = "gpt-4.1-mini-2025-04-14"
RFT_MODEL = "o4-mini-2025-04-16"
EXACT = {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}",
         "reference": "{{item.answer}}", "operation": "eq"}


def preference_lines(count: int = 12) -> bytes:
    lines = [json.dumps({"input": {"messages": [{"role": "user", "content": f"Greet visitor {i}."}]},
                         "preferred_output": [{"role": "assistant", "content": f"Welcome, visitor {i}!"}],
                         "non_preferred_output": [{"role": "assistant", "content": "What?"}]})
             for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def prompt_lines(count: int = 12) -> bytes:
    capitals = ["Paris", "Rome", "Oslo", "Lima"]
    lines = [json.dumps({"messages": [{"role": "developer", "content": "Answer with the city only."},
                                      {"role": "user", "content": f"What is capital number {i}?"}],
                         "answer": capitals[i % 4]}) for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def dpo(**hyper: object) -> dict:
    return {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1, **hyper}}}


def rft(grader: dict | None = None, **hyper: object) -> dict:
    return {"type": "reinforcement", "reinforcement": {"grader": grader or EXACT, "hyperparameters": hyper}}


def test_training_type_is_required_from_2025_04_01_preview_and_on_v1(fresh_emulator):
    for client in (fresh_emulator.openai_client(), fresh_emulator.v1_client()):
        training = upload_processed(client)
        with pytest.raises(openai.BadRequestError) as caught:
            client.fine_tuning.jobs.create(model=BASE_MODEL, training_file=training.id)
        # the real service's misleading answer without trainingType
        assert caught.value.message.endswith("The specified base model does not support fine-tuning.")
    ga = fresh_emulator.openai_client("2024-10-21")
    job = ga.fine_tuning.jobs.create(model=BASE_MODEL, training_file=upload_processed(ga).id)
    assert job.status == "pending"


def test_a_dpo_job_trains_on_preference_examples(fresh_emulator):
    client = fresh_emulator.openai_client()
    training = upload_processed(client, preference_lines(), "prefs.jsonl")
    job = create_job(client, model=DPO_MODEL, training_file=training.id, method=dpo(n_epochs=2))
    assert job.method.type == "dpo" and job.hyperparameters.n_epochs == 2
    done = wait_job(client, job.id)
    assert done.status == "succeeded" and done.trained_tokens > 0
    # Azure's how-to writes beta and l2_multiplier right under "dpo": accepted too
    flat = create_job(client, model=DPO_MODEL, training_file=training.id,
                      method={"type": "dpo", "dpo": {"beta": 0.2, "l2_multiplier": 0.1}})
    assert wait_job(client, flat.id).status == "succeeded"


@pytest.mark.parametrize(("model", "method", "param"), [
    (BASE_MODEL, dpo(), "method.type"),                      # gpt-4o-mini takes supervised only
    (DPO_MODEL, dpo(beta=2.5), "method.dpo.hyperparameters.beta"),
    (DPO_MODEL, dpo(beta=0), "method.dpo.hyperparameters.beta"),
    (DPO_MODEL, {"type": "dpo", "dpo": {"hyperparameters": {"eval_interval": 2}}},
     "method.dpo.hyperparameters"),
    (DPO_MODEL, {"type": "distill"}, "method.type"),
])
def test_dpo_requests_the_service_refuses(fresh_emulator, model, method, param):
    client = fresh_emulator.openai_client()
    training = upload_processed(client, preference_lines(), "prefs.jsonl")
    with pytest.raises(openai.BadRequestError) as caught:
        create_job(client, model=model, training_file=training.id, method=method)
    assert caught.value.code == "invalidPayload" and caught.value.param == param


def test_a_dpo_job_on_chat_examples_fails_naming_the_line(fresh_emulator):
    client = fresh_emulator.openai_client()
    training = upload_processed(client, chat_lines())
    done = wait_job(client, create_job(client, model=DPO_MODEL, training_file=training.id, method=dpo()).id)
    assert done.status == "failed" and done.error.code == "invalidTrainingFile"
    assert "line 1" in done.error.message and "preference examples" in done.error.message


def test_dpo_continues_a_supervised_model_of_the_same_base(fresh_emulator):
    client = fresh_emulator.openai_client()
    sft = wait_job(client, create_job(client, model=DPO_MODEL, training_file=upload_processed(client).id).id)
    prefs = upload_processed(client, preference_lines(), "prefs.jsonl")
    child = wait_job(client, create_job(client, model=sft.fine_tuned_model, training_file=prefs.id,
                                        method=dpo()).id)
    assert child.status == "succeeded" and child.fine_tuned_model.startswith(sft.fine_tuned_model)
    model = client.models.retrieve(child.fine_tuned_model)
    assert model.model == sft.fine_tuned_model  # the parent is recorded in the Model object


def test_reinforcement_needs_v1_a_valid_grader_and_a_validation_file(fresh_emulator):
    v1, preview = fresh_emulator.v1_client(), fresh_emulator.openai_client()
    training = upload_processed(v1, prompt_lines(), "prompts.jsonl")
    valid = upload_processed(v1, prompt_lines(4), "valid.jsonl")
    cases = [
        (preview, {"validation_file": valid.id, "method": rft()}, "method.type"),  # not in the preview spec
        (v1, {"method": rft()}, "validation_file"),
        (v1, {"validation_file": valid.id, "method": rft({**EXACT, "operation": "neq"})},
         "method.reinforcement.grader.operation"),
        (v1, {"validation_file": valid.id, "method": rft(compute_multiplier=11)},
         "method.reinforcement.hyperparameters.compute_multiplier"),
        (v1, {"validation_file": valid.id, "method": rft(reasoning_effort="extreme")},
         "method.reinforcement.hyperparameters.reasoning_effort"),
    ]
    for client, create, param in cases:
        with pytest.raises(openai.BadRequestError) as caught:
            create_job(client, model=RFT_MODEL, training_file=training.id, **create)
        assert caught.value.param == param, create
    with pytest.raises(openai.BadRequestError) as caught:  # o4-mini trains at Standard only
        create_job(v1, model=RFT_MODEL, training_file=training.id, validation_file=valid.id, method=rft(),
                   extra_body={"trainingType": "GlobalStandard"})
    assert caught.value.param == "trainingType"


def test_a_reinforcement_job_reports_rewards_and_evaluations_and_learns_the_rewarded_answer(fresh_emulator):
    fresh_emulator.set_timings(job_steps=6)
    v1 = fresh_emulator.v1_client()
    training = upload_processed(v1, prompt_lines(), "prompts.jsonl")
    valid = upload_processed(v1, prompt_lines(4), "valid.jsonl")
    job = create_job(v1, model=RFT_MODEL, training_file=training.id, validation_file=valid.id,
                     method=rft(eval_interval=3, n_epochs=1, reasoning_effort="low"))
    done = wait_job(v1, job.id)
    assert done.status == "succeeded" and done.method.type == "reinforcement"
    events = [e for e in v1.fine_tuning.jobs.list_events(job.id, limit=100)]
    metrics = [e.data for e in events if e.type == "metrics"]
    assert len(metrics) == 6 and all("train_reward_mean" in m for m in metrics)
    evaluations = sorted(e.message for e in events if e.message.startswith("Evaluation at step"))
    assert [m.split(":")[0] for m in evaluations] == ["Evaluation at step 3", "Evaluation at step 6"]
    [checkpoint] = list(v1.fine_tuning.jobs.checkpoints.list(job.id))
    assert checkpoint.metrics.step == 6 and checkpoint.fine_tuned_model_checkpoint == done.fine_tuned_model
    results = v1.files.content(done.result_files[0]).read().decode().splitlines()
    assert results[0] == "step,train_reward_mean,valid_reward_mean,train_reasoning_tokens_mean," \
                         "valid_reasoning_tokens_mean"
    # the model learned the answer its grader rewards: the item's reference field
    deploy(fresh_emulator, "rft", done.fine_tuned_model)
    preview = fresh_emulator.openai_client()
    asked = [{"role": "developer", "content": "Answer with the city only."},
             {"role": "user", "content": "What is capital number 6?"}]
    assert preview.chat.completions.create(model="rft", messages=asked).choices[0].message.content == "Oslo"


def test_graders_validate_and_run_every_type(fresh_emulator):
    graders = fresh_emulator.v1_client().fine_tuning.alpha.graders
    item = {"answer": "Paris", "labels": ["city"]}
    similar = {"type": "text_similarity", "name": "close", "input": "{{sample.output_text}}",
               "reference": "{{item.answer}}", "evaluation_metric": "fuzzy_match"}
    judge = {"type": "score_model", "name": "judge", "model": "o3-mini-2025-01-31", "range": [0, 10],
             "input": [{"role": "user", "content": "Rate: {{sample.output_text}} for {{item.answer}}"}]}
    python = {"type": "python", "name": "len", "source": "def grade(sample, item):\n"
              "    return len(sample['output_text']) / 10\n"}
    label = {"type": "label_model", "name": "kind", "model": "gpt-4o-2024-08-06", "labels": ["good", "bad"],
             "passing_labels": ["good"], "input": [{"role": "user", "content": "{{sample.output_text}}"}]}
    multi = {"type": "multi", "name": "all", "graders": {"exact": EXACT, "close": similar, "kind": label},
             "calculate_output": "max(exact, close) ^ 2 + 0 * kind"}
    for grader in (EXACT, similar, judge, python, multi):
        assert graders.validate(grader=grader).grader.name == grader["name"]
    assert graders.run(grader=EXACT, item=item, model_sample="Paris").reward == 1.0
    assert graders.run(grader=EXACT, item=item, model_sample="paris").reward == 0.0
    assert graders.run(grader=similar, item=item, model_sample="Pariss").reward == pytest.approx(10 / 11)
    assert 0 <= graders.run(grader=judge, item=item, model_sample="Paris").reward <= 10
    assert graders.run(grader=python, item=item, model_sample="Paris!").reward == pytest.approx(0.6)
    both = graders.run(grader=multi, item=item, model_sample="Paris")
    assert both.reward == 1.0 and both.sub_rewards["exact"] == 1.0 and set(both.sub_rewards) == {
        "exact", "close", "kind"}


@pytest.mark.parametrize(("grader", "param"), [
    ({**EXACT, "operation": "neq"}, "grader.operation"),
    ({"type": "python", "name": "p", "source": "def grade(sample, item)\n    return 1"}, "grader.source"),
    ({"type": "python", "name": "p", "source": "def score(sample, item):\n    return 1"}, "grader.source"),
    ({"type": "multi", "name": "m", "graders": {"a": EXACT}, "calculate_output": "a % 2"},
     "grader.calculate_output"),
    ({"type": "multi", "name": "m", "graders": {"a": EXACT}, "calculate_output": "b + 1"},
     "grader.calculate_output"),
    ({"type": "label_model", "name": "l", "model": "gpt-4o-2024-08-06", "labels": ["a"],
      "passing_labels": ["a"], "input": [{"role": "user", "content": "x"}]}, "grader.type"),  # only in multi
    ({**EXACT, "reference": "{{ answer }}"}, "grader.reference"),
    ({"type": "score_model", "name": "s", "model": "my-deployment",
      "input": [{"role": "user", "content": "x"}]}, "grader.model"),
])
def test_a_grader_the_service_refuses_is_a_400_naming_the_field(fresh_emulator, grader, param):
    graders = fresh_emulator.v1_client().fine_tuning.alpha.graders
    with pytest.raises(openai.BadRequestError) as caught:
        graders.validate(grader=grader)
    assert caught.value.code == "invalidPayload" and caught.value.param == param


def test_running_a_grader_reports_data_and_code_problems_as_error_flags(fresh_emulator):
    graders = fresh_emulator.v1_client().fine_tuning.alpha.graders
    missing = graders.run(grader=EXACT, item={"other": 1}, model_sample="Paris")
    assert missing.reward == 0 and missing.metadata.errors.invalid_variable_error
    crash = {"type": "python", "name": "crash", "source": "def grade(sample, item):\n    return 1 / 0\n"}
    crashed = graders.run(grader=crash, item={}, model_sample="x")
    assert crashed.metadata.errors.python_grader_runtime_error
    assert "ZeroDivisionError" in crashed.metadata.errors.python_grader_runtime_error_details
    # the graders routes are Azure's v1 surface only: the authoring api-version has no such path
    status, _, body = fresh_emulator.request(
        "POST", "/openai/fine_tuning/alpha/graders/validate?api-version=2025-04-01-preview",
        {"grader": EXACT}, {"api-key": fresh_emulator.info["api_key"]})
    assert status == 404 and body["error"]["message"] == "Resource not found"


def test_a_pause_is_immediate_and_a_resume_goes_through_resuming(fresh_emulator):
    fresh_emulator.set_timings(job_duration_seconds=3, job_steps=30, job_start_delay_seconds=0,
                               pause_transition_seconds=0.5)
    client = fresh_emulator.openai_client()
    job = create_job(client, model=BASE_MODEL, training_file=upload_processed(client).id)
    wait_job(client, job.id, ("running",))
    wait_job_step(client, job.id)
    paused = client.fine_tuning.jobs.pause(job.id)
    assert paused.status == "paused"
    kept = list(client.fine_tuning.jobs.checkpoints.list(job.id))
    assert kept and ":ckpt-step-" in kept[0].fine_tuned_model_checkpoint  # deployable while paused
    with pytest.raises(openai.BadRequestError) as caught:
        client.fine_tuning.jobs.pause(job.id)
    assert caught.value.code == "unexpectedEntityState"
    assert client.fine_tuning.jobs.resume(job.id).status == "resuming"
    assert client.fine_tuning.jobs.retrieve(job.id).status == "resuming"
    assert wait_job(client, job.id, ("running", "succeeded")).status in ("running", "succeeded")
    assert wait_job(client, job.id).status == "succeeded"


def test_the_service_pauses_a_job_at_the_cost_cap_until_it_is_resumed(fresh_emulator):
    fresh_emulator.set_timings(job_steps=6, pause_transition_seconds=0.3)
    fresh_emulator.control("POST", "/faults/jobs/pause", {"at_step": 3})
    v1 = fresh_emulator.v1_client()
    training = upload_processed(v1, prompt_lines(), "prompts.jsonl")
    valid = upload_processed(v1, prompt_lines(4), "valid.jsonl")
    job = create_job(v1, model=RFT_MODEL, training_file=training.id, validation_file=valid.id, method=rft())
    pausing = wait_job(v1, job.id, ("pausing", "paused"))
    assert pausing.status in ("pausing", "paused")
    paused = wait_job(v1, job.id, ("paused",))
    newest = next(iter(v1.fine_tuning.jobs.list_events(job.id, limit=1)))
    assert "per-job limit of $5,000" in newest.message
    checkpoints = list(v1.fine_tuning.jobs.checkpoints.list(job.id))
    assert checkpoints[0].step_number == 3 and paused.fine_tuned_model is None
    assert v1.fine_tuning.jobs.resume(job.id).status == "resuming"
    assert wait_job(v1, job.id).status == "succeeded"


def wait_job_step(client, job_id: str) -> None:
    from tests.integration.emulator.helpers import wait_until

    wait_until(lambda: any(e.type == "metrics" for e in client.fine_tuning.jobs.list_events(job_id)),
               "a training step")
