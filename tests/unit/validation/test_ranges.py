"""Byte ranges: validated independently, their partial results merge exactly into the whole-file result."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.validation import (
    PartialResult,
    ValidationOptions,
    finalize,
    merge_partials,
    plan_ranges,
    validate_chunks,
    validate_range_chunks,
)
from shared.validation.ranges import OwnedLines
from tests.unit.validation.helpers import chat, jsonl, simple

pytestmark = pytest.mark.unit

OPTIONS = ValidationOptions(min_examples=3, max_tokens=60)
LINE_POOL = [
    json.dumps(simple(1)).encode(),
    json.dumps(simple(2)).encode(),
    json.dumps(chat(("user", "Où est 東京? <|endoftext|>"), ("assistant", "日本."))).encode(),
    json.dumps(chat(("user", "long " * 80), ("assistant", "too long"))).encode(),  # too_many_tokens
    json.dumps({"input": {"messages": [{"role": "user", "content": "q"}]},
                "preferred_output": [{"role": "assistant", "content": "a"}],
                "non_preferred_output": [{"role": "assistant", "content": "b"}]}).encode(),
    b'{"messages": [{"role": "bot", "content": "x"}]}',
    b"{not json",
    b"\xff\xfe invalid utf8",
    b"",
    b"   ",
    b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}\r',
]


def _whole(data: bytes) -> dict:
    return validate_chunks([data], OPTIONS, total_bytes=len(data)).to_dict()


def _by_ranges(data: bytes, bounds: list[int], chunk: int, exact_tail: bool) -> dict:
    partials = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        stop = len(data)
        if exact_tail:  # only what the convention needs: up to the first newline at or after `end`
            newline = data.find(b"\n", end)
            stop = len(data) if newline < 0 else newline + 1
        chunks = [data[i:min(i + chunk, stop)] for i in range(start, stop, chunk)]
        partial = validate_range_chunks(chunks, OPTIONS, range_start=start, range_end=end)
        partials.append(PartialResult.from_bytes(partial.to_bytes()))
    return finalize(merge_partials(partials), OPTIONS, total_bytes=len(data)).to_dict()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.sampled_from(range(len(LINE_POOL))), min_size=0, max_size=40),
    bom=st.booleans(),
    final_newline=st.booleans(),
    cut_fractions=st.lists(st.floats(0, 1), max_size=6),
    chunk=st.sampled_from([1, 3, 17, 64, 1 << 16]),
    exact_tail=st.booleans(),
)
def test_ranges_merge_to_the_whole_file(lines, bom, final_newline, cut_fractions, chunk, exact_tail) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + b"\n".join(LINE_POOL[i] for i in lines)
    if final_newline and lines:
        data += b"\n"
    cuts = sorted({int(f * len(data)) for f in cut_fractions} - {0, len(data)})
    merged = _by_ranges(data, [0, *cuts, len(data)], chunk, exact_tail)
    assert merged == _whole(data)


def test_planned_ranges_merge_to_the_whole_file_with_first_20_per_code() -> None:
    data = jsonl(*[simple(i) if i % 3 else "{broken" for i in range(200)])
    whole = _whole(data)
    for range_bytes in (1, 50, 333, 4096, len(data)):
        ranges = plan_ranges(len(data), range_bytes)
        assert _by_ranges(data, [r[0] for r in ranges] + [len(data)], 1 << 16, False) == whole
    broken = [entry["line"] for entry in whole["errors"] if entry["code"] == "invalid_json"]
    assert broken == [1 + 3 * k for k in range(20)]
    assert whole["error_counts"]["invalid_json"] == 67


def test_plan_ranges_tiles_the_file() -> None:
    assert plan_ranges(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert plan_ranges(0, 4) == [(0, 0)]
    with pytest.raises(ValueError):
        plan_ranges(10, 0)


@pytest.mark.parametrize(("start", "end", "owned"), [
    (0, 2, [b"aa"]),  # line 1 always belongs to the range starting at 0
    (0, 3, [b"aa", b"bb"]),  # the newline before "bb" (byte 2) lies in [0, 3)
    (1, 3, [b"bb"]),  # skips the rest of "aa", reads up to the first newline at or after 3
    (3, 6, [b"cc"]),  # "bb" started at 3: its preceding newline (2) belongs to an earlier range
    (6, 9, []),  # the last newline (8) ends the file: no line starts after it
])
def test_which_lines_a_range_owns(start: int, end: int, owned: list[bytes]) -> None:
    data = b"aa\nbb\ncc\n"
    lines = OwnedLines([data[start:]], skip_partial_first=start > 0, limit=end - start)
    assert [line for batch in lines for line in batch] == owned
    assert lines.owned_bytes == 3 * len(owned)


def test_plan_ranges_refuses_a_negative_size_and_an_empty_range() -> None:
    for total, size in ((-1, 4), (10, 0)):
        with pytest.raises(ValueError) as caught:
            plan_ranges(total, size)
        assert str(caught.value) == "total_bytes must be >= 0 and range_bytes >= 1."


@pytest.mark.parametrize(("chunks", "limit", "owned"), [
    ([b"abc", b"\ndef\n"], 3, [b"abc"]),                      # the range's last newline opens a chunk
    ([b"ab\n", b"cd\nef\n"], 4, [b"ab", b"cd"]),              # a chunk ends at a newline before the end
    ([b"abc\n", b"", b"def\n", b"gh"], None, [b"abc", b"def", b"gh"]),  # empty chunks are skipped
    ([b"ab", b"c\nd", b"ef", b"\ng", b"h"], None, [b"abc", b"def", b"gh"]),  # lines across chunks
])
def test_lines_are_read_across_chunks_and_every_owned_byte_counted(chunks, limit, owned) -> None:
    lines = OwnedLines(chunks, skip_partial_first=False, limit=limit)
    assert [line for batch in lines for line in batch] == owned
    assert lines.owned_bytes == sum(len(line) + 1 for line in owned) - (0 if limit else 1)
