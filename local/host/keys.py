"""Function and master keys, checked as the real host checks them (AuthenticationLevelHandler).

Locally keys are off unless one is configured (``--function-key`` / ``LOCAL_HOST_FUNCTION_KEY``,
``--master-key`` / ``LOCAL_HOST_MASTER_KEY``). With keys on, a request presents its key in the
``x-functions-key`` header or, only when that header is absent, in the ``code`` query parameter.
The key decides the request's level:

- the master key is ADMIN: every HTTP function, the Durable webhook API and ``/admin``;
- the function key is FUNCTION for HTTP functions and also plays the system key's role for the
  Durable webhook API (in Azure that is the ``durabletask_extension`` system key), never ADMIN.

A missing or wrong key answers 401 with an empty body. HTTP functions answer a bare 401 (the
host's ``UnauthorizedResult``); ``/admin`` and ``/runtime/webhooks`` answer through ASP.NET's
authorization challenge, whose JWT bearer scheme adds ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

LEVELS = {"ANONYMOUS": 0, "USER": 1, "FUNCTION": 2, "SYSTEM": 3, "ADMIN": 4}
MASTER_KEY_FILE = "master.key"


@dataclass(frozen=True)
class Keys:
    """The host's keys; ``enabled`` is False when neither is configured (the local default)."""

    function: str | None = None
    master: str | None = None

    @property
    def enabled(self) -> bool:
        return self.function is not None or self.master is not None


def presented_key(request: web.Request) -> str | None:
    """The key a request carries: the header wins over ``code=`` even when it is empty."""
    if "x-functions-key" in request.headers:
        return request.headers["x-functions-key"] or None
    return request.query.get("code") or None


def _same(given: str, key: str | None) -> bool:
    return key is not None and hmac.compare_digest(given.encode(), key.encode())


def request_level(request: web.Request, keys: Keys) -> int:
    given = presented_key(request)
    if given is None:
        return LEVELS["ANONYMOUS"]
    if _same(given, keys.master):
        return LEVELS["ADMIN"]
    if _same(given, keys.function):
        return LEVELS["SYSTEM"]  # the function key also plays the Durable system key locally
    return LEVELS["ANONYMOUS"]


def authorized(request: web.Request, keys: Keys, auth_level: str) -> bool:
    """True when the request may call something that needs ``auth_level`` (ANONYMOUS ... ADMIN)."""
    required = LEVELS.get(auth_level.upper(), LEVELS["FUNCTION"])
    if not keys.enabled or required == LEVELS["ANONYMOUS"]:
        return True
    level = request_level(request, keys)
    if required == LEVELS["ADMIN"]:
        return level == LEVELS["ADMIN"]
    return level >= required


def unauthorized(challenge: bool = False) -> web.Response:
    """The real host's 401: no body; ``WWW-Authenticate: Bearer`` where ASP.NET challenges."""
    return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"} if challenge else None)


def master_key_for(state_dir: Path, configured: str | None, keys_on: bool) -> str | None:
    """The configured master key; with keys on and none configured, one kept in the state folder.

    The real host always has a master key (in its secrets store); locally it is created once per
    state folder, readable by the owner only, and never logged.
    """
    if configured or not keys_on:
        return configured or None
    path = state_dir / MASTER_KEY_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
