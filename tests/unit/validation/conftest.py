"""Fixtures of the validation tests: tiktoken's own encodings, built without network access."""

from __future__ import annotations

import gzip

import pytest
import tiktoken
import tiktoken.load
import tiktoken_ext.openai_public as openai_public

from shared import tokenizer
from shared.tokenizer import ENCODINGS


def _build_reference(name: str, tmp_path_factory: pytest.TempPathFactory) -> tiktoken.Encoding:
    """tiktoken's encoding as tiktoken_ext.openai_public defines it, its file read by tiktoken.load."""
    plain = tmp_path_factory.mktemp(name) / f"{name}.tiktoken"
    plain.write_bytes(gzip.decompress((tokenizer.DATA_DIR / ENCODINGS[name].file_name).read_bytes()))
    real_loader = tiktoken.load.load_tiktoken_bpe
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIKTOKEN_CACHE_DIR", "")  # read the file directly, cache nothing
        patch.setattr(openai_public, "load_tiktoken_bpe",
                      lambda _url, expected_hash=None: real_loader(str(plain), expected_hash))
        constructor_args = getattr(openai_public, name)()
    return tiktoken.Encoding(**constructor_args)


@pytest.fixture(scope="session")
def reference_encodings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tiktoken.Encoding]:
    """Both reference encodings (o200k_base, cl100k_base) by name, built once per session."""
    return {name: _build_reference(name, tmp_path_factory) for name in ENCODINGS}


@pytest.fixture(params=sorted(ENCODINGS))
def reference(request: pytest.FixtureRequest, reference_encodings) -> tuple[str, tiktoken.Encoding]:
    """(name, tiktoken's encoding) for each bundled encoding."""
    return request.param, reference_encodings[request.param]
