"""Emulator benchmark: a large multipart upload is streamed to disk (server RSS stays flat).

Usage: .venv/bin/python bench/bench_emulator.py [--megabytes 300]
Starts `python -m local emulator` as a subprocess, uploads a generated JSONL file with curl,
samples the server's VmRSS every 50 ms, waits until the file is processed, and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _write_dataset(path: Path, megabytes: int) -> None:
    line = json.dumps(
        {"messages": [{"role": "user", "content": "q" * 200}, {"role": "assistant", "content": "a" * 200}]}
    )
    count = megabytes * 1024 * 1024 // (len(line) + 1)
    with path.open("w", encoding="utf-8") as sink:
        for _ in range(count):
            sink.write(line + "\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        dataset = Path(folder) / "big.jsonl"
        _write_dataset(dataset, args.megabytes)
        server = subprocess.Popen(
            [sys.executable, "-m", "local", "emulator", "--port", "0"],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        try:
            info = json.loads(server.stdout.readline())
            base_rss = _rss_kb(server.pid)
            peak = [base_rss]
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], _rss_kb(server.pid))
                    time.sleep(0.05)

            threading.Thread(target=sample, daemon=True).start()
            curl = ["curl", "-sS", "--cacert", info["ca_cert"], "-H", f"api-key: {info['api_key']}"]
            started = time.monotonic()
            answer = subprocess.run(
                [*curl, "-F", "purpose=fine-tune", "-F", f"file=@{dataset}",
                 f"{info['endpoint']}/openai/files?api-version=2024-10-21"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            uploaded = time.monotonic() - started
            file_id = json.loads(answer.stdout)["id"]
            url = f"{info['endpoint']}/openai/files/{file_id}?api-version=2024-10-21"
            while (
                json.loads(subprocess.run([*curl, url], capture_output=True, text=True).stdout)["status"]
                == "pending"
            ):
                time.sleep(0.2)
            processed = time.monotonic() - started
            done.set()
        finally:
            server.terminate()
            server.wait(30)
    size = args.megabytes
    print(f"upload {size} MB: {uploaded:.1f} s; processed (validated) after {processed:.1f} s")
    print(
        f"server RSS: {base_rss / 1024:.0f} MB idle, {peak[0] / 1024:.0f} MB peak ({size} MB file)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
