"""ARM handlers: deployments PUT/GET/DELETE/list with the async-operation LRO, and operation status."""

from __future__ import annotations

import math

from aiohttp import web

from local.aoai import config
from local.aoai.errors import arm_error
from local.aoai.handlers.common import info_of, json_body, now, state_of

ACCOUNT_PATH = (
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{account}"
)


def retry_after(remaining: float) -> str:
    """Seconds to wait before polling again: whole seconds as ARM sends them, or a decimal under one
    second (azure-core parses floats) so fast test timings are not stretched; never 0, which
    azure-core ignores in favour of its 30 s default polling interval."""
    if remaining >= 1:
        return str(math.ceil(remaining))
    return f"{max(0.1, math.ceil(remaining * 10) / 10):.1f}"


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
    record, created = state.deployments.put(name, body, state.jobs.fine_tuned_models(), now())
    state.save()
    remaining = max(0.0, record.ready_at - now())
    headers = {
        "Azure-AsyncOperation": _operation_url(request, record.operation_id),
        "Retry-After": retry_after(remaining),
    }
    return web.json_response(
        record.to_arm(_resource_id(name)), status=201 if created else 200, headers=headers
    )


async def get_deployment(request: web.Request) -> web.Response:
    _check_scope(request)
    name = request.match_info["name"]
    return web.json_response(state_of(request).deployments.get(name).to_arm(_resource_id(name)))


async def delete_deployment(request: web.Request) -> web.Response:
    _check_scope(request)
    state = state_of(request)
    existed = state.deployments.delete(request.match_info["name"])
    state.save()
    return web.Response(status=200 if existed else 204)


async def list_deployments(request: web.Request) -> web.Response:
    _check_scope(request)
    records = state_of(request).deployments.records.values()
    return web.json_response({"value": [r.to_arm(_resource_id(r.name)) for r in records]})


async def operation_status(request: web.Request) -> web.Response:
    if request.match_info["sub"] != config.SUBSCRIPTION_ID:
        raise arm_error(
            404, "SubscriptionNotFound", f"The subscription '{request.match_info['sub']}' could not be found."
        )
    record = state_of(request).deployments.find_operation(request.match_info["operation_id"])
    body = record.operation()
    headers = {"Retry-After": retry_after(record.ready_at - now())} if body["status"] == "InProgress" else {}
    return web.json_response(body, headers=headers)
