"""Benchmark of the local Functions + Durable host (figures in docs/benchmarks.md, "## Local host").

1. Activity round trip: an orchestration that calls a no-op activity N times, run in-process
   on the real engine (SQLite store, SDK replay, worker pools). Per round trip = wall time /
   (N + 1 episodes). The orchestrator's own replay time is measured too, so the host overhead
   (store, dispatch, activity hop) is shown apart from the SDK's replay.
2. Replay cost as a history grows: replay + action planning of one episode over synthetic
   sequence histories of about 100, 1,000 and 5,000 events.

Usage: .venv/bin/python bench/bench_host.py [--steps 10] [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import azure.durable_functions as df

from local.host import history as h
from local.host.actions import plan_episode
from local.host.replay import replay
from local.host.server import start_host
from local.host.settings import HostSettings
from local.host.store import TERMINAL

BENCH_APP = '''
import azure.durable_functions as df
app = df.DFApp()

@app.orchestration_trigger(context_name="context", orchestration="chain")
def chain(context):
    for step in range(context.get_input()):
        yield context.call_activity("noop", step)
    return "done"

@app.activity_trigger(input_name="step", activity="noop")
def noop(step: int) -> int:
    return step
'''


def _chain(context):
    for step in range(context.get_input()):
        yield context.call_activity("noop", step)
    return "done"


async def activity_round_trips(steps: int, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        app_dir = Path(folder)
        (app_dir / "function_app.py").write_text(BENCH_APP)
        host = await start_host(HostSettings(app_dir=app_dir, state_dir=app_dir / "state", port=0))
        per_trip: list[float] = []
        try:
            for run in range(runs + 1):
                instance_id = f"bench-{run}"
                started = time.perf_counter()
                host.engine.start_instance("chain", instance_id, json.dumps(json.dumps(steps)))
                while host.engine.store.instance(instance_id).status not in TERMINAL:
                    await asyncio.sleep(0.0002)
                if run:  # the first run warms up imports and SQLite
                    per_trip.append((time.perf_counter() - started) / (steps + 1))
        finally:
            await host.stop()
    replay_ms = short_history_replay_ms(steps)
    median = statistics.median(per_trip) * 1000
    return {"round_trip_ms": median, "replay_ms": replay_ms, "host_overhead_ms": median - replay_ms}


def sequence_history(steps: int) -> list[dict]:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    events = [h.orchestrator_started(t0), h.execution_started(t0, "chain", json.dumps(json.dumps(steps + 1)),
                                                              "b", "e")]
    for seq in range(steps):
        events += [h.task_scheduled(t0, seq, "noop", str(seq)), h.orchestrator_completed(t0),
                   h.orchestrator_started(t0), h.task_completed(t0, seq, str(seq))]
    return events


def replay_ms(events: list[dict], repeat: int) -> float:
    handle = df.Orchestrator.create(_chain)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        episode = replay(handle, "b", events[1]["Input"], events)
        plan_episode(episode, events, datetime.now(UTC), "chain", "e")
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def short_history_replay_ms(steps: int) -> float:
    """Mean replay time over the episodes of one ``steps``-long chain (histories of 2..4*steps events)."""
    return statistics.mean(replay_ms(sequence_history(n), 5) for n in range(steps + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    trips = asyncio.run(activity_round_trips(args.steps, args.runs))
    print(f"activity round trip ({args.steps}-step chain, median of {args.runs} runs): "
          f"{trips['round_trip_ms']:.2f} ms, of which SDK replay {trips['replay_ms']:.2f} ms, "
          f"host overhead {trips['host_overhead_ms']:.2f} ms")
    for target in (100, 1000, 5000):
        events = sequence_history((target - 2) // 4)
        print(f"replay + plan of one episode, {len(events)} events: {replay_ms(events, 3):.1f} ms")


if __name__ == "__main__":
    main()
