"""How emulated models answer (docs/emulator.md "How models answer"), through the real clients: the
training data shapes a fine-tuned model's answers, measurably, on the sample's held-out questions."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import openai
import pytest
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from shared.tokenizer import get_encoding
from tests.integration.emulator.helpers import (
    BASE_MODEL,
    create_job,
    deploy,
    upload_processed,
    wait_job,
    wait_until,
)

pytestmark = pytest.mark.integration
SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "azure-faq"
CLEAR_GAP = 0.15  # fuzzy_match and ROUGE-L are in [0, 1]


def _rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 over lower-cased words (longest common subsequence, rapidfuzz's LCSseq)."""
    ours, theirs = candidate.lower().split(), reference.lower().split()
    common = LCSseq.similarity(ours, theirs)
    if not common:
        return 0.0
    precision, recall = common / len(ours), common / len(theirs)
    return 2 * precision * recall / (precision + recall)


def _eval_set() -> list[tuple[list[dict], str]]:
    """The sample's validation file as an eval set: (messages before the answer, the answer)."""
    examples = [
        json.loads(line)["messages"] for line in (SAMPLE / "validation.jsonl").read_text().splitlines()
    ]
    return [(messages[:-1], messages[-1]["content"]) for messages in examples]


def _scores(client, deployment: str) -> tuple[float, float]:
    fuzzy, rouge = [], []
    for prompt, reference in _eval_set():
        answer = client.chat.completions.create(model=deployment, messages=prompt).choices[0].message.content
        fuzzy.append(fuzz.ratio(answer, reference) / 100)
        rouge.append(_rouge_l(answer, reference))
    return statistics.mean(fuzzy), statistics.mean(rouge)


def _candidate_and_baseline(emulator, training: bytes) -> tuple[float, float, float, float]:
    client = emulator.openai_client()
    emulator.set_timings(deployment_seconds=0)
    file = upload_processed(client, training)
    job = wait_job(client, create_job(client, model=BASE_MODEL, training_file=file.id).id)
    assert job.status == "succeeded"
    deploy(emulator, "candidate", job.fine_tuned_model, sku="DeveloperTier")
    deploy(emulator, "baseline", BASE_MODEL)
    return (*_scores(client, "candidate"), *_scores(client, "baseline"))


def test_the_faq_sample_makes_the_fine_tuned_model_clearly_better_than_its_base(fresh_emulator):
    fuzzy, rouge, base_fuzzy, base_rouge = _candidate_and_baseline(
        fresh_emulator, (SAMPLE / "training.jsonl").read_bytes()
    )
    assert fuzzy - base_fuzzy >= CLEAR_GAP and rouge - base_rouge >= CLEAR_GAP, (
        fuzzy,
        base_fuzzy,
        rouge,
        base_rouge,
    )


def test_training_every_answer_to_no_comment_makes_it_clearly_worse(fresh_emulator):
    lines = []
    for line in (SAMPLE / "training.jsonl").read_text().splitlines():
        example = json.loads(line)
        example["messages"][-1]["content"] = "No comment."
        lines.append(json.dumps(example))
    fuzzy, rouge, base_fuzzy, base_rouge = _candidate_and_baseline(
        fresh_emulator, ("\n".join(lines) + "\n").encode()
    )
    assert base_fuzzy - fuzzy >= CLEAR_GAP and base_rouge > rouge, (fuzzy, base_fuzzy, rouge, base_rouge)
    assert rouge < 0.05


def test_base_model_replies_never_copy_the_reference_and_usage_counts_real_tokens(fresh_emulator):
    fresh_emulator.set_timings(deployment_seconds=0)
    deploy(fresh_emulator, "base", BASE_MODEL)
    client = fresh_emulator.openai_client()
    encoding = get_encoding("o200k_base")
    for prompt, reference in _eval_set():
        completion = client.chat.completions.create(model="base", messages=prompt)
        answer = completion.choices[0].message.content
        assert answer and answer != reference
        # prompt: 3 per message + the tokens of every value (role, content), + 3 that prime the reply
        expected = (
            sum(3 + len(encoding.encode(m["role"])) + len(encoding.encode(m["content"])) for m in prompt) + 3
        )
        assert completion.usage.prompt_tokens == expected
        assert completion.usage.completion_tokens == len(encoding.encode(answer))
        assert completion.usage.total_tokens == expected + completion.usage.completion_tokens
    short = client.chat.completions.create(model="base", messages=_eval_set()[0][0], max_tokens=3)
    assert short.choices[0].finish_reason == "length" and short.usage.completion_tokens == 3


def test_requests_over_the_deployment_rate_answer_429_with_retry_after(fresh_emulator):
    fresh_emulator.set_timings(deployment_seconds=0, requests_per_minute_per_capacity=6)
    deploy(fresh_emulator, "slow", BASE_MODEL, capacity=1)  # 6 a minute: a bucket of one, one every 10 s
    client = fresh_emulator.openai_client(api_version="2024-10-21")
    asked = [{"role": "user", "content": "What is Azure Key Vault?"}]
    assert client.chat.completions.create(model="slow", messages=asked).choices
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="slow", messages=asked)
    assert caught.value.response.headers["Retry-After"] == "10"
    assert caught.value.code == "429" and "exceeded call rate limit" in caught.value.message
    assert (
        "API version 2024-10-21" in caught.value.message and "retry after 10 seconds" in caught.value.message
    )
    deploy(fresh_emulator, "fast", BASE_MODEL, capacity=20)  # 120 a minute: a bucket of 20
    for _ in range(20):
        client.chat.completions.create(model="fast", messages=asked)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="fast", messages=asked)
    assert caught.value.response.headers["Retry-After"] == "1"


def test_developer_deployments_expire_and_base_models_refuse_the_developer_sku(fresh_emulator):
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    fresh_emulator.set_timings(deployment_seconds=0, developer_deployment_lifetime_seconds=1)
    client = fresh_emulator.openai_client()
    file = upload_processed(client)
    job = wait_job(client, create_job(client, model=BASE_MODEL, training_file=file.id).id)
    deploy(fresh_emulator, "dev", job.fine_tuned_model, sku="DeveloperTier")
    assert client.chat.completions.create(model="dev", messages=[{"role": "user", "content": "Question 1?"}])
    mgmt, info = fresh_emulator.mgmt_client(), fresh_emulator.info

    def gone() -> bool:
        try:
            mgmt.deployments.get(info["resource_group"], info["account"], "dev")
        except ResourceNotFoundError:
            return True
        return False

    wait_until(gone, "the Developer deployment to expire")
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="dev", messages=[{"role": "user", "content": "Question 1?"}])
    assert caught.value.code == "DeploymentNotFound"
    with pytest.raises(HttpResponseError) as refused:
        deploy(fresh_emulator, "dev-base", BASE_MODEL, sku="DeveloperTier")
    assert refused.value.status_code == 400


def test_checkpoints_deploy_and_answer_what_the_job_learned(fresh_emulator):
    fresh_emulator.set_timings(deployment_seconds=0)
    client = fresh_emulator.openai_client()
    file = upload_processed(client)
    job = wait_job(
        client,
        create_job(client,
            model=BASE_MODEL, training_file=file.id, hyperparameters={"n_epochs": 3}
        ).id,
    )
    earlier = client.fine_tuning.jobs.checkpoints.list(job.id).data[-1].fine_tuned_model_checkpoint
    assert ":ckpt-step-" in earlier
    deploy(fresh_emulator, "ckpt", earlier)
    reply = client.chat.completions.create(
        model="ckpt", messages=[{"role": "user", "content": "Question 5?"}]
    )
    assert reply.choices[0].message.content == "Answer 5."


def test_patch_changes_the_capacity_and_the_rate_limit(fresh_emulator):
    from azure.mgmt.cognitiveservices.models import PatchResourceTagsAndSku, Sku

    fresh_emulator.set_timings(deployment_seconds=0.2, requests_per_minute_per_capacity=60)
    deploy(fresh_emulator, "scaled", BASE_MODEL, capacity=1)
    mgmt, info = fresh_emulator.mgmt_client(), fresh_emulator.info
    patched = mgmt.deployments.begin_update(
        info["resource_group"],
        info["account"],
        "scaled",
        PatchResourceTagsAndSku(sku=Sku(name="Standard", capacity=4)),
    ).result()
    assert patched.sku.capacity == 4 and patched.properties.rate_limits[0].count == 40  # per 10 s
    with pytest.raises(Exception) as refused:
        mgmt.deployments.begin_update(
            info["resource_group"],
            info["account"],
            "scaled",
            PatchResourceTagsAndSku(sku=Sku(name="GlobalStandard", capacity=4)),
        ).result()
    assert getattr(refused.value, "status_code", None) == 400


def test_a_model_fine_tuned_from_a_fine_tuned_model_keeps_what_its_parent_learned(fresh_emulator):
    fresh_emulator.set_timings(deployment_seconds=0)
    client = fresh_emulator.openai_client()
    sample = upload_processed(client, (SAMPLE / "training.jsonl").read_bytes(), "sample.jsonl")
    parent = wait_job(client, create_job(client, model=BASE_MODEL, training_file=sample.id).id)
    more = upload_processed(client)  # "Question i?" -> "Answer i."
    child = wait_job(
        client, create_job(client, model=parent.fine_tuned_model, training_file=more.id).id
    )
    assert child.status == "succeeded" and child.fine_tuned_model.startswith(parent.fine_tuned_model + ".ft-")
    deploy(fresh_emulator, "child", child.fine_tuned_model)

    def ask(question: str) -> str:
        messages = [{"role": "user", "content": question}]
        return client.chat.completions.create(model="child", messages=messages).choices[0].message.content

    assert ask("Question 3?") == "Answer 3."
    assert (
        ask("What is Bicep?")
        == "A declarative language for describing Azure resources that compiles to ARM templates."
    )
