"""Splitting a byte stream into physical lines, and which lines a byte range owns.

Convention (exact, so ranges that tile [0, size) cover every line once):
a range [start, end) owns the lines whose preceding newline lies in
[start, end), plus line 1 when start == 0. Equivalently it owns the lines that
begin at a byte p with start < p <= end (and p == 0 for the first range).

So a reader of range [start, end) is given the bytes from ``start`` onwards and
  * when start > 0, skips every byte up to and including the first b"\\n" at or
    after ``start`` (that line belongs to an earlier range);
  * reads lines until the one that ends at the first b"\\n" at or after ``end``
    (inclusive), or until the end of the data. Bytes given beyond it are ignored.
A range that holds no newline owns nothing. Lines are split on b"\\n" only; a
trailing b"\\r" is dropped by the caller (CRLF files).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def plan_ranges(total_bytes: int, range_bytes: int) -> list[tuple[int, int]]:
    """Consecutive [start, end) ranges of at most ``range_bytes`` that tile [0, total_bytes)."""
    if total_bytes < 0 or range_bytes < 1:
        raise ValueError("total_bytes must be >= 0 and range_bytes >= 1.")
    if total_bytes == 0:
        return [(0, 0)]
    return [(start, min(start + range_bytes, total_bytes)) for start in range(0, total_bytes, range_bytes)]


class OwnedLines:
    """Iterates over the lines a range owns, in batches (lists of bytes without the b"\\n").

    ``limit`` is end - start (None: read to the end of the data). After the iteration,
    ``owned_bytes`` is the number of bytes of the owned lines, newlines included.
    """

    def __init__(self, chunks: Iterable[bytes], *, skip_partial_first: bool, limit: int | None) -> None:
        self._chunks = chunks
        self._skip = skip_partial_first
        self._limit = limit
        self.owned_bytes = 0

    def __iter__(self) -> Iterator[list[bytes]]:
        pending: list[bytes] = []  # bytes of the current unfinished line
        position = 0  # offset, from the range start, of the next byte of the stream
        skipping = self._skip
        for chunk in self._chunks:
            if not chunk:
                continue
            chunk_start, position = position, position + len(chunk)
            first_newline = chunk.find(b"\n")
            if first_newline < 0:
                if not skipping:
                    pending.append(chunk)
                continue
            begin = 0
            if skipping:
                skipping = False
                begin = first_newline + 1
                if self._limit is not None and chunk_start + first_newline >= self._limit:
                    return  # the range holds no line start of its own
            stop = self._stop_index(chunk, chunk_start, begin)
            buffer = chunk[begin:stop] if not pending else b"".join(pending) + chunk[begin:stop]
            pending = []
            lines = buffer.split(b"\n")
            tail = lines.pop()  # after the last newline: the start of an unfinished line
            self.owned_bytes += len(buffer) - len(tail)
            if lines:
                yield lines
            if stop < len(chunk) or (self._limit is not None and stop == len(chunk) and tail == b""
                                     and chunk_start + stop - 1 >= self._limit):
                return
            if tail:
                pending.append(tail)
        if pending and not skipping:
            last = b"".join(pending)
            self.owned_bytes += len(last)
            yield [last]

    def _stop_index(self, chunk: bytes, chunk_start: int, begin: int) -> int:
        """Index in ``chunk`` just after the range's last newline, or len(chunk) if not in this chunk."""
        if self._limit is None:
            return len(chunk)
        newline = chunk.find(b"\n", max(begin, self._limit - chunk_start))
        return len(chunk) if newline < 0 else newline + 1
