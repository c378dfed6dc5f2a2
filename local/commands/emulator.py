"""``python -m local emulator``: serve the Azure OpenAI + ARM + Entra ID emulator over HTTPS.

Prints one JSON line on stdout once serving (endpoints, credentials, CA bundle path), then logs
requests (method, path, status) on stderr; stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path

from local.aoai.config import Timings
from local.aoai.server import EmulatorServer

HELP = "Serve the Azure OpenAI + ARM + Entra ID emulator over HTTPS (prints one JSON line)."
TIMING_FLAGS = {
    "file_processing_seconds": "seconds a fine-tune upload stays pending before processed/error",
    "job_start_delay_seconds": "seconds a job waits in pending before it may run",
    "job_duration_seconds": "seconds a job trains (running -> succeeded)",
    "job_steps": "training steps per job (one metrics event each)",
    "deployment_seconds": "seconds a deployment takes to provision",
    "token_lifetime_seconds": "lifetime of issued bearer tokens",
    "requests_per_minute_per_capacity": "chat requests per minute per deployment capacity unit (0: no limit)",
    "developer_deployment_lifetime_seconds": "seconds until a Developer deployment is deleted (Azure: 24 h)",
    "pause_transition_seconds": "seconds a job stays pausing before paused (and resuming before running)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to serve on; 0 picks a free one (default)")
    parser.add_argument("--state-dir", type=Path, default=None, help="persist state here (default: memory)")
    defaults = Timings()
    for name, text in TIMING_FLAGS.items():
        kind = int if name in ("job_steps", "token_lifetime_seconds") else float
        flag = "--" + name.replace("_", "-")
        default = getattr(defaults, name)
        parser.add_argument(flag, type=kind, default=default, help=f"{text} (default %(default)s)")


def run(args: argparse.Namespace) -> int:
    timings = Timings.coerce({name: getattr(args, name) for name in TIMING_FLAGS})
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("local.aoai")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    server = EmulatorServer(host=args.host, port=args.port, state_dir=args.state_dir, timings=timings)
    try:
        asyncio.run(_serve(server))
    except OSError as exc:
        print(f"emulator: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


async def _serve(server: EmulatorServer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await server.startup()
    try:
        print(json.dumps(server.info), flush=True)
        await stop.wait()
    finally:
        await server.shutdown()
