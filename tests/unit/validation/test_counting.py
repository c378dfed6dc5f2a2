"""Token figures: the exercise's counting rule with tiktoken's own counts, model limits and encodings."""

from __future__ import annotations

import json

import pytest

from shared.validation import (
    KNOWN_MODELS,
    UnknownModelError,
    ValidationOptions,
    encoding_for_model,
    model_token_limit,
    validate_path,
)
from tests.unit.validation.helpers import chat, jsonl, report_of, simple

pytestmark = pytest.mark.unit

TOOL_CALLS = [{"id": "call_9", "type": "function",
               "function": {"name": "lookup", "arguments": '{"q": "Ørsted €"}'}}]
RICH_EXAMPLE = {
    "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {}}}],
    "messages": [
        {"role": "system", "content": "Answer <|endoftext|> in kind."},
        {"role": "user", "content": [{"type": "text", "text": "Où est l'Ørsted?"},
                                     {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}],
         "name": "ann"},
        {"role": "assistant", "content": None, "tool_calls": TOOL_CALLS, "weight": 0},
        {"role": "tool", "tool_call_id": "call_9", "content": "Copenhague 東京"},
        {"role": "assistant", "content": "À Copenhague.", "weight": 1},
    ],
}


def _expected_by_rule(example: dict, encoding) -> tuple[int, int]:
    """The rule, restated: 3 per example; per message 3 + tokens of each string value (+1 for name).

    A preference example's messages are its input's, then its preferred and non-preferred outputs.
    """
    def n(text: str) -> int:
        return len(encoding.encode_ordinary(text))

    messages = example.get("messages") or (example["input"]["messages"] + example["preferred_output"]
                                           + example["non_preferred_output"])
    total, assistant = 3, 0
    for message in messages:
        total += 3
        for key, value in message.items():
            if isinstance(value, str):
                total += n(value) + (1 if key == "name" else 0)
            elif isinstance(value, list) and key == "content":
                total += sum(n(part["text"]) for part in value if part["type"] == "text")
            elif key in ("tool_calls", "function_call"):
                total += n(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
        if message["role"] == "assistant" and isinstance(message.get("content"), str):
            assistant += n(message["content"])
        elif message["role"] == "assistant" and isinstance(message.get("content"), list):
            assistant += sum(n(part["text"]) for part in message["content"] if part["type"] == "text")
    return total, assistant


PREFERENCE_EXAMPLE = {
    "input": {"messages": [{"role": "system", "content": "Réponds en français."},
                           {"role": "user", "content": "Capital of France?"},
                           {"role": "assistant", "content": "Do you mean today?"},
                           {"role": "user", "content": "Yes, today."}]},
    "preferred_output": [{"role": "assistant", "tool_calls": TOOL_CALLS},
                         {"role": "tool", "tool_call_id": "call_9", "content": "Paris"},
                         {"role": "assistant", "content": "Paris, depuis 508."}],
    "non_preferred_output": [{"role": "assistant", "content": "Lyon, je crois."}],
}
SEVERAL_ASSISTANT_TURNS = {"messages": [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Two questions: 2+2 and the capital of Japan?"},
    {"role": "assistant", "content": [{"type": "text", "text": "Four."},
                                      {"type": "text", "text": " 東京です。"}]},
    {"role": "user", "content": "Thanks!"},
    {"role": "assistant", "content": "You are welcome.", "name": "helper_bot"},
]}


@pytest.mark.parametrize("example", [PREFERENCE_EXAMPLE, SEVERAL_ASSISTANT_TURNS], ids=["preference", "chat"])
def test_every_message_of_every_list_counts(example: dict, reference_encodings) -> None:
    report = report_of(jsonl(example))
    assert report["ok"], report["errors"]
    total, assistant = _expected_by_rule(example, reference_encodings["o200k_base"])
    assert (report["tokens"]["total"]["sum"], report["tokens"]["assistant"]["sum"]) == (total, assistant)
    assert report["messages_per_example"]["sum"] == (5 if "messages" in example else 8)


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-35-turbo"])
def test_counts_follow_the_rule_with_tiktoken_counts(model: str, reference_encodings) -> None:
    options = ValidationOptions(model=model, min_examples=1)
    report = report_of(jsonl(RICH_EXAMPLE), options)
    assert report["ok"], report["errors"]
    total, assistant = _expected_by_rule(RICH_EXAMPLE, reference_encodings[encoding_for_model(model)])
    assert report["tokens"]["total"]["sum"] == total
    assert report["tokens"]["assistant"]["sum"] == assistant
    assert set(report["warning_counts"]) == {"special_tokens", "image_tokens_not_counted"}


def test_the_two_encodings_give_different_counts() -> None:
    text = jsonl({"messages": [{"role": "user", "content": "Ørsted, 東京, naïveté " * 20},
                               {"role": "assistant", "content": "ok"}]})
    o200k = report_of(text, ValidationOptions(model="gpt-4o", min_examples=1))
    cl100k = report_of(text, ValidationOptions(model="gpt-35-turbo", min_examples=1))
    assert (o200k["encoding"], cl100k["encoding"]) == ("o200k_base", "cl100k_base")
    assert o200k["tokens"]["total"]["sum"] != cl100k["tokens"]["total"]["sum"]


@pytest.mark.parametrize(("model", "file", "total", "assistant"), [
    ("gpt-4o-mini-2024-07-18", "training_set.jsonl", 498, 165),
    ("gpt-4o-mini-2024-07-18", "validation_set.jsonl", 489, 150),
    ("gpt-35-turbo-0125", "training_set.jsonl", 521, 176),
    ("gpt-35-turbo-0125", "validation_set.jsonl", 514, 159),
])
def test_the_exercise_files_give_the_published_figures(lab_datasets, model, file, total, assistant) -> None:
    report = validate_path(lab_datasets / file, ValidationOptions(model=model)).to_dict()
    assert report["ok"] and report["examples"] == 10 and report["format"] == "chat"
    assert report["tokens"]["total"]["sum"] == total
    assert report["tokens"]["assistant"]["sum"] == assistant
    assert report["billing"]["billable_tokens"] == total
    assert report["billing"]["n_epochs"] == 10  # 10 examples: min(25, 100 // 10)


@pytest.mark.parametrize(("model", "limit", "encoding"), [
    ("gpt-4o-2024-08-06", 65_536, "o200k_base"), ("gpt-4o-mini", 65_536, "o200k_base"),
    ("gpt-4.1-2025-04-14", 65_536, "o200k_base"), ("GPT-4.1-mini", 65_536, "o200k_base"),
    ("gpt-4.1-nano-2025-04-14", 32_768, "o200k_base"), ("o4-mini", 65_536, "o200k_base"),
    ("gpt-35-turbo-1106", 16_385, "cl100k_base"), ("gpt-3.5-turbo-0125", 16_385, "cl100k_base"),
    ("gpt-35-turbo", 16_385, "cl100k_base"), ("gpt-4o-mini-2024-07-18.ft-0123abcd", 65_536, "o200k_base"),
])
def test_model_limits_and_encodings(model: str, limit: int, encoding: str) -> None:
    assert model_token_limit(model) == limit
    assert encoding_for_model(model) == encoding


def test_the_limit_that_applies_is_the_models() -> None:
    long = jsonl(chat(("user", " word" * 40_000), ("assistant", "ok")))
    nano = report_of(long, ValidationOptions(model="gpt-4.1-nano", min_examples=1))
    mini = report_of(long, ValidationOptions(model="gpt-4.1-mini", min_examples=1))
    assert 32_768 < mini["tokens"]["total"]["max"] <= 65_536
    assert mini["ok"]
    assert nano["error_counts"]["too_many_tokens"] == 1
    assert "32768" in nano["errors"][-1]["message"]
    assert nano["billing"]["billable_tokens"] == 32_768  # sum of min(limit, tokens)


def test_an_unknown_model_lists_the_known_ones_unless_a_limit_is_given() -> None:
    with pytest.raises(UnknownModelError) as caught:
        report_of(jsonl(simple()), ValidationOptions(model="gpt-5"))
    assert caught.value.code == "unknown_model"
    assert all(name in str(caught.value) for name in KNOWN_MODELS)
    report = report_of(jsonl(simple()), ValidationOptions(model="my-model", max_tokens=100, min_examples=1))
    assert report["ok"] and report["billing"]["token_limit"] == 100 and report["model"] == "my-model"
