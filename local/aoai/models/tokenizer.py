"""The emulator's own token counting: tiktoken encodings built offline from the vocabulary files the app
ships (shared/tokenizer_data), and the counting rules the service documents for billing and usage.

The emulator never imports the app. It reads the same data files, through tiktoken's own encoding
constructors (tiktoken_ext.openai_public) with their BPE loader pointed at the shipped files; the
sha256 tiktoken expects for each file is checked, so the counts are tiktoken's.

Rules (Azure's fine-tuning docs and the OpenAI cookbook they cite, as docs/validation.md "Billing"
states them): an example costs 3 tokens, plus per message 3 + the tokens of each string value
(+1 for a `name`); tool calls count as their compact JSON; numbers (such as `weight`) and image
parts count nothing. A chat request's prompt adds 3 tokens that prime the reply.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import tiktoken
import tiktoken_ext.openai_public as openai_public

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "tokenizer_data"
TOKENS_PER_EXAMPLE = 3
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
LONG_TEXT, SLICE = 1 << 16, 1 << 14  # characters

_encodings: dict[str, tiktoken.Encoding] = {}
_lock = threading.Lock()


def _shipped_ranks(name: str, expected_hash: str | None) -> dict[bytes, int]:
    contents = gzip.decompress((DATA_DIR / f"{name}.tiktoken.gz").read_bytes())
    if expected_hash and hashlib.sha256(contents).hexdigest() != expected_hash:
        raise RuntimeError(f"{DATA_DIR / name}.tiktoken.gz does not match tiktoken's sha256")
    ranks: dict[bytes, int] = {}
    for line in contents.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding `name` (o200k_base or cl100k_base), built once, offline."""
    found = _encodings.get(name)
    if found is not None:
        return found
    with _lock:
        if name not in _encodings:
            constructor = getattr(openai_public, name)
            original = openai_public.load_tiktoken_bpe
            # tiktoken's constructor would download the file; give it the shipped one instead.
            openai_public.load_tiktoken_bpe = lambda _url, expected_hash=None: _shipped_ranks(
                name, expected_hash
            )
            try:
                _encodings[name] = tiktoken.Encoding(**constructor())
            finally:
                openai_public.load_tiktoken_bpe = original
    return _encodings[name]


class Counter:
    """Counts tokens of messages with one encoding."""

    def __init__(self, encoding_name: str) -> None:
        self.encoding = encoding(encoding_name)

    def text(self, value: str) -> int:
        if len(value) <= LONG_TEXT:
            return len(self.encoding.encode_ordinary(value))
        # tiktoken needs ~50 bytes per byte of one pre-token: a long text is counted in slices cut
        # before a space (where the encodings split anyway), so memory stays bounded.
        tokens, start = 0, 0
        while start < len(value):
            end = min(start + SLICE, len(value))
            if end < len(value) and (cut := value.rfind(" ", start + 1, end)) > start:
                end = cut
            tokens += len(self.encoding.encode_ordinary(value[start:end]))
            start = end
        return tokens

    def message(self, message: Any) -> int:
        if not isinstance(message, dict):
            return TOKENS_PER_MESSAGE
        tokens = TOKENS_PER_MESSAGE
        for key, value in message.items():
            if isinstance(value, str):
                tokens += self.text(value) + (TOKENS_PER_NAME if key == "name" else 0)
            elif key == "content" and isinstance(value, list):
                tokens += sum(self.text(p["text"]) for p in value
                              if isinstance(p, dict) and isinstance(p.get("text"), str))
            elif key in ("tool_calls", "function_call") and value is not None:
                tokens += self.text(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
        return tokens

    def messages(self, messages: Any) -> int:
        return sum(self.message(m) for m in messages) if isinstance(messages, list) else 0

    def example(self, example: dict[str, Any]) -> int:
        """Tokens of one training example: chat (messages) or preference (input + both outputs)."""
        if "messages" in example:
            return TOKENS_PER_EXAMPLE + self.messages(example["messages"])
        source = example.get("input") if isinstance(example.get("input"), dict) else {}
        return TOKENS_PER_EXAMPLE + self.messages(source.get("messages")) + self.messages(
            example.get("preferred_output")) + self.messages(example.get("non_preferred_output"))

    def prompt(self, messages: list[Any]) -> int:
        """Prompt tokens of a chat request."""
        return self.messages(messages) + REPLY_PRIMING
