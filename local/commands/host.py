"""``python -m local host``: run a Python v2-model function app on the local Functions + Durable host."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path

HELP = "Run a function app (HTTP, blob, timer and Durable triggers) on the local Functions + Durable host."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--app-dir", default=".", help="folder holding function_app.py (default: .)")
    parser.add_argument("--port", type=int, default=7071,
                        help="HTTP port; 0 picks a free one (default: 7071)")
    parser.add_argument("--state-dir", default=None,
                        help="durable state folder (default: APP_DIR/.state/host)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--function-key", default=None,
                        help="turn keys on with this key (or set LOCAL_HOST_FUNCTION_KEY); off by default")
    parser.add_argument("--master-key", default=None,
                        help="the master key (or set LOCAL_HOST_MASTER_KEY); with keys on and none given, "
                             "one is kept in STATE_DIR/master.key")
    parser.add_argument("--skip-unsupported", action="store_true",
                        help="serve the rest of the app when some functions use unsupported bindings")
    parser.add_argument("--json", action="store_true", help="print the ready line as one JSON object")


def _ready_line(host, as_json: bool) -> str:
    info = host.ready_info()
    if as_json:
        return json.dumps(info)
    def where(item: dict) -> str:
        if "route" in item:
            return f" /{host.settings.route_prefix}/{item['route']}".replace("//", "/")
        if "schedule" in item:
            return f" {item['schedule']}"
        return f" {item['path']}" if "path" in item else ""

    names = ", ".join(f"{f['name']} [{f['trigger']}{where(f)}]" for f in info["functions"])
    return f"Host ready at {info['base_url']} (pid {info['pid']}): {names}"


def run(args: argparse.Namespace) -> int:
    from local.host.app_loader import AppLoadError
    from local.host.server import StateInUseError, serve_forever
    from local.host.settings import apply_local_settings, load_settings

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("azure").setLevel(logging.WARNING)
    app_dir = Path(args.app_dir).resolve()
    state_dir = Path(args.state_dir).resolve() if args.state_dir else app_dir / ".state" / "host"
    if not app_dir.is_dir():
        print(f"error: LOCALHOST_NO_APP: {app_dir} is not a folder; pass --app-dir with the app's folder.",
              file=sys.stderr)
        return 2
    os.chdir(app_dir)  # as func start: the worker runs in the app folder, so relative paths resolve there
    try:
        apply_local_settings(app_dir)
        settings = load_settings(app_dir, state_dir, args.port, args.function_key, args.bind, args.master_key)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve_forever(settings, lambda host: print(_ready_line(host, args.json), flush=True), stop,
                            args.skip_unsupported)

    try:
        asyncio.run(main())
    except (AppLoadError, StateInUseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _exit_now_if_threads_linger()
    return 0


def _exit_now_if_threads_linger() -> None:
    """Sync activities still running in worker threads would hold the exit until they end; they are
    in the store and run again at the next start, so leave now, as the real host's worker does."""
    lingering = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if lingering:
        logging.getLogger("local.host").info("stopped; not waiting for %d worker thread(s)", len(lingering))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
