"""Benchmark of the local stack (figures in docs/benchmarks.md, "## Local stack").

1. Stack set-up: Azurite + emulator + host started and wired (``local.stack.Stack.start``).
2. The demo's run after set-up: the sample dataset dropped into ``datasets/<run>/`` until the
   run is Completed with a deployment that answered, with the emulator's default lifecycles
   (the ones ``python -m local demo`` uses). Repeated ``--runs`` times on one stack.
3. Blob upload -> orchestration started: upload a training blob, then poll the Durable status
   endpoint every 10 ms for the run's instance id. The file is invalid on purpose (it fails at
   validate in ~1 s), so that samples do not queue behind each other's training.
4. The whole ``python -m local demo`` command (start, run, stop) as a user runs it, once.

Usage: .venv/bin/python bench/bench_stack.py [--runs 3] [--latency-samples 10] [--no-command]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from local.runs import completed_with_deployment, follow  # noqa: E402
from local.stack import Stack  # noqa: E402
from local.stack_client import StackClient  # noqa: E402
from shared import run_ids  # noqa: E402

SAMPLE = REPO / "samples" / "azure-faq"
INVALID = b'{"messages": [{"role": "user", "content": "no reply"}]}\n'


def demo_run(client: StackClient, run: str) -> float:
    """Seconds from the first upload of the sample to Completed (fails if it did not complete)."""
    begun = time.perf_counter()
    for name in ("finetune.json", "validation.jsonl", "training.jsonl"):
        etag = client.upload(f"{run}/{name}", SAMPLE / name)
    instance_id = run_ids.instance_id(run, f"{run}/training.jsonl", etag)
    status = follow(client, instance_id, 300)
    elapsed = time.perf_counter() - begun
    ok, why = completed_with_deployment(status)
    if not ok:
        raise SystemExit(f"run {run} did not complete: {why}")
    return elapsed


def start_latency(client: StackClient, name: str) -> float:
    """Seconds from the end of a blob upload to the instance existing in the Durable API."""
    etag = client.upload(name, INVALID)
    uploaded = time.perf_counter()
    instance_id = run_ids.instance_id(name[: -len(".jsonl")], name, etag)
    while client.durable_status(instance_id) is None:
        if time.perf_counter() - uploaded > 60:
            raise SystemExit(f"{name}: no orchestration within 60 s")
        time.sleep(0.01)
    latency = time.perf_counter() - uploaded
    follow(client, instance_id, 120)  # let it end before the next sample
    return latency


def demo_command() -> float:
    with tempfile.TemporaryDirectory() as state:
        begun = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "local", "demo", "--json", "--state-dir", state],
                              cwd=REPO, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - begun
    if done.returncode != 0:
        raise SystemExit(f"demo failed:\n{done.stderr[-2000:]}")
    return elapsed


def spread(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2),
            "max": round(max(values), 2), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-samples", type=int, default=10)
    parser.add_argument("--no-command", action="store_true", help="skip the whole demo command")
    args = parser.parse_args()
    results: dict[str, object] = {"machine": f"{os.cpu_count()} cores, Python {platform.python_version()}"}
    with tempfile.TemporaryDirectory() as state:
        begun = time.perf_counter()
        stack = Stack(state).start()
        try:
            results["setup_s"] = round(time.perf_counter() - begun, 2)
            client = StackClient(stack.info())
            results["demo_run_s"] = spread([demo_run(client, f"bench{i}") for i in range(args.runs)])
            latencies = [start_latency(client, f"latency{i}.jsonl") for i in range(args.latency_samples)]
            results["upload_to_started_s"] = spread(latencies)
        finally:
            stopping = time.perf_counter()
            stack.stop()
            results["stop_s"] = round(time.perf_counter() - stopping, 2)
    if not args.no_command:
        results["demo_command_s"] = round(demo_command(), 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
