"""The bundled encodings are tiktoken's own: same file hash, pattern, special tokens and counts."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from shared import tokenizer
from shared.tokenizer import ENCODINGS, TokenizerError, get_encoding

pytestmark = pytest.mark.unit

SAMPLES = [
    "Who discovered Antarctica?",
    "Some chaps named Fabian Gottlieb von Bellingshausen and Mikhail Lazarev, as if they don't teach that!",
    "¿Dónde está 東京? Привет, мир 👋 — naïve café, ﷽, \u200b zero-width",
    "def f(x):\n    return {'a': [1, 2, 3]}\r\n\t\t  \n",
    "Special strings: <|endoftext|> <|fim_prefix|> <|endofprompt|> stay ordinary text.",
    "12345678901234567890 3.14159 1e-9 ---- ==== //// \\\\",
    "",
]


def test_definition_equals_tiktoken_ext(reference) -> None:
    name, expected = reference
    ours = get_encoding(name)
    assert ours._pat_str == expected._pat_str
    assert ours._special_tokens == expected._special_tokens
    assert ours._mergeable_ranks == expected._mergeable_ranks
    assert ours.n_vocab == expected.n_vocab


def test_counts_equal_tiktoken(reference) -> None:
    name, expected = reference
    ours = get_encoding(name)
    for text in SAMPLES:
        assert ours.encode_ordinary(text) == expected.encode_ordinary(text)


def test_a_corrupt_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = ENCODINGS["cl100k_base"]
    original = gzip.decompress((tokenizer.DATA_DIR / spec.file_name).read_bytes())
    (tmp_path / spec.file_name).write_bytes(gzip.compress(original.replace(b" 100\n", b" 101\n", 1)))
    monkeypatch.setattr(tokenizer, "DATA_DIR", tmp_path)
    with pytest.raises(TokenizerError, match="sha256"):
        tokenizer.read_ranks(spec)


def test_a_missing_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizer, "DATA_DIR", tmp_path)
    with pytest.raises(TokenizerError, match="reinstall"):
        tokenizer.read_ranks(ENCODINGS["o200k_base"])


def test_an_unknown_encoding_is_refused() -> None:
    with pytest.raises(TokenizerError, match="o200k_base"):
        get_encoding("p50k_base")
