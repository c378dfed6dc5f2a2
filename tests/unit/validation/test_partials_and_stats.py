"""Partial results (serialised between processes, merged in file order) and the report's statistics."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from shared.validation import (
    PartialResult,
    ValidationOptions,
    finalize,
    merge_partials,
    plan_ranges,
    validate_chunks,
    validate_range_chunks,
)
from shared.validation.stats import as_int_array, distribution, duplicates
from tests.unit.validation.helpers import jsonl, report_of, simple

pytestmark = pytest.mark.unit

OPTIONS = ValidationOptions(min_examples=1)
DATA = jsonl(simple(1), "{x", "", simple(2), simple(1), *(simple(i) for i in range(3, 30)), simple(2))


def _partials(data: bytes, range_bytes: int) -> list[PartialResult]:
    return [validate_range_chunks([data[start:]], OPTIONS, range_start=start, range_end=end)
            for start, end in plan_ranges(len(data), range_bytes)]


def test_a_partial_survives_serialisation_whole() -> None:
    [partial] = _partials(DATA, len(DATA))
    again = PartialResult.from_bytes(partial.to_bytes())
    assert again == partial
    assert (again.bytes, again.lines, again.blank_lines) == (len(DATA), 33, 1)


def test_anything_else_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError) as caught:
        PartialResult.from_bytes(b"JUNK" + bytes(20))
    assert str(caught.value) == "Not a serialised PartialResult."
    [partial] = _partials(DATA, len(DATA))
    data = partial.to_bytes()
    header_len, examples = struct.unpack_from("<II", data, 4)
    lying = data[:4] + struct.pack("<II", header_len, examples + 1) + data[12:]  # claims one more example
    with pytest.raises(ValueError) as caught:
        PartialResult.from_bytes(lying)
    assert str(caught.value) == "A serialised PartialResult is truncated."


def test_merged_ranges_count_every_byte_and_line_when_no_size_is_given() -> None:
    merged = merge_partials(_partials(DATA, 200))
    assert (merged.bytes, merged.lines, merged.blank_lines) == (len(DATA), 33, 1)
    report = finalize(merged, OPTIONS).to_dict()
    assert report == validate_chunks([DATA], OPTIONS).to_dict()
    assert report["bytes"] == len(DATA)


def test_a_known_total_size_is_checked_even_when_only_part_was_read() -> None:
    # A blob is validated as a stream; its size comes from the storage metadata.
    report = validate_chunks([DATA], ValidationOptions(min_examples=1, max_file_bytes=len(DATA)),
                             total_bytes=len(DATA) + 1).to_dict()
    assert report["bytes"] == len(DATA) + 1
    assert report["error_counts"] == {"file_too_large": 1, "invalid_json": 1}


def test_digests_are_unsigned_64_bit_integers() -> None:
    assert PartialResult().digest_array().dtype == np.uint64 and PartialResult().digest_array().size == 0
    [partial] = _partials(DATA, len(DATA))
    assert partial.digest_array().dtype == np.uint64 and partial.digest_array().size == 31
    assert as_int_array(PartialResult().total_tokens).dtype == np.int32
    assert as_int_array(PartialResult().total_tokens).size == 0


def test_distribution_of_nothing_and_of_a_few_values() -> None:
    assert distribution(np.zeros(0, np.int32)) == {
        "min": None, "max": None, "mean": None, "median": None, "p5": None, "p95": None, "sum": 0}
    assert distribution(np.array([1, 2, 4], np.int32)) == {
        "min": 1, "max": 4, "mean": 2.33, "median": 2.0, "p5": 1.1, "p95": 3.8, "sum": 7}
    assert distribution(np.array([7, 1, 3, 2], np.int32)) == {
        "min": 1, "max": 7, "mean": 3.25, "median": 2.5, "p5": 1.15, "p95": 6.4, "sum": 13}


def test_duplicates_point_at_the_first_copy_however_many_there_are() -> None:
    digests = np.array([7] * 40 + [3] * 40, dtype=np.uint64)  # enough for an unstable sort to reorder
    lines = np.arange(1, 81, dtype=np.int32)
    count, pairs = duplicates(digests, lines, keep=100)
    assert count == 78
    assert pairs == [(line, 1) for line in range(2, 41)] + [(line, 41) for line in range(42, 81)]
    assert duplicates(digests, lines, keep=3) == (78, [(2, 1), (3, 1), (4, 1)])


@pytest.mark.parametrize(("examples", "expected"), [
    ([], (0, [])),
    ([5], (0, [])),
    ([5, 5], (1, [(2, 1)])),
    ([5, 6, 7], (0, [])),
])
def test_duplicates_of_small_files(examples, expected) -> None:
    digests = np.array(examples, dtype=np.uint64)
    assert duplicates(digests, np.arange(1, len(examples) + 1, dtype=np.int32), keep=20) == expected


def test_two_identical_lines_with_different_line_endings_are_duplicates() -> None:
    report = report_of(jsonl(simple(1)).rstrip(b"\n") + b"\r\n" + jsonl(simple(1)))
    assert report["warning_counts"] == {"duplicate_example": 1}
    assert report["examples"] == 2 and report["lines"] == 2
