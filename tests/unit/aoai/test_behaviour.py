"""Unit tests of how emulated models answer, learn, bill and throttle (no HTTP)."""

from __future__ import annotations

import json

import pytest

from local.aoai.models.answers import LearnedModel, base_reply, content_words, topic_of
from local.aoai.models.catalog import BASE_MODELS, base_model
from local.aoai.models.learning import Pair, auto_epochs, digest_training_file, pair_of
from local.aoai.models.rate_limits import RateLimiter
from shared.validation.billing import default_epochs

pytestmark = pytest.mark.unit

PAIRS = [
    Pair("What is Azure Blob Storage?", "Object storage for unstructured data."),
    Pair("What does Azure Functions do?", "It runs code in response to events."),
    Pair("What is Bicep?", "A declarative language for Azure resources."),
]


def test_a_fine_tuned_model_answers_the_most_similar_learned_question():
    model = LearnedModel(PAIRS)
    assert model.answer("Tell me about Blob Storage in Azure.") == PAIRS[0].answer
    assert model.answer("what are azure FUNCTIONS used for") == PAIRS[1].answer
    assert model.answer("Is Bicep a language?") == PAIRS[2].answer


def test_below_the_threshold_it_answers_like_its_base_in_the_learned_style():
    model = LearnedModel(PAIRS)
    reply = model.answer("What is Azure Key Vault?")
    assert reply not in {p.answer for p in PAIRS}
    assert reply.startswith("Azure Key Vault is part of Microsoft Azure") and len(reply.split()) <= 12
    collapsed = LearnedModel([Pair(p.prompt, "No comment.") for p in PAIRS])
    assert collapsed.answer("What is Azure Key Vault?") == "No comment."


def test_ties_go_to_the_earlier_example_and_answers_are_deterministic():
    model = LearnedModel([Pair("alpha beta", "first"), Pair("alpha beta", "second")])
    assert model.answer("alpha beta") == "first" == model.answer("alpha beta")


def test_base_replies_name_the_topic_and_never_need_data():
    assert topic_of("What is Azure Key Vault?") == "Azure Key Vault"
    assert topic_of("Can you explain what Blob Storage in Azure is for?") == "Blob Storage in Azure"
    assert topic_of("How do I deploy?") == ""
    assert base_reply("Why would I use a resource group?").startswith(
        "That is a question about use, resource"
    )
    assert content_words("The keys of Functions") == ["key", "function"]


def test_pairs_of_chat_and_preference_examples():
    chat = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Q1"},
            {"role": "assistant", "content": "A1"},
            {"role": "user", "content": "Q2"},
            {"role": "assistant", "content": [{"type": "text", "text": "A2"}]},
        ]
    }
    assert pair_of(chat) == Pair("Q1 Q2", "A2", "Be brief.")
    dpo = {
        "input": {"messages": [{"role": "user", "content": "Q"}]},
        "preferred_output": [{"role": "assistant", "content": "good"}],
        "non_preferred_output": [{"role": "assistant", "content": "bad"}],
    }
    assert pair_of(dpo) == Pair("Q", "good", "")
    tool_only = {"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "tool_calls": []}]}
    assert pair_of(tool_only) is None


@pytest.mark.parametrize("examples", [1, 10, 33, 34, 100, 8_333, 8_334, 30_000])
def test_auto_epochs_follow_the_service_rule_the_app_documents(examples):
    assert auto_epochs(examples) == default_epochs(examples)


def test_a_digest_caps_each_example_at_the_model_limit(tmp_path):
    long = {
        "messages": [{"role": "user", "content": "word " * 20_000}, {"role": "assistant", "content": "ok"}]
    }
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps(long) + "\n", encoding="utf-8")
    assert (
        digest_training_file(path, "gpt-35-turbo").billable_tokens == BASE_MODELS["gpt-35-turbo"].token_limit
    )
    assert digest_training_file(path, "gpt-4o-mini").billable_tokens < 65_536
    assert digest_training_file(path, "unknown-model").error


def test_fine_tuned_names_resolve_to_their_base_model():
    hexes = "0123456789abcdef" * 2
    assert base_model(f"gpt-4o-mini.ft-{hexes}.ft-{hexes}:ckpt-step-4") is BASE_MODELS["gpt-4o-mini"]
    assert base_model("gpt-4-turbo") is None


def test_the_rate_limiter_is_a_deterministic_token_bucket():
    limiter = RateLimiter()
    # 60 a minute for capacity 1: one a second, a bucket of ten
    assert all(limiter.take("d", 1, 60, now=0.0) is None for _ in range(10))
    assert limiter.take("d", 1, 60, now=0.0) == 1
    assert limiter.take("d", 1, 60, now=1.0) is None
    assert limiter.take("d", 1, 6, now=1.0) == 10  # 6 a minute: 10 s for the next one
    assert limiter.take("other", 2, 0, now=1.0) is None  # 0: no limit
