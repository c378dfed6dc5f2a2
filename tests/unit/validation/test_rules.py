"""Every error code, every accepted variant and every warning of the dataset rules."""

from __future__ import annotations

import pytest

from shared.validation import ERROR_CODES, WARNING_CODES, ValidationOptions
from shared.validation.codes import is_error
from tests.unit.validation.helpers import chat, codes_at, jsonl, report_of, simple
from tests.unit.validation.test_methods import METHOD_CODES

pytestmark = pytest.mark.unit

TOOL_CALL = {"id": "call_1", "type": "function",
             "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}
TOOLS = [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}]


def _with_messages(*messages: dict) -> dict:
    return {"messages": [{"role": "user", "content": "hi"}, *messages]}


def _call(**function) -> dict:
    return {"id": "c", "type": "function", "function": {"name": "f", **function}}


def _dpo(**overrides) -> dict:
    example = {
        "input": {"messages": [{"role": "user", "content": "Capital of France?"}]},
        "preferred_output": [{"role": "assistant", "content": "Paris."}],
        "non_preferred_output": [{"role": "assistant", "content": "Lyon."}],
    }
    example.update(overrides)
    return example


LINE_ERRORS = [
    (b'{"messages": [{"role": "user", "content": "caf\xe9"}]}', "invalid_utf8"),
    ('{"messages": [', "invalid_json"),
    ("[1, 2]", "not_an_object"),
    ('"just text"', "not_an_object"),
    ({"prompt": "a", "completion": "b"}, "missing_messages"),
    ({"messages": []}, "missing_messages"),
    ({"messages": "hello"}, "missing_messages"),
    ({"messages": ["hello"]}, "message_not_object"),
    ({"messages": [{"content": "x"}, {"role": "assistant", "content": "y"}]}, "missing_role"),
    (_with_messages({"role": "bot", "content": "y"}), "unrecognized_role"),
    (_with_messages({"role": ["assistant"], "content": "y"}), "unrecognized_role"),
    (_with_messages({"role": "assistant", "content": "y", "mood": "happy"}), "unrecognized_key"),
    ({"messages": [{"role": "user"}, {"role": "assistant", "content": "y"}]}, "missing_content"),
    (_with_messages({"role": "assistant"}), "missing_content"),
    (_with_messages({"role": "assistant", "content": None}), "missing_content"),
    (_with_messages({"role": "assistant", "content": 42}), "invalid_content"),
    (_with_messages({"role": "assistant", "content": []}), "invalid_content"),
    (_with_messages({"role": "assistant", "content": [{"type": "audio", "audio": "x"}]}), "invalid_content"),
    (_with_messages({"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "u"}}]}),
     "invalid_content"),
    ({"messages": [{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "u"}}]},
                   {"role": "user", "content": "hi"}, {"role": "assistant", "content": "y"}]},
     "invalid_content"),  # images belong in user messages only, not in the system prompt either
    (_with_messages({"role": "assistant", "content": "y", "name": 7}), "invalid_content"),
    (chat(("user", "hi")), "no_assistant_message"),
    (_with_messages({"role": "assistant", "content": "y", "weight": 2}), "invalid_weight"),
    (_with_messages({"role": "assistant", "content": "y", "weight": "1"}), "invalid_weight"),
    (_with_messages({"role": "assistant", "content": "y", "weight": True}), "invalid_weight"),
    ({"messages": [{"role": "user", "content": "hi", "weight": 1}, {"role": "assistant", "content": "y"}]},
     "invalid_weight"),
    (_with_messages({"role": "assistant", "tool_calls": [_call(arguments={"a": 1})]}), "invalid_tool_call"),
    (_with_messages({"role": "assistant", "tool_calls": [_call(arguments="{oops")]}), "invalid_tool_call"),
    (_with_messages({"role": "assistant", "tool_calls": []}), "invalid_tool_call"),
    (_with_messages({"role": "assistant", "tool_calls": [{"id": "c", "type": "retrieval"}]}),
     "invalid_tool_call"),
    ({"messages": [{"role": "user", "content": "hi", "tool_calls": [TOOL_CALL]},
                   {"role": "assistant", "content": "y"}]}, "invalid_tool_call"),
    (_with_messages({"role": "assistant", "tool_calls": [TOOL_CALL]}, {"role": "tool", "content": "sunny"},
                    {"role": "assistant", "content": "Sunny."}), "invalid_tool_call"),
    (_with_messages({"role": "function", "content": "sunny"}, {"role": "assistant", "content": "y"}),
     "invalid_tool_call"),
    ({**simple(), "tools": {"weather": {}}}, "invalid_tool_call"),
    ({**simple(), "tools": [{"type": "function", "function": {"parameters": {}}}]}, "invalid_tool_call"),
    ({**simple(), "parallel_tool_calls": "yes"}, "invalid_tool_call"),
    (_dpo(preferred_output=None), "invalid_preference_example"),
    (_dpo(input={"messages": []}), "invalid_preference_example"),
    (_dpo(input="Capital of France?"), "invalid_preference_example"),
    (_dpo(non_preferred_output=[{"role": "user", "content": "Lyon."}]), "invalid_preference_example"),
    (_dpo(preferred_output=[{"role": "tool", "content": "x", "tool_call_id": "c"}]),
     "invalid_preference_example"),
    (_dpo(preferred_output=[{"role": "assistant", "content": "Paris.", "colour": "blue"}]),
     "unrecognized_key"),
]


@pytest.mark.parametrize(("line", "code"), LINE_ERRORS,
                         ids=[f"{code}-{i}" for i, (_, code) in enumerate(LINE_ERRORS)])
def test_each_broken_rule_is_reported_with_its_code_and_line(line, code) -> None:
    report = report_of(jsonl(simple(1), line, simple(2)))
    assert codes_at(report) == [(2, code)]
    assert report["error_counts"] == {code: 1}
    assert report["ok"] is False
    assert report["examples"] == 2
    message = report["errors"][0]["message"]
    assert message.endswith(".") and len(message) > 20  # a sentence saying what to fix


def test_too_many_tokens_depends_on_the_limit() -> None:
    example = chat(("user", "word " * 50), ("assistant", "fine"))
    fits = report_of(jsonl(example), ValidationOptions(min_examples=1, max_tokens=10_000))
    total = fits["tokens"]["total"]["max"]
    assert fits["ok"] and total > 50
    exact = report_of(jsonl(example), ValidationOptions(min_examples=1, max_tokens=total))
    over = report_of(jsonl(example), ValidationOptions(min_examples=1, max_tokens=total - 1))
    assert exact["ok"]
    assert codes_at(over) == [(None, "too_few_examples"), (1, "too_many_tokens")]
    assert str(total) in over["errors"][1]["message"]


@pytest.mark.parametrize("data", [b"", b"\n", b"\r\n  \n\t\n", b"\xef\xbb\xbf"])
def test_a_file_without_examples_is_empty(data: bytes) -> None:
    report = report_of(data)
    assert report["error_counts"] == {"empty_file": 1}
    assert report["errors"][0]["line"] is None


def test_a_training_file_needs_ten_valid_examples_a_validation_file_one() -> None:
    nine = jsonl(*(simple(i) for i in range(9)), "{broken")
    training = report_of(nine, ValidationOptions())
    assert codes_at(training) == [(None, "too_few_examples"), (10, "invalid_json")]
    assert report_of(jsonl(*(simple(i) for i in range(10))), ValidationOptions())["ok"]
    assert report_of(jsonl(simple()), ValidationOptions(role="validation"))["ok"]


def test_file_too_large_is_a_file_level_error() -> None:
    data = jsonl(simple())
    report = report_of(data, ValidationOptions(min_examples=1, max_file_bytes=len(data) - 1))
    assert codes_at(report) == [(None, "file_too_large")]
    assert report_of(data, ValidationOptions(min_examples=1, max_file_bytes=len(data)))["ok"]


def test_mixing_chat_and_preference_examples_is_an_error() -> None:
    report = report_of(jsonl(simple(1), simple(2), _dpo(), simple(3)))
    assert codes_at(report) == [(None, "mixed_formats")]
    assert report["format"] == "chat"
    assert "line 3" in report["errors"][0]["message"]
    assert report_of(jsonl(_dpo(), simple()))["format"] == "preference"


ACCEPTED = {
    "tools_and_tool_calls": {
        "tools": TOOLS, "parallel_tool_calls": False,
        "messages": [{"role": "system", "content": "Use tools."},
                     {"role": "user", "content": "Weather in Oslo?"},
                     {"role": "assistant", "tool_calls": [TOOL_CALL]},
                     {"role": "tool", "tool_call_id": "call_1", "content": '{"sky": "clear"}'},
                     {"role": "assistant", "content": "Clear skies.", "weight": 1}],
    },
    "null_content_with_tool_calls": _with_messages(
        {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "x"},
        {"role": "assistant", "content": "done"}),
    "weights": _with_messages({"role": "assistant", "content": "b", "weight": 0},
                              {"role": "user", "content": "c"},
                              {"role": "assistant", "content": "d", "weight": 1}),
    "float_weight": _with_messages({"role": "assistant", "content": "y", "weight": 0.0}),
    "name": _with_messages({"role": "assistant", "content": "y", "name": "bot_1"}),
    "content_parts": _with_messages({"role": "assistant", "content": [{"type": "text", "text": "Part one."},
                                                                     {"type": "text", "text": "Part two."}]}),
    "non_english": chat(("user", "¿Dónde está 東京? Привет, мир 👋"),
                        ("assistant", "東京は日本にあります。")),
    "preference": _dpo(),
    "preference_with_tools": _dpo(input={"messages": [{"role": "user", "content": "x"}], "tools": TOOLS}),
    "preference_with_a_tool_turn": _dpo(preferred_output=[
        {"role": "assistant", "tool_calls": [TOOL_CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "x"},
        {"role": "assistant", "content": "Paris."}]),
    "tools_and_calls_without_type_or_id": {  # "type" defaults to "function", "id" to none
        "tools": [{"function": {"name": "weather"}}],
        "messages": [{"role": "user", "content": "Weather?"},
                     {"role": "assistant",
                      "tool_calls": [{"function": {"name": "weather", "arguments": "{}"}}]},
                     {"role": "tool", "tool_call_id": "", "content": "sunny"},
                     {"role": "assistant", "content": "Sunny."}]},
    "legacy_function_call_and_function_role": _with_messages(
        {"role": "assistant", "function_call": {"name": "weather", "arguments": "{}"}},
        {"role": "function", "name": "weather", "content": "sunny"},
        {"role": "assistant", "content": "Sunny."}),
    "legacy_functions_with_a_type_key": {**simple(), "functions": [{"name": "f", "type": "anything"}]},
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted_variants_are_valid(name: str) -> None:
    report = report_of(jsonl(ACCEPTED[name]))
    assert report["ok"], report["errors"]
    assert report["examples"] == 1


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final_newline", [True, False])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_line_endings_bom_and_final_newline_do_not_matter(newline: str, final_newline: bool,
                                                           bom: bytes) -> None:
    data = bom + jsonl(*(simple(i) for i in range(10)), newline=newline, final_newline=final_newline)
    plain = report_of(jsonl(*(simple(i) for i in range(10))), ValidationOptions())
    report = report_of(data, ValidationOptions())
    assert report["ok"] and report["examples"] == 10 and report["lines"] == 10
    assert report["tokens"] == plain["tokens"]
    assert report["bytes"] == len(data)


def test_blank_lines_are_skipped_with_a_warning() -> None:
    report = report_of(jsonl(simple(1), "", "   ", simple(2)))
    assert report["ok"] and report["examples"] == 2
    assert codes_at(report, "warnings") == [(2, "blank_line"), (3, "blank_line")]
    assert report["blank_lines"] == 2 and report["lines"] == 4


WARNINGS = [
    (chat(("user", "Say <|endoftext|> please"), ("assistant", "ok")), "special_tokens"),
    (chat(("user", "hi"), ("assistant", "ok"), system=None), "missing_system_message"),
    ({"messages": [{"role": "system", "content": "s"}, {"role": "assistant", "content": "ok"}]},
     "missing_user_message"),
    ({"messages": [{"role": "system", "content": "s"},
                   {"role": "user", "content": [{"type": "text", "text": "What is it?"},
                                                {"type": "image_url", "image_url": {"url": "https://x/c.png"}}]},
                   {"role": "assistant", "content": "A cat."}]}, "image_tokens_not_counted"),
    (chat(("user", "hi"), ("assistant", "ok"), functions=[{"name": "f", "parameters": {}}]),
     "deprecated_functions"),
    (chat(("user", "hi"), ("assistant", "ok"), metadata={"source": "web"}), "unrecognized_top_level_key"),
]


@pytest.mark.parametrize(("example", "code"), WARNINGS, ids=[code for _, code in WARNINGS])
def test_warnings_never_make_a_file_invalid(example: dict, code: str) -> None:
    report = report_of(jsonl(simple(), example))
    assert report["ok"]
    assert (2, code) in codes_at(report, "warnings")
    assert report["warning_counts"][code] == 1


@pytest.mark.parametrize("shared", ["system", "name"])
def test_a_special_token_in_a_value_shared_by_every_line_is_warned_on_each_line(shared: str) -> None:
    # System prompts and names are cached across lines: the cache must not swallow the warning.
    text = "Stop at <|endoftext|> and nowhere else."
    lines = []
    for i in range(3):
        example = chat(("user", f"Question {i}?"), ("assistant", f"Answer {i}."),
                       system=text if shared == "system" else "You are terse.")
        if shared == "name":
            example["messages"][1]["name"] = text
        lines.append(example)
    report = report_of(jsonl(*lines))
    assert report["ok"]
    assert codes_at(report, "warnings") == [(line, "special_tokens") for line in (1, 2, 3)]
    assert "'<|endoftext|>'" in report["warnings"][2]["message"]


def test_duplicates_are_warned_with_the_line_of_the_first_copy() -> None:
    report = report_of(jsonl(simple(1), simple(2), simple(1), simple(1)))
    assert codes_at(report, "warnings") == [(3, "duplicate_example"), (4, "duplicate_example")]
    assert "line 1" in report["warnings"][0]["message"]


def test_every_code_is_exercised_and_the_code_lists_are_exact() -> None:
    exercised = {code for _, code in LINE_ERRORS} | {"too_many_tokens", "empty_file", "too_few_examples",
                                                     "file_too_large", "mixed_formats"}
    exercised |= set(METHOD_CODES)  # the method's own rules: test_methods.py
    assert exercised == set(ERROR_CODES)
    assert {code for _, code in WARNINGS} | {"blank_line", "duplicate_example"} == set(WARNING_CODES)
    assert len(ERROR_CODES) == 22
    assert all(is_error(code) for code in ERROR_CODES) and not any(is_error(code) for code in WARNING_CODES)


def test_reports_quote_the_data_only_briefly() -> None:
    report = report_of(jsonl(simple(), _with_messages({"role": "x" * 10_000, "content": "y"})))
    assert report["error_counts"] == {"unrecognized_role": 1}
    assert len(report["errors"][0]["message"]) < 200


def test_lone_surrogates_and_deep_nesting_do_not_crash() -> None:
    surrogate = '{"messages": [{"role": "user", "content": "\\ud800"}, ' \
                '{"role": "assistant", "content": "ok"}]}'
    assert report_of(jsonl(surrogate))["ok"]
    deep = report_of(jsonl(simple(), "[" * 100_000 + "]" * 100_000))
    assert codes_at(deep) == [(2, "invalid_json")]
