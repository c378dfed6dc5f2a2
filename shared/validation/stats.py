"""Distribution statistics of per-example figures (numpy), as the report shows them."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np


def as_int_array(values: array) -> np.ndarray:
    """A zero-copy int32 numpy view of an array('i') of per-example figures."""
    return np.frombuffer(values, dtype=np.int32) if len(values) else np.zeros(0, np.int32)


def distribution(values: np.ndarray) -> dict[str, Any]:
    """min, max, mean, median, p5, p95 (linear interpolation) and sum; nulls when there are no values."""
    if values.size == 0:
        return {"min": None, "max": None, "mean": None, "median": None, "p5": None, "p95": None, "sum": 0}
    p5, median, p95 = np.percentile(values, [5, 50, 95])
    return {
        "min": int(values.min()),
        "max": int(values.max()),
        "mean": round(float(values.mean(dtype=np.float64)), 2),
        "median": round(float(median), 2),
        "p5": round(float(p5), 2),
        "p95": round(float(p95), 2),
        "sum": int(values.sum(dtype=np.int64)),
    }


def duplicates(digests: np.ndarray, lines: np.ndarray, keep: int) -> tuple[int, list[tuple[int, int]]]:
    """(examples identical to an earlier one, the first ``keep`` [(line, line of its first copy)]).

    ``digests`` and ``lines`` are in file order (lines increasing), so a stable sort by
    digest keeps each group's copies in line order.
    """
    if digests.size < 2:
        return 0, []
    order = np.argsort(digests, kind="stable")
    sorted_digests = digests[order]
    repeat = np.empty(order.size, dtype=bool)
    repeat[0] = False
    np.equal(sorted_digests[1:], sorted_digests[:-1], out=repeat[1:])
    count = int(repeat.sum())
    if not count:
        return 0, []
    first_repeats = np.sort(order[repeat])[:keep]  # positions in file order = line order
    originals = order[np.searchsorted(sorted_digests, digests[first_repeats], side="left")]
    return count, [(int(lines[i]), int(lines[j])) for i, j in zip(first_repeats, originals, strict=True)]
