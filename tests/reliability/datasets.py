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
