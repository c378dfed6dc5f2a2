"""Pipeline upload benchmark: a blob streamed to the files API keeps the uploader's memory flat.

Usage: .venv/bin/python bench/bench_upload.py [--megabytes 200]
Starts Azurite and `python -m local emulator`, writes a generated chat JSONL blob, then runs
the upload in a fresh child process twice: once through the app's path (shared.storage_ops
.open_blob_reader -> shared.aoai_ops.upload_file, chunked) and once the naive way (download
the whole blob, upload the bytes). Prints each child's peak RSS (ru_maxrss) and duration.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from local.azurite import start_azurite  # noqa: E402

CHILD = r"""
import io, json, resource, sys, time
from shared import aoai_ops, clients, storage_ops
from shared.settings import load_settings
mode, name = sys.argv[1], sys.argv[2]
settings = load_settings()
blobs, client = clients.blob_service(settings), clients.openai_client(settings)
client.files.list()  # connections and imports warmed before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
if mode == "streamed":
    with storage_ops.open_blob_reader(blobs, settings.datasets_container, name) as stream:
        result = aoai_ops.upload_file(client, stream, f"bench-{mode}.jsonl")
else:
    data = blobs.get_blob_client(settings.datasets_container, name).download_blob().readall()
    result = aoai_ops.upload_file(client, io.BytesIO(data), f"bench-{mode}.jsonl")
elapsed = time.monotonic() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"mode": mode, "bytes": result["bytes"], "seconds": elapsed,
                  "rss_before_mb": before / 1024, "rss_peak_mb": peak / 1024}))
"""


def _write_dataset(path: Path, megabytes: int) -> None:
    line = json.dumps({"messages": [{"role": "user", "content": "q" * 200},
                                    {"role": "assistant", "content": "a" * 200}]})
    count = megabytes * 1024 * 1024 // (len(line) + 1)
    with path.open("w", encoding="utf-8") as sink:
        for _ in range(count):
            sink.write(line + "\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        azurite = start_azurite(Path(folder) / "azurite")
        emulator = subprocess.Popen([sys.executable, "-m", "local", "emulator", "--port", "0"], cwd=REPO_ROOT,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            info = json.loads(emulator.stdout.readline())
            env = {**os.environ, "AzureWebJobsStorage": azurite.connection_string,
                   "AZURE_OPENAI_ENDPOINT": info["endpoint"], "AZURE_OPENAI_API_KEY": info["api_key"],
                   "SSL_CERT_FILE": info["ca_cert"], "REQUESTS_CA_BUNDLE": info["ca_cert"],
                   "PYTHONPATH": str(REPO_ROOT)}
            from azure.storage.blob import BlobServiceClient

            dataset = Path(folder) / "big.jsonl"
            _write_dataset(dataset, args.megabytes)
            blobs = BlobServiceClient.from_connection_string(azurite.connection_string)
            blobs.create_container("datasets")
            with dataset.open("rb") as source:
                blobs.get_blob_client("datasets", "bench/train.jsonl").upload_blob(source, max_concurrency=2)
            for mode in ("streamed", "whole"):
                out = subprocess.run([sys.executable, "-c", CHILD, mode, "bench/train.jsonl"], env=env,
                                     cwd=REPO_ROOT, capture_output=True, text=True, check=True)
                figures = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{mode:9s} {figures['bytes'] / 1e6:.0f} MB in {figures['seconds']:.1f} s; "
                      f"uploader RSS {figures['rss_before_mb']:.0f} MB before, "
                      f"{figures['rss_peak_mb']:.0f} MB peak")
        finally:
            emulator.terminate()
            emulator.wait(30)
            azurite.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
