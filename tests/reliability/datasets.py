"""Datasets the scenarios generate: valid chat examples of any size, and malformed files."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "azure-faq"


def chat_line(index: int, words: int = 8) -> bytes:
    """One valid chat example, distinct for each index."""
    filler = " ".join(f"w{index}x{i}" for i in range(words))
    example = {"messages": [
        {"role": "system", "content": "You answer questions about Azure briefly."},
        {"role": "user", "content": f"Question {index}: what is {filler}?"},
        {"role": "assistant", "content": f"Answer {index}: it is {filler}."},
    ]}
    return json.dumps(example).encode() + b"\n"


def chat_dataset(examples: int, words: int = 8) -> bytes:
    return b"".join(chat_line(i, words) for i in range(examples))


def _line(obj: object) -> bytes:
    return json.dumps(obj).encode() + b"\n"


USER = {"role": "user", "content": "Hi"}
ASSISTANT = {"role": "assistant", "content": "Hello."}
PREFERENCE = {"input": {"messages": [USER]}, "preferred_output": [ASSISTANT],
              "non_preferred_output": [{"role": "assistant", "content": "Go away."}]}
# One bad line after ten good examples, so that each file breaks exactly the rule it names.
BAD_LINES: dict[str, bytes] = {
    "invalid_utf8": b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n',
    "invalid_json": b'{"messages": [ {"role": "user"\n',
    "not_an_object": _line([USER, ASSISTANT]),
    "missing_messages": _line({"prompt": "Hi", "completion": "Hello."}),
    "message_not_object": _line({"messages": ["Hi", "Hello."]}),
    "missing_role": _line({"messages": [{"content": "Hi"}, ASSISTANT]}),
    "unrecognized_role": _line({"messages": [{"role": "robot", "content": "Hi"}, ASSISTANT]}),
    "unrecognized_key": _line({"messages": [{**USER, "mood": "happy"}, ASSISTANT]}),
    "missing_content": _line({"messages": [{"role": "user"}, ASSISTANT]}),
    "invalid_content": _line({"messages": [{"role": "user", "content": 42}, ASSISTANT]}),
    "no_assistant_message": _line({"messages": [USER]}),
    "invalid_weight": _line({"messages": [USER, {**ASSISTANT, "weight": 2}]}),
    "invalid_tool_call": _line({"messages": [USER, {"role": "assistant", "tool_calls": [{"id": 7}]}]}),
    "too_many_tokens": _line({"messages": [USER, {"role": "assistant", "content": "hello " * 70_000}]}),
}


def bad_datasets() -> dict[str, bytes]:
    """Training files that each break one validation rule: expected code -> content."""
    good = chat_dataset(10)
    files = {code: good + line for code, line in BAD_LINES.items()}
    files["invalid_preference_example"] = b"".join(
        _line({**PREFERENCE, "input": {"messages": [USER, {"role": "user", "content": str(i)}]}})
        for i in range(10)) + _line({"input": {"messages": [USER]}, "preferred_output": [ASSISTANT]})
    # A run always has a method (supervised by default): lines of another format are refused one by one
    # (mixed_formats is for a file checked alone, without a method: python -m local validate FILE).
    files["format_not_for_method"] = good + b"".join(_line(PREFERENCE) for _ in range(3))
    files["too_few_examples"] = chat_dataset(3)
    files["empty_file"] = b"\n  \n"
    return files


GRADER = {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}",
          "reference": "{{item.answer}}", "operation": "eq"}
RFT_SETTINGS = {"model": "o4-mini-2025-04-16",
                "method": {"type": "reinforcement", "reinforcement": {"grader": GRADER}}}
DPO_SETTINGS = {"model": "gpt-4.1-mini-2025-04-14", "method": {"type": "dpo"}}


def prompt_line(index: int, **item: object) -> bytes:
    """A reinforcement prompt: the user's question last, the grader's fields beside it."""
    return _line({"messages": [{"role": "developer", "content": "One word."},
                               {"role": "user", "content": f"Capital number {index}?"}], **item})


def method_cases() -> dict[str, dict[str, bytes]]:
    """Run folders whose method the data or settings break: label -> files (finetune.json included)."""
    prompts = b"".join(prompt_line(i, answer="Paris") for i in range(10))
    rft = {"finetune.json": _line(RFT_SETTINGS), "valid.jsonl": prompt_line(0, answer="Paris")}
    parent = "gpt-4.1-mini-2025-04-14.ft-" + "0" * 32
    return {
        "last_message_not_user": {**rft, "training.jsonl": prompts + _line(
            {"messages": [USER, ASSISTANT], "answer": "Paris"})},
        "missing_grader_field": {**rft, "training.jsonl": prompts + prompt_line(10, solution="Paris")},
        "invalid_preference_example": {"finetune.json": _line(DPO_SETTINGS),
                                       "training.jsonl": bad_datasets()["invalid_preference_example"]},
        "rft-without-validation": {"finetune.json": _line(RFT_SETTINGS), "training.jsonl": prompts},
        "parent-model-missing": {"finetune.json": _line({**DPO_SETTINGS, "model": parent}),
                                 "training.jsonl": b"".join(_line(PREFERENCE) for _ in range(10))},
    }


def bad_method_settings() -> dict[str, tuple[bytes, str]]:
    """finetune.json files refused for their method, grader or tier: label -> (content, code)."""
    def rft(grader: dict) -> bytes:
        method = {"type": "reinforcement", "reinforcement": {"grader": grader}}
        return _line({**RFT_SETTINGS, "method": method})

    return {
        "dpo-on-sft-only-model": (_line({"method": {"type": "dpo"}}), "method_not_supported"),
        "dpo-beta-out-of-range": (_line({**DPO_SETTINGS, "method": {"type": "dpo", "dpo": {
            "hyperparameters": {"beta": 5}}}}), "invalid_run_settings"),
        "grader-operation": (rft({**GRADER, "operation": "equals"}), "invalid_grader"),
        "grader-python-syntax": (rft({"type": "python", "name": "p",
                                      "source": "def grade(s, i)\n    return 1"}), "invalid_grader"),
        "unknown-training-type": (_line({"training_type": "Spot"}), "invalid_run_settings"),
    }


def bad_settings() -> dict[str, bytes]:
    """finetune.json files the run must refuse (invalid_run_settings): label -> content."""
    return {
        "unknown-key": _line({"epochs": 3}),
        "wrong-type": _line({"hyperparameters": {"n_epochs": "three"}}),
        "bad-suffix": _line({"suffix": "no spaces allowed!"}),
        "not-an-object": _line([{"suffix": "x"}]),
        "not-json": b"{suffix: x,\n",
        "negative-capacity": _line({"deployment": {"capacity": -1}}),
        "oversized": _line({"suffix": "big", "note": "x" * (200 * 1024)}),
    }
