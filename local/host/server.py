"""The host's lifecycle: index the app, open the store, start the engine, the HTTP sites, the blob poller
and the timer triggers.

Two listeners, as in the real host: the public one (HTTP functions under /api and the Durable
webhook API) and a loopback-only RPC listener that the Durable client SDK talks to
(``rpcBaseUrl``, like the extension's LocalHttpListener).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from aiohttp import web

from local.host import keys
from local.host.admin import AdminApi
from local.host.app_loader import AppIndex, load_app
from local.host.blob_trigger import BlobPoller
from local.host.client_api import RPC_PREFIX, DurableApi
from local.host.client_binding import PUBLIC_PREFIX, client_binding
from local.host.engine import Engine
from local.host.http_triggers import HttpTriggers
from local.host.settings import HostSettings
from local.host.store import Store
from local.host.timer_trigger import TimerScheduler

log = logging.getLogger("local.host")


class StateInUseError(Exception):
    """Another host already runs on this state folder."""


def _lock_state(state_dir: Path) -> TextIO:
    """Hold an exclusive lock on the state folder for the host's lifetime (released by the OS on kill)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    handle = open(state_dir / "host.lock", "w")  # noqa: SIM115 (kept open while the host runs)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise StateInUseError(f"LOCALHOST_STATE_IN_USE: another host runs on {state_dir}; stop it or pass "
                              "another --state-dir.") from exc
    return handle


@dataclass
class RunningHost:
    """A started host: where it listens and how to stop it."""

    settings: HostSettings
    index: AppIndex
    port: int
    rpc_port: int
    engine: Engine
    runners: list[web.AppRunner] = field(default_factory=list)
    poller: BlobPoller | None = None
    timers: TimerScheduler | None = None
    state_lock: TextIO | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.settings.bind}:{self.port}"

    def ready_info(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "port": self.port, "pid": os.getpid(),
                "functions": self.index.describe(), "state_dir": str(self.settings.state_dir)}

    async def stop(self) -> None:
        if self.timers is not None:
            await self.timers.stop()
        if self.poller is not None:
            await self.poller.stop()
        for runner in self.runners:
            await runner.cleanup()
        await self.engine.stop()
        self.engine.store.close()
        if self.state_lock is not None:
            self.state_lock.close()


def _guard_webhooks(host_keys: keys.Keys) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith(PUBLIC_PREFIX) and not keys.authorized(request, host_keys, "SYSTEM"):
            return keys.unauthorized(challenge=True)  # HostController's [Authorize] challenges
        return await handler(request)

    return middleware


async def _listen(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server  # the bound socket tells the port when 0 was asked
    assert server is not None
    return runner, server.sockets[0].getsockname()[1]


async def start_host(settings: HostSettings, allow_unsupported: bool = False) -> RunningHost:
    """Index the app and start everything; returns once both listeners accept connections."""
    state_lock = _lock_state(settings.state_dir)
    index = load_app(settings.app_dir, allow_unsupported)
    for skipped in index.skipped:
        log.warning("not served (unsupported): %s", skipped)
    keys_on = bool(settings.function_key or settings.master_key)
    host_keys = keys.Keys(settings.function_key,
                          keys.master_key_for(settings.state_dir, settings.master_key, keys_on))
    url_key = host_keys.function or host_keys.master  # what management URLs carry (the system key's role)
    store = Store(settings.state_dir / "durable.sqlite")
    origin: dict[str, str] = {}  # the public origin, known once the public listener is bound

    def background_binding() -> str:  # the durable client of blob and timer starters
        return client_binding(origin["public"], origin["rpc"], settings.hub_name, url_key)

    # Timer schedules are checked first: a bad one stops the start before anything listens.
    timers = None
    if index.timers:
        timers = TimerScheduler(index.timers, store, settings.app_dir, background_binding)
    engine = Engine(store, index, settings.max_activities, settings.max_orchestrations, settings.versioning)
    api = DurableApi(engine, settings.hub_name, url_key)

    rpc_app = web.Application()
    rpc_app.add_routes(api.routes(RPC_PREFIX))
    rpc_runner, rpc_port = await _listen(rpc_app, "127.0.0.1", 0)
    origin["rpc"] = f"http://127.0.0.1:{rpc_port}{RPC_PREFIX}/"

    def binding_for(request: web.Request) -> str:
        return client_binding(f"{request.scheme}://{request.host}", origin["rpc"], settings.hub_name, url_key)

    poller = BlobPoller(index.blobs, store, settings.blob_poll_s, settings.app_dir.name,
                        background_binding) if index.blobs else None
    http = HttpTriggers(index.http, host_keys, binding_for, settings.app_dir,
                        ThreadPoolExecutor(max(4, settings.max_activities), thread_name_prefix="http"))
    app = web.Application(middlewares=[_guard_webhooks(host_keys)], client_max_size=256 * 2**20)
    app.add_routes(api.routes(PUBLIC_PREFIX))
    app.add_routes(AdminApi(index, host_keys, timers, poller).routes())
    prefix = f"/{settings.route_prefix}" if settings.route_prefix else ""
    app.add_routes([web.route("*", prefix + "/{tail:.*}", http.handle)])  # after the webhook routes
    runner, port = await _listen(app, settings.bind, settings.port)
    origin["public"] = f"http://{settings.bind}:{port}"
    await engine.start()
    host = RunningHost(settings, index, port, rpc_port, engine, [runner, rpc_runner], poller, timers,
                       state_lock=state_lock)
    if poller is not None:
        await poller.start()
    if timers is not None:
        await timers.start()
    return host


async def serve_forever(settings: HostSettings, on_ready: Any, stop: asyncio.Event,
                        allow_unsupported: bool = False) -> None:
    host = await start_host(settings, allow_unsupported)
    try:
        on_ready(host)
        await stop.wait()
    finally:
        await host.stop()
