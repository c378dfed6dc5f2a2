"""Helpers shared by the models: ids, wall clock, cursor pagination, typed not-found errors."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from local.aoai.errors import aoai_error

T = TypeVar("T")


def new_id(prefix: str, sep: str = "-") -> str:
    return f"{prefix}{sep}{uuid.uuid4().hex}"


def now() -> float:
    return time.time()


def paginate(
    items: Sequence[T], after: str | None, limit: int, key: Any = lambda item: item.id
) -> tuple[list[T], bool]:
    """Return the page after the item whose id is `after` (all items when absent) and has_more."""
    start = 0
    if after:
        ids = [key(item) for item in items]
        start = ids.index(after) + 1 if after in ids else len(items)
    page = list(items[start : start + limit])
    return page, start + limit < len(items)


def parse_limit(raw: str | None, default: int, maximum: int = 10_000) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise aoai_error(400, "invalidPayload", f"limit must be an integer, got {raw!r}.", "limit") from None
    if not 1 <= value <= maximum:
        raise aoai_error(400, "invalidPayload", f"limit must be between 1 and {maximum}.", "limit")
    return value
