"""The app's tiktoken encodings, loaded from files shipped with the app (never downloaded).

``tiktoken.get_encoding`` fetches its BPE files from the internet on first use,
which fails in closed networks and slows cold starts. The two vocabularies the
fine-tunable models use (o200k_base, cl100k_base) are bundled, gzipped, in
``shared/tokenizer_data/``; at load time the decompressed bytes are checked
against tiktoken's published sha256 and parsed exactly as
``tiktoken.load.load_tiktoken_bpe`` parses them. The split pattern and the
special tokens are the ones ``tiktoken_ext.openai_public`` defines (a unit test
checks they stay equal), so the counts are tiktoken's own.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import tiktoken

DATA_DIR = Path(__file__).resolve().parent / "tokenizer_data"

ENDOFTEXT = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
ENDOFPROMPT = "<|endofprompt|>"

_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|"""
    r"""\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)


class TokenizerError(RuntimeError):
    """A bundled vocabulary is missing or corrupt (the app package is incomplete)."""

    code = "tokenizer_unavailable"


@dataclass(frozen=True)
class EncodingSpec:
    """Everything needed to build one tiktoken encoding offline."""

    name: str
    file_name: str
    sha256: str  # of the decompressed file, as published by tiktoken_ext.openai_public
    pat_str: str
    special_tokens: dict[str, int]


ENCODINGS: dict[str, EncodingSpec] = {
    "o200k_base": EncodingSpec(
        "o200k_base",
        "o200k_base.tiktoken.gz",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _O200K_PATTERN,
        {ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
    ),
    "cl100k_base": EncodingSpec(
        "cl100k_base",
        "cl100k_base.tiktoken.gz",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        _CL100K_PATTERN,
        {ENDOFTEXT: 100257, FIM_PREFIX: 100258, FIM_MIDDLE: 100259, FIM_SUFFIX: 100260, ENDOFPROMPT: 100276},
    ),
}

_cache: dict[str, tiktoken.Encoding] = {}
_lock = threading.Lock()


def read_ranks(spec: EncodingSpec) -> dict[bytes, int]:
    """The vocabulary of ``spec`` from its bundled file, after checking its sha256."""
    path = DATA_DIR / spec.file_name
    try:
        contents = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:
        raise TokenizerError(
            f"The tokenizer file {path} cannot be read ({exc}); reinstall the app package."
        ) from exc
    if hashlib.sha256(contents).hexdigest() != spec.sha256:
        raise TokenizerError(f"The tokenizer file {path} does not match tiktoken's sha256; "
                             "reinstall the app.")
    ranks: dict[bytes, int] = {}
    for line in contents.splitlines():  # the same parsing as tiktoken.load.load_tiktoken_bpe
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def get_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding ``name`` (o200k_base or cl100k_base), built once per process."""
    encoding = _cache.get(name)
    if encoding is not None:
        return encoding
    spec = ENCODINGS.get(name)
    if spec is None:
        raise TokenizerError(f"Unknown encoding {name!r}; bundled: {', '.join(sorted(ENCODINGS))}.")
    with _lock:
        if name not in _cache:
            _cache[name] = tiktoken.Encoding(
                name=spec.name,
                pat_str=spec.pat_str,
                mergeable_ranks=read_ranks(spec),
                special_tokens=dict(spec.special_tokens),
            )
    return _cache[name]
