"""Helpers of the activity tests: datasets, calling an activity as the worker does, the app's env."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.storage.blob import BlobServiceClient

from shared.settings import Settings
from tests.fixtures.emulator import EmulatorHandle

BASE_MODEL = "gpt-4o-mini-2024-07-18"


def chat_example(i: int) -> dict[str, Any]:
    return {"messages": [{"role": "system", "content": "You answer briefly."},
                         {"role": "user", "content": f"Question number {i}?"},
                         {"role": "assistant", "content": f"Answer number {i}."}]}


def chat_jsonl(count: int = 12, start: int = 0) -> bytes:
    return b"".join(json.dumps(chat_example(i)).encode() + b"\n" for i in range(start, start + count))


def call(activity: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Invoke an activity's user function as the worker does, with a JSON round trip on both sides."""
    function: Callable[[dict], dict] = activity.build().get_user_function()
    return json.loads(json.dumps(function(json.loads(json.dumps(payload)))))


@dataclass
class AppEnv:
    """What a test needs: the app's settings, storage, and (when used) the emulator."""

    settings: Settings
    blobs: BlobServiceClient
    emulator: EmulatorHandle | None = None

    def put(self, name: str, data: bytes) -> dict[str, Any]:
        """Upload a dataset blob; returns its BlobRef dict."""
        client = self.blobs.get_blob_client(self.settings.datasets_container, name)
        client.upload_blob(data, overwrite=True)
        props = client.get_blob_properties()
        return {"path": name, "etag": props.etag, "size": props.size}

    def report(self, path: str) -> bytes:
        return self.blobs.get_blob_client(self.settings.reports_container, path).download_blob().readall()



def wait_for(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
    return value
