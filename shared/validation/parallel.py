"""Validating a local file on all cores: byte ranges in worker processes, merged exactly.

Each worker runs ``validate_range_chunks`` on one range and sends back the compact
``PartialResult.to_bytes()``; the parent merges them in file order and finalises.
Small files, or one worker, take the single streaming pass instead.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from shared.validation.engine import checker_for, validate_chunks, validate_range_chunks
from shared.validation.options import ValidationOptions
from shared.validation.partial import PartialResult, merge_partials
from shared.validation.ranges import plan_ranges
from shared.validation.report import ValidationReport, finalize

CHUNK_BYTES = 1 << 20
# Below this size a process pool costs more than it saves.
MIN_PARALLEL_BYTES = 8 << 20
RANGES_PER_WORKER = 4
MIN_RANGE_BYTES = 1 << 20


def read_file_chunks(path: str | os.PathLike[str], start: int = 0, chunk_bytes: int = CHUNK_BYTES
                     ) -> Iterator[bytes]:
    """The bytes of ``path`` from ``start`` to its end, ``chunk_bytes`` at a time (read lazily)."""
    with open(path, "rb") as handle:
        handle.seek(start)
        while chunk := handle.read(chunk_bytes):
            yield chunk


def validate_path(path: str | os.PathLike[str], options: ValidationOptions, *, workers: int | None = None
                  ) -> ValidationReport:
    """Validate the local file ``path`` using ``workers`` processes (default: every core)."""
    resolved = options.resolve()  # raises UnknownModelError before any work
    size = Path(path).stat().st_size
    workers = max(1, workers or os.cpu_count() or 1)
    if workers == 1 or size < MIN_PARALLEL_BYTES:
        return validate_chunks(read_file_chunks(path), options, total_bytes=size)
    context = multiprocessing.get_context()
    if context.get_start_method() == "fork":
        checker_for(resolved.encoding, options.method, options.item_fields)  # forked workers inherit it
    # A few ranges per worker: a worker slowed down by other load takes fewer of them.
    range_bytes = max(MIN_RANGE_BYTES, math.ceil(size / (workers * RANGES_PER_WORKER)))
    ranges = plan_ranges(size, range_bytes)
    with ProcessPoolExecutor(max_workers=min(workers, len(ranges)), mp_context=context) as pool:
        futures = [pool.submit(_validate_file_range, os.fspath(path), start, end, options)
                   for start, end in ranges]
        merged = PartialResult()
        for future in futures:  # merged one by one: the parent holds at most one extra partial
            merged = merge_partials([merged, PartialResult.from_bytes(future.result())])
    return finalize(merged, options, total_bytes=size)


def _validate_file_range(path: str, start: int, end: int, options: ValidationOptions) -> bytes:
    partial = validate_range_chunks(read_file_chunks(path, start), options, range_start=start, range_end=end)
    return partial.to_bytes()
