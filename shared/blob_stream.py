"""A read-only, seekable file object over a chunked download, for streamed uploads.

``openai`` hands a file object to httpx2, which reads it 64 KiB at a time while it
sends the multipart body, so only a chunk or two is ever in memory. Being seekable
matters twice: httpx2 learns the length with ``tell``/``seek(0, SEEK_END)`` (so the
request has a Content-Length rather than chunked encoding), and the SDK retries a
429/5xx only when it can ``seek`` the body back (``_RequestBodyReplay``). Seeking
costs nothing until the next read, which reopens the download at that offset.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator


class BlobEndedEarly(OSError):
    """The download ended before the size announced when the reader was made."""


class ChunkStreamReader(io.RawIOBase):
    """Reads ``size`` bytes from ``open_at(offset)``, an iterable of byte chunks starting at ``offset``."""

    def __init__(self, size: int, open_at: Callable[[int], Iterable[bytes]], name: str = "upload") -> None:
        super().__init__()
        self._size = size
        self._open_at = open_at
        self.name = name
        self._pos = 0
        self._chunks: Iterator[bytes] | None = None
        self._chunk = b""
        self._chunk_offset = 0
        self._stream_pos = 0
        self.opened = 0  # how many downloads were started (a retry or a seek reopens one)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._size}.get(whence)
        if base is None:
            raise ValueError(f"invalid whence {whence}")
        target = base + offset
        if target < 0:
            raise ValueError("negative seek position")
        self._pos = target  # the download is reopened lazily, on the next read
        return target

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` as far as the data allows (across chunk boundaries); 0 at the end."""
        filled = 0
        while filled < len(buffer) and self._pos < self._size:
            filled += self._read_some(memoryview(buffer)[filled:])
        return filled

    def _read_some(self, buffer: memoryview) -> int:
        if self._chunks is None or self._stream_pos != self._pos:
            self._reopen()
        while self._chunk_offset >= len(self._chunk):
            assert self._chunks is not None
            chunk = next(self._chunks, None)
            if chunk is None:
                raise BlobEndedEarly(f"the download ended at byte {self._pos} of {self._size}")
            self._chunk, self._chunk_offset = chunk, 0
        count = min(len(buffer), len(self._chunk) - self._chunk_offset, self._size - self._pos)
        buffer[:count] = self._chunk[self._chunk_offset:self._chunk_offset + count]
        self._chunk_offset += count
        self._pos += count
        self._stream_pos = self._pos
        return count

    def _reopen(self) -> None:
        self._close_chunks()
        self._chunks = iter(self._open_at(self._pos))
        self._chunk, self._chunk_offset = b"", 0
        self._stream_pos = self._pos
        self.opened += 1

    def _close_chunks(self) -> None:
        close = getattr(self._chunks, "close", None)
        if callable(close):
            close()
        self._chunks = None

    def close(self) -> None:
        self._close_chunks()
        super().close()
