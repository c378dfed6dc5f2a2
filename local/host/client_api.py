"""The Durable HTTP API (ext: HttpApiHandler), served at the public webhook prefix and at the RPC base.

The real DurableOrchestrationClient calls it through ``rpcBaseUrl``; people and tools call the
public ``/runtime/webhooks/durabletask/...`` URLs. Status codes and bodies follow the
contract (§4): 202 + Location while running, 200 when done or Failed, 404 with an empty body
for unknown instances, 410 for operations on finished instances. Query parameters are checked by
``query.py`` (400 where the extension would silently ignore or fail on them).
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from local.host import query as q
from local.host.client_binding import PUBLIC_PREFIX, client_binding, management_urls
from local.host.engine import ConflictError, Engine
from local.host.status_view import status_json
from local.host.store import TERMINAL, Instance

RPC_PREFIX = "/durabletask"
__all__ = ["PUBLIC_PREFIX", "RPC_PREFIX", "DurableApi", "client_binding", "management_urls"]
RUNNING = ("Running", "Pending", "ContinuedAsNew", "Suspended")
MAX_INSTANCE_ID_LENGTH = 256


def _checked(handler: Callable[..., Awaitable[web.Response]]) -> Callable[..., Awaitable[web.Response]]:
    """Turn a refused query parameter (query.BadQuery) into a 400 with the reason."""

    @functools.wraps(handler)
    async def wrapper(self: Any, request: web.Request) -> web.Response:
        try:
            return await handler(self, request)
        except q.BadQuery as exc:
            return _error(400, str(exc))

    return wrapper


class DurableApi:
    """aiohttp handlers over the engine."""

    def __init__(self, engine: Engine, hub: str, key: str | None) -> None:
        self.engine = engine
        self.hub = hub
        self.key = key  # the key the management URLs carry (plays the extension's system key)

    def routes(self, prefix: str) -> list[web.RouteDef]:
        p = prefix
        return [
            web.post(p + "/orchestrators/{function}", self.start),
            web.post(p + "/orchestrators/{function}/{instance_id}", self.start),
            web.get(p + "/instances", self.list), web.get(p + "/instances/", self.list),
            web.delete(p + "/instances", self.purge_by), web.delete(p + "/instances/", self.purge_by),
            web.get(p + "/instances/{instance_id}", self.get),
            web.delete(p + "/instances/{instance_id}", self.purge),
            web.post(p + "/instances/{instance_id}/raiseEvent/{event}", self.raise_event),
            web.post(p + "/instances/{instance_id}/{operation}", self.operate),
            # Anything else (entities, wrong methods): an empty 404, never aiohttp's text body,
            # because the SDK parses every answer as JSON (contract §0).
            web.route("*", p + "/{tail:.*}", self.not_found),
        ]

    async def not_found(self, request: web.Request) -> web.Response:
        return web.Response(status=404)

    def status_json(self, inst: Instance, show_input: bool, show_history: bool = False,
                    show_output: bool = False) -> dict[str, Any]:
        return status_json(inst, self.engine.store.history, show_input, show_history, show_output)

    def check_status(self, request: web.Request, instance_id: str) -> web.Response:
        urls = management_urls(_origin(request), instance_id, self.hub, self.key)
        return web.json_response(urls, status=202, headers={"Location": urls["statusQueryGetUri"],
                                                            "Retry-After": "10"})

    # ---- Handlers (each answers 400 for a query the local host refuses: local/host/query.py) ----
    @_checked
    async def start(self, request: web.Request) -> web.Response:
        name = request.match_info["function"]
        instance_id = request.match_info.get("instance_id") or uuid.uuid4().hex
        problem = _instance_id_problem(instance_id)
        if problem:
            return _error(400, "One or more of the arguments submitted is incorrect", problem,
                          "System.ArgumentException")
        text = (await request.text()).strip() or None
        if text is not None:
            try:
                json.loads(text)
            except json.JSONDecodeError as exc:
                return _error(400, "Invalid JSON content", str(exc), "Newtonsoft.Json.JsonReaderException")
        return await self._start(request, name, instance_id, text, request.query.get("version"))

    async def _start(self, request: web.Request, name: str, instance_id: str, text: str | None,
                     version: str | None = None) -> web.Response:
        timeout, interval = q.seconds(request.query, "timeout"), q.seconds(request.query, "pollingInterval")
        try:
            self.engine.start_instance(name, instance_id, text, version)
        except KeyError:
            return _error(400, "One or more of the arguments submitted is incorrect",
                          f"The function '{name}' doesn't exist, is disabled, or is not an orchestrator "
                          "function.", "System.ArgumentException")
        except ConflictError as exc:
            return _error(500, "Something went wrong while processing your request", str(exc),
                          "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException")
        if timeout is not None and interval is not None:
            return await self._wait_or_check_status(request, instance_id, timeout, interval)
        return self.check_status(request, instance_id)

    async def _wait_or_check_status(self, request: web.Request, instance_id: str, timeout: float,
                                    interval: float) -> web.Response:
        """ext: WaitForCompletionOrCreateCheckStatusResponseAsync, polling the store."""
        deadline = time.monotonic() + timeout
        while True:
            inst = self.engine.store.instance(instance_id)
            if inst is not None and inst.status in TERMINAL or time.monotonic() >= deadline:
                break
            await asyncio.sleep(max(0.0, min(interval, deadline - time.monotonic())))
        if inst is not None and inst.status == "Completed":
            return web.Response(status=200, text=inst.output or "null", content_type="application/json")
        if inst is not None and inst.status in TERMINAL:
            return web.json_response(self.status_json(inst, True), status=_done_code(request, inst))
        return self.check_status(request, instance_id)

    @_checked
    async def get(self, request: web.Request) -> web.Response:
        query = request.query
        show_input, show_history = q.flag(query, "showInput", True), q.flag(query, "showHistory", False)
        show_output = q.flag(query, "showHistoryOutput", False)
        failed_as_500 = q.flag(query, "returnInternalServerErrorOnFailure", False)
        inst = self.engine.store.instance(request.match_info["instance_id"])
        if inst is None:
            return web.Response(status=404)
        body = self.status_json(inst, show_input, show_history, show_output)
        if inst.status in RUNNING:
            location = str(request.url)
            return web.json_response(body, status=202, headers={"Location": location, "Retry-After": "5"})
        return web.json_response(body, status=500 if failed_as_500 and inst.status == "Failed" else 200)

    def _filtered(self, request: web.Request, created_from: float | None) -> tuple[str, tuple]:
        where, args = ["1"], []
        created_to = q.moment(request.query, "createdTimeTo")
        statuses = q.statuses(request.query.getall("runtimeStatus", []))
        if created_from is not None:
            where.append("created >= ?")
            args.append(created_from)
        if created_to is not None:
            where.append("created <= ?")
            args.append(created_to)
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args.extend(statuses)
        prefix = request.query.get("instanceIdPrefix")
        if prefix:
            where.append("substr(id, 1, ?) = ?")
            args.extend([len(prefix), prefix])
        return " AND ".join(where), tuple(args)

    @_checked
    async def list(self, request: web.Request) -> web.Response:
        where, args = self._filtered(request, q.moment(request.query, "createdTimeFrom"))
        top = q.page_size(request.query)
        offset = q.continuation_offset(request.headers.get("x-ms-continuation-token"))
        show_input = q.flag(request.query, "showInput", True)
        found = self.engine.store.instances(where, args, limit=top + 1, offset=offset)
        body = [self.status_json(i, show_input) for i in found[:top]]
        headers = {}
        if len(found) > top:  # top >= 1, so the next token always moves forward
            headers["x-ms-continuation-token"] = q.continuation_token(offset + top)
        return web.json_response(body, headers=headers)

    async def purge(self, request: web.Request) -> web.Response:
        instance_id = request.match_info["instance_id"]
        if self.engine.store.instance(instance_id) is None:
            return web.Response(status=404)
        return web.json_response({"instancesDeleted": self.engine.purge([instance_id])})

    @_checked
    async def purge_by(self, request: web.Request) -> web.Response:
        try:
            created_from = q.moment(request.query, "createdTimeFrom")
        except q.BadQuery:
            created_from = None
        if created_from is None:  # the extension's own 400: a JSON string, not an error object
            return web.json_response("Please provide value for 'createdTimeFrom' parameter.", status=400)
        if "instanceIdPrefix" in request.query:
            raise q.BadQuery("LOCALHOST_BAD_QUERY: purge by filter takes createdTimeFrom, createdTimeTo "
                             "and runtimeStatus only; the extension ignores instanceIdPrefix and would purge "
                             "every instance in the time range. Purge one by one: DELETE instances/{id}.")
        where, args = self._filtered(request, created_from)
        ids = [i.id for i in self.engine.store.instances(where, args, limit=1_000_000)]
        deleted = self.engine.purge(ids)
        if not deleted:
            return web.Response(status=404)
        return web.json_response({"instancesDeleted": deleted})

    async def raise_event(self, request: web.Request) -> web.Response:
        inst = self.engine.store.instance(request.match_info["instance_id"])
        if inst is None:
            return web.Response(status=404)
        if inst.status in TERMINAL:
            return web.Response(status=410)
        if request.content_type != "application/json":
            return _error(400, "Only application/json request content is supported")
        text = (await request.text()).strip() or None
        try:
            json.loads(text) if text is not None else None
        except json.JSONDecodeError:
            return _error(400, "Invalid JSON content")
        self.engine.send(inst.id, "raise", (request.match_info["event"], text))
        return web.Response(status=202)

    @_checked
    async def operate(self, request: web.Request) -> web.Response:
        operation = request.match_info["operation"].lower()  # the extension matches them ignoring case
        if operation not in ("terminate", "suspend", "resume", "rewind", "restart"):
            return web.Response(status=404)
        inst = self.engine.store.instance(request.match_info["instance_id"])
        if operation == "restart":
            return await self._restart(request, inst)
        if inst is None:
            return web.Response(status=404)
        reason = request.query.get("reason", "")
        if operation == "rewind":
            return self._rewind(inst, reason)
        if inst.status in TERMINAL:
            return web.Response(status=410)
        self.engine.send(inst.id, operation, reason)
        return web.Response(status=202)

    async def _restart(self, request: web.Request, inst: Instance | None) -> web.Response:
        new_id = q.flag(request.query, "restartWithNewInstanceId", True)
        if inst is None:
            instance_id = request.match_info["instance_id"]
            return _error(400, "InstanceId does not match a valid orchestration instance.",
                          f"An orchestrastion with the instanceId {instance_id} was not found.",
                          "System.ArgumentException")
        return await self._start(request, inst.name, uuid.uuid4().hex if new_id else inst.id, inst.input)

    def _rewind(self, inst: Instance, reason: str) -> web.Response:
        """ext HandleRewindInstanceRequestAsync + DurableClient.RewindAsync: only Failed instances."""
        if inst.status in ("Completed", "Terminated", "Canceled"):
            return web.Response(status=410)
        if inst.status != "Failed":
            return _error(500, "Something went wrong while processing your request",
                          "The rewind operation is only supported on failed orchestration instances.",
                          "System.InvalidOperationException")
        self.engine.send(inst.id, "rewind", {"reason": reason})
        return web.Response(status=202)


def _done_code(request: web.Request, inst: Instance) -> int:
    """200 for a finished instance, Failed included, unless returnInternalServerErrorOnFailure=true."""
    failed_as_500 = q.flag(request.query, "returnInternalServerErrorOnFailure", False)
    return 500 if failed_as_500 and inst.status == "Failed" else 200


def _instance_id_problem(instance_id: str) -> str | None:
    """ext DurableClient.StartNewAsync's checks on a given instance id."""
    if instance_id.startswith("@"):
        return "Orchestration instance ids must not start with @."
    if any(c in "/\\?#" or unicodedata.category(c) == "Cc" for c in instance_id):
        return "Orchestration instance ids must not contain /, \\, #, ?, or control characters."
    if len(instance_id) > MAX_INSTANCE_ID_LENGTH:
        return f"Instance ID lengths must not exceed {MAX_INSTANCE_ID_LENGTH} characters."
    return None


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _error(status: int, message: str, exception_message: str | None = None,
           exception_type: str | None = None) -> web.Response:
    """ASP.NET HttpError JSON (CreateErrorResponse); the SDK reads ``ExceptionMessage`` on 400."""
    body = {"Message": message, "ExceptionMessage": exception_message or message}
    if exception_type:
        body["ExceptionType"] = exception_type
    return web.json_response(body, status=status)
