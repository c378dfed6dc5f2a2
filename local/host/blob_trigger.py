"""The blob trigger: poll the containers named by blobTrigger paths, one receipt per (function, blob, ETag).

Each blob version runs its functions once, across restarts too (receipts live in SQLite). A
failing function is tried 5 times (MaxDequeueCount), then a message goes to the storage
account's ``webjobs-blobtrigger-poison`` queue, as the real host does. ``source: EventGrid``
is emulated by the same polling: there is no Event Grid locally.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.functions.blob import InputStream
from azure.storage.blob import BlobServiceClient

from local.host.app_loader import FunctionInfo
from local.host.storage import put_queue_message
from local.host.store import Store

log = logging.getLogger("local.host")
MAX_TRIES = 5
POISON_QUEUE = "webjobs-blobtrigger-poison"


def resolve_app_settings(text: str) -> str:
    """Replace %Setting% references with app settings, as binding expressions do."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise LookupError(f"LOCALHOST_UNRESOLVED_SETTING: '%{name}%' in '{text}' does not resolve to a "
                              "value; set it in local.settings.json Values or the environment.")
        return os.environ[name]

    return re.sub(r"%([^%/{}]+)%", value, text)


def path_pattern(path: str) -> tuple[str, re.Pattern[str], str]:
    """Split "container/name-pattern" into the container, a regex for blob names, and a listing prefix."""
    container, _, blob = path.partition("/")
    regex, pos, prefix = [], 0, None
    for match in re.finditer(r"\{\{|\}\}|\{([^{}]+)\}", blob):
        regex.append(re.escape(_unescape(blob[pos:match.start()])))
        if match.group(1) is None:
            regex.append(re.escape(match.group(0)[0]))
        else:
            prefix = prefix if prefix is not None else _unescape(blob[:match.start()])
            regex.append(f"(?P<{match.group(1)}>.+)")
        pos = match.end()
    regex.append(re.escape(_unescape(blob[pos:])))
    listing_prefix = prefix if prefix is not None else _unescape(blob)
    return container, re.compile("^" + "".join(regex) + "$"), listing_prefix


def _unescape(text: str) -> str:
    return text.replace("{{", "{").replace("}}", "}")


def _properties(props: Any) -> dict[str, Any]:
    settings = props.content_settings
    return {"ContentLength": props.size, "ContentType": settings.content_type,
            "ContentEncoding": settings.content_encoding, "ETag": props.etag,
            "LastModified": props.last_modified.isoformat() if props.last_modified else None,
            "CreatedOn": props.creation_time.isoformat() if props.creation_time else None,
            "BlobType": str(getattr(props.blob_type, "value", props.blob_type))}


class BlobPoller:
    """Polls every ``interval`` seconds; runs due functions one blob at a time."""

    def __init__(self, functions: list[FunctionInfo], store: Store, interval: float, app_name: str,
                 client_binding: Callable[[], str] | None = None) -> None:
        self.functions = functions
        self.client_binding = client_binding  # durableClient binding JSON for blob-started orchestrations
        self.store = store
        self.interval = interval
        self.app_name = app_name
        self._task: asyncio.Task | None = None
        self._last_error: dict[str, str] = {}

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="blob-poller")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            for info in self.functions:
                try:
                    await self.poll(info)
                    self._last_error.pop(info.name, None)
                except Exception as exc:  # storage down or misconfigured: say so once, keep polling
                    if self._last_error.get(info.name) != str(exc):
                        log.warning("blob poll for %s failed: %s", info.name, exc)
                    self._last_error[info.name] = str(exc)
            await asyncio.sleep(self.interval)

    def _connection(self, info: FunctionInfo) -> str:
        setting = info.trigger_binding.get("connection") or "AzureWebJobsStorage"
        value = os.environ.get(setting) or os.environ.get(f"AzureWebJobs{setting}")
        if not value:
            raise LookupError(f"LOCALHOST_NO_CONNECTION: the setting '{setting}' named by the blob trigger "
                              "is not set; add it to local.settings.json Values or the environment.")
        return value

    async def poll(self, info: FunctionInfo) -> None:
        connection = self._connection(info)
        container, pattern, prefix = path_pattern(resolve_app_settings(info.trigger_binding["path"]))
        service = BlobServiceClient.from_connection_string(connection)
        client = service.get_container_client(container)
        blobs = await asyncio.to_thread(lambda: list(client.list_blobs(name_starts_with=prefix or None,
                                                                         include=["metadata"])))
        for props in blobs:
            if not pattern.match(props.name):
                continue
            receipt = self.store.receipt(info.name, container, props.name, props.etag)
            if receipt is not None and receipt[0] in ("done", "poison"):
                continue
            await self._deliver(info, client, props, receipt[1] if receipt else 0, connection)

    async def _deliver(self, info: FunctionInfo, client: Any, props: Any, tries: int,
                       connection: str) -> None:
        container, name, etag = client.container_name, props.name, props.etag
        while tries < MAX_TRIES:
            tries += 1
            self.store.set_receipt(info.name, container, name, etag, "pending", tries)
            started = time.perf_counter()
            try:
                await self._invoke(info, client, props)
            except (ResourceModifiedError, ResourceNotFoundError):
                # Changed or deleted since the listing: this version is gone; a new ETag is a new receipt.
                self.store.set_receipt(info.name, container, name, etag, "done", tries)
                return
            except Exception as exc:
                log.info("blob %s blob=%s/%s try=%d duration=%.1fms outcome=Failed (%s: %s)", info.name,
                         container, name, tries, (time.perf_counter() - started) * 1000,
                         type(exc).__name__, exc)
                continue
            log.info("blob %s blob=%s/%s duration=%.1fms outcome=Succeeded", info.name, container, name,
                     (time.perf_counter() - started) * 1000)
            self.store.set_receipt(info.name, container, name, etag, "done", tries)
            return
        message = json.dumps({"FunctionId": f"{self.app_name}.Functions.{info.name}", "BlobType": "BlockBlob",
                              "ContainerName": container, "BlobName": name, "ETag": etag})
        await asyncio.to_thread(put_queue_message, connection, POISON_QUEUE, message)
        self.store.set_receipt(info.name, container, name, etag, "poison", tries)
        log.warning("blob %s blob=%s/%s failed %d times: message sent to %s", info.name, container, name,
                    tries, POISON_QUEUE)

    async def run_once(self, info: FunctionInfo, blob_path: str) -> None:
        """POST /admin/functions/{name} with ``{"input": "container/blob"}``: run the function on that
        blob now, without a receipt (the blob binding resolves the path it is given)."""
        container, _, name = blob_path.strip("/").partition("/")
        service = BlobServiceClient.from_connection_string(self._connection(info))
        client = service.get_container_client(container)
        props = await asyncio.to_thread(lambda: client.get_blob_client(name).get_blob_properties())
        started = time.perf_counter()
        await self._invoke(info, client, props)
        log.info("blob %s blob=%s/%s (admin) duration=%.1fms outcome=Succeeded", info.name, container, name,
                 (time.perf_counter() - started) * 1000)

    async def _invoke(self, info: FunctionInfo, client: Any, props: Any) -> None:
        blob = client.get_blob_client(props.name)
        data = await asyncio.to_thread(lambda: blob.download_blob(etag=props.etag,
                                                                  match_condition=_if_match()).readall())
        stream = InputStream(data=data, name=f"{client.container_name}/{props.name}", uri=blob.url,
                             length=props.size, blob_properties=_properties(props),
                             metadata=dict(props.metadata or {}))
        kwargs: dict[str, Any] = {info.trigger_param: stream}
        if info.client_param and self.client_binding is not None:
            kwargs[info.client_param] = self.client_binding()
        if info.is_async:
            await info.func(**kwargs)
        else:
            await asyncio.to_thread(lambda: info.func(**kwargs))


def _if_match() -> Any:
    from azure.core import MatchConditions

    return MatchConditions.IfNotModified
