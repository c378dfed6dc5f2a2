"""``python -m local status [ID]``: one run's status, or the recent runs, from a running ``up``.

Reads the app's own HTTP API (``GET /api/finetune/{id}``, ``GET /api/finetune``)
on the host found through ``<state-dir>/stack.json`` (see ``drop``), with the
stack's function key. ``--json`` prints the API's JSON as it is; ``--durable``
prints the raw Durable status of the instance instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from local.commands.drop import running_stack

HELP = "Show one run's status, or the recent runs, of a running 'python -m local up'."
FOLLOW_TIMEOUT_S = 1800


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from local.commands.up import DEFAULT_STATE_DIR

    parser.add_argument("instance_id", nargs="?", metavar="ID", help="the run's instance id (ft-...)")
    parser.add_argument("--json", action="store_true", help="print the API's JSON")
    parser.add_argument("--durable", action="store_true",
                        help="with ID: print the Durable status endpoint's JSON")
    parser.add_argument("--top", type=int, default=20, help="how many recent runs to list (default 20)")
    parser.add_argument("--follow", action="store_true",
                        help="with ID: show the run's progress until it ends (exit codes as drop --follow)")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                        help=f"the state dir of the running 'up' (default {DEFAULT_STATE_DIR})")


def run(args: argparse.Namespace) -> int:
    client = running_stack(args.state_dir)
    if client is None:
        return 1
    if args.follow:
        if not args.instance_id:
            print("error: --follow needs a run's ID", file=sys.stderr)
            return 2
        from local.runs import follow_until_end

        code, _ = follow_until_end(client, args.instance_id, FOLLOW_TIMEOUT_S)
        if code == 130:
            return code
    if args.instance_id and args.durable:
        status = client.durable_status(args.instance_id)
        print(json.dumps(status, indent=2))
        return 0 if status is not None else 1
    path = f"/api/finetune/{args.instance_id}" if args.instance_id else "/api/finetune"
    answer = client.call("GET", path, params=None if args.instance_id else {"top": str(args.top)})
    if answer.status != 200 or not isinstance(answer.body, dict):
        print(f"error: GET {path} answered {answer.status}: {json.dumps(answer.body)}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(answer.body, indent=2))
    elif args.instance_id:
        print(detail(answer.body))
    else:
        runs = answer.body.get("runs") or []
        if not runs:
            print("No runs yet. Drop a dataset: python -m local drop samples/azure-faq --run sample")
        for row in runs:
            print(f"{row.get('created') or '':<21} {row.get('id')}  {row.get('runtimeStatus')}  "
                  f"stage={row.get('stage')}  status={row.get('status')}"
                  f"{'  deployment=' + row['deployment'] if row.get('deployment') else ''}")
    if args.follow and args.instance_id:
        from local.runs import outcome

        code, why = outcome(client.durable_status(args.instance_id))
        print(why, file=sys.stderr)
        return code
    return 0


def detail(summary: dict[str, Any]) -> str:
    """A readable account of one run from GET /api/finetune/{id}."""
    job = summary.get("job") or {}
    lines = [
        f"run               {summary.get('run')}   ({summary.get('id')})",
        f"status            {summary.get('runtimeStatus')}, "
        f"stage {summary.get('stage')}: {summary.get('status')}",
        f"created           {summary.get('created')}   updated {summary.get('updated')}",
    ]
    if job:
        lines.append(f"job               {job.get('id')} {job.get('status')}, "
                     f"{job.get('trained_tokens') or 0} trained tokens; {job.get('newest_event') or ''}")
    tokens = summary.get("tokens") or {}
    if tokens.get("estimated") is not None or tokens.get("trained") is not None:
        lines.append(f"tokens            estimated {_count(tokens.get('estimated'))}, trained "
                     f"{_count(tokens.get('trained'))}: {tokens.get('explanation')}")
    approval = summary.get("approval") or {}
    if approval.get("decision"):
        lines.append(f"approval          {approval['decision']}"
                     f"{': ' + approval['note'] if approval.get('note') else ''}")
    output = summary.get("output") if isinstance(summary.get("output"), dict) else {}
    facts = {"fine_tuned_model": output.get("fine_tuned_model"), "deployment": summary.get("deployment"),
             "note": output.get("note"),
             "smoke_test_reply": (output.get("smoke_test") or {}).get("reply"),
             "reports": summary.get("reports"), "approval_deadline": summary.get("approval_deadline")}
    lines += [f"{key:<17} {json.dumps(value)}" for key, value in facts.items() if value]
    if summary.get("error"):
        error = summary["error"]
        lines.append(f"error             [{error.get('code')}] at {error.get('stage')}: "
                     f"{error.get('message')}")
    return "\n".join(lines)


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "unknown"
