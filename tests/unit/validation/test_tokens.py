"""TokenCounter: exact counts, special-token sightings, the bounded cache of repeated values, and slicing."""

from __future__ import annotations

import random

import pytest

from shared.tokenizer import get_encoding
from shared.validation.tokens import (
    _CACHE_MAX_CHARS,
    _CACHE_MAX_ENTRIES,
    _LONG_TEXT_CHARS,
    TokenCounter,
    slices,
)
from tests.unit.validation.helpers import chat, jsonl, report_of

pytestmark = pytest.mark.unit


class SpyEncoding:
    """A real encoding that records the texts it was asked to encode."""

    def __init__(self, name: str = "o200k_base") -> None:
        self.encoding = get_encoding(name)
        self.special_tokens_set = self.encoding.special_tokens_set
        self.encoded: list[str] = []

    def encode_ordinary(self, text: str) -> list[int]:
        self.encoded.append(text)
        return self.encoding.encode_ordinary(text)


@pytest.mark.parametrize(("text", "size", "expected"), [
    ("aaa bbb ccc ddd", 8, ["aaa bbb", " ccc ddd"]),                  # cut before the space; the rest whole
    ("aaa bbb ccc ddd eee", 12, ["aaa bbb ccc", " ddd eee"]),          # the last space that fits
    ("x yyyyyyyyy", 8, ["x", " yyyyyyy", "yy"]),                     # a space right after the start counts
    ("aaaaaaaaaaaa bbbb", 8, ["aaaaaaaa", "aaaa", " bbbb"]),          # no space within the size: cut at it
    ("aaaa  bbbbbbbb", 8, ["aaaa  bb", "bbbbbb"]),                    # never between two spaces
    ("aaa  bbbb", 4, ["aaa ", " bbb", "b"]),
    ("aaa bbbb  cc", 10, ["aaa", " bbbb  cc"]),                      # an earlier single space is taken
    ("a b c d e f g h", 4, ["a b", " c", " d", " e", " f", " g h"]),
    ("a b c  dd", 8, ["a b", " c  dd"]),                              # the latest single space, not the first
    ("x y  zzzz", 6, ["x", " y  zz", "zz"]),                          # even right after the start
])
def test_slices_end_before_a_single_space_between_words(text: str, size: int, expected: list[str]) -> None:
    assert list(slices(text, size)) == expected


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_slices_are_bounded_complete_and_count_exactly(encoding: str) -> None:
    rng = random.Random(7)
    # Short words and single spaces: every slice can end where the pre-tokenizer splits anyway.
    pieces = ["word", "Azure", "12345", "don't", "é", "数据", "🙂", ".", "x" * 40, "3.14", "line\nbreak"]
    text = " ".join(rng.choice(pieces) for _ in range(3_000))
    enc = get_encoding(encoding)
    parts = list(slices(text, 64))
    assert "".join(parts) == text
    assert max(map(len, parts)) <= 64 and len(parts) > len(text) // 64
    assert sum(len(enc.encode_ordinary(part)) for part in parts) == len(enc.encode_ordinary(text))


def test_a_text_up_to_64k_characters_is_encoded_whole() -> None:
    spy = SpyEncoding()
    counter = TokenCounter(spy)  # type: ignore[arg-type]
    run = "a" * _LONG_TEXT_CHARS  # one pre-token, so no slice could end at a split point
    assert counter.count(run) == len(spy.encoding.encode_ordinary(run))
    assert spy.encoded == [run]
    longer = run + " b"
    assert counter.count(longer) == len(spy.encoding.encode_ordinary(longer))  # 8 a's a token: cuts align
    assert len(spy.encoded) == 1 + 5 and "".join(spy.encoded[1:]) == longer  # in bounded slices


def test_a_fresh_counter_notes_the_first_special_token_it_sees() -> None:
    counter = TokenCounter(get_encoding("o200k_base"))
    assert counter.special_seen is None
    assert counter.count("plain <| text") == counter.count("plain <| text") and counter.special_seen is None
    counter.count("stop at <|endoftext|> here")
    counter.count("<|endofprompt|>")
    assert counter.special_seen == "<|endoftext|>"
    assert counter.count_json({"a": "<|endofprompt|>", "é": 1}) == len(
        get_encoding("o200k_base").encode_ordinary('{"a":"<|endofprompt|>","é":1}'))


def test_repeated_values_are_encoded_once_and_long_ones_every_time() -> None:
    spy = SpyEncoding()
    counter = TokenCounter(spy)  # type: ignore[arg-type]
    prompt = "You are a helpful assistant."
    first = counter.count_cached(prompt)
    assert counter.count_cached(prompt) == first == len(spy.encoding.encode_ordinary(prompt))
    assert spy.encoded == [prompt]
    at_limit, over = "x " * (_CACHE_MAX_CHARS // 2), "x " * (_CACHE_MAX_CHARS // 2) + "y"
    for text in (at_limit, at_limit, over, over):
        counter.count_cached(text)
    assert spy.encoded[1:] == [at_limit, over, over]


def test_the_cache_starts_over_when_full() -> None:
    spy = SpyEncoding()
    counter = TokenCounter(spy)  # type: ignore[arg-type]
    names = [f"name-{i}" for i in range(_CACHE_MAX_ENTRIES + 1)]
    for name in names:
        counter.count_cached(name)
    counter.count_cached(names[-1])  # the newest survived the reset
    counter.count_cached(names[0])   # the oldest did not
    assert spy.encoded == names + [names[0]]


def test_a_long_cached_value_with_a_special_token_is_flagged_every_time() -> None:
    counter = TokenCounter(get_encoding("o200k_base"))
    text = "<|endoftext|> " + "word " * _CACHE_MAX_CHARS  # too long to cache
    for _ in range(2):
        counter.special_seen = None
        assert counter.count_cached(text) > _CACHE_MAX_CHARS
        assert counter.special_seen == "<|endoftext|>"


def test_the_first_validation_in_a_process_builds_its_checker(monkeypatch: pytest.MonkeyPatch) -> None:
    # mutmut runs each mutant in a process forked after a clean run, with the checkers already built:
    # this starts from none, as a fresh worker process does.
    from shared.validation import engine

    monkeypatch.setattr(engine, "_checkers", {})
    data = jsonl(chat(("user", "Say <|endoftext|>"), ("assistant", "ok")))
    fresh = report_of(data)
    assert set(engine._checkers) == {("o200k_base", None, ())}  # encoding, method, grader fields
    checker = engine._checkers[("o200k_base", None, ())]
    assert engine.checker_for("o200k_base") is checker  # built once per encoding
    assert report_of(data) == fresh
    assert fresh["warning_counts"] == {"special_tokens": 1} and fresh["tokens"]["total"]["sum"] > 10
    assert checker.role_tokens == {role: 1 for role in ("system", "user", "assistant", "tool", "function")}
    assert checker.counter.encoding.name == "o200k_base"
