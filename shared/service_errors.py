"""Sorting service failures into transient (raised, retried) and permanent (returned) ones.

The rule of docs/pipeline.md: 408, 409, 429, 5xx, timeouts and connection errors are
transient — they propagate after the SDK's own retries (which honour Retry-After),
so the orchestrator's RetryOptions try again. Any other 4xx is permanent: the
activity returns ``{"error": {"code", "message", ...}}`` carrying the service's own
message, and the run fails fast. Messages never include request headers or keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import openai
from azure.core.exceptions import HttpResponseError

from shared.errors import error_result

_T = TypeVar("_T")
TRANSIENT_STATUSES = frozenset({408, 409, 429})
MAX_MESSAGE_CHARS = 1000


def is_transient_status(status: int | None) -> bool:
    """True for statuses worth retrying: 408, 409, 429 and every 5xx (and an unknown status)."""
    return status is None or status in TRANSIENT_STATUSES or status >= 500


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def openai_error_detail(exc: openai.APIStatusError) -> tuple[str | None, str]:
    """The service's error code and message from an Azure OpenAI error response."""
    body = exc.body
    if isinstance(body, dict):
        message = body.get("message")
        code = body.get("code")
        if isinstance(message, str) and message:
            return (str(code) if code is not None else None), message
    return None, f"HTTP {exc.status_code} {exc.response.reason_phrase}".strip()


def permanent_openai_error(exc: openai.APIStatusError, code: str, action: str) -> dict[str, Any]:
    """The activity result for a refused Azure OpenAI request."""
    service_code, message = openai_error_detail(exc)
    label = f"{exc.status_code} {service_code}" if service_code else str(exc.status_code)
    return error_result(code, _clip(f"Azure OpenAI refused to {action} ({label}): {message}"),
                        status=exc.status_code, service_code=service_code)


def call_openai(call: Callable[[], _T], code: str, action: str) -> _T | dict[str, Any]:
    """Run ``call``; a permanent refusal becomes an error result, a transient failure propagates."""
    try:
        return call()
    except openai.APIStatusError as exc:
        if is_transient_status(exc.status_code):
            raise
        return permanent_openai_error(exc, code, action)


def arm_error_detail(exc: HttpResponseError) -> tuple[str | None, str]:
    """The ARM error code and message of a failed management request."""
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    message = getattr(error, "message", None)
    if message:
        return code, str(message)
    reason = getattr(exc, "reason", None) or ""
    return code, f"HTTP {exc.status_code} {reason}".strip()


def permanent_arm_error(exc: HttpResponseError, code: str, action: str) -> dict[str, Any]:
    """The activity result for a refused ARM request."""
    service_code, message = arm_error_detail(exc)
    label = f"{exc.status_code} {service_code}" if service_code else str(exc.status_code)
    return error_result(code, _clip(f"Azure Resource Manager refused to {action} ({label}): {message}"),
                        status=exc.status_code, service_code=service_code)


def call_arm(call: Callable[[], _T], code: str, action: str) -> _T | dict[str, Any]:
    """Run an ARM ``call``; a permanent refusal becomes an error result, anything transient propagates."""
    try:
        return call()
    except HttpResponseError as exc:
        if is_transient_status(exc.status_code):
            raise
        return permanent_arm_error(exc, code, action)


def is_error_result(value: object) -> bool:
    """True for what ``call_openai``/``call_arm`` return on a permanent failure."""
    return isinstance(value, dict) and isinstance(value.get("error"), dict)
