"""Uploaded files: records, blobs on disk, and the pending -> processed | error lifecycle."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from local.aoai.config import Timings
from local.aoai.errors import aoai_error
from local.aoai.models.common import new_id, paginate
from local.aoai.models.faults import Faults

PURPOSES = {"fine-tune", "fine-tune-results", "assistants", "assistants_output", "batch", "evals"}
VALIDATED_PURPOSES = {"fine-tune"}


@dataclass
class FileRecord:
    id: str
    filename: str
    purpose: str
    bytes: int
    created_at: float
    ready_at: float
    status: str = "pending"
    status_details: str | None = None
    verdict: str | None = None  # "ok" or the validation message, once checked
    checked: bool = False
    source_url: str | None = None  # /files/import: where the content is being fetched from

    def to_api(self, v1: bool = False) -> dict[str, Any]:
        """The File object; on /openai/v1 `status_details` is a string or absent, never null."""
        body: dict[str, Any] = {
            "object": "file",
            "id": self.id,
            "purpose": self.purpose,
            "filename": self.filename,
            "bytes": self.bytes,
            "created_at": int(self.created_at),
            "status": self.status,
            "status_details": self.status_details,
        }
        if v1 and self.status_details is None:
            del body["status_details"]
        return body


class FilesModel:
    """All files of the resource; blobs live in `blobs` as <file id>.bin."""

    def __init__(self, blobs: Path, timings: Timings, faults: Faults) -> None:
        self.blobs = blobs
        self.timings = timings
        self.faults = faults
        self.records: dict[str, FileRecord] = {}

    def new_upload(self) -> tuple[str, Path]:
        """Reserve an id and the path the upload streams into."""
        file_id = new_id("file", "-")
        return file_id, self.blobs / f"{file_id}.bin"

    def blob_path(self, file_id: str) -> Path:
        return self.blobs / f"{file_id}.bin"

    def check_purpose(self, purpose: str | None) -> str:
        if not purpose:
            raise aoai_error(400, "invalidPayload", "The 'purpose' field is required.", "purpose")
        if purpose not in PURPOSES:
            raise aoai_error(
                400, "invalidPayload", f"The purpose '{purpose}' is not supported for file upload.", "purpose"
            )
        return purpose

    def add(self, file_id: str, filename: str, purpose: str, size: int, now: float) -> FileRecord:
        record = FileRecord(
            id=file_id,
            filename=filename,
            purpose=purpose,
            bytes=size,
            created_at=now,
            ready_at=now + self.timings.file_processing_seconds,
        )
        if purpose not in VALIDATED_PURPOSES:
            record.verdict, record.checked = "ok", True
        failure = self.faults.take_file_failure(filename)
        if failure is not None:
            record.verdict, record.checked = failure.message, True
        self.records[file_id] = record
        return record

    def add_generated(self, filename: str, purpose: str, content: bytes, now: float) -> FileRecord:
        """A file the service writes itself (results CSV): processed at once."""
        file_id, path = self.new_upload()
        path.write_bytes(content)
        record = FileRecord(file_id, filename, purpose, len(content), now, now, "processed", None, "ok", True)
        self.records[file_id] = record
        return record

    def add_import(self, filename: str, purpose: str, url: str, now: float) -> FileRecord:
        """A file whose content is still being fetched from `url`: pending until it arrives."""
        file_id, _ = self.new_upload()
        record = self.add(file_id, filename, purpose, 0, now)
        record.source_url = url
        if record.verdict == "ok":  # not checked before its content is here
            record.verdict, record.checked = None, False
        return record

    def imported(self, file_id: str, size: int | None, problem: str | None) -> bool:
        """The fetch of an import ended; returns whether the content must now be validated."""
        record = self.records.get(file_id)
        if record is None or record.checked:
            return False
        record.source_url = None
        if problem is not None:
            record.verdict, record.checked = problem, True
            return False
        record.bytes = size or 0
        if record.purpose not in VALIDATED_PURPOSES:
            record.verdict, record.checked = "ok", True
            return False
        return True

    def importing(self) -> list[FileRecord]:
        return [r for r in self.records.values() if r.source_url is not None and not r.checked]

    def set_verdict(self, file_id: str, problem: str | None) -> None:
        record = self.records.get(file_id)
        if record is not None and not record.checked:
            record.verdict, record.checked = problem or "ok", True

    def unchecked(self) -> list[FileRecord]:
        return [
            r for r in self.records.values()
            if not r.checked and r.status == "pending" and r.source_url is None
        ]

    def advance(self, now: float) -> bool:
        changed = False
        for record in self.records.values():
            if record.status == "pending" and record.checked and now >= record.ready_at:
                if record.verdict == "ok":
                    record.status = "processed"
                else:
                    record.status, record.status_details = "error", record.verdict
                changed = True
        return changed

    def get(self, file_id: str) -> FileRecord:
        record = self.records.get(file_id)
        if record is None:
            raise aoai_error(404, "notFound", f"File with id '{file_id}' not found.", "file_id")
        return record

    def list(
        self, purpose: str | None, after: str | None, limit: int, order: str
    ) -> tuple[list[FileRecord], bool]:
        items = [r for r in self.records.values() if purpose in (None, "", r.purpose)]
        if order != "asc":
            items.reverse()  # then the stable sort keeps creation order among equal timestamps
        items.sort(key=lambda r: r.created_at, reverse=(order != "asc"))
        return paginate(items, after, limit)

    def delete(self, file_id: str) -> None:
        self.get(file_id)
        del self.records[file_id]
        self.blob_path(file_id).unlink(missing_ok=True)

    def to_dict(self) -> dict[str, Any]:
        return {file_id: asdict(record) for file_id, record in self.records.items()}

    def load(self, data: dict[str, Any]) -> None:
        self.records = {file_id: FileRecord(**item) for file_id, item in data.items()}
