"""Distribution statistics of per-example figures (numpy), as the report shows them."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np


def as_int_array(values: array) -> np.ndarray:
    """A read-only int64 numpy view-copy of an array('i') of per-example figures."""
    return np.frombuffer(values, dtype=np.int32).astype(np.int64) if len(values) else np.zeros(0, np.int64)


def distribution(values: np.ndarray) -> dict[str, Any]:
    """min, max, mean, median, p5, p95 (linear interpolation) and sum; nulls when there are no values."""
    if values.size == 0:
        return {"min": None, "max": None, "mean": None, "median": None, "p5": None, "p95": None, "sum": 0}
    p5, median, p95 = np.percentile(values, [5, 50, 95])
    return {
        "min": int(values.min()),
        "max": int(values.max()),
        "mean": round(float(values.mean()), 2),
        "median": round(float(median), 2),
        "p5": round(float(p5), 2),
        "p95": round(float(p95), 2),
        "sum": int(values.sum()),
    }


def duplicates(digests: np.ndarray, lines: np.ndarray, keep: int) -> tuple[int, list[tuple[int, int]]]:
    """(examples identical to an earlier one, the first ``keep`` [(line, line of its first copy)])."""
    if digests.size < 2:
        return 0, []
    order = np.lexsort((lines, digests))  # by digest, then by line
    sorted_digests = digests[order]
    repeat = np.empty(order.size, dtype=bool)
    repeat[0] = False
    np.equal(sorted_digests[1:], sorted_digests[:-1], out=repeat[1:])
    if not repeat.any():
        return 0, []
    group_start = np.maximum.accumulate(np.where(repeat, 0, np.arange(order.size)))
    dup_lines = lines[order][repeat]
    first_lines = lines[order][group_start][repeat]
    by_line = np.argsort(dup_lines, kind="stable")[:keep]
    pairs = [(int(dup_lines[i]), int(first_lines[i])) for i in by_line]
    return int(repeat.sum()), pairs
