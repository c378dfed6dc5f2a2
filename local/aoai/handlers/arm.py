"""ARM handlers: deployments PUT/GET/DELETE/list with the async-operation LRO, and operation status."""

from __future__ import annotations

import math

from aiohttp import web

from local.aoai import config
from local.aoai.errors import arm_error
from local.aoai.handlers.common import info_of, json_body, now, state_of
from local.aoai.models.deployments import DeploymentRecord

ACCOUNT_PATH = (
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{account}"
)


def retry_after(remaining: float) -> str:
    """Whole seconds to wait before polling again (the ARM RPC's integer Retry-After); never 0, which
    azure-core ignores in favour of its polling interval (30 s by default)."""
    return str(max(1, math.ceil(remaining)))


def _check_scope(request: web.Request) -> None:
    match = request.match_info
    wanted = (config.SUBSCRIPTION_ID, config.RESOURCE_GROUP.lower(), config.ACCOUNT.lower())
    if (match["sub"], match["rg"].lower(), match["account"].lower()) != wanted:
        raise arm_error(
            404,
            "ResourceNotFound",
            f"The Resource 'Microsoft.CognitiveServices/accounts/{match['account']}' under resource group "
            f"'{match['rg']}' was not found.",
        )


def _resource_id(name: str) -> str:
    account = ACCOUNT_PATH.format(
        sub=config.SUBSCRIPTION_ID, rg=config.RESOURCE_GROUP, account=config.ACCOUNT
    )
    return f"{account}/deployments/{name}"


def _operation_url(request: web.Request, operation_id: str) -> str:
    arm = info_of(request)["arm_endpoint"]
    return (
        f"{arm}/subscriptions/{config.SUBSCRIPTION_ID}/providers/Microsoft.CognitiveServices/locations/"
        f"{config.LOCATION}/operationResults/{operation_id}?api-version={request.query['api-version']}"
    )


async def put_deployment(request: web.Request) -> web.Response:
    _check_scope(request)
    state = state_of(request)
    name = request.match_info["name"]
    body = await json_body(
        request, arm_error(400, "InvalidRequestContent", "The request content is not valid JSON.")
    )
    state.advance(now())
    record, created = state.deployments.put(name, body, state.jobs.deployable_models(), now())
    state.inference.limiter.forget(name)
    state.save()
    remaining = max(0.0, record.ready_at - now())
    headers = {
        "Azure-AsyncOperation": _operation_url(request, record.operation_id),
        "Retry-After": retry_after(remaining),
    }
    return web.json_response(_arm(request, record), status=201 if created else 200, headers=headers)


def _arm(request: web.Request, record: DeploymentRecord) -> dict:
    per_unit = state_of(request).timings.requests_per_minute_per_capacity
    return record.to_arm(_resource_id(record.name), per_unit)


async def patch_deployment(request: web.Request) -> web.Response:
    """Deployments_Update: 202 + Location (final-state-via location) + Retry-After, as the spec allows."""
    _check_scope(request)
    state = state_of(request)
    body = await json_body(
        request, arm_error(400, "InvalidRequestContent", "The request content is not valid JSON.")
    )
    record = state.deployments.patch(request.match_info["name"], body, now())
    state.save()
    headers = {
        "Location": _operation_url(request, record.operation_id),
        "Retry-After": retry_after(record.ready_at - now()),
    }
    return web.json_response(_arm(request, record), status=202, headers=headers)


async def get_deployment(request: web.Request) -> web.Response:
    _check_scope(request)
    return web.json_response(_arm(request, state_of(request).deployments.get(request.match_info["name"])))


async def delete_deployment(request: web.Request) -> web.Response:
    _check_scope(request)
    state = state_of(request)
    existed = state.deployments.delete(request.match_info["name"])
    state.inference.limiter.forget(request.match_info["name"])
    state.save()
    return web.Response(status=200 if existed else 204)


async def list_deployments(request: web.Request) -> web.Response:
    _check_scope(request)
    records = state_of(request).deployments.records.values()
    return web.json_response({"value": [_arm(request, r) for r in records]})


async def operation_status(request: web.Request) -> web.Response:
    if request.match_info["sub"] != config.SUBSCRIPTION_ID:
        raise arm_error(
            404, "SubscriptionNotFound", f"The subscription '{request.match_info['sub']}' could not be found."
        )
    record = state_of(request).deployments.find_operation(request.match_info["operation_id"])
    body = record.operation()
    in_progress = body["status"] == "InProgress"
    headers = {"Retry-After": retry_after(record.ready_at - now())} if in_progress else {}
    if record.operation_kind == "update":  # a PATCH's Location: 202 while running, then the resource
        if in_progress:
            return web.json_response(body, status=202, headers=headers | {"Location": str(request.url)})
        return web.json_response(_arm(request, record))
    return web.json_response(body, headers=headers)
