"""Chat completions on a deployed fine-tuned model: a deterministic reply that names the model."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aiohttp import web

from local.aoai.errors import EmulatorError, aoai_error
from local.aoai.handlers.common import json_body, now, state_of

DEPLOYMENT_NOT_FOUND = (
    "The API deployment for this resource does not exist. If you created the deployment within the last "
    "5 minutes, please wait a moment and try again."
)


def _last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content or "")
    return ""


def _completion(deployment: str, model: str, messages: list[Any]) -> dict[str, Any]:
    prompt = _last_user_text(messages)
    reply = f"Reply from {model} (deployment {deployment}) to: {prompt[:200]}"
    digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:29]
    prompt_tokens = sum(len(str(m.get("content", "")).split()) + 3 for m in messages if isinstance(m, dict))
    completion_tokens = len(reply.split())
    return {
        "id": f"chatcmpl-{digest}",
        "object": "chat.completion",
        "created": int(now()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {"role": "assistant", "content": reply, "refusal": None},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": None,
    }


async def _answer(request: web.Request, deployment_name: str, body: dict[str, Any]) -> web.StreamResponse:
    deployment = state_of(request).deployments.serving(deployment_name)
    if deployment is None:
        raise EmulatorError(404, {"error": {"code": "DeploymentNotFound", "message": DEPLOYMENT_NOT_FOUND}})
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise aoai_error(400, "invalidPayload", "'messages' must be a non-empty list.", "messages")
    completion = _completion(deployment_name, deployment.model_name, messages)
    if not body.get("stream"):
        return web.json_response(completion)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    choice = completion["choices"][0]
    chunk = {k: completion[k] for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    for delta, finish in (
        ({"role": "assistant", "content": choice["message"]["content"]}, None),
        ({}, "stop"),
    ):
        payload = chunk | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        await response.write(f"data: {json.dumps(payload)}\n\n".encode())
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


async def deployment_chat(request: web.Request) -> web.StreamResponse:
    return await _answer(request, request.match_info["deployment"], await json_body(request))


async def v1_chat(request: web.Request) -> web.StreamResponse:
    body = await json_body(request)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise aoai_error(400, "invalidPayload", "'model' (the deployment name) is required.", "model")
    return await _answer(request, model, body)
