"""The Durable HTTP API (ext: HttpApiHandler), served at the public webhook prefix and at the RPC base.

The real DurableOrchestrationClient calls it through ``rpcBaseUrl``; people and tools call the
public ``/runtime/webhooks/durabletask/...`` URLs. Status codes and bodies follow the
contract (§4): 202 + Location while running, 200 when done or Failed, 404 with an empty body
for unknown instances, 410 for operations on finished instances.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from local.host import history as h
from local.host.engine import ConflictError, Engine
from local.host.store import TERMINAL, Instance

PUBLIC_PREFIX = "/runtime/webhooks/durabletask"
RPC_PREFIX = "/durabletask"
RUNNING = ("Running", "Pending", "ContinuedAsNew", "Suspended")
DEFAULT_TOP = 100


def management_urls(origin: str, instance_id: str, hub: str, key: str | None) -> dict[str, str]:
    """The check-status payload's URLs (ext: HttpApiHandler.CreateCheckStatusResponse)."""
    base = f"{origin}{PUBLIC_PREFIX}/instances/{instance_id}"
    query = f"taskHub={hub}&connection=Storage" + (f"&code={key}" if key else "")
    return {
        "id": instance_id,
        "statusQueryGetUri": f"{base}?{query}",
        "sendEventPostUri": f"{base}/raiseEvent/{{eventName}}?{query}",
        "terminatePostUri": f"{base}/terminate?reason={{text}}&{query}",
        "rewindPostUri": f"{base}/rewind?reason={{text}}&{query}",
        "purgeHistoryDeleteUri": f"{base}?{query}",
        "restartPostUri": f"{base}/restart?{query}",
        "suspendPostUri": f"{base}/suspend?reason={{text}}&{query}",
        "resumePostUri": f"{base}/resume?reason={{text}}&{query}",
    }


def client_binding(origin: str, rpc_base_url: str, hub: str, key: str | None) -> str:
    """The durableClient binding JSON (ext: BindingHelper.DurableOrchestrationClientToString)."""
    webhooks = f"{origin}{PUBLIC_PREFIX}"
    code = f"&code={key}" if key else ""
    q = f"taskHub={hub}&connection=Storage{code}"
    return json.dumps({
        "taskHubName": hub,
        "creationUrls": {
            "createNewInstancePostUri": f"{webhooks}/orchestrators/{{functionName}}[/{{instanceId}}]?{q}",
            "createAndWaitOnNewInstancePostUri": f"{webhooks}/orchestrators/{{functionName}}[/{{instanceId}}]"
                                                 f"?timeout={{timeoutInSeconds}}&pollingInterval="
                                                 f"{{intervalInSeconds}}&{q}",
        },
        "managementUrls": management_urls(origin, "INSTANCEID", hub, key),
        "baseUrl": webhooks,
        "requiredQueryStringParameters": q,
        "rpcBaseUrl": rpc_base_url,
    })


def _time(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _flag(request: web.Request, name: str, default: bool) -> bool:
    value = request.query.get(name)
    return default if value is None else value.lower() == "true"


class DurableApi:
    """aiohttp handlers over the engine."""

    def __init__(self, engine: Engine, hub: str, key: str | None) -> None:
        self.engine = engine
        self.hub = hub
        self.key = key

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

    # ---- Payloads ----
    def status_json(self, inst: Instance, show_input: bool, show_history: bool = False,
                    show_output: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": inst.name, "instanceId": inst.id, "runtimeStatus": inst.status,
            "input": json.loads(inst.input) if show_input and inst.input is not None else None,
            "customStatus": json.loads(inst.custom_status) if inst.custom_status else None,
            "output": json.loads(inst.output) if inst.output is not None else None,
            "createdTime": _time(inst.created), "lastUpdatedTime": _time(inst.updated),
        }
        if show_history:
            body["historyEvents"] = h.for_status(self.engine.store.history(inst.id), show_output)
        return body

    def check_status(self, request: web.Request, instance_id: str) -> web.Response:
        urls = management_urls(_origin(request), instance_id, self.hub, self.key)
        return web.json_response(urls, status=202, headers={"Location": urls["statusQueryGetUri"],
                                                            "Retry-After": "10"})

    # ---- Handlers ----
    async def start(self, request: web.Request) -> web.Response:
        name = request.match_info["function"]
        instance_id = request.match_info.get("instance_id") or uuid.uuid4().hex
        text = (await request.text()).strip() or None
        if text is not None:
            try:
                json.loads(text)
            except json.JSONDecodeError:
                return _error(400, "The request body is not valid JSON.")
        return await self._start(request, name, instance_id, text)

    async def _start(self, request: web.Request, name: str, instance_id: str,
                     text: str | None) -> web.Response:
        try:
            self.engine.start_instance(name, instance_id, text)
        except KeyError:
            return _error(400, "One or more of the arguments submitted is incorrect",
                          f"The function '{name}' doesn't exist, is disabled, or is not an orchestrator "
                          "function.", "System.ArgumentException")
        except ConflictError as exc:
            return _error(500, "Something went wrong while processing your request", str(exc),
                          "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException")
        timeout, interval = _seconds(request, "timeout"), _seconds(request, "pollingInterval")
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

    async def get(self, request: web.Request) -> web.Response:
        inst = self.engine.store.instance(request.match_info["instance_id"])
        if inst is None:
            return web.Response(status=404)
        body = self.status_json(inst, _flag(request, "showInput", True), _flag(request, "showHistory", False),
                                _flag(request, "showHistoryOutput", False))
        if inst.status in RUNNING:
            location = str(request.url)
            return web.json_response(body, status=202, headers={"Location": location, "Retry-After": "5"})
        return web.json_response(body, status=_done_code(request, inst))

    def _filtered(self, request: web.Request) -> tuple[str, tuple]:
        where, args = ["1"], []
        if "createdTimeFrom" in request.query:
            where.append("created >= ?")
            args.append(h.parse_iso(request.query["createdTimeFrom"]).timestamp())
        if "createdTimeTo" in request.query:
            where.append("created <= ?")
            args.append(h.parse_iso(request.query["createdTimeTo"]).timestamp())
        statuses = [s for s in request.query.get("runtimeStatus", "").split(",") if s]
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args.extend(statuses)
        if request.query.get("instanceIdPrefix"):
            where.append("substr(id, 1, ?) = ?")
            args.extend([len(request.query["instanceIdPrefix"]), request.query["instanceIdPrefix"]])
        return " AND ".join(where), tuple(args)

    async def list(self, request: web.Request) -> web.Response:
        where, args = self._filtered(request)
        top = int(request.query.get("top") or DEFAULT_TOP)
        token = request.headers.get("x-ms-continuation-token")
        offset = int(base64.b64decode(token).decode()) if token else 0
        found = self.engine.store.instances(where, args, limit=top + 1, offset=offset)
        show_input = _flag(request, "showInput", True)
        body = [self.status_json(i, show_input) for i in found[:top]]
        headers = {}
        if len(found) > top:
            headers["x-ms-continuation-token"] = base64.b64encode(str(offset + top).encode()).decode()
        return web.json_response(body, headers=headers)

    async def purge(self, request: web.Request) -> web.Response:
        instance_id = request.match_info["instance_id"]
        if self.engine.store.instance(instance_id) is None:
            return web.Response(status=404)
        return web.json_response({"instancesDeleted": self.engine.purge([instance_id])})

    async def purge_by(self, request: web.Request) -> web.Response:
        where, args = self._filtered(request)
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
            return _error(400, "Invalid JSON content.")
        self.engine.send(inst.id, "raise", (request.match_info["event"], text))
        return web.Response(status=202)

    async def operate(self, request: web.Request) -> web.Response:
        operation = request.match_info["operation"]
        inst = self.engine.store.instance(request.match_info["instance_id"])
        if operation not in ("terminate", "suspend", "resume", "rewind", "restart"):
            return web.Response(status=404)
        if inst is None:
            return web.Response(status=404)
        if operation == "restart":
            new_id = uuid.uuid4().hex if _flag(request, "restartWithNewInstanceId", True) else inst.id
            return await self._start(request, inst.name, new_id, inst.input)
        if inst.status in TERMINAL and not (operation == "rewind" and inst.status == "Failed"):
            return web.Response(status=410)
        if operation == "rewind":
            return _error(501, "LOCALHOST_UNSUPPORTED: the local host does not rewind instances; "
                               "restart the instance instead.")
        self.engine.send(inst.id, operation, request.query.get("reason", ""))
        return web.Response(status=202)


def _done_code(request: web.Request, inst: Instance) -> int:
    """200 for a finished instance, Failed included, unless returnInternalServerErrorOnFailure=true."""
    failed_as_500 = inst.status == "Failed" and _flag(request, "returnInternalServerErrorOnFailure", False)
    return 500 if failed_as_500 else 200


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _error(status: int, message: str, exception_message: str | None = None,
           exception_type: str | None = None) -> web.Response:
    """ASP.NET HttpError JSON (CreateErrorResponse); the SDK reads ``ExceptionMessage`` on 400."""
    body = {"Message": message, "ExceptionMessage": exception_message or message}
    if exception_type:
        body["ExceptionType"] = exception_type
    return web.json_response(body, status=status)


def _seconds(request: web.Request, name: str) -> float | None:
    try:
        return float(request.query[name])
    except (KeyError, ValueError):
        return None

