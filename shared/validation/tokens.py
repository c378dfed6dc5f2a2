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
from collections.abc import Iterator

import tiktoken

TOKENS_PER_EXAMPLE = 3
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1

# Values that repeat across a file (system prompts, names) are counted once per process.
_CACHE_MAX_ENTRIES = 4096
_CACHE_MAX_CHARS = 20_000
# Longer texts are encoded in slices (see ``slices``): memory stays bounded whatever the line.
_LONG_TEXT_CHARS = 1 << 16
_SLICE_CHARS = 1 << 14


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
        if len(text) <= _LONG_TEXT_CHARS:
            return len(self._encode(text))
        return sum(len(self._encode(piece)) for piece in slices(text))

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


def slices(text: str, size: int = _SLICE_CHARS) -> Iterator[str]:
    """``text`` cut into slices of about ``size`` characters, for bounded-memory counting.

    A slice ends before a single space that sits between two non-space characters: the
    encodings' pre-tokenizer splits there anyway (the space leads the next piece), so the
    count is exact. A stretch with no such space (one pre-token longer than a slice, such as
    a 50 MB run of one letter) is cut at ``size``: tiktoken needs ~50 bytes of memory per
    byte of a single pre-token, so one such line would otherwise take gigabytes; the count
    may then differ by a token per cut, on a text already far too long to train on.
    """
    start, end_of_text = 0, len(text)
    while start < end_of_text:
        end = min(start + size, end_of_text)
        if end < end_of_text:
            cut = text.rfind(" ", start + 1, end)
            while cut > start and (text[cut - 1].isspace() or text[cut + 1].isspace()):
                cut = text.rfind(" ", start + 1, cut)
            if cut > start:
                end = cut
        yield text[start:end]
        start = end
