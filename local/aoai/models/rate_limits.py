"""Per-deployment request rate limits derived from the SKU capacity: a token bucket per deployment.

A deployment of capacity C serves `requests_per_minute_per_capacity` x C requests a minute (a timing
knob). Azure evaluates request limits over short windows, so the bucket holds one 10-second window's
share (at least one request) and refills continuously; a request that finds it empty is refused with
the whole seconds until the next one is allowed. Deterministic given the clock; not persisted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WINDOW_SECONDS = 10.0


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}

    def take(self, deployment: str, capacity: int, per_minute_per_unit: float, now: float) -> int | None:
        """Admit one request now (None), or refuse it: the whole seconds to wait (at least 1)."""
        if per_minute_per_unit <= 0:
            return None
        rate = per_minute_per_unit * capacity / 60.0  # requests per second
        size = max(1.0, rate * WINDOW_SECONDS)
        bucket = self._buckets.setdefault(deployment, _Bucket(size, now))
        bucket.tokens = min(size, bucket.tokens + max(0.0, now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / rate))

    def forget(self, deployment: str) -> None:
        self._buckets.pop(deployment, None)

    def clear(self) -> None:
        self._buckets.clear()
