"""HTTP triggers at /<routePrefix>/<route> (prefix api by default): routes, methods, auth, req/resp."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import azure.functions as func
from aiohttp import web

from local.host import keys
from local.host.app_loader import FunctionInfo

log = logging.getLogger("local.host")
_CONSTRAINTS = {"int": r"-?\d+", "long": r"-?\d+", "guid": r"[0-9a-fA-F-]{36}", "alpha": r"[A-Za-z]+",
                "bool": r"(?:true|false)", "double": r"-?\d+(?:\.\d+)?", "float": r"-?\d+(?:\.\d+)?"}


@dataclass
class Context:
    """The ``context`` parameter the worker passes (invocation id, function name and folder)."""

    invocation_id: str
    function_name: str
    function_directory: str
    trace_context: Any = None
    retry_context: Any = None
    thread_local_storage: Any = field(default_factory=lambda: None)


def route_pattern(route: str) -> re.Pattern[str]:
    """Compile an ASP.NET-style route template ({name}, {name:int}, {name?}, {*rest}) to a regex."""
    out, pos = [], 0
    for match in re.finditer(r"/?\{([^}]+)\}", route):
        out.append(re.escape(route[pos:match.start()]))
        spec = match.group(1)
        slash = "/" if match.group(0).startswith("/") else ""
        catch_all = spec.startswith("*")
        name, _, constraint = spec.lstrip("*").partition(":")
        optional = name.endswith("?") or constraint.endswith("?")
        name, constraint = name.rstrip("?"), constraint.rstrip("?").split("=")[0]
        body = ".*" if catch_all else _CONSTRAINTS.get(constraint.lower(), "[^/]+")
        part = f"{re.escape(slash)}(?P<{name}>{body})"
        out.append(f"(?:{part})?" if optional or catch_all else part)
        pos = match.end()
    out.append(re.escape(route[pos:]))
    return re.compile("^" + "".join(out).strip("/") + "/?$", re.IGNORECASE)


class HttpTriggers:
    """Matches requests to HTTP functions and invokes them on the host's one event loop."""

    def __init__(self, functions: list[FunctionInfo], host_keys: keys.Keys, binding_for: Any, app_dir: Path,
                 executor: Any = None) -> None:
        self.keys = host_keys
        self.binding_for = binding_for  # request -> durable client binding JSON
        self.app_dir = app_dir
        self.executor = executor
        # Literal routes before parameterised ones, as ASP.NET routing prefers them.
        ordered = sorted(functions, key=lambda f: (f.route or "").count("{"))
        self.table = [(route_pattern((f.route or "").strip("/")), f) for f in ordered]

    def match(self, path: str, method: str) -> tuple[FunctionInfo, dict[str, str]] | None:
        for pattern, info in self.table:
            found = pattern.match(path.strip("/"))
            methods = [m.upper() for m in (info.trigger_binding.get("methods") or [])]
            if found and (not methods or method.upper() in methods):
                return info, {k: v for k, v in found.groupdict().items() if v is not None}
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        found = self.match(request.match_info.get("tail", ""), request.method)
        if found is None:
            return web.Response(status=404)
        info, route_params = found
        if not keys.authorized(request, self.keys, str(info.trigger_binding.get("authLevel", "FUNCTION"))):
            return keys.unauthorized()  # FunctionInvocationMiddleware's UnauthorizedResult: no challenge
        body = await request.read()
        req = func.HttpRequest(method=request.method, url=str(request.url), headers=dict(request.headers),
                               params=dict(request.query), route_params=route_params, body=body)
        kwargs: dict[str, Any] = {info.trigger_param: req}
        if info.client_param:
            kwargs[info.client_param] = self.binding_for(request)
        if info.accepts("context"):
            kwargs["context"] = Context(uuid.uuid4().hex, info.name, str(self.app_dir))
        started = time.perf_counter()
        try:
            if info.is_async:
                result = await info.func(**kwargs)
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self.executor, lambda: info.func(**kwargs))
            outcome = "Succeeded"
        except Exception as exc:
            log.exception("http %s failed", info.name)
            result, outcome = None, f"Failed ({type(exc).__name__})"
            log.info("http %s duration=%.1fms outcome=%s", info.name, (time.perf_counter() - started) * 1000,
                     outcome)
            return web.Response(status=500)
        response = to_aiohttp(result)
        log.info("http %s duration=%.1fms outcome=%s status=%d", info.name,
                 (time.perf_counter() - started) * 1000, outcome, response.status)
        return response


def to_aiohttp(result: Any) -> web.Response:
    """Render what an HTTP function returned (HttpResponse, str/bytes, or None)."""
    if result is None:
        return web.Response(status=204)
    if isinstance(result, func.HttpResponse):
        headers = {k: v for k, v in result.headers.items() if k.lower() != "content-type"}
        content_type = result.headers.get("Content-Type") or result.mimetype
        if content_type and "charset" not in content_type and result.charset:
            content_type = f"{content_type}; charset={result.charset}"
        headers["Content-Type"] = content_type or "text/plain"
        return web.Response(status=result.status_code, body=result.get_body(), headers=headers)
    if isinstance(result, bytes | bytearray):
        return web.Response(body=bytes(result), content_type="application/octet-stream")
    return web.Response(text=str(result))
