"""Benchmark of dataset validation: the exercise's notebook cell, the floor and the engine.

Generates a chat file (default 100,000 examples, about 130 MB) in a temporary
directory, then runs each contender in a fresh process and reports its wall time
and peak RSS:

* notebook: the exercise's cell, reimplemented faithfully: the whole file loaded
  with ``[json.loads(line) for line in f]``, ``encoding.encode`` once per value,
  assistant content encoded a second time for the assistant statistics, numpy stats.
* floor: JSON parse + ``encode_ordinary`` of every string value, no checks, on
  every core (processes over the same byte ranges and range reader as the engine).
* engine: ``shared.validation.validate_path`` with every core.

``--stream-gb 1`` also builds a file of about that size and measures the peak RSS
of ``validate_chunks`` (one process, streaming) and of ``validate_path``.
The encoding is loaded before the clock starts in every contender (forked workers
inherit it). Usage: ``.venv/bin/python bench/bench_validation.py [--examples N] [--stream-gb G]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = " ".join([
    "the model answers questions about history science cooking travel and code with short sarcastic",
    "replies while staying factual polite and precise every answer mentions a date a place or a number",
    "so users learn something new Jupiter Pacific Antarctica 1820 photosynthesis recursion Paris",
    "température über naïve café 東京 données résumé 42 3.14 function returns list dictionary",
]).split()
SYSTEM_PROMPTS = [
    "Clippy is a factual chatbot that is also sarcastic.",
    "You are a helpful assistant for a travel agency. Answer briefly and cite the destination.",
    "You are a code reviewer. Point out one bug and one improvement in each answer.",
]


def _text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words)).capitalize() + "."


def write_chat_file(path: Path, examples: int, seed: int = 7) -> int:
    """A realistic chat training file: a system prompt, 1-3 user/assistant turns per example."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(examples):
            messages = [{"role": "system", "content": rng.choice(SYSTEM_PROMPTS)}]
            for _turn in range(rng.choice((1, 1, 2, 3))):
                messages.append({"role": "user", "content": _text(rng, rng.randint(8, 40))})
                messages.append({"role": "assistant", "content": _text(rng, rng.randint(30, 110))})
            out.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
    return path.stat().st_size


def grow_file(source: Path, target: Path, target_bytes: int) -> int:
    """``target`` made of copies of ``source`` until it reaches ``target_bytes``."""
    data = source.read_bytes()
    with target.open("wb") as out:
        written = 0
        while written < target_bytes:
            out.write(data)
            written += len(data)
    return target.stat().st_size


# ---- Contenders (each runs in its own process: python bench_validation.py --run NAME PATH) ----
def run_notebook(path: str) -> dict:
    import numpy as np

    from shared.tokenizer import get_encoding

    encoding = get_encoding("o200k_base")
    start = time.perf_counter()

    def num_tokens_from_messages(messages, tokens_per_message=3, tokens_per_name=1):
        num_tokens = 0
        for message in messages:
            num_tokens += tokens_per_message
            for key, value in message.items():
                num_tokens += len(encoding.encode(value))
                if key == "name":
                    num_tokens += tokens_per_name
        num_tokens += 3
        return num_tokens

    def num_assistant_tokens_from_messages(messages):
        num_tokens = 0
        for message in messages:
            if message["role"] == "assistant":
                num_tokens += len(encoding.encode(message["content"]))
        return num_tokens

    with open(path, encoding="utf-8") as f:
        dataset = [json.loads(line) for line in f]
    total_tokens, assistant_tokens = [], []
    for ex in dataset:
        messages = ex.get("messages", {})
        total_tokens.append(num_tokens_from_messages(messages))
        assistant_tokens.append(num_assistant_tokens_from_messages(messages))
    for values in (total_tokens, assistant_tokens):
        _ = (min(values), max(values), np.mean(values), np.median(values),
             np.quantile(values, 0.1), np.quantile(values, 0.9))
    return {"seconds": time.perf_counter() - start, "total": sum(total_tokens),
            "assistant": sum(assistant_tokens)}


def _floor_range(path: str, start: int, end: int) -> int:
    from shared.tokenizer import get_encoding
    from shared.validation import read_file_chunks
    from shared.validation.ranges import OwnedLines

    encode = get_encoding("o200k_base").encode_ordinary
    tokens = 0
    for batch in OwnedLines(read_file_chunks(path, start), skip_partial_first=start > 0, limit=end - start):
        for line in batch:
            for message in json.loads(line)["messages"]:
                for value in message.values():
                    if type(value) is str:
                        tokens += len(encode(value))
    return tokens


def run_floor(path: str) -> dict:
    import math
    from concurrent.futures import ProcessPoolExecutor

    from shared.tokenizer import get_encoding
    from shared.validation import plan_ranges
    from shared.validation.parallel import RANGES_PER_WORKER

    get_encoding("o200k_base")
    start = time.perf_counter()
    size, workers = os.path.getsize(path), os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        ranges = plan_ranges(size, math.ceil(size / (workers * RANGES_PER_WORKER)))  # as the engine does
        parts = [pool.submit(_floor_range, path, s, e) for s, e in ranges]
        tokens = sum(part.result() for part in parts)
    return {"seconds": time.perf_counter() - start, "value_tokens": tokens}


def run_engine(path: str, workers: int | None = None) -> dict:
    from shared.validation import ValidationOptions, validate_path
    from shared.validation.engine import checker_for

    checker_for("o200k_base")
    start = time.perf_counter()
    report = validate_path(path, ValidationOptions(model="gpt-4o-mini-2024-07-18"), workers=workers)
    data = report.to_dict()
    return {"seconds": time.perf_counter() - start, "ok": data["ok"], "examples": data["examples"],
            "total": data["tokens"]["total"]["sum"], "assistant": data["tokens"]["assistant"]["sum"]}


def run_stream(path: str) -> dict:
    from shared.validation import ValidationOptions, read_file_chunks, validate_chunks

    start = time.perf_counter()
    report = validate_chunks(read_file_chunks(path), ValidationOptions(max_file_bytes=4 << 30))
    return {"seconds": time.perf_counter() - start, "examples": report.to_dict()["examples"]}


CONTENDERS = {"notebook": run_notebook, "floor": run_floor, "engine": run_engine, "stream": run_stream,
              "engine-1": lambda path: run_engine(path, workers=1)}


def _child_main(name: str, path: str) -> None:
    result = CONTENDERS[name](path)
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    result["worker_rss_mb"] = children.ru_maxrss / 1024
    result["cpu_seconds"] = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(json.dumps(result))


def measure(name: str, path: Path) -> dict:
    """Run one contender in a fresh interpreter; its JSON result."""
    done = subprocess.run([sys.executable, __file__, "--run", name, str(path)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--stream-gb", type=float, default=0.0, help="also measure streaming on a GB file")
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender; best kept")
    parser.add_argument("--only", nargs="*", default=["notebook", "floor", "engine", "engine-1"])
    parser.add_argument("--run", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        _child_main(*args.run)
        return
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.jsonl"
        size = write_chat_file(path, args.examples)
        print(f"file: {args.examples} examples, {size / 1e6:.1f} MB")
        results: dict[str, dict] = {}
        for _ in range(args.repeat):
            for name in args.only:
                result = measure(name, path)
                print(f"  run {name:9s} {result['seconds']:7.2f} s", flush=True)
                if name not in results or result["seconds"] < results[name]["seconds"]:
                    results[name] = result
        for name, result in results.items():
            print(f"{name:9s} {result['seconds']:7.2f} s  cpu {result['cpu_seconds']:6.2f} s  "
                  f"rss {result['rss_mb']:5.0f} MB  workers' max rss {result['worker_rss_mb']:5.0f} MB")
        if "notebook" in results and "engine" in results and "floor" in results:
            engine = results["engine"]["seconds"]
            print(f"engine vs notebook: {results['notebook']['seconds'] / engine:.2f}x faster; "
                  f"engine / floor: {engine / results['floor']['seconds']:.2f}")
        if args.stream_gb:
            big = Path(tmp) / "big.jsonl"
            big_size = grow_file(path, big, int(args.stream_gb * 1e9))
            path.unlink()
            print(f"stream file: {big_size / 1e9:.2f} GB")
            for name in ("stream", "engine"):
                result = measure(name, big)
                print(f"{name:9s} {result['seconds']:7.2f} s  rss {result['rss_mb']:6.0f} MB  "
                      f"workers' max rss {result['worker_rss_mb']:6.0f} MB")


if __name__ == "__main__":
    main()
