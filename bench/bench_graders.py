"""Grader throughput: text_similarity over 10,000 (answer, reference) pairs, and the gate's statistics.

Usage: .venv/bin/python bench/bench_graders.py [--pairs 10000] [--repeats 5]
For each metric this app computes, ``grade_many`` scores the pairs end to end (templates
rendered from ``item``/``sample``, the metric, pass/fail); the figure is the median wall time
of ``--repeats`` runs after one warm-up run (imports and caches). Texts are generated from a
fixed seed: FAQ-like sentences of 8 to 40 words. Then the paired bootstrap (10,000 resamples)
of the gate at 200 and 10,000 examples. Target (issue 11): < 2 s for 10,000 pairs on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from shared.evaluation.stats import paired
from shared.graders import grade_many, make_sample, parse_grader
from shared.graders.metrics import LOCAL_METRICS

VOCABULARY = ("azure storage blob container function durable orchestration activity timer deployment "
              "model token training validation file job endpoint identity role key region quota capacity "
              "the a of to and for with in on is are can use your data answers questions")
WORDS = VOCABULARY.split()


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40))).capitalize() + "."


def _pairs(count: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(20251101)
    items = [{"reference": _sentence(rng)} for _ in range(count)]
    samples = [make_sample(_sentence(rng) if index % 3 else items[index]["reference"][: rng.randint(5, 200)])
               for index in range(count)]
    return items, samples


def _median_seconds(action, repeats: int) -> float:
    action()  # warm-up: imports, caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, load average "
          f"{os.getloadavg()[0]:.1f}")
    items, samples = _pairs(args.pairs)
    print(f"text_similarity via grade_many, {args.pairs:,} pairs, median of {args.repeats}:")
    for metric in LOCAL_METRICS:
        grader = parse_grader({"type": "text_similarity", "name": metric, "input": "{{sample.output_text}}",
                               "reference": "{{item.reference}}", "evaluation_metric": metric})
        seconds = _median_seconds(lambda grader=grader: grade_many(grader, items, samples), args.repeats)
        verdict = "ok" if seconds < 2.0 else "OVER the 2 s target"
        print(f"  {metric:<12} {seconds:6.3f} s  ({seconds / args.pairs * 1e6:5.1f} us/pair)  {verdict}")
    rng = np.random.default_rng(0)
    print("paired bootstrap of the gate (10,000 resamples), median of 5:")
    for size in (200, 10_000):
        baseline, candidate = rng.random(size), rng.random(size)
        seconds = _median_seconds(lambda b=baseline, c=candidate: paired(b, c, 0, "bench"), 5)
        print(f"  {size:>6,} examples  {seconds:6.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
