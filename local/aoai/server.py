"""EmulatorServer: the aiohttp app over HTTPS, in a background thread (tests) or the foreground (command)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from aiohttp import web

from local.aoai import config
from local.aoai.config import Timings
from local.aoai.handlers.common import INFO, STATE, TASKS, now
from local.aoai.handlers.file_import import schedule_import
from local.aoai.handlers.files import schedule_validation
from local.aoai.handlers.jobs import schedule_digest
from local.aoai.models.catalog import CL100K, O200K
from local.aoai.models.store import EmulatorState
from local.aoai.models.tokenizer import encoding
from local.aoai.routes import add_request_ids, add_routes, gate, render_and_log
from local.aoai.tls import create_tls_files

TICK_SECONDS = 0.2
ENCODINGS = (O200K, CL100K)
MAX_UPLOAD_FIELDS = 1 << 20  # JSON and form bodies; file uploads stream and are not limited by this


class EmulatorServer:
    """One emulated resource (AOAI account + ARM + Entra tenant) on one HTTPS port."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        state_dir: Path | None = None,
        timings: Timings | dict[str, Any] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.state_dir = Path(state_dir) if state_dir is not None else None
        self.timings = Timings.coerce(timings)
        self._info: dict[str, Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._state: EmulatorState | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._tls_temp: str | None = None

    @property
    def info(self) -> dict[str, Any]:
        """The JSON line: everything a client needs to reach and trust this emulator."""
        if self._info is None:
            raise RuntimeError("the emulator is not started")
        return dict(self._info)

    @property
    def state(self) -> EmulatorState:
        if self._state is None:
            raise RuntimeError("the emulator is not started")
        return self._state

    async def startup(self) -> None:
        """Create TLS material and state, bind the port, start the lifecycle ticker."""
        if self.state_dir is not None:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            tls_dir = self.state_dir / "tls"
        else:
            self._tls_temp = tempfile.mkdtemp(prefix="aoai-emulator-tls-")
            tls_dir = Path(self._tls_temp)
        tls = create_tls_files(tls_dir, self.host)
        self._state = EmulatorState(self.state_dir, self.timings)
        app = web.Application(middlewares=[render_and_log, gate], client_max_size=MAX_UPLOAD_FIELDS)
        app[STATE] = self._state
        app[INFO] = {}
        app[TASKS] = set()
        app.on_response_prepare.append(add_request_ids)
        add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=tls.server_context())
        await site.start()
        port = self._runner.addresses[0][1]
        public_host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        base = f"https://{public_host}:{port}"
        self._info = {
            "endpoint": base,
            "arm_endpoint": base,
            "authority": base,
            "tenant_id": config.TENANT_ID,
            "client_id": config.CLIENT_ID,
            "client_secret": config.CLIENT_SECRET,
            "api_key": config.API_KEY,
            "ca_cert": str(tls.bundle),
            "subscription_id": config.SUBSCRIPTION_ID,
            "resource_group": config.RESOURCE_GROUP,
            "account": config.ACCOUNT,
            "control_endpoint": f"{base}/_emulator",
        }
        app[INFO].update(self._info)
        for record in self._state.files.unchecked():
            schedule_validation(app, record.id)
        for record in self._state.files.importing():  # an import cut by a restart is fetched again
            schedule_import(app, record.id, record.source_url or "")
        for job in self._state.jobs.undigested():  # a restart during a read reads again
            schedule_digest(app, job.id)
        for name in ENCODINGS:  # built off the event loop, before the first chat or job needs them
            asyncio.get_running_loop().run_in_executor(None, encoding, name)
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        assert self._state is not None
        while True:
            await asyncio.sleep(TICK_SECONDS)
            self._state.advance(now())

    async def shutdown(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._runner is not None:
            await self._runner.cleanup()
        if self._state is not None:
            self._state.save()
            self._state.close()
        if self._tls_temp is not None:
            shutil.rmtree(self._tls_temp, ignore_errors=True)

    def start(self) -> EmulatorServer:
        """Serve from a background thread with its own event loop; return once serving."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.startup())
            except BaseException as exc:  # reported to the caller of start()
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="aoai-emulator", daemon=True)
        self._thread.start()
        ready.wait(60)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        """Stop serving (background mode) and persist the state."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
        self._thread = None

    async def serve_until(self, stop: asyncio.Event) -> None:
        """Foreground mode: serve in the running loop until `stop` is set."""
        await self.startup()
        try:
            await stop.wait()
        finally:
            await self.shutdown()
