"""validate_path: a local file in byte ranges on worker processes, merged into the single-pass report.

The size thresholds are lowered so that a small file takes the parallel path; the pool is
the real ProcessPoolExecutor, only watched (which ranges, how many workers).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from shared.validation import (
    PartialResult,
    UnknownModelError,
    ValidationOptions,
    plan_ranges,
    validate_chunks,
    validate_path,
    validate_range_chunks,
)
from shared.validation import parallel as parallel_module
from tests.unit.validation.helpers import jsonl, simple

pytestmark = pytest.mark.unit


class WatchedPool(ProcessPoolExecutor):
    """The real pool, recording its size and the byte ranges submitted to it."""

    sizes: list[int | None] = []
    ranges: list[tuple[int, int]] = []

    def __init__(self, max_workers: int | None = None, mp_context=None) -> None:
        WatchedPool.sizes.append(max_workers)
        super().__init__(max_workers=max_workers, mp_context=mp_context)

    def submit(self, fn, /, *args, **kwargs):
        WatchedPool.ranges.append(args[1:3])
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> type[WatchedPool]:
    WatchedPool.sizes, WatchedPool.ranges = [], []
    monkeypatch.setattr(parallel_module, "ProcessPoolExecutor", WatchedPool)
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel_module, "MIN_RANGE_BYTES", 1)
    return WatchedPool


@pytest.fixture
def messy_file(tmp_path: Path) -> tuple[Path, bytes]:
    """A BOM, CRLF endings, no final newline, broken lines, a blank one and duplicates."""
    lines = [simple(i % 40) if i % 37 else "{broken" for i in range(600)]
    lines[123] = ""
    data = b"\xef\xbb\xbf" + jsonl(*lines, newline="\r\n", final_newline=False)
    path = tmp_path / "big.jsonl"
    path.write_bytes(data)
    return path, data


OPTIONS = ValidationOptions(min_examples=5, n_epochs=2, price_overrides={"gpt-4o-mini": 3.0})


@pytest.mark.parametrize("workers", [2, 3])
def test_ranges_on_processes_give_the_single_pass_report(watched, messy_file, workers: int) -> None:
    path, data = messy_file
    single = validate_chunks([data], OPTIONS, total_bytes=len(data)).to_dict()
    assert validate_path(path, OPTIONS, workers=workers).to_dict() == single
    # A few ranges per worker, in file order, covering the file.
    expected = plan_ranges(len(data), math.ceil(len(data) / (workers * parallel_module.RANGES_PER_WORKER)))
    assert watched.ranges == expected and len(expected) == workers * parallel_module.RANGES_PER_WORKER
    assert watched.sizes == [workers]
    assert single["error_counts"] == {"invalid_json": 17} and single["blank_lines"] == 1


def test_by_default_every_core_works(watched, messy_file) -> None:
    path, data = messy_file
    validate_path(path, OPTIONS)
    cores = os.cpu_count() or 1
    assert len(watched.ranges) == cores * parallel_module.RANGES_PER_WORKER
    assert watched.sizes == [cores]


def test_ranges_are_never_smaller_than_the_minimum(watched, messy_file, monkeypatch) -> None:
    path, data = messy_file
    monkeypatch.setattr(parallel_module, "MIN_RANGE_BYTES", len(data) // 2 + 1)
    report = validate_path(path, OPTIONS, workers=8)
    assert watched.ranges == [(0, len(data) // 2 + 1), (len(data) // 2 + 1, len(data))]
    assert watched.sizes == [2]  # no more workers than ranges
    assert report.to_dict() == validate_chunks([data], OPTIONS, total_bytes=len(data)).to_dict()


def test_one_worker_or_a_small_file_takes_the_single_pass(watched, messy_file, monkeypatch) -> None:
    path, data = messy_file
    single = validate_chunks([data], OPTIONS, total_bytes=len(data)).to_dict()
    assert validate_path(path, OPTIONS, workers=1).to_dict() == single
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_BYTES", len(data) + 1)
    assert validate_path(path, OPTIONS, workers=4).to_dict() == single
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_BYTES", len(data))
    assert validate_path(path, OPTIONS, workers=4).to_dict() == single
    assert watched.sizes == [4]  # only the file of at least MIN_PARALLEL_BYTES went to a pool


def test_an_unknown_model_is_refused_before_the_file_is_read(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError):
        validate_path(tmp_path / "missing.jsonl", ValidationOptions(model="gpt-9"))


def test_files_are_read_lazily_in_chunks_from_an_offset(messy_file) -> None:
    path, data = messy_file
    assert b"".join(parallel_module.read_file_chunks(path)) == data
    chunks = list(parallel_module.read_file_chunks(path, 5, chunk_bytes=1000))
    assert b"".join(chunks) == data[5:] and {len(chunk) for chunk in chunks[:-1]} == {1000}


def test_a_worker_returns_its_ranges_partial_in_the_compact_form(messy_file) -> None:
    path, data = messy_file
    start, end = len(data) // 3, 2 * len(data) // 3
    sent = parallel_module._validate_file_range(os.fspath(path), start, end, OPTIONS)
    expected = validate_range_chunks([data[start:]], OPTIONS, range_start=start, range_end=end)
    assert PartialResult.from_bytes(sent) == expected and expected.lines > 100
