"""``python -m local up``: the whole local stack in the foreground until Ctrl-C.

Starts Azurite, the Azure OpenAI emulator and the local Functions host on this
app with every setting wired between them, writes ``<state-dir>/stack.json``
(how ``drop`` and ``status`` find it), prints the endpoints and commands to
paste — or, with ``--json``, one JSON line — and stops everything in reverse
order on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import time
from pathlib import Path
from typing import Any

from local.stack import DEFAULT_STATE_ROOT, Stack, StackError

HELP = "Run Azurite, the Azure OpenAI emulator and the Functions host on this app, until Ctrl-C."
DEFAULT_STATE_DIR = DEFAULT_STATE_ROOT / "up"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print one JSON line once ready (base URL, key, storage, emulator, pids)")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                        help=f"where the stack keeps its data and logs (default {DEFAULT_STATE_DIR})")


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    stack = Stack(args.state_dir)
    try:
        if not args.json:
            print(f"Starting the local stack (state in {stack.state_dir}) ...", file=sys.stderr)
        stack.start()
        stack.write_stack_file()
        if args.json:
            print(json.dumps(stack.info()), flush=True)
        else:
            print(instructions(stack), flush=True)
        dead = _wait_until_interrupted(stack)
        if dead:
            print(f"error: {dead} stopped unexpectedly; stopping the stack. Last lines of its log:\n"
                  f"{stack.log_tail(dead)}", file=sys.stderr)
            return 1
        return 0
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if not args.json:
            print("Stopping the local stack ...", file=sys.stderr)
        stack.stop()


def _wait_until_interrupted(stack: Stack) -> str | None:
    """Sleep until Ctrl-C (KeyboardInterrupt propagates) or until a component dies (its name)."""
    while True:
        time.sleep(1)
        dead = stack.check_alive()
        if dead:
            return dead


def _py() -> str:
    return ".venv/bin/python" if Path(".venv/bin/python").exists() else "python"


def instructions(stack: Stack) -> str:
    """The human output of ``up``: endpoints and ready-to-paste commands."""
    info = stack.info()
    emu = info["emulator"]
    key = info["function_key"]
    key_header = f" -H {shlex.quote('x-functions-key: ' + key)}" if key else ""
    state = _relative(stack.state_dir)
    is_default = stack.state_dir == DEFAULT_STATE_DIR.resolve()
    state_flag = "" if is_default else f" --state-dir {shlex.quote(state)}"
    functions = ", ".join(_function_names(info["host"])) or "(see the host log)"
    body = json.dumps({"training_file": "datasets/manual/examples.jsonl",
                       "settings": {"suffix": "manual", "hyperparameters": {"n_epochs": 1}}})
    lines = [
        "",
        "The local stack is up.",
        f"  Functions host   {info['base_url']}   functions: {functions}",
        f"  Storage          Azurite {stack.azurite.blob_endpoint if stack.azurite else ''}"
        f"  (containers {info['datasets_container']}, {info['reports_container']})",
        f"  Azure OpenAI     {emu['endpoint']}  (emulator; ARM {emu['arm_endpoint']}, "
        f"Entra ID {emu['authority']})",
        f"  Function key     {key or '(keys are off locally)'}",
        f"  Runs page        {stack.runs_page_url}   (open it in a browser: watch, approve, cancel)",
        f"  Stack file       {_relative(stack.stack_file)}   logs: {_relative(stack.logs_dir)}/",
        "",
        "Drop the sample dataset into datasets/sample/ (a blob upload starts a run):",
        f"  {_py()} -m local drop samples/azure-faq --run sample --follow{state_flag}",
        "Or start a run over HTTP, on a file the blob trigger ignores (not train*/valid*):",
        f"  {_py()} -m local drop samples/azure-faq/training.jsonl --run manual --as examples.jsonl"
        f"{state_flag}",
        f"  curl -s -X POST {info['base_url']}/api/finetune{key_header} \\",
        f"       -H 'Content-Type: application/json' -d {shlex.quote(body)}",
        "Read the status of the recent runs, or of one (the Durable status endpoint works too):",
        f"  {_py()} -m local status{state_flag}",
        f"  curl -s {info['base_url']}/api/finetune/<instance-id>{key_header}",
        f"  curl -s {info['base_url']}/runtime/webhooks/durabletask/instances/<instance-id>{key_header}",
        "",
        "Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)


def _function_names(host_line: dict[str, Any]) -> list[str]:
    functions = host_line.get("functions") or []
    names = []
    for function in functions:
        names.append(function.get("name", str(function)) if isinstance(function, dict) else str(function))
    return names


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
