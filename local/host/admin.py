"""``POST /admin/functions/{name}``: run a non-HTTP function at once (host: FunctionsController.Invoke).

As the real host: the master key is required when keys are on (``x-functions-key`` or ``code=``;
otherwise 401 with ``WWW-Authenticate: Bearer``); the body is JSON ``{"input": "..."}`` (a string,
number or boolean; an absent or unreadable body is 400, a body that is not JSON is 415); an
unknown function is 404; the answer is 202 with no body and the function runs in the background.

What the input means depends on the trigger: a timer function ignores it and gets its recorded
schedule status with ``past_due`` false; a blob function reads it as ``container/blob``. Other
triggers cannot be bound from a string (the Durable triggers need the extension's context, an
HTTP function is called at its route): as in Azure, the call is accepted and the failure logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from local.host import keys
from local.host.app_loader import AppIndex, FunctionInfo

log = logging.getLogger("local.host")


class AdminApi:
    def __init__(self, index: AppIndex, host_keys: keys.Keys, timers: Any, blobs: Any) -> None:
        self.index = index
        self.keys = host_keys
        self.timers = timers  # TimerScheduler or None
        self.blobs = blobs  # BlobPoller or None
        self._runs: set[asyncio.Task] = set()

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/admin/functions/{name}", self.invoke)]

    async def invoke(self, request: web.Request) -> web.Response:
        if not keys.authorized(request, self.keys, "ADMIN"):
            return keys.unauthorized(challenge=True)
        raw = await request.read()
        if raw.strip() and request.content_type not in ("application/json", "text/json"):
            return web.Response(status=415)
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = None
        value = body.get("input") if isinstance(body, dict) else None
        if not isinstance(body, dict) or isinstance(value, dict | list):
            return web.Response(status=400)
        info = self.index.get(request.match_info["name"])
        if info is None:
            return web.Response(status=404)
        text = None if value is None else (json.dumps(value) if isinstance(value, bool) else str(value))
        task = asyncio.create_task(self._run(info, text), name=f"admin-{info.name}")
        self._runs.add(task)
        task.add_done_callback(self._runs.discard)
        return web.Response(status=202)

    async def _run(self, info: FunctionInfo, text: str | None) -> None:
        try:
            if info.trigger == "timer" and self.timers is not None:
                await self.timers.invoke_from_admin(info.name)
            elif info.trigger == "blob" and self.blobs is not None:
                if not text:
                    raise ValueError("the input must be the blob's path, container/blob")
                await self.blobs.run_once(info, text)
            else:
                raise TypeError(f"a {info.trigger} trigger cannot be bound from the admin API's input; "
                                + ("call it at its route" if info.trigger == "http"
                                   else "start it through the Durable client or the webhook API"))
        except Exception as exc:
            log.error("admin run of %s failed: LOCALHOST_ADMIN_RUN_FAILED: %s: %s", info.name,
                      type(exc).__name__, exc)
