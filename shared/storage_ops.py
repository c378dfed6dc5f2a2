"""Blob storage effects of the pipeline: list a run folder, stream a dataset, read and write reports.

Plain functions over a ``BlobServiceClient`` passed in. Datasets are only ever read
(with the ETag the run was started for, so a dataset replaced mid-run is noticed
rather than silently mixed); reports go to the reports container only.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient, ContentSettings

from shared import errors
from shared.blob_stream import ChunkStreamReader

MAX_SETTINGS_BYTES = 64 * 1024
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class BlobEntry:
    """One blob of a run folder: full name, ETag and size in bytes."""

    name: str
    etag: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_ref(self) -> dict[str, Any]:
        """The BlobRef dict (shared/payloads.py) of this blob."""
        return {"path": self.name, "etag": self.etag, "size": self.size}


def normalize_etag(etag: str | None) -> str | None:
    """The ETag in its header form (quoted): blob listings give it bare, properties quoted."""
    if not etag:
        return etag
    return f'"{etag.strip(chr(34))}"'


def same_etag(first: str | None, second: str | None) -> bool:
    """True when two ETags name the same version, whatever their quoting."""
    return normalize_etag(first) == normalize_etag(second)


def list_run_folder(service: BlobServiceClient, container: str, run: str) -> list[BlobEntry]:
    """The blobs directly inside ``<container>/<run>/`` (or the single blob ``run``), sorted by name."""
    client = service.get_container_client(container)
    prefix = run.rstrip("/") + "/"
    entries = [
        BlobEntry(blob.name, normalize_etag(blob.etag) or "", blob.size)
        for blob in client.list_blobs(name_starts_with=prefix)
        if "/" not in blob.name[len(prefix):]
    ]
    if not entries and not run.endswith("/"):
        single = blob_entry(service, container, run)
        if single is not None:
            entries = [single]
    return sorted(entries, key=lambda entry: entry.name)


def blob_entry(service: BlobServiceClient, container: str, name: str) -> BlobEntry | None:
    """Name, ETag and size of one blob, or None when it does not exist."""
    try:
        props = service.get_blob_client(container, name).get_blob_properties()
    except ResourceNotFoundError:
        return None
    return BlobEntry(name, normalize_etag(props.etag) or "", props.size)


def _not_found(container: str, name: str) -> errors.PipelineError:
    return errors.PipelineError(
        errors.DATASET_NOT_FOUND,
        f"The blob {container}/{name} no longer exists; upload it again to start a run.")


def _superseded(container: str, name: str) -> errors.PipelineError:
    return errors.PipelineError(
        errors.DATASET_SUPERSEDED,
        f"The blob {container}/{name} changed after this run started; the run for the new version "
        "takes over, nothing to do here.",
    )


def iter_blob_chunks(service: BlobServiceClient, container: str, name: str, *, etag: str | None = None,
                     start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """The blob's bytes [start, end) as chunks of a few MiB, never the whole blob at once.

    With ``etag`` the download fails (PipelineError dataset_superseded) if the blob changed.
    """
    if end is not None and end <= start:
        return
    options: dict[str, Any] = {}
    if etag:
        options = {"etag": etag, "match_condition": MatchConditions.IfNotModified}
    if start > 0 or end is not None:
        options.update(offset=start, length=None if end is None else end - start)
    try:
        yield from service.get_blob_client(container, name).download_blob(**options).chunks()
    except ResourceNotFoundError as exc:
        raise _not_found(container, name) from exc
    except ResourceModifiedError as exc:
        raise _superseded(container, name) from exc


def open_blob_reader(service: BlobServiceClient, container: str, name: str, *, size: int | None = None,
                     etag: str | None = None, filename: str | None = None) -> ChunkStreamReader:
    """A seekable file object over the blob that downloads chunk by chunk as it is read."""
    if size is None:
        entry = blob_entry(service, container, name)
        if entry is None:
            raise _not_found(container, name)
        size = entry.size

    def open_at(offset: int) -> Iterator[bytes]:
        return iter_blob_chunks(service, container, name, etag=etag, start=offset, end=size)

    return ChunkStreamReader(size, open_at, name=filename or name.rsplit("/", 1)[-1])


def read_small_blob(service: BlobServiceClient, container: str, name: str, max_bytes: int) -> bytes | None:
    """A small blob's bytes, or None when it does not exist; PipelineError when larger than ``max_bytes``."""
    client = service.get_blob_client(container, name)
    try:
        props = client.get_blob_properties()
        if props.size > max_bytes:
            raise errors.PipelineError(
                errors.INVALID_RUN_SETTINGS,
                f"{container}/{name} is {props.size} bytes; the limit is {max_bytes}. Make it smaller.")
        return client.download_blob(etag=props.etag, match_condition=MatchConditions.IfNotModified).readall()
    except ResourceNotFoundError:
        return None


def read_run_settings_blob(service: BlobServiceClient, container: str, name: str) -> dict[str, Any] | None:
    """The parsed ``finetune.json`` (size-capped), None when absent; PipelineError when not a JSON object."""
    from shared.run_settings import settings_from_bytes

    raw = read_small_blob(service, container, name, MAX_SETTINGS_BYTES)
    if raw is None:
        return None
    try:
        return settings_from_bytes(raw, f"{container}/{name}")
    except errors.RequestError as exc:
        raise errors.PipelineError(exc.code, exc.message) from exc


def write_report_blob(service: BlobServiceClient, reports_container: str, path: str,
                      data: bytes | str | dict[str, Any] | list[Any], content_type: str = JSON_TYPE) -> str:
    """Write (overwrite) one report blob; returns ``<container>/<path>``. Creates the container if needed."""
    if isinstance(data, (dict, list)):
        body = json.dumps(data, indent=2, sort_keys=True, default=str).encode("utf-8")
    elif isinstance(data, str):
        body = data.encode("utf-8")
    else:
        body = data
    container = service.get_container_client(reports_container)
    with contextlib.suppress(ResourceExistsError):
        container.create_container()
    settings = ContentSettings(content_type=content_type)
    container.upload_blob(path, body, overwrite=True, content_settings=settings)
    return f"{reports_container}/{path}"


def read_report_blob(service: BlobServiceClient, reports_container: str, path: str) -> bytes:
    """A report blob's bytes (partials, small); PipelineError report_failed when it is missing."""
    try:
        return service.get_blob_client(reports_container, path).download_blob().readall()
    except ResourceNotFoundError as exc:
        raise errors.PipelineError(errors.REPORT_FAILED,
                                   f"The report blob {reports_container}/{path} is missing; "
                                   "start the run again.") from exc
