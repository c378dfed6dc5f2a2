"""What every handler needs: the app's state and info, JSON bodies, list envelopes."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web

from local.aoai.errors import aoai_error
from local.aoai.models.store import EmulatorState

STATE: web.AppKey[EmulatorState] = web.AppKey("state", EmulatorState)
INFO: web.AppKey[dict[str, Any]] = web.AppKey("info", dict)
TASKS: web.AppKey[set[Any]] = web.AppKey("tasks", set)


def state_of(request: web.Request) -> EmulatorState:
    return request.app[STATE]


def info_of(request: web.Request) -> dict[str, Any]:
    return request.app[INFO]


def now() -> float:
    return time.time()


def is_v1(request: web.Request) -> bool:
    """Whether the request came in on the /openai/v1 surface."""
    return (request.match_info.route.name or "").startswith("v1:")


def location(request: web.Request, item_id: str, collection: str | None = None) -> str:
    """The absolute URL of an item just created: `collection` (default: the request's path) + its id."""
    return f"{info_of(request)['endpoint']}{(collection or request.path).rstrip('/')}/{item_id}"


def run_in_background(app: web.Application, work: Any) -> None:
    """Run the coroutine `work` as a task the server keeps until it ends."""
    task = asyncio.get_running_loop().create_task(work)
    app[TASKS].add(task)
    task.add_done_callback(app[TASKS].discard)


async def json_body(request: web.Request, error: Any = None) -> dict[str, Any]:
    """The request's JSON object; a 400 in the surface's shape when it is not one."""
    raw = await request.read()
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise (error or aoai_error(400, "invalidPayload", "The request body must be a JSON object."))
    return body


def list_page(items: list[dict[str, Any]], has_more: bool) -> web.Response:
    return web.json_response(
        {
            "object": "list",
            "data": items,
            "has_more": has_more,
            "first_id": items[0]["id"] if items else None,
            "last_id": items[-1]["id"] if items else None,
        }
    )
