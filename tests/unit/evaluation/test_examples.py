"""Eval examples by format, and deterministic seeded sampling of a stream."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.evaluation.examples import (
    CHAT,
    INVALID_EVAL_EXAMPLE,
    PREFERENCE,
    REINFORCEMENT,
    EvalExample,
    EvalExampleError,
    eval_example,
    numbered_lines,
    sample_lines,
)
from shared.validation import rules

pytestmark = pytest.mark.unit

SYSTEM = {"role": "system", "content": "Be brief."}


def test_format_names_are_the_validation_engines():
    assert (CHAT, PREFERENCE) == (rules.CHAT, rules.PREFERENCE)


def test_chat_prompt_is_everything_before_the_reference_answer():
    line = {
        "messages": [
            SYSTEM,
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello.", "weight": 0},
            {"role": "user", "content": [{"type": "text", "text": "What is Blob Storage?"}]},
            {"role": "assistant", "content": "Object storage.", "weight": 1},
        ],
        "tools": [{"type": "function", "function": {"name": "f"}}],
    }
    example = eval_example(line, 4, CHAT)
    assert example.messages == [
        SYSTEM,
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},  # "weight" is not sent
        line["messages"][3],
    ]
    assert example.item == {"reference": "Object storage."} and example.reference == "Object storage."
    assert example.prompt_text == "What is Blob Storage?" and example.request == {"tools": line["tools"]}
    assert EvalExample.from_dict(json.loads(json.dumps(example.to_dict()))) == example


@pytest.mark.parametrize(
    "line, words",
    [
        ({"messages": [SYSTEM, {"role": "user", "content": "Hi"}]}, "last message must be the assistant's"),
        (
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "  "}]},
            "no assistant text",
        ),
        ({"messages": []}, 'no "messages"'),
        ([1, 2], "not a JSON object"),
    ],
)
def test_chat_lines_without_a_reference_are_errors_naming_the_line(line, words):
    with pytest.raises(EvalExampleError) as caught:
        eval_example(line, 9, CHAT)
    error = caught.value
    assert error.code == INVALID_EVAL_EXAMPLE and error.line == 9
    assert error.message.startswith("Line 9: ") and words in error.message
    assert error.to_dict()["line"] == 9


def test_preference_prompt_is_the_input_and_the_reference_the_preferred_answer():
    line = {
        "input": {"messages": [{"role": "user", "content": "Capital of France?"}], "tools": []},
        "preferred_output": [{"role": "assistant", "content": "Paris."}],
        "non_preferred_output": [{"role": "assistant", "content": "Lyon."}],
    }
    example = eval_example(line, 2, PREFERENCE)
    assert example.messages == line["input"]["messages"] and example.request == {"tools": []}
    assert example.item == {"reference": "Paris.", "non_preferred": "Lyon."}
    with pytest.raises(EvalExampleError, match="Line 3: preferred_output has no assistant text"):
        eval_example({**line, "preferred_output": [{"role": "tool", "content": "x"}]}, 3, PREFERENCE)
    with pytest.raises(EvalExampleError, match="Line 4: a preference example needs"):
        eval_example({"preferred_output": []}, 4, PREFERENCE)


def test_reinforcement_item_is_every_other_field():
    line = {
        "messages": [{"role": "developer", "content": "Solve."}, {"role": "user", "content": "1 ? 2 = 3"}],
        "solution": "1 + 2 = 3",
        "meta": {"level": 1},
    }
    example = eval_example(line, 1, REINFORCEMENT)
    assert example.messages == line["messages"]
    assert example.item == {"solution": "1 + 2 = 3", "meta": {"level": 1}}
    assert json.loads(example.reference) == example.item
    with pytest.raises(EvalExampleError, match="must be the user's"):
        eval_example(
            {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
            5,
            REINFORCEMENT,
        )


def test_numbered_lines_skip_blank_lines_and_keep_physical_numbers():
    raw = [b'{"a": 1}\n', b"\n", "  \n", '{"b": 2}\r\n']
    assert list(numbered_lines(raw)) == [(1, '{"a": 1}'), (4, '{"b": 2}')]


def lines(count):
    return [(number, f'{{"n": {number}}}') for number in range(1, count + 1)]


def test_sampling_is_deterministic_in_file_order_and_takes_everything_when_small():
    assert sample_lines(iter(lines(5)), 10, seed=1) == lines(5)
    first = sample_lines(iter(lines(5000)), 200, seed=7)
    assert first == sample_lines(iter(lines(5000)), 200, seed=7)
    assert first != sample_lines(iter(lines(5000)), 200, seed=8)
    assert len(first) == 200 and [n for n, _ in first] == sorted({n for n, _ in first})
    with pytest.raises(ValueError):
        sample_lines(iter(lines(3)), 0, seed=1)


def test_sampling_does_not_depend_on_how_the_stream_is_read():
    def chunked():  # the same lines, produced through a generator chain as a blob reader would
        for start in range(0, 3000, 17):
            yield from lines(3000)[start : start + 17]

    assert sample_lines(chunked(), 50, seed=3) == sample_lines(lines(3000), 50, seed=3)


def test_sampling_is_roughly_uniform():
    counts = Counter()
    for seed in range(400):
        counts.update(number for number, _ in sample_lines(iter(lines(100)), 10, seed))
    # each line is expected 40 times (400 draws x 10/100); a biased reservoir misses this by far.
    assert min(counts.values()) > 15 and max(counts.values()) < 70
    first_half = sum(counts[n] for n in range(1, 51))
    assert 1700 < first_half < 2300


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 400), st.integers(1, 60), st.integers(0, 2**31 - 1))
def test_samples_are_distinct_lines_of_the_stream(count, k, seed):
    chosen = sample_lines(iter(lines(count)), k, seed)
    assert len(chosen) == min(count, k) and len(set(chosen)) == len(chosen)
    assert set(chosen) <= set(lines(count))


def test_a_chat_reference_that_calls_tools_is_kept_for_the_graders():
    call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "blob"}'}}
    line = {
        "messages": [
            {"role": "user", "content": "Find blob docs"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
        ]
    }
    example = eval_example(line, 6, CHAT)
    assert example.item == {"reference": "", "reference_tool_calls": [call]}
    assert json.loads(example.reference) == [call]
