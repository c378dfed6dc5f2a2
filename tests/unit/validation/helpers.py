"""Builders of JSONL datasets for the validation tests."""

from __future__ import annotations

import json
from typing import Any

from shared.validation import ValidationOptions, validate_chunks

ONE_EXAMPLE = ValidationOptions(min_examples=1)


def chat(*turns: tuple[str, str], system: str | None = "You are terse.", **extra: Any) -> dict[str, Any]:
    """A chat example: an optional system message, then (role, content) turns."""
    messages = [{"role": "system", "content": system}] if system is not None else []
    messages += [{"role": role, "content": content} for role, content in turns]
    return {"messages": messages, **extra}


def simple(i: int = 0) -> dict[str, Any]:
    """A valid chat example, different for each ``i``."""
    return chat(("user", f"Question {i}?"), ("assistant", f"Answer {i}."))


def jsonl(*examples: Any, newline: str = "\n", final_newline: bool = True) -> bytes:
    """A JSONL file of ``examples`` (dicts are dumped; str/bytes are taken as raw lines)."""
    lines = []
    for example in examples:
        if isinstance(example, bytes):
            lines.append(example)
        elif isinstance(example, str):
            lines.append(example.encode())
        else:
            lines.append(json.dumps(example, ensure_ascii=False).encode())
    data = newline.encode().join(lines)
    return data + newline.encode() if final_newline and lines else data


def report_of(data: bytes, options: ValidationOptions = ONE_EXAMPLE) -> dict[str, Any]:
    """The report dict of validating ``data`` in one streaming pass."""
    return validate_chunks([data], options, total_bytes=len(data)).to_dict()


def codes_at(report: dict[str, Any], kind: str = "errors") -> list[tuple[int | None, str]]:
    """[(line, code)] of a report's errors (or warnings)."""
    return [(entry["line"], entry["code"]) for entry in report[kind]]
