"""``python -m local validate PATH``: check a JSONL file, or a whole run folder, before paying for a run.

A file: the validation engine's report (errors by line, token statistics, estimated cost).
A run folder (its ``train*.jsonl``, ``valid*.jsonl`` and ``finetune.json``): the pipeline's
own checks in its order (folder rules and run settings, each file with the run's model,
epochs and tier, the cost cap), with the code and sentence the run would fail with
(``local/run_check.py``). Prints a readable summary (or, with --json, only JSON) and exits
0 when valid, 1 when not, 2 on a usage error (one line, no traceback). Settings (default
model, cap, FINETUNE_PRICES_JSON) come from the environment, as the app reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

HELP = "Validate a fine-tuning dataset (JSONL): errors by line, token statistics, estimated cost."

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _price(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a price in USD, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("a price cannot be negative")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="the JSONL file, or a run folder, to validate")
    parser.add_argument("--model", help="base model to check a file against (default: "
                        "FINETUNE_DEFAULT_MODEL, gpt-4o-mini-2024-07-18); the date may be omitted. "
                        "A folder's is in its finetune.json")
    parser.add_argument("--max-tokens", type=_positive_int, metavar="N",
                        help="per-example token limit (default: the model's); required for an unknown model")
    parser.add_argument("--json", action="store_true", help="print only the JSON report")
    parser.add_argument("--role", choices=("training", "validation"),
                        help="a training file needs 10 valid examples, a validation file 1 "
                             "(default: training)")
    parser.add_argument("--epochs", type=_positive_int, metavar="N",
                        help="epochs of the run (default: the service's rule for the file's size)")
    parser.add_argument("--training-type", choices=("Standard", "GlobalStandard", "Developer"), type=_tier,
                        help="training tier, for its price (default: Standard)")
    parser.add_argument("--method", choices=("supervised", "dpo", "reinforcement"),
                        help="the training method the file is for: each line must have its format "
                             "(default: chat or preference examples). A folder's is in its finetune.json")
    parser.add_argument("--price", type=_price, metavar="USD",
                        help="training price in USD per 1M tokens for this model (overrides the settings)")
    parser.add_argument("--max-file-bytes", type=_positive_int, metavar="N", default=512 * 1024 * 1024,
                        help="largest accepted file size (default: %(default)s)")
    parser.add_argument("--workers", type=_positive_int, metavar="N",
                        help="processes to use (default: one per core)")


def _tier(text: str) -> str:
    from shared.prices import canonical_tier

    return canonical_tier(text)


FILE_ONLY = ("model", "max_tokens", "role", "epochs", "training_type", "method")


def _usage_error(message: str) -> int:
    print(f"python -m local validate: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _price_overrides(settings: Any, model: str, price: float | None) -> dict[str, Any]:
    prices = dict(settings.price_overrides)
    if price is not None:
        prices[model] = price
    return prices


def run(args: argparse.Namespace) -> int:
    from shared.settings import SettingsError, load_settings
    from shared.tokenizer import TokenizerError
    from shared.validation import UnknownModelError

    path = Path(args.path)
    if not path.exists():
        return _usage_error(f"{args.path}: no such file or folder")
    try:
        settings = load_settings()
        if path.is_dir():
            given = [f"--{name.replace('_', '-')}" for name in FILE_ONLY if getattr(args, name) is not None]
            if given:
                return _usage_error(f"{', '.join(given)}: a run folder takes these from its finetune.json")
            return _folder(path, args, settings)
        if not path.is_file():
            return _usage_error(f"{args.path}: not a file")
        return _file(path, args, settings)
    except (UnknownModelError, SettingsError, TokenizerError) as exc:
        return _usage_error(str(exc))
    except OSError as exc:
        return _usage_error(f"{args.path}: {exc.strerror or exc}")


def _file(path: Path, args: argparse.Namespace, settings: Any) -> int:
    from shared.validation import ValidationOptions, validate_path

    model = args.model or settings.default_model
    options = ValidationOptions(
        model=model, max_tokens=args.max_tokens, n_epochs=args.epochs,
        price_overrides=_price_overrides(settings, model, args.price), max_file_bytes=args.max_file_bytes,
        role=args.role or "training", training_type=args.training_type, method=args.method,
        rft_example_epochs_per_hour=settings.rft_example_epochs_per_hour,
    )
    report = validate_path(path, options, workers=args.workers)
    _print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if args.json else report.summary_text())
    return EXIT_VALID if report.ok else EXIT_INVALID


def _folder(path: Path, args: argparse.Namespace, settings: Any) -> int:
    """A run folder, as ``drop`` would upload it (datasets/<folder name>/<file>)."""
    from local.run_check import check_run

    files = sorted(p for p in path.iterdir()
                   if p.is_file() and (p.suffix == ".jsonl" or p.name == "finetune.json"))
    if not files:
        return _usage_error(f"{path}: no .jsonl or finetune.json files in this folder")
    run_name = path.resolve().name
    blobs = [(f"{run_name}/{p.name}", p) for p in files]
    check = check_run(blobs, settings, workers=args.workers, price=args.price)
    _print(json.dumps(check.to_dict(), indent=2, ensure_ascii=False) if args.json else folder_text(check))
    return EXIT_VALID if check.ok else EXIT_INVALID


def folder_text(check: Any) -> str:
    """The readable account of a run folder's checks: each file's summary, the settings, the verdict."""
    from shared.validation.summary import summary_text

    lines = []
    for role, report in check.reports.items():
        lines += [f"{role} file {check.files[role]}:", summary_text(report), ""]
    if check.settings is not None:
        s = check.settings
        lines.append(f"settings: model {s.model}, method {s.method.get('type', 'supervised')}, training "
                     f"{s.training_type or 'Standard'}, "
                     f"n_epochs {s.hyperparameters.get('n_epochs', 'auto')}, max_cost_usd {s.max_cost_usd}, "
                     f"deployment {'on' if s.deployment.enabled else 'off'}")
    if check.run is None:
        lines.append("No file here belongs to a run (train*.jsonl, valid*.jsonl, finetune.json): nothing "
                     "to check.")
    elif check.problem:
        problem = check.problem
        lines.append(f"REFUSED [{problem['code']}] at {problem['stage']}: {problem['message']}")
    else:
        lines.append(f"OK: run '{check.run}' passes the pipeline's checks before upload (settle, validate, "
                     "budget, and preflight's file rules; the pipeline's preflight also asks the service).")
    return "\n".join(lines)


def _print(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:  # the reader (e.g. `| head`) went away: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (keeps Python's exit-time flush quiet)
