"""``python -m local validate PATH``: check a JSONL fine-tuning file, count its tokens, estimate its cost.

Prints a readable summary (or, with --json, only the JSON report) and exits
0 when the file is valid, 1 when it is not, 2 on a usage error (one line, no traceback).
Prices come from the FINETUNE_PRICES_JSON setting, or --price for the chosen model.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

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
    parser.add_argument("path", metavar="PATH", help="the JSONL file to validate")
    parser.add_argument("--model", default="gpt-4o-mini-2024-07-18",
                        help="base model to check against (default: %(default)s); the date may be omitted")
    parser.add_argument("--max-tokens", type=_positive_int, metavar="N",
                        help="per-example token limit (default: the model's); required for an unknown model")
    parser.add_argument("--json", action="store_true", help="print only the JSON report")
    parser.add_argument("--role", choices=("training", "validation"), default="training",
                        help="a training file needs 10 valid examples, a validation file 1 "
                        "(default: %(default)s)")
    parser.add_argument("--epochs", type=_positive_int, metavar="N",
                        help="epochs of the run (default: the service's rule for the file's size)")
    parser.add_argument("--price", type=_price, metavar="USD",
                        help="training price in USD per 1M tokens for this model (overrides the settings)")
    parser.add_argument("--max-file-bytes", type=_positive_int, metavar="N", default=512 * 1024 * 1024,
                        help="largest accepted file size (default: %(default)s)")
    parser.add_argument("--workers", type=_positive_int, metavar="N",
                        help="processes to use (default: one per core)")


def _usage_error(message: str) -> int:
    print(f"python -m local validate: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _price_overrides(args: argparse.Namespace) -> dict[str, float]:
    from shared.settings import load_settings

    prices = dict(load_settings().price_overrides)
    if args.price is not None:
        prices[args.model] = args.price
    return prices


def run(args: argparse.Namespace) -> int:
    from shared.settings import SettingsError
    from shared.tokenizer import TokenizerError
    from shared.validation import UnknownModelError, ValidationOptions, validate_path

    path = Path(args.path)
    if not path.is_file():
        return _usage_error(f"{args.path}: no such file" if not path.exists() else f"{args.path}: not a file")
    try:
        options = ValidationOptions(
            model=args.model, max_tokens=args.max_tokens, n_epochs=args.epochs,
            price_overrides=_price_overrides(args), max_file_bytes=args.max_file_bytes, role=args.role,
        )
        report = validate_path(path, options, workers=args.workers)
    except (UnknownModelError, SettingsError, TokenizerError) as exc:
        return _usage_error(str(exc))
    except OSError as exc:
        return _usage_error(f"{args.path}: {exc.strerror or exc}")
    text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if args.json else report.summary_text()
    try:
        print(text, flush=True)
    except BrokenPipeError:  # the reader (e.g. `| head`) went away: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (keeps Python's exit-time flush quiet)
    return EXIT_VALID if report.ok else EXIT_INVALID
