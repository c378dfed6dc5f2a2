"""``python -m local status [ID]``: one run's status, or the recent runs, from a running ``up``.

Reads the Durable status endpoint of the host found through
``<state-dir>/stack.json`` (see ``drop``). With an ID it prints the stage, the
job's progress and the output or error; without, one line per run, newest
first. ``--json`` prints the Durable status JSON instead.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from local.commands.drop import running_stack
from local.runs import decoded_input, describe, failure_text

HELP = "Show one run's status, or the recent runs, of a running 'python -m local up'."
RECENT = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from local.commands.up import DEFAULT_STATE_DIR

    parser.add_argument("instance_id", nargs="?", metavar="ID", help="the run's instance id")
    parser.add_argument("--json", action="store_true", help="print the Durable status JSON")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                        help=f"the state dir of the running 'up' (default {DEFAULT_STATE_DIR})")


def run(args: argparse.Namespace) -> int:
    client = running_stack(args.state_dir)
    if client is None:
        return 1
    if args.instance_id:
        status = client.durable_status(args.instance_id)
        if status is None:
            print(f"error: no run with id {args.instance_id!r}; 'python -m local status' lists them.")
            return 1
        print(json.dumps(status, indent=2) if args.json else detail(status))
        return 0
    statuses = sorted(client.durable_instances(), key=lambda s: s.get("createdTime") or "", reverse=True)
    runs = [s for s in statuses if isinstance(decoded_input(s), dict) and "run" in decoded_input(s)][:RECENT]
    if args.json:
        print(json.dumps(runs, indent=2))
    elif not runs:
        print("No runs yet. Upload a dataset with 'python -m local drop samples/azure-faq --run sample'.")
    for status in [] if args.json else runs:
        print(f"{status.get('createdTime', '')}  {status['instanceId']}  {describe(status)}")
    return 0


def detail(status: dict[str, Any]) -> str:
    """A readable account of one run."""
    request = decoded_input(status)
    lines = [
        f"run       {request.get('run') if isinstance(request, dict) else '?'}",
        f"id        {status.get('instanceId')}",
        f"created   {status.get('createdTime')}   updated {status.get('lastUpdatedTime')}",
        f"status    {describe(status)}",
    ]
    output = status.get("output")
    if status.get("runtimeStatus") == "Completed" and isinstance(output, dict):
        for key in ("job_id", "fine_tuned_model", "deployment", "smoke_test", "summary"):
            if key in output:
                lines.append(f"{key:<9} {json.dumps(output[key])[:200]}")
    elif status.get("runtimeStatus") in ("Failed", "Terminated", "Canceled"):
        lines.append(f"why       {failure_text(status)}")
    return "\n".join(lines)
