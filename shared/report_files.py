"""A run's report blobs as the HTTP API hands them out: a fixed list of names, each with its type.

Plain functions over a ``BlobServiceClient`` passed in (GET /api/finetune/{id}/reports[/{name}]).
Only the names below are ever read, from the run's own folder ``<run>/<instance>/`` of the
reports container: a name is a key of ``REPORT_TYPES``, never a path, so nothing outside
that folder (partials, other runs, the datasets) can be reached through the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobServiceClient

from shared import names

CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"
SVG_TYPE = "image/svg+xml"
# Every report the pipeline writes, in the order a reader wants them; name -> content type.
REPORT_TYPES: dict[str, str] = {
    names.REPORT_SUMMARY: JSON_TYPE,
    names.REPORT_VALIDATION: JSON_TYPE,
    names.REPORT_VALIDATION_VALID: JSON_TYPE,
    names.REPORT_RESULTS: CSV_TYPE,
    names.REPORT_LOSS: SVG_TYPE,
    names.REPORT_EVAL: JSON_TYPE,
    names.REPORT_EVAL_CSV: CSV_TYPE,
    names.REPORT_EVAL_CHART: SVG_TYPE,
}
# Far above any report (eval.csv keeps 10,000 characters per text cell, 200 examples by default).
MAX_REPORT_BYTES = 64 * 1024 * 1024


class ReportTooLarge(Exception):
    """The blob is larger than the API hands out in one answer."""


@dataclass(frozen=True)
class ReportFile:
    """One report blob of a run: its name, type, size and the time it was written."""

    name: str
    content_type: str
    size: int
    last_modified: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "content_type": self.content_type, "size": self.size,
                "last_modified": self.last_modified}


def run_folder(run: str, instance_id: str) -> str:
    """The run's folder in the reports container (``<run>/<instance>/``)."""
    return names.report_path(run, instance_id, "")


def list_reports(service: BlobServiceClient, container: str, folder: str) -> list[ReportFile]:
    """The known report blobs that exist in ``folder``, in ``REPORT_TYPES`` order."""
    found: dict[str, ReportFile] = {}
    client = service.get_container_client(container)
    try:
        for blob in client.walk_blobs(name_starts_with=folder, delimiter="/"):
            name = blob.name[len(folder):]
            if name in REPORT_TYPES:
                modified = getattr(blob, "last_modified", None)
                found[name] = ReportFile(name, REPORT_TYPES[name], int(blob.size or 0),
                                         modified.strftime("%Y-%m-%dT%H:%M:%SZ") if modified else None)
    except ResourceNotFoundError:  # no reports container yet: no reports
        return []
    return [found[name] for name in REPORT_TYPES if name in found]


def read_report(service: BlobServiceClient, container: str, folder: str, name: str) -> bytes | None:
    """The bytes of report ``name`` in ``folder``; None when it does not exist.

    Raises KeyError for a name that is not a report and ReportTooLarge past MAX_REPORT_BYTES.
    """
    if name not in REPORT_TYPES:
        raise KeyError(name)
    client = service.get_blob_client(container, folder + name)
    try:
        stream = client.download_blob()
    except ResourceNotFoundError:
        return None
    if stream.size > MAX_REPORT_BYTES:
        raise ReportTooLarge(f"{name} is {stream.size} bytes")
    return stream.readall()
