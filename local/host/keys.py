"""Function keys, as the host checks them for HTTP functions and the Durable webhook API.

Locally keys are off unless one is configured (``--function-key`` or ``LOCAL_HOST_FUNCTION_KEY``).
With a key, function- and admin-level HTTP functions and the public Durable API require it in
the ``x-functions-key`` header or the ``code`` query parameter; anonymous functions never do.
One key plays the function, master and durabletask_extension (system) key roles.
"""

from __future__ import annotations

import hmac

from aiohttp import web


def presented_key(request: web.Request) -> str | None:
    return request.headers.get("x-functions-key") or request.query.get("code")


def authorized(request: web.Request, key: str | None, auth_level: str) -> bool:
    """True when the request may call a function with ``auth_level`` (ANONYMOUS/FUNCTION/ADMIN)."""
    if key is None or auth_level.upper() == "ANONYMOUS":
        return True
    given = presented_key(request)
    return given is not None and hmac.compare_digest(given.encode(), key.encode())


def unauthorized() -> web.Response:
    return web.Response(status=401)
