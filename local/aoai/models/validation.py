"""A light check of uploaded fine-tuning data: JSONL of chat or preference (DPO) examples.

This mirrors what the service checks on upload (format and roles), not the app's own rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CHAT_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
OUTPUT_ROLES = {"assistant", "tool"}
MAX_REPORTED_LINE = 200


def _check_messages(messages: Any, roles: set[str], where: str) -> str | None:
    if not isinstance(messages, list) or not messages:
        return f"{where} must be a non-empty list of messages"
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in roles:
            return f"{where} has a message whose role is not one of {sorted(roles)}"
        if "content" not in message and "tool_calls" not in message and "function_call" not in message:
            return f"{where} has a {message['role']} message with no content"
    return None


def check_example(example: Any) -> str | None:
    """Return why one parsed line is not a chat or preference example, or None when it is."""
    if not isinstance(example, dict):
        return "each line must be a JSON object"
    if "messages" in example:
        problem = _check_messages(example["messages"], CHAT_ROLES, "messages")
        messages = example["messages"]
        # A reinforcement prompt ends with the user's message and has no answer; chat examples need one.
        if problem is None and not any(m.get("role") == "assistant" for m in messages) and \
                messages[-1].get("role") != "user":
            problem = "messages must contain at least one assistant message"
        return problem
    if "input" in example and "preferred_output" in example:
        source = example["input"]
        if not isinstance(source, dict):
            return "input must be an object with messages"
        return (
            _check_messages(source.get("messages"), CHAT_ROLES, "input.messages")
            or _check_messages(example["preferred_output"], OUTPUT_ROLES, "preferred_output")
            or _check_messages(example.get("non_preferred_output"), OUTPUT_ROLES, "non_preferred_output")
        )
    return "each line must have 'messages' (chat) or 'input' and 'preferred_output' (preference)"


def check_jsonl_file(path: Path) -> str | None:
    """Return a status_details message when the file is not valid training data, else None."""
    examples = 0
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                example = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return f"Invalid file format. Line {number} is not valid UTF-8 JSON."
            problem = check_example(example)
            if problem:
                return f"Invalid file format. Line {number}: {problem}."
            examples += 1
    if examples == 0:
        return "Invalid file format. The file contains no training examples."
    return None


def count_examples(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for raw in stream if raw.strip())
