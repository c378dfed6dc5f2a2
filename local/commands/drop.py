"""``python -m local drop PATH [PATH...] [--run NAME]``: upload a dataset into a running ``up``.

It finds the stack through ``<state-dir>/stack.json``, which ``up`` writes
when it is ready and removes when it stops (default ``.state/up``). Files go
to ``datasets/<run>/<file name>``: ``finetune.json`` first, then validation
files, the training file last, as a careful uploader would (the pipeline does
not depend on the order). A directory stands for its ``*.jsonl`` files and its
``finetune.json``. Without ``--run``: a directory's name, or the parent
folder's name for several files; a single file goes to the container's root
(a training-only run named after the file).

Before uploading, the files are checked as the pipeline will check them (run folder rules,
``finetune.json``, each file with the run's model, epochs and tier, the cost cap;
``local/run_check.py``), with the running host's settings: a problem refuses the upload with
the pipeline's own code and sentence (exit 3) unless ``--force``. Exit codes: local/runs.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from local.runs import (
    EXIT_CODES_HELP,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    find_run,
    follow_until_end,
    outcome,
)
from local.stack_client import StackClient
from shared import run_folder

HELP = ("Check dataset files as the pipeline will, then upload them into the datasets container of a "
        "running 'python -m local up' (a training file starts a run).")
FIND_TIMEOUT_S = 60
FOLLOW_TIMEOUT_S = 1800


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from local.commands.up import DEFAULT_STATE_DIR

    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="dataset files or a folder")
    parser.add_argument("--run", help="run folder name in the datasets container")
    parser.add_argument("--as", dest="blob_name", metavar="FILENAME",
                        help="upload a single file under this name (e.g. one the blob trigger ignores, "
                             "to start it with POST /api/finetune)")
    parser.add_argument("--follow", action="store_true",
                        help="wait for the run and show its progress until it ends (prints how to approve "
                             "when it waits for an approval)")
    parser.add_argument("--force", action="store_true",
                        help="upload even when the checks before upload find a problem (the run will then "
                             "fail with it)")
    parser.epilog = EXIT_CODES_HELP
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                        help=f"the state dir of the running 'up' (default {DEFAULT_STATE_DIR})")


def running_stack(state_dir: Path) -> StackClient | None:
    """The client of the stack that ``up`` runs with this state dir, or None (with a message)."""
    stack_file = state_dir / "stack.json"
    if not stack_file.exists():
        print(f"error: no running stack ({stack_file} is missing). Start one with "
              "'.venv/bin/python -m local up' in another terminal, or pass --state-dir.", file=sys.stderr)
        return None
    return StackClient.from_file(stack_file)


def dataset_files(paths: list[Path]) -> list[Path]:
    """The files to upload, in upload order: settings, then validation, then training files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            wanted = (p for p in path.iterdir() if p.suffix == ".jsonl" or p.name == "finetune.json")
            files.extend(sorted(wanted))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path} does not exist")

    def order(path: Path) -> int:
        name = path.name.lower()
        return 0 if name.endswith(".json") else 1 if name.startswith("valid") else 2

    return sorted(files, key=order)


def blob_names(paths: list[Path], files: list[Path], run: str | None) -> list[str]:
    """The blob name of each file (see the module docstring for the default run name)."""
    if run is None:
        if len(paths) == 1 and paths[0].is_dir():
            run = paths[0].resolve().name
        elif len(files) == 1:
            return [files[0].name]
        else:
            run = files[0].resolve().parent.name
    return [f"{run.strip('/')}/{path.name}" for path in files]


def refused(client: StackClient, names: list[str], files: list[Path]) -> str | None:
    """The pipeline's checks on the files before any upload: the refusal to print, or None."""
    from local.run_check import check_run
    from shared.settings import SettingsError, load_settings

    try:
        settings = load_settings(client.info.get("run_settings"))  # the running host's settings
    except SettingsError as exc:
        return f"the stack's settings are invalid: {exc}"
    check = check_run(list(zip(names, files, strict=True)), settings)
    if check.ok:
        return None
    problem = check.problem or {}
    return (f"[{problem.get('code')}] at {problem.get('stage')}: {problem.get('message')}\n"
            "Nothing was uploaded. Fix it, or upload anyway with --force (the run will then fail with this).")


def run(args: argparse.Namespace) -> int:
    client = running_stack(args.state_dir)
    if client is None:
        return EXIT_USAGE
    try:
        files = dataset_files(args.paths)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not files:
        print("error: no .jsonl or finetune.json files to upload", file=sys.stderr)
        return EXIT_USAGE
    names = blob_names(args.paths, files, args.run)
    if args.blob_name:
        if len(files) != 1:
            print("error: --as needs exactly one file", file=sys.stderr)
            return EXIT_USAGE
        names = [f"{names[0].rsplit('/', 1)[0]}/{args.blob_name}" if "/" in names[0] else args.blob_name]
    if not args.force:
        problem = refused(client, names, files)
        if problem:
            print(f"refused: {problem}", file=sys.stderr)
            return EXIT_REFUSED
    training: tuple[str, str] | None = None
    for path, name in zip(files, names, strict=True):
        etag = client.upload(name, path)
        print(f"uploaded {path} -> {client.datasets_container}/{name}", file=sys.stderr)
        seen = run_folder.classify(name)
        if seen is not None and seen.role == run_folder.TRAINING:
            training = (name, etag)
    if training is None:
        print("No training file (train*.jsonl in a run folder, or <name>.jsonl at the top) was uploaded, "
              "so no run starts from this upload; POST /api/finetune can start one on these files.",
              file=sys.stderr)
        return EXIT_OK
    run_name = run_folder.classify(training[0]).run  # type: ignore[union-attr]
    status = find_run(client, run_name, training[0], training[1], FIND_TIMEOUT_S)
    if status is None:
        print(f"error: no run started within {FIND_TIMEOUT_S}s; see the host log.", file=sys.stderr)
        return EXIT_FAILED
    instance_id = status["instanceId"]
    print(instance_id, flush=True)
    if not args.follow:
        print(f"Follow it with: .venv/bin/python -m local status {instance_id} --follow", file=sys.stderr)
        return EXIT_OK
    code, final = follow_until_end(client, instance_id, FOLLOW_TIMEOUT_S)
    if final is None:
        return code
    print(json.dumps(final, indent=2))
    print(outcome(final)[1], file=sys.stderr)
    return code
