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
    files["mixed_formats"] = good + b"".join(_line(PREFERENCE) for _ in range(3))
    files["too_few_examples"] = chat_dataset(3)
    files["empty_file"] = b"\n  \n"
    return files


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
