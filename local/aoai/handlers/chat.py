"""Chat completions on a deployment: 404 unless it serves, its rate limit, then the model's answer."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from local.aoai.errors import EmulatorError, aoai_error
from local.aoai.handlers.common import json_body, now, state_of

DEPLOYMENT_NOT_FOUND = (
    "The API deployment for this resource does not exist. If you created the deployment within the last "
    "5 minutes, please wait a moment and try again."
)


async def _answer(
    request: web.Request, deployment_name: str, body: dict[str, Any], api_version: str
) -> web.StreamResponse:
    state = state_of(request)
    deployment = state.deployments.serving(deployment_name)
    if deployment is None:
        raise EmulatorError(404, {"error": {"code": "DeploymentNotFound", "message": DEPLOYMENT_NOT_FOUND}})
    state.inference.admit(deployment, api_version, now())
    completion = state.inference.complete(deployment, body, now())
    if not body.get("stream"):
        return web.json_response(completion)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    choice = completion["choices"][0]
    chunk = {k: completion[k] for k in ("id", "created", "model", "system_fingerprint")}
    chunk["object"] = "chat.completion.chunk"
    for delta, finish in (
        ({"role": "assistant", "content": choice["message"]["content"]}, None),
        ({}, choice["finish_reason"]),
    ):
        payload = chunk | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        await response.write(f"data: {json.dumps(payload)}\n\n".encode())
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


async def deployment_chat(request: web.Request) -> web.StreamResponse:
    body = await json_body(request)
    version = request.query.get("api-version", "")
    return await _answer(request, request.match_info["deployment"], body, version)


async def v1_chat(request: web.Request) -> web.StreamResponse:
    body = await json_body(request)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise aoai_error(400, "invalidPayload", "'model' (the deployment name) is required.", "model")
    return await _answer(request, model, body, request.query.get("api-version", "v1"))
