"""Token counting with the exercise's rule, on the hot path of validation.

The rule (so figures compare with the exercise and the OpenAI cookbook): per
example 3; per message 3 + the tokens of each string value (+1 when the key is
``name``); ``tool_calls`` and ``function_call`` count as their compact JSON text;
numbers such as ``weight`` count nothing; text parts of list content count,
image parts do not. Text is encoded with ``encode_ordinary``, so special-token
strings such as ``<|endoftext|>`` are counted as ordinary text (and noted).
"""

from __future__ import annotations

import json

import tiktoken

TOKENS_PER_EXAMPLE = 3
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1

# Values that repeat across a file (system prompts, names) are counted once per process.
_CACHE_MAX_ENTRIES = 4096
_CACHE_MAX_CHARS = 20_000


class TokenCounter:
    """Counts tokens of strings with one encoding; remembers special-token sightings."""

    def __init__(self, encoding: tiktoken.Encoding) -> None:
        self.encoding = encoding
        self._encode = encoding.encode_ordinary
        self._special = tuple(sorted(encoding.special_tokens_set))
        self._cache: dict[str, int] = {}
        self.special_seen: str | None = None  # the first special-token string seen in the current example

    def count(self, text: str) -> int:
        """Tokens of ``text`` as ordinary text."""
        if "<|" in text:
            self._note_special(text)
        return len(self._encode(text))

    def count_cached(self, text: str) -> int:
        """Like ``count`` for values likely to repeat (system prompts, names)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        tokens = self.count(text)
        if len(text) <= _CACHE_MAX_CHARS:
            if len(self._cache) >= _CACHE_MAX_ENTRIES:
                self._cache.clear()
            self._cache[text] = tokens
        if "<|" in text:  # a cached text must still flag its special tokens on every example
            self._cache.pop(text, None)
        return tokens

    def count_json(self, value: object) -> int:
        """Tokens of the compact JSON text of ``value`` (tool calls, function calls)."""
        return self.count(json.dumps(value, separators=(",", ":"), ensure_ascii=False))

    def _note_special(self, text: str) -> None:
        if self.special_seen is None:
            for token in self._special:
                if token in text:
                    self.special_seen = token
                    return
