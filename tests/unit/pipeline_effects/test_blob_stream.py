"""The seekable chunk reader: exact bytes, lazy reopen on seek, and streamed multipart through httpx2."""

from __future__ import annotations

import os

import httpx2
import pytest

from shared.blob_stream import BlobEndedEarly, ChunkStreamReader

pytestmark = pytest.mark.unit

DATA = bytes(range(256)) * 1000  # 256,000 bytes


class ChunkSource:
    """Serves DATA from an offset in fixed-size chunks and records every opening and chunk served."""

    def __init__(self, data: bytes = DATA, chunk: int = 10_000) -> None:
        self.data, self.chunk = data, chunk
        self.opened_at: list[int] = []
        self.served = 0

    def __call__(self, offset: int):
        self.opened_at.append(offset)
        for start in range(offset, len(self.data), self.chunk):
            self.served += 1
            yield self.data[start:start + self.chunk]


def test_reads_every_byte_in_order_with_small_reads() -> None:
    source = ChunkSource()
    reader = ChunkStreamReader(len(DATA), source)
    parts = []
    while chunk := reader.read(4096):
        parts.append(chunk)
    assert b"".join(parts) == DATA
    assert source.opened_at == [0]
    assert max(len(p) for p in parts) <= 4096


def test_length_is_learned_without_downloading() -> None:
    source = ChunkSource()
    reader = ChunkStreamReader(len(DATA), source)
    assert reader.seekable() and reader.tell() == 0
    assert reader.seek(0, os.SEEK_END) == len(DATA)
    reader.seek(0)
    assert source.opened_at == []


def test_seek_back_to_start_reopens_the_download() -> None:
    source = ChunkSource()
    reader = ChunkStreamReader(len(DATA), source)
    first = reader.read(25_000)
    reader.seek(0)
    assert reader.read(25_000) == first == DATA[:25_000]
    assert source.opened_at == [0, 0]


def test_seek_into_the_middle_opens_at_that_offset() -> None:
    source = ChunkSource()
    reader = ChunkStreamReader(len(DATA), source)
    reader.seek(123_457)
    assert reader.read(10) == DATA[123_457:123_467]
    assert source.opened_at == [123_457]


def test_a_short_download_is_an_error_not_a_truncated_upload() -> None:
    reader = ChunkStreamReader(len(DATA) + 10, ChunkSource())
    with pytest.raises(BlobEndedEarly):
        reader.read()


def test_httpx2_multipart_streams_it_with_a_content_length() -> None:
    source = ChunkSource()
    reader = ChunkStreamReader(len(DATA), source, name="train.jsonl")
    request = httpx2.Request("POST", "https://example.invalid/files", files={"file": ("train.jsonl", reader)},
                             data={"purpose": "fine-tune"})
    length = int(request.headers["Content-Length"])
    assert source.opened_at == []  # building the request downloaded nothing
    pieces = list(request.stream)
    body = b"".join(pieces)
    assert len(body) == length
    assert DATA in body and b'filename="train.jsonl"' in body
    assert max(len(p) for p in pieces) <= 64 * 1024  # never the whole file in one piece
