"""``approve``, ``reject``, ``cancel``, ``pause`` and ``resume``: send a person's decision to a run.

Each posts to the app's own API (``POST /api/finetune/{id}/approve|reject|cancel|pause|resume``)
of a running ``up`` with the stack's function key and an optional note (``{"reason": ...}``),
exactly as a user's curl would, and prints what the API answered. Exit 0 when the API accepted
it (202), 1 when it refused (409: the run is not waiting for an approval, its job is not running
or not paused, or the run has ended; 404: no such run), 2 on a usage error or without a running
stack.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

HELPS = {
    "approve": "Approve a run that waits for an approval: it goes on to deploy.",
    "reject": "Reject a run that waits for an approval: it ends without a deployment.",
    "cancel": "Cancel a run: its fine-tuning job is cancelled and its report written.",
    "pause": "Pause a run's training job (it keeps a deployable checkpoint; the deadline waits).",
    "resume": "Resume a run's paused training job (billing goes on).",
}
NOTE_OPTION = {"approve": "--comment", "reject": "--reason", "cancel": "--reason", "pause": "--reason",
               "resume": "--comment"}


def decision_command(action: str) -> tuple[str, Callable[[argparse.ArgumentParser], None],
                                           Callable[[argparse.Namespace], int]]:
    """(HELP, add_arguments, run) of one decision command."""

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        from local.commands.up import DEFAULT_STATE_DIR

        parser.add_argument("instance_id", metavar="ID", help="the run's instance id (ft-...)")
        option = NOTE_OPTION[action]
        parser.add_argument(option, dest="note", metavar="TEXT", required=action == "reject",
                            help=f"why (stored with the run, shown in its status and summary.json)"
                                 f"{'; required' if action == 'reject' else ''}")
        parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                            help=f"the state dir of the running 'up' (default {DEFAULT_STATE_DIR})")

    def run(args: argparse.Namespace) -> int:
        from local.commands.drop import running_stack

        client = running_stack(args.state_dir)
        if client is None:
            return 2
        body = {"reason": args.note} if args.note else None
        answer = client.call("POST", f"/api/finetune/{args.instance_id}/{action}", body)
        if answer.status == 202:
            note = f" ({args.note})" if args.note else ""
            print(f"{action}: sent to {args.instance_id}{note}. Follow it with: "
                  f".venv/bin/python -m local status {args.instance_id} --follow")
            return 0
        error = answer.body.get("error") if isinstance(answer.body, dict) else None
        if isinstance(error, dict):
            print(f"error: [{error.get('code')}] {error.get('message')}", file=sys.stderr)
        else:
            print(f"error: the API answered {answer.status}: {json.dumps(answer.body)}", file=sys.stderr)
        return 2 if answer.status in (400, 401) else 1

    return HELPS[action], add_arguments, run
