"""Counting a very long text in slices (the fix for the 50 MB line) gives tiktoken's exact count."""

from __future__ import annotations

import random

import pytest

from shared.tokenizer import get_encoding
from shared.validation.tokens import TokenCounter, slices

pytestmark = pytest.mark.reliability
PIECES = ["hello", "world", "Azure", "12345", "3.14", "don't", "it's", "  ", " ", "\n", "\t", ".", ",", "!!",
          "é", "数据", "🙂", "<b>", "x" * 300, "    \n  ", "\r\n", "ÀÉÎ", "—", "'s", "a"]


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_a_long_mixed_text_counts_exactly_as_one_encode(encoding: str) -> None:
    rng = random.Random(encoding)
    text = "".join(rng.choice(PIECES) + rng.choice(["", " ", "  "]) for _ in range(40_000))
    enc = get_encoding(encoding)
    assert len(text) > 1 << 16  # long enough to be sliced
    assert "".join(slices(text)) == text
    assert TokenCounter(enc).count(text) == len(enc.encode_ordinary(text))


def test_a_run_with_no_split_point_is_cut_into_bounded_slices() -> None:
    parts = list(slices("a" * 100_000, size=4096))
    assert "".join(parts) == "a" * 100_000 and max(map(len, parts)) == 4096
