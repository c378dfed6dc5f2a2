"""Eval examples: one dataset line as a prompt, a reference and an ``item``, and seeded sampling.

By the run's format (issue 11):
- ``chat``: the prompt is every message before the last, which must be the assistant's
  reference answer; ``item`` is ``{"reference": <its text>}`` (plus ``reference_tool_calls``
  when that answer calls tools).
- ``preference``: the prompt is ``input.messages``, the reference the assistant text of
  ``preferred_output``; ``item`` also has ``non_preferred`` (the rejected answer's text).
- ``reinforcement``: the prompt is ``messages`` (the last one the user's), ``item`` every other
  top-level field (what the job's grader reads as ``{{item.*}}``).

``sample_lines`` picks ``max_examples`` lines of a stream with reservoir sampling (Li's
Algorithm L) driven by a seeded numpy Generator: the same seed and the same file give the
same lines, in file order, at any file size, holding only the chosen lines in memory.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# The format names of shared/validation/rules.py (not imported: it loads the whole validation engine).
CHAT = "chat"
PREFERENCE = "preference"
REINFORCEMENT = "reinforcement"
FORMATS = (CHAT, PREFERENCE, REINFORCEMENT)
INVALID_EVAL_EXAMPLE = "invalid_eval_example"
# What a chat deployment accepts in a message (a training line's "weight" is not one of them).
PROMPT_MESSAGE_KEYS = ("role", "content", "name", "tool_calls", "tool_call_id", "function_call")
REQUEST_KEYS = ("tools", "functions", "parallel_tool_calls")


class EvalExampleError(ValueError):
    """A line that cannot be an eval example: a stable code, the line, and what to fix."""

    def __init__(self, line: int, message: str, code: str = INVALID_EVAL_EXAMPLE) -> None:
        super().__init__(f"Line {line}: {message}")
        self.code = code
        self.line = line
        self.message = f"Line {line}: {message}"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "line": self.line, "message": self.message}


@dataclass
class EvalExample:
    """What the evaluation sends (``messages`` + ``request``) and what graders read (``item``)."""

    line: int
    format: str
    messages: list[dict[str, Any]]
    item: dict[str, Any]
    reference: str                       # the reference answer's text, for reports
    request: dict[str, Any] = field(default_factory=dict)   # tools, parallel_tool_calls...

    @property
    def prompt_text(self) -> str:
        """The last user turn's text (what a report shows as the prompt)."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return content_text(message.get("content"))
        return content_text(self.messages[-1].get("content")) if self.messages else ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvalExample:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content
                         if isinstance(part, dict) and part.get("type") == "text")
    return ""


def _prompt(messages: list[Any], line: int, label: str) -> list[dict[str, Any]]:
    prompt = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise EvalExampleError(line, f"{label}[{index}] is not a message with a role.")
        prompt.append({key: message[key] for key in PROMPT_MESSAGE_KEYS if key in message})
    return prompt


def _assistant_text(messages: Any, line: int, label: str) -> str:
    texts = [content_text(m.get("content")) for m in messages or [] if isinstance(m, dict)
             and m.get("role") == "assistant"] if isinstance(messages, list) else []
    text = "\n".join(t for t in texts if t)
    if not text.strip():
        raise EvalExampleError(line, f"{label} has no assistant text to use as the reference answer; "
                               "add the answer the model should give.")
    return text


def eval_example(example: Any, line: int, fmt: str) -> EvalExample:
    """One parsed JSONL line (``example``, at 1-based ``line``) as an eval example of format ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    if not isinstance(example, dict):
        raise EvalExampleError(line, "the line is not a JSON object.")
    if fmt == PREFERENCE:
        source = example.get("input")
        prompt = source.get("messages") if isinstance(source, dict) else None
        if not isinstance(prompt, list) or not prompt:
            raise EvalExampleError(line, 'a preference example needs "input": {"messages": [...]}.')
        reference = _assistant_text(example.get("preferred_output"), line, "preferred_output")
        item = {"reference": reference}
        if example.get("non_preferred_output") is not None:
            item["non_preferred"] = "\n".join(content_text(m.get("content")) for m in
                                              example["non_preferred_output"] if isinstance(m, dict))
        return EvalExample(line, fmt, _prompt(prompt, line, "input.messages"), item, reference,
                           {key: source[key] for key in REQUEST_KEYS if key in source})
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        raise EvalExampleError(line, 'the line has no "messages" list.')
    last = messages[-1] if isinstance(messages[-1], dict) else {}
    request = {key: example[key] for key in REQUEST_KEYS if key in example}
    if fmt == CHAT:
        if last.get("role") != "assistant":
            raise EvalExampleError(line, "the last message must be the assistant's reference answer (it is "
                                   f"{last.get('role')!r}); add the answer the model should give.")
        calls = last.get("tool_calls")
        if calls:  # a tool-calling reference: {{item.reference_tool_calls[0].function.name}}
            text = content_text(last.get("content"))
            item = {"reference": text, "reference_tool_calls": calls}
            return EvalExample(line, fmt, _prompt(messages[:-1], line, "messages"), item,
                               text or json.dumps(calls, ensure_ascii=False), request)
        reference = _assistant_text([last], line, "the last message")
        return EvalExample(line, fmt, _prompt(messages[:-1], line, "messages"), {"reference": reference},
                           reference, request)
    if last.get("role") != "user":
        raise EvalExampleError(line, "a reinforcement example's last message must be the user's (the model "
                               f"answers it); it is {last.get('role')!r}.")
    item = {key: value for key, value in example.items() if key != "messages"}
    reference = item["reference"] if isinstance(item.get("reference"), str) else json.dumps(
        item, ensure_ascii=False)
    return EvalExample(line, fmt, _prompt(messages, line, "messages"), item, reference, request)


def numbered_lines(lines: Iterable[bytes | str]) -> Iterator[tuple[int, str]]:
    """(1-based physical line, text) of every non-blank line of a JSONL stream."""
    for number, raw in enumerate(lines, start=1):
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if text.strip():
            yield number, text.rstrip("\r\n")


def sample_lines(lines: Iterable[tuple[int, str]], max_examples: int, seed: int) -> list[tuple[int, str]]:
    """At most ``max_examples`` of ``lines``, uniformly at random (seeded), in file order."""
    if max_examples < 1:
        raise ValueError("max_examples must be at least 1")
    stream = iter(lines)
    reservoir = list(itertools.islice(stream, max_examples))
    if len(reservoir) < max_examples:
        return reservoir
    rng = np.random.default_rng(seed)
    k = max_examples
    weight = math.exp(math.log(_open_unit(rng)) / k)
    while True:
        # Li (1994), Algorithm L: skip a geometric number of lines, then replace a random slot.
        skip = math.floor(math.log(_open_unit(rng)) / math.log1p(-weight)) if weight < 1 else 0
        chosen = next(itertools.islice(stream, skip, None), None)
        if chosen is None:
            return sorted(reservoir)
        reservoir[int(rng.integers(k))] = chosen
        weight *= math.exp(math.log(_open_unit(rng)) / k)


def _open_unit(rng: np.random.Generator) -> float:
    """A uniform number in (0, 1): log() needs it above 0."""
    value = rng.random()
    return value if value > 0 else np.nextafter(0.0, 1.0)
