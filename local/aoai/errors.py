"""Errors raised by models and handlers, rendered in each service's own error body shape."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from aiohttp import web


class EmulatorError(Exception):
    """An HTTP error with the exact body and headers the real service would send."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(json.dumps(body))
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> web.Response:
        return web.json_response(self.body, status=self.status, headers=self.headers)


def aoai_error(status: int, code: str, message: str, param: str | None = None) -> EmulatorError:
    """Azure OpenAI data-plane error: {"error": {"code", "message", "param", "type"}}."""
    return EmulatorError(
        status, {"error": {"code": code, "message": message, "param": param, "type": "invalid_request_error"}}
    )


def resource_not_found() -> EmulatorError:
    """What Azure OpenAI answers for an unknown path or a missing/unknown api-version."""
    return EmulatorError(404, {"error": {"code": "404", "message": "Resource not found"}})


def aoai_unauthorized(bearer: bool) -> EmulatorError:
    if bearer:
        message = (
            "Unauthorized. Access token is missing, invalid, audience is incorrect "
            "(https://cognitiveservices.azure.com), or have expired."
        )
    else:
        message = (
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
            "a valid key for an active subscription and use a correct regional API endpoint "
            "for your resource."
        )
    return EmulatorError(401, {"error": {"code": "401", "message": message}})


def arm_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> EmulatorError:
    """Azure Resource Manager error: {"error": {"code", "message", "details"}} (`target`, a string, only
    when an error names one: never null, per the ARM RPC's common-api-details)."""
    return EmulatorError(status, {"error": {"code": code, "message": message, "details": []}}, headers)


def entra_error(status: int, error: str, description: str, codes: list[int]) -> EmulatorError:
    """Entra ID (AAD v2) token endpoint error body, with its timestamp and trace/correlation GUIDs."""
    timestamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    return EmulatorError(
        status,
        {
            "error": error,
            "error_description": f"{description}\r\nTrace ID: {trace_id}\r\nCorrelation ID: "
            f"{correlation_id}\r\nTimestamp: {timestamp}",
            "error_codes": codes,
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
        },
    )


def control_error(status: int, message: str) -> EmulatorError:
    return EmulatorError(status, {"error": {"code": "invalidControlRequest", "message": message}})


def injected_fault(
    status: int, code: str, message: str, retry_after: float | None, surface: str
) -> EmulatorError:
    """A fault injected through the control API, shaped for the surface it hits."""
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = (
            str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        )
    if surface == "arm":
        return arm_error(status, code, message, headers)
    if surface == "entra":
        error = entra_error(status, "temporarily_unavailable", message, [])
        error.headers = headers
        return error
    return EmulatorError(status, {"error": {"code": code, "message": message}}, headers)
