"""The exact sentence of every error and warning: where it is (message N, tool call N, part N) and what to do.

The messages are the user's instructions (README, reports, HTTP statuses): a change to one
is deliberate, so each is stated here in full, with the label that locates the problem.
"""

from __future__ import annotations

import pytest

from shared.validation import ValidationOptions
from shared.validation.rules import Problem
from tests.unit.validation.helpers import chat, codes_at, jsonl, report_of, simple

pytestmark = pytest.mark.unit

U = {"role": "user", "content": "hi"}
A = {"role": "assistant", "content": "ok"}
ROLES = "use one of system, user, assistant, tool, function."
KEYS = ("allowed keys are role, content, name, weight, tool_calls, tool_call_id, function_call. "
        "Remove or rename it.")
PART_SHAPE = 'must be {"type": "text", "text": "..."} or {"type": "image_url", "image_url": {"url": "..."}}.'
CONTENT_SHAPE = ('"content" must be a string or a non-empty list of parts {"type": "text", "text": ...} / '
                 '{"type": "image_url", "image_url": {"url": ...}}.')
CALL_SHAPE = 'must be an object with a string "id", "type": "function" and "function".'
FUNCTION_SHAPE = 'must be an object with a string "name" and "arguments".'
ARGUMENTS_NOT_TEXT = ('"arguments" must be a string holding JSON (for example "{\\"city\\": \\"Paris\\"}"), '
                      "not an object.")
TOOL_SHAPE = '{"type": "function", "function": {"name": ..., "parameters": ...}}'
TOOL_CALL_ID = ('"tool_call_id" belongs on tool messages and must be the string id of the assistant\'s '
                "tool call.")
NEEDS_INPUT = 'A preference (DPO) example needs "input": {"messages": [...]} with at least one message.'
NEEDS_PREFERRED = ('A preference (DPO) example needs "preferred_output": a non-empty list of assistant (and '
                   "tool) messages.")
IGNORED_KEY = "is not part of the format and is ignored by the counts; the service may reject it. Remove it."
NO_SYSTEM = ("The example has no system message; add one if the model should learn a fixed behaviour "
             "(use the same system message when you call the model).")


def _dpo(**overrides) -> dict:
    return {"input": {"messages": [U]}, "preferred_output": [A], "non_preferred_output": [A], **overrides}


def _call(**fields) -> dict:
    return {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}, **fields}


ERRORS = [
    ('{"messages": [',
     "The line is not valid JSON (Expecting value: line 1 column 15 (char 14)); put exactly one JSON object "
     "on each line."),
    (b'{"a": "\xc3\x28"}', "The line is not valid UTF-8 (byte 8); save the file as UTF-8."),
    ("[1]", 'The line must be a JSON object such as {"messages": [...]}.'),
    ({"prompt": "a"}, 'The object has no "messages" list; put the conversation in "messages" (or use '
                      '"input"/"preferred_output"/"non_preferred_output" for DPO).'),
    ({"messages": []}, '"messages" must be a non-empty list of message objects.'),
    ({"messages": [U, "x"]}, "message 2 must be an object with a role and content."),
    ({"messages": [U, {"content": "x"}]}, f'message 2 has no "role"; {ROLES}'),
    ({"messages": [U, {"role": "bot", "content": "x"}]}, f"message 2 has role 'bot'; {ROLES}"),
    ({"messages": [U, {"role": "x" * 38, "content": "y"}]}, f"message 2 has role '{'x' * 38}'; {ROLES}"),
    ({"messages": [U, {"role": "x" * 39, "content": "y"}]}, f"message 2 has role '{'x' * 36}...; {ROLES}"),
    ({"messages": [U, {**A, "mood": 1}]}, f"message 2 has the key 'mood'; {KEYS}"),
    ({"messages": [U, {"role": "assistant"}]},
     'message 2 has no "content"; give it text (an assistant message may have "tool_calls" instead).'),
    ({"messages": [U, {"role": "assistant", "content": 1}]}, f"message 2: {CONTENT_SHAPE}"),
    ({"messages": [U, {"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "text"}]}]},
     f"message 2: content part 2 {PART_SHAPE}"),
    ({"messages": [U, {"role": "assistant", "content": ["x"]}]}, f"message 2: content part 1 {PART_SHAPE}"),
    ({"messages": [{"role": "user", "content": [{"type": "input_audio", "image_url": {"url": "u"}}]}, A]},
     f"message 1: content part 1 {PART_SHAPE}"),  # the type decides, not the keys present
    ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": "u"}]}, A]},
     f"message 1: content part 1 {PART_SHAPE}"),
    ({"messages": [U, {"role": "tool", "tool_call_id": "c", "content": [
        {"type": "text", "text": "see"}, {"type": "image_url", "image_url": {"url": "u"}}]}, A]},
     "message 2: images are allowed only in user messages; move part 2 to a user message."),
    ({"messages": [U, {**A, "name": 7}]}, 'message 2: "name" must be a string.'),
    (chat(("user", "hi")), 'The example has no assistant message; add the reply the model should learn as a '
                           'message with role "assistant".'),
    ({"messages": [U, {**A, "weight": 0.5}]}, 'message 2: "weight" must be 0 or 1, got 0.5.'),
    ({"messages": [{**U, "weight": 1}, A]},
     'message 1: "weight" is allowed only on assistant messages; remove it.'),
    ({"messages": [U, {"role": "assistant", "tool_calls": []}]},
     'message 2: "tool_calls" must be a non-empty list of {"id", "type": "function", "function": {"name", '
     '"arguments"}}.'),
    ({"messages": [U, {"role": "assistant", "tool_calls": [_call(), _call(id=5)]}]},
     f"message 2: tool call 2 {CALL_SHAPE}"),
    ({"messages": [U, {"role": "assistant", "tool_calls": [_call(type="retrieval")]}]},
     f"message 2: tool call 1 {CALL_SHAPE}"),
    ({"messages": [U, {"role": "assistant", "tool_calls": ["x"]}]}, f"message 2: tool call 1 {CALL_SHAPE}"),
    ({"messages": [U, {"role": "assistant", "tool_calls": [_call(function={"arguments": "{}"})]}]},
     f"message 2: tool call 1: function {FUNCTION_SHAPE}"),
    ({"messages": [U, {"role": "assistant", "tool_calls": [_call(function={"name": "f", "arguments": {}})]}]},
     f"message 2: tool call 1: function: {ARGUMENTS_NOT_TEXT}"),
    ({"messages": [U, {"role": "assistant", "tool_calls": [_call(function={"name": "f", "arguments": "{"})]}
                  ]},
     'message 2: tool call 1: function: "arguments" is not valid JSON (Expecting property name enclosed in '
     "double quotes: line 1 column 2 (char 1))."),
    ({"messages": [{**U, "tool_calls": [_call()]}, A]},
     'message 1: "tool_calls" is allowed only on assistant messages.'),
    ({"messages": [U, {"role": "assistant", "function_call": "f"}]},
     f'message 2: "function_call" {FUNCTION_SHAPE}'),
    ({"messages": [U, {"role": "assistant", "function_call": {"name": "f", "arguments": {"a": 1}}}]},
     f'message 2: "function_call": {ARGUMENTS_NOT_TEXT}'),
    ({"messages": [{**U, "tool_call_id": "c"}, A]},
     f"message 1: {TOOL_CALL_ID}"),
    ({"messages": [U, {"role": "tool", "content": "x", "tool_call_id": 5}, A]},
     f"message 2: {TOOL_CALL_ID}"),
    ({"messages": [U, {"role": "tool", "content": "x"}, A]},
     'message 2 is a tool message without "tool_call_id"; give the id of the assistant\'s tool call it '
     "answers."),
    ({"messages": [U, {"role": "function", "content": "x"}, A]},
     'message 2 is a function message without "name"; give the name of the function whose result it holds.'),
    ({**simple(), "tools": {}}, '"tools" must be a list of tool definitions.'),
    ({**simple(), "tools": [{"type": "function", "function": {"name": "a"}}, "x"]}, f'"tools" item 2 must be '
                                                                                 f"{TOOL_SHAPE}."),
    ({**simple(), "tools": [{"type": "retrieval", "function": {"name": "a"}}]}, f'"tools" item 1 must be '
                                                                                f"{TOOL_SHAPE}."),
    ({**simple(), "functions": [{"parameters": {}}]},
     '"functions" item 1 must be {"name": ..., "parameters": ...}.'),
    ({**simple(), "parallel_tool_calls": 1}, '"parallel_tool_calls" must be true or false.'),
    (_dpo(input={"messages": [U], "tools": "x"}), '"input.tools" must be a list of tool definitions.'),
    (_dpo(input={"messages": [U], "parallel_tool_calls": "no"}),
     '"input.parallel_tool_calls" must be true or false.'),
    (_dpo(input={"messages": [{"role": "bot", "content": "x"}]}), f"input message 1 has role 'bot'; {ROLES}"),
    (_dpo(input={"messages": []}), NEEDS_INPUT),
    ({"preferred_output": [A]}, NEEDS_INPUT),
    ({"input": {"messages": [U]}}, NEEDS_PREFERRED),
    (_dpo(preferred_output="Paris."), NEEDS_PREFERRED),
    ({"non_preferred_output": [A]}, NEEDS_INPUT),
    (_dpo(non_preferred_output=[]),
     'A preference (DPO) example needs "non_preferred_output": a non-empty list of assistant (and tool) '
     "messages."),
    (_dpo(preferred_output=[{"role": "bot", "content": "x"}]),
     f"preferred_output message 1 has role 'bot'; {ROLES}"),
    (_dpo(non_preferred_output=[{"role": "user", "content": "x"}]),
     '"non_preferred_output" may hold only assistant and tool messages and needs at least one assistant '
     "message."),
]


@pytest.mark.parametrize(("line", "message"), ERRORS, ids=[f"error-{i}" for i in range(len(ERRORS))])
def test_each_error_says_where_and_what_to_fix(line, message) -> None:
    report = report_of(jsonl(simple(1), line))
    [entry] = [e for e in report["errors"] if e["line"] == 2]
    assert entry["message"] == message


WARNINGS = [
    (chat(("user", "Say <|endoftext|>"), ("assistant", "ok")),
     [("special_tokens", "The text contains the special-token string '<|endoftext|>'; it is counted as "
                         "ordinary text. Remove it unless intended.")]),
    (chat(("user", "hi"), ("assistant", "ok"), system=None), [("missing_system_message", NO_SYSTEM)]),
    (_dpo(), [("missing_system_message", NO_SYSTEM)]),
    (chat(("assistant", "ok")), [("missing_user_message", "The example has no user message; check that the "
                                                          "conversation is complete.")]),
    (chat(("user", [{"type": "text", "text": "?"}, {"type": "image_url", "image_url": {"url": "u"}}]),
          ("assistant", "A cat.")),
     [("image_tokens_not_counted", "message 2: image part 2 is not counted in the token figures; the service "
                                   "bills image tokens too.")]),
    (chat(("user", "hi"), ("assistant", "ok"), functions=[{"name": "f"}]),
     [("deprecated_functions", '"functions" is deprecated; prefer "tools".')]),
    (chat(("user", "hi"), ("assistant", "ok"), metadata={}),
     [("unrecognized_top_level_key", f"The key 'metadata' {IGNORED_KEY}")]),
    (_dpo(input={"messages": [{"role": "system", "content": "s"}, U], "seed": 1}),
     [("unrecognized_top_level_key", f"The key input.'seed' {IGNORED_KEY}")]),
    (_dpo(note="x", input={"messages": [{"role": "system", "content": "s"}, U]}),
     [("unrecognized_top_level_key", f"The key 'note' {IGNORED_KEY}")]),
    ({"messages": [{"role": "system", "content": "s"}, U,
                   {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
                   {"role": "function", "name": "f", "content": "sunny"}, A]},
     [("deprecated_functions", 'message 3 uses the deprecated "function_call"; prefer "tool_calls".'),
      ("deprecated_functions", 'message 4 uses the deprecated role "function"; prefer tool messages with '
                               "tool_call_id.")]),
]


@pytest.mark.parametrize(("example", "expected"), WARNINGS,
                         ids=[f"warning-{i}" for i in range(len(WARNINGS))])
def test_each_warning_says_where_and_what_to_check(example, expected) -> None:
    report = report_of(jsonl(example))
    assert report["ok"], report["errors"]
    assert [(w["code"], w["message"]) for w in report["warnings"]] == expected


def test_line_level_messages_of_the_streaming_pass() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    report = report_of(jsonl(simple(1), " ", deep, simple(2)))
    assert [(e["line"], e["message"]) for e in report["errors"]] == [
        (3, "The line nests too deeply to parse; simplify it.")]
    assert [(w["line"], w["message"]) for w in report["warnings"]] == [
        (2, "The line is blank and is skipped; remove it.")]
    assert report["examples"] == 2  # the lines after the deep one are still checked


def test_the_utf8_message_gives_the_bad_bytes_position_in_the_line() -> None:
    report = report_of(jsonl(simple(1), b"\xff" + jsonl(simple(2))[:-1]))
    assert report["errors"][0]["message"] == "The line is not valid UTF-8 (byte 1); save the file as UTF-8."


def test_file_level_messages() -> None:
    assert report_of(b"\n")["errors"][0]["message"] == ("The file holds no examples; put one JSON example on "
                                                        "each line.")
    few = report_of(jsonl(simple(1), "{"), ValidationOptions(min_examples=3))
    assert few["errors"][0]["message"] == ("The training file has 1 valid example(s); at least 3 are needed. "
                                           "Fix the invalid lines or add examples.")
    big = report_of(jsonl(simple(1)), ValidationOptions(min_examples=1, max_file_bytes=3 * 2**20))
    assert big["ok"]
    data = b" " * (3 * 2**20) + jsonl(simple(1))
    too_big = report_of(data, ValidationOptions(min_examples=1, max_file_bytes=3 * 2**20))
    assert too_big["errors"][0]["message"] == (
        f"The file has {len(data)} bytes; the limit is {3 * 2**20} bytes (3 MB). Split it or remove "
        "examples.")
    mixed = report_of(jsonl(simple(1), _dpo(), _dpo()))
    assert mixed["errors"][0]["message"] == (
        "The file mixes formats: line 1 starts chat examples but line 2 is a preference example (2 in all). "
        "Keep one format per file.")


def test_duplicates_name_the_first_copy() -> None:
    report = report_of(jsonl(simple(1), simple(2), simple(1)))
    assert report["warnings"] == [{"line": 3, "code": "duplicate_example", "message": (
        "The example repeats line 1 exactly; remove the copy unless the repetition is intended.")}]
    assert report["warning_counts"] == {"duplicate_example": 1}


def test_only_the_first_20_copies_are_listed_and_all_are_counted() -> None:
    report = report_of(jsonl(*[simple(1)] * 26))
    assert [w["line"] for w in report["warnings"]] == list(range(2, 22))
    assert report["warning_counts"] == {"duplicate_example": 25}


def test_a_problem_reads_as_its_message() -> None:
    problem = Problem("invalid_json", "The line is not valid JSON.")
    assert (str(problem), problem.code, problem.message) == ("The line is not valid JSON.", "invalid_json",
                                                             "The line is not valid JSON.")
    assert codes_at(report_of(jsonl(simple(1), "{"))) == [(2, "invalid_json")]
