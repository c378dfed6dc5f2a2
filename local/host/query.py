"""Query parameters and headers of the Durable HTTP API, checked before they reach the store.

The extension reads them with .NET ``TryParse`` and silently ignores a value it cannot parse
(``top=x`` lists 100, ``runtimeStatus=Compleetd`` filters nothing, ``showHistory=yes`` is false).
Out-of-range values go on to the storage provider and come back as 500s. The local host answers
400 with a ``LOCALHOST_BAD_QUERY`` message instead, so a mistaken query shows up during
development rather than as a silently wider query in Azure (docs/local-host.md).
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from datetime import UTC, datetime

from local.host.history import STATUS_CODES

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000  # Azure Tables' page limit, where the extension's Azure Storage provider sends top
RUNTIME_STATUSES = tuple(STATUS_CODES)  # Running, Completed, ContinuedAsNew, Failed, Canceled, ...
_STATUS_BY_CODE = {str(code): name for name, code in STATUS_CODES.items()}


class BadQuery(ValueError):
    """A query parameter or header the local host refuses (HTTP 400); the message says what to do."""


def _bad(name: str, value: str, expected: str) -> BadQuery:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return BadQuery(f"LOCALHOST_BAD_QUERY: '{name}' must be {expected} (got {shown!r}).")


def flag(query: Mapping[str, str], name: str, default: bool) -> bool:
    """A boolean: true or false in any case (``bool.TryParse``); absent gives ``default``."""
    value = query.get(name)
    if value is None:
        return default
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise _bad(name, value, "true or false")
    return text == "true"


def moment(query: Mapping[str, str], name: str) -> float | None:
    """An ISO-8601 date or date-time (UTC when it has no offset) as a POSIX timestamp."""
    value = query.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _bad(name, value, "an ISO-8601 date-time such as 2024-05-01T00:00:00Z") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def page_size(query: Mapping[str, str]) -> int:
    value = query.get("top")
    if value is None:
        return DEFAULT_PAGE_SIZE
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise _bad("top", value, f"a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(text)


def statuses(values: list[str]) -> list[str]:
    """``runtimeStatus`` values: repeated and/or comma-separated names (or their numbers)."""
    found: list[str] = []
    for value in values:
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            name = _STATUS_BY_CODE.get(part, part)
            if name not in RUNTIME_STATUSES:
                raise _bad("runtimeStatus", part, "a comma-separated list of " + ", ".join(RUNTIME_STATUSES))
            found.append(name)
    return found


def seconds(query: Mapping[str, str], name: str) -> float | None:
    """A number of seconds (``timeout``, ``pollingInterval``)."""
    value = query.get(name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise _bad(name, value, "a number of seconds") from None
    if not math.isfinite(number) or number < 0:
        raise _bad(name, value, "a number of seconds, 0 or more")
    return number


def continuation_offset(token: str | None) -> int:
    """The position a ``x-ms-continuation-token`` points at (tokens are opaque to clients)."""
    if token is None or not token.strip():
        return 0
    try:
        text = base64.b64decode(token.strip(), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    if not (text.isascii() and text.isdigit()):
        raise BadQuery("LOCALHOST_BAD_QUERY: the x-ms-continuation-token header is not a token this host "
                       "returned; send back the token of the previous page unchanged, or omit it.")
    return int(text)


def continuation_token(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()
