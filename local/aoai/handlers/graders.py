"""Handlers of /openai/v1/fine_tuning/alpha/graders/validate and /run (Azure's v1 surface only)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from local.aoai.handlers.common import json_body
from local.aoai.models import graders


async def validate_grader(request: web.Request) -> web.Response:
    body = await json_body(request)
    graders.validate(body.get("grader"))
    return web.json_response({"grader": body["grader"]})


async def run_grader(request: web.Request) -> web.Response:
    body = await json_body(request)
    grader = body.get("grader")
    graders.validate(grader)
    # A python grader runs in a child process: off the event loop, so other requests go on.
    result = await asyncio.get_running_loop().run_in_executor(None, graders.run, grader, body.get("item"),
                                                              body.get("model_sample"))
    return web.json_response(result)
