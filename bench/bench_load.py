"""Load benchmark: 50 datasets dropped at once plus 20 HTTP starts on a fresh local stack.

The emulator keeps one running job per resource (and at most 20 pending), with very short
lifecycles (``tests/reliability/load.py``: LOAD_TIMINGS), so the runs queue on the job quota
and complete in turn. Prints one JSON line: counts, problems (lost, failed or duplicated
runs), wall time, runs per minute and the host's peak resident memory (VmHWM). Figures are
written up in docs/reliability.md.

Usage: .venv/bin/python bench/bench_load.py [--datasets 50] [--http 20]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.reliability.harness import FAST_EMULATOR, CrashableStack  # noqa: E402
from tests.reliability.load import LOAD_TIMINGS, problems, quota_refusals, run_load, training_files  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=50)
    parser.add_argument("--http", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--job-seconds", type=float, default=None,
                        help="training time of each job in the emulator (default 0.3 s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as state, \
            CrashableStack(state, emulator_timings=FAST_EMULATOR) as stack:
        idle_mb = stack.host_peak_rss_mb()
        result = run_load(stack, args.datasets, args.http, args.timeout, args.job_seconds)
        found = problems(result)
        print(json.dumps({
            "datasets": args.datasets, "http_starts": args.http,
            "job_seconds": args.job_seconds or LOAD_TIMINGS["job_duration_seconds"],
            "runs": len(result.started),
            "completed": sum(1 for s in result.statuses.values() if s["runtimeStatus"] == "Completed"),
            "jobs": len(result.state["jobs"]), "training_files": len(training_files(result)),
            "job_creates_refused_429": quota_refusals(stack),
            "problems": found[:10], "problem_count": len(found),
            "wall_seconds": round(result.wall_seconds, 1),
            "runs_per_minute": round(result.runs_per_minute, 1),
            "host_rss_mb_after_start": round(idle_mb, 1),
            "host_peak_rss_mb": round(result.host_peak_rss_mb, 1),
            "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        }))
    return 0 if not found else 1


if __name__ == "__main__":
    sys.exit(main())
