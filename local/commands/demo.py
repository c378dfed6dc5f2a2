"""``python -m local demo``: one dataset all the way to a deployed, smoke-tested model, on the local stack.

Starts the stack in a fresh state dir (default ``.state/demo``), uploads the
dataset into ``datasets/<run>/`` (default: the sample in ``samples/azure-faq``)
exactly as a user would, follows the run through the Durable status endpoint
with a live progress line on stderr, prints the final status and stops the
stack. Exit 0 only when the run Completed with a deployment that answered.
With ``--json`` stdout carries only the final Durable status JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from local.azurite import REPO_ROOT
from local.runs import (
    ProgressDisplay,
    completed_with_deployment,
    deployment_name,
    find_run,
    follow,
    smoke_reply,
)
from local.stack import DEFAULT_STATE_ROOT, Stack, StackError
from local.stack_client import StackClient

HELP = "Run the sample (or your) dataset through the whole pipeline on the local stack, then stop."
SAMPLE = REPO_ROOT / "samples" / "azure-faq"
DEFAULT_STATE_DIR = DEFAULT_STATE_ROOT / "demo"
START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 600
STACK_ENTRIES = {"azurite", "emulator", "host", "logs", "stack.json"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--training", type=Path, help="training JSONL (default: the sample's)")
    parser.add_argument("--validation", type=Path,
                        help="validation JSONL (default: the sample's, without --training)")
    parser.add_argument("--settings", type=Path,
                        help="run settings, a finetune.json (default: the sample's, without --training)")
    parser.add_argument("--run", default="sample", help="run folder in the datasets container")
    parser.add_argument("--json", action="store_true", help="print only the final status JSON on stdout")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                        help=f"emptied, then holds the stack's data and logs (default {DEFAULT_STATE_DIR})")
    parser.add_argument("--timeout", type=float, default=RUN_TIMEOUT_S,
                        help="give up after this many seconds")


def dataset(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(blob file name, local path) in upload order: settings, validation, training."""
    sample = args.training is None
    training = args.training or SAMPLE / "training.jsonl"
    validation = args.validation or (SAMPLE / "validation.jsonl" if sample else None)
    settings = args.settings or (SAMPLE / "finetune.json" if sample else None)
    files = []
    if settings is not None:
        files.append(("finetune.json", settings))
    if validation is not None:
        files.append(("validation.jsonl", validation))
    files.append(("training.jsonl", training))
    return files


def _is_stack_state(folder: Path) -> bool:
    """True when ``folder`` is absent, empty or only holds what a stack writes (safe to empty)."""
    if not folder.exists():
        return True
    return folder.is_dir() and {p.name for p in folder.iterdir()} <= STACK_ENTRIES


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    files = dataset(args)
    for _, path in files:
        if not path.is_file():
            _say(f"error: {path} is not a file")
            return 2
    if not _is_stack_state(args.state_dir):
        _say(f"error: {args.state_dir} holds other files; give --state-dir a new or an earlier demo's folder")
        return 2
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    shutil.rmtree(args.state_dir, ignore_errors=True)
    stack = Stack(args.state_dir)
    begun = time.monotonic()
    try:
        _say(f"Starting Azurite, the Azure OpenAI emulator and the Functions host in {args.state_dir} ...")
        stack.start()
        _say(f"Stack ready in {time.monotonic() - begun:.1f}s: host {stack.base_url}")
        _say(f"Watch the run in a browser while the demo runs: {stack.runs_page_url}")
        return _run_dataset(StackClient(stack.info()), args, files)
    except StackError as exc:
        _say(f"error: the local stack did not start: {exc}")
        return 1
    except KeyboardInterrupt:
        _say("Interrupted.")
        return 130
    finally:
        _say("Stopping the local stack ...")
        stack.stop()


def _run_dataset(client: StackClient, args: argparse.Namespace, files: list[tuple[str, Path]]) -> int:
    begun = time.monotonic()
    etag = ""
    for name, path in files:
        etag = client.upload(f"{args.run}/{name}", path)
        _say(f"Uploaded {path} -> {client.datasets_container}/{args.run}/{name}")
    started = find_run(client, args.run, f"{args.run}/training.jsonl", etag, START_TIMEOUT_S)
    if started is None:
        _say(f"error: no run started within {START_TIMEOUT_S}s of the upload; see the host log.")
        return 1
    instance_id = started["instanceId"]
    _say(f"Run {instance_id} started {time.monotonic() - begun:.1f}s after the upload; following it:")
    display = ProgressDisplay()
    final = follow(client, instance_id, args.timeout, display.show)
    display.close()
    ok, why = completed_with_deployment(final)
    if args.json:
        print(json.dumps(final), flush=True)
    else:
        print(json.dumps(final, indent=2), flush=True)
        if ok and final is not None:
            output = final["output"]
            _say(f"Fine-tuned model {output.get('fine_tuned_model')} deployed as "
                 f"{deployment_name(output)}; it answered: {smoke_reply(output)!r}")
    _say(f"{'OK' if ok else 'FAILED'}: {why} ({time.monotonic() - begun:.1f}s after the upload)")
    return 0 if ok else 1
