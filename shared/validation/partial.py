"""The mergeable result of validating part of a file (a byte range, or all of it).

Line numbers inside a partial are relative to its first owned line (1-based);
``merge_partials`` shifts them by the lines of the partials before it, so the
merged result has the file's absolute physical line numbers. Per-example figures
are kept as compact arrays (int32 tokens/messages/lines, 8-byte digests for
duplicate detection), so percentiles and duplicates merge exactly.
"""

from __future__ import annotations

import json
import struct
import zlib
from array import array
from dataclasses import dataclass, field

import numpy as np

from shared.validation.codes import MAX_LISTED_PER_CODE

_ARRAY_FIELDS = ("total_tokens", "assistant_tokens", "message_counts", "example_lines")
_MAGIC = b"VPR1"


@dataclass
class PartialResult:
    """Counts, the first issues per code and per-example arrays of one part of a file."""

    lines: int = 0  # physical lines owned (blank ones included)
    bytes: int = 0  # bytes of the owned lines, newlines (and a BOM) included
    blank_lines: int = 0
    valid_examples: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # code -> occurrences (errors and warnings)
    listed: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # code -> first (line, message)
    format_counts: dict[str, int] = field(default_factory=dict)  # format -> counted examples
    format_first_line: dict[str, int] = field(default_factory=dict)  # format -> first line of that format
    # One entry per counted example (valid, or valid but over the token limit):
    total_tokens: array = field(default_factory=lambda: array("i"))
    assistant_tokens: array = field(default_factory=lambda: array("i"))
    message_counts: array = field(default_factory=lambda: array("i"))
    example_lines: array = field(default_factory=lambda: array("i"))
    digests: bytearray = field(default_factory=bytearray)  # 8 bytes per counted example

    def note(self, code: str, line: int, message: str) -> None:
        """Count one occurrence of ``code``; keep its line and message if among the first listed."""
        count = self.counts.get(code, 0)
        self.counts[code] = count + 1
        if count < MAX_LISTED_PER_CODE:
            self.listed.setdefault(code, []).append((line, message))

    def digest_array(self) -> np.ndarray:
        """The examples' digests as uint64."""
        return np.frombuffer(self.digests, dtype=np.uint64) if self.digests else np.zeros(0, np.uint64)

    # ---- Serialisation (compact: JSON header + zlib-compressed raw arrays) ----
    def to_bytes(self) -> bytes:
        """A compact binary form, for passing between processes or through storage."""
        header = {
            "lines": self.lines, "bytes": self.bytes, "blank_lines": self.blank_lines,
            "valid_examples": self.valid_examples, "counts": self.counts,
            "listed": {code: [list(item) for item in items] for code, items in self.listed.items()},
            "format_counts": self.format_counts, "format_first_line": self.format_first_line,
        }
        raw_header = json.dumps(header, separators=(",", ":")).encode()
        body = b"".join(getattr(self, name).tobytes() for name in _ARRAY_FIELDS) + bytes(self.digests)
        return _MAGIC + struct.pack("<II", len(raw_header), len(self.total_tokens)) + raw_header + \
            zlib.compress(body, 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> PartialResult:
        """The partial that ``to_bytes`` encoded; ValueError for anything else."""
        if data[:4] != _MAGIC:
            raise ValueError("Not a serialised PartialResult.")
        header_len, n_examples = struct.unpack_from("<II", data, 4)
        start = 12 + header_len
        header = json.loads(data[12:start])
        body = zlib.decompress(data[start:])
        partial = cls(
            lines=header["lines"], bytes=header["bytes"], blank_lines=header["blank_lines"],
            valid_examples=header["valid_examples"], counts=header["counts"],
            listed={code: [(int(line), str(msg)) for line, msg in items]
                    for code, items in header["listed"].items()},
            format_counts=header["format_counts"], format_first_line=header["format_first_line"],
        )
        offset = 0
        for name in _ARRAY_FIELDS:
            values = array("i")
            values.frombytes(body[offset:offset + 4 * n_examples])
            setattr(partial, name, values)
            offset += 4 * n_examples
        partial.digests = bytearray(body[offset:offset + 8 * n_examples])
        if len(partial.digests) != 8 * n_examples:
            raise ValueError("A serialised PartialResult is truncated.")
        return partial


def merge_partials(partials: list[PartialResult]) -> PartialResult:
    """One partial for consecutive parts given in file order (exact: nothing is approximated)."""
    merged = PartialResult()
    for part in partials:
        offset = merged.lines
        for code, items in part.listed.items():
            room = MAX_LISTED_PER_CODE - len(merged.listed.get(code, []))
            if room > 0 and items:
                merged.listed.setdefault(code, []).extend((line + offset, msg) for line, msg in items[:room])
        for code, count in part.counts.items():
            merged.counts[code] = merged.counts.get(code, 0) + count
        for fmt, count in part.format_counts.items():
            merged.format_counts[fmt] = merged.format_counts.get(fmt, 0) + count
            if fmt not in merged.format_first_line:
                merged.format_first_line[fmt] = part.format_first_line[fmt] + offset
        merged.total_tokens.extend(part.total_tokens)
        merged.assistant_tokens.extend(part.assistant_tokens)
        merged.message_counts.extend(part.message_counts)
        shifted = np.frombuffer(part.example_lines, dtype=np.int32) + np.int32(offset)
        merged.example_lines.frombytes(shifted.astype(np.int32).tobytes())
        merged.digests.extend(part.digests)
        merged.lines += part.lines
        merged.bytes += part.bytes
        merged.blank_lines += part.blank_lines
        merged.valid_examples += part.valid_examples
    return merged
