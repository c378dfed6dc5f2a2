"""Transient failures raise (so the orchestrator retries), permanent ones return the service's words."""

from __future__ import annotations

import io

import httpx2
import openai
import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.core.rest._requests_basic import RestRequestsTransportResponse

from shared import errors
from shared.service_errors import call_arm, call_openai, is_transient_status

pytestmark = pytest.mark.unit

CLIENT = openai.AzureOpenAI(api_key="unit-test-key", azure_endpoint="https://aoai.invalid",
                            api_version="2025-04-01-preview")


def openai_error(status: int, body: dict | None = None) -> openai.APIStatusError:
    request = httpx2.Request("POST", "https://aoai.invalid/openai/files")
    response = httpx2.Response(status, json=body or {}, request=request)
    return CLIENT._make_status_error_from_response(response)


def arm_error(status: int, code: str, message: str) -> HttpResponseError:
    raw = requests.Response()
    raw.status_code, raw.reason = status, "Error"
    raw.headers["Content-Type"] = "application/json"
    raw.raw = io.BytesIO(f'{{"error":{{"code":"{code}","message":"{message}"}}}}'.encode())
    response = RestRequestsTransportResponse(request=HttpRequest("PUT", "https://arm.invalid/x"),
                                             internal_response=raw)
    response.read()
    return HttpResponseError(response=response)


def raising(exc: Exception):
    def call():
        raise exc
    return call


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503])
def test_transient_statuses_are_raised(status: int) -> None:
    exc = openai_error(status, {"error": {"code": "x", "message": "busy"}})
    with pytest.raises(openai.APIStatusError):
        call_openai(raising(exc), errors.UPLOAD_FAILED, "accept the file")
    assert is_transient_status(status)


def test_connection_and_timeout_errors_are_raised() -> None:
    request = httpx2.Request("GET", "https://aoai.invalid/openai/files")
    for exc in (openai.APIConnectionError(request=request), openai.APITimeoutError(request=request)):
        with pytest.raises(openai.APIConnectionError):
            call_openai(raising(exc), errors.UPLOAD_FAILED, "accept the file")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_client_errors_are_returned_with_the_service_message(status: int) -> None:
    exc = openai_error(status, {"error": {"code": "invalidPayload", "message": "The file is not JSONL."}})
    result = call_openai(raising(exc), errors.UPLOAD_FAILED, "accept the file train.jsonl")
    assert result["error"]["code"] == errors.UPLOAD_FAILED
    assert "The file is not JSONL." in result["error"]["message"]
    assert "invalidPayload" in result["error"]["message"] and str(status) in result["error"]["message"]
    assert result["status"] == status and result["service_code"] == "invalidPayload"


def test_a_body_without_a_message_still_gives_a_readable_error() -> None:
    result = call_openai(raising(openai_error(404, {})), errors.JOB_FAILED, "report on the job")
    assert result["error"]["message"].startswith("Azure OpenAI refused to report on the job (404)")
    assert "unit-test-key" not in str(result)


def test_success_passes_through() -> None:
    assert call_openai(lambda: {"id": "file-1"}, errors.UPLOAD_FAILED, "x") == {"id": "file-1"}


def test_arm_quota_refusal_is_returned_and_arm_throttling_is_raised() -> None:
    quota = arm_error(400, "InsufficientQuota", "This operation require 240 new capacity")
    result = call_arm(raising(quota), errors.DEPLOYMENT_FAILED, "create the deployment d")
    assert result["error"]["code"] == errors.DEPLOYMENT_FAILED
    assert "InsufficientQuota" in result["error"]["message"]
    assert "This operation require 240 new capacity" in result["error"]["message"]
    with pytest.raises(HttpResponseError):
        call_arm(raising(arm_error(429, "TooManyRequests", "slow down")), errors.DEPLOYMENT_FAILED, "x")
    with pytest.raises(HttpResponseError):
        call_arm(raising(arm_error(503, "ServiceUnavailable", "later")), errors.DEPLOYMENT_FAILED, "x")
