"""Dataset effects: read a run folder, validate a streamed dataset (whole or by byte ranges).

The validation engine (shared/validation) sees the blob only as a stream of chunks,
so memory stays at a few MiB whatever the file's size. Reports go to the reports
container: ``validation.<role>.json`` for a file, ``partials/<n>.bin`` for a range's partial
result (merged and finalized by ``merge_validation``). What returns to the
orchestrator is a ValidationSummary dict, never the dataset or the whole report.
"""

from __future__ import annotations

from typing import Any

from azure.storage.blob import BlobServiceClient

from shared import errors, run_folder
from shared.errors import RequestError
from shared.run_settings import RunSettings, parse_run_settings
from shared.settings import Settings
from shared.storage_ops import (
    blob_entry,
    iter_blob_chunks,
    list_run_folder,
    read_report_blob,
    read_run_settings_blob,
    same_etag,
    write_report_blob,
)
from shared.validation import (
    UnknownModelError,
    ValidationOptions,
    finalize,
    merge_partials,
    validate_chunks,
    validate_range_chunks,
)
from shared.validation.partial import PartialResult
from shared.validation_digest import summarize


# ---- The run folder ----
def _resolve_settings(service: BlobServiceClient, settings: Settings, request: dict[str, Any],
                      settings_path: str | None) -> dict[str, Any]:
    given = request.get("settings")
    if given is not None:
        try:
            return parse_run_settings(given, settings).to_dict()  # raw settings (an HTTP body's)
        except RequestError:
            return RunSettings.from_dict(given).to_dict()  # already a RunSettings dict
    raw = None
    if settings_path:
        raw = read_run_settings_blob(service, settings.datasets_container, settings_path)
    try:
        return parse_run_settings(raw, settings).to_dict()
    except RequestError as exc:  # its own code: invalid_run_settings, method_not_supported, invalid_grader
        where = f" ({exc.field})" if exc.field else ""
        raise errors.PipelineError(exc.code, f"{settings_path}{where}: {exc.message}") from exc


def read_run_folder(service: BlobServiceClient, settings: Settings,
                    request: dict[str, Any]) -> dict[str, Any]:
    """A RunFolder dict for a ReadRunFolderInput dict: the files, the resolved settings, superseded or not."""
    container = settings.datasets_container
    wanted = request["training"]
    try:
        if request.get("discover", True) and "/" in wanted["path"]:
            listing = list_run_folder(service, container, request["run"])
            contents = run_folder.read_folder(request["run"], [(e.name, e.etag, e.size) for e in listing])
            problem = contents.error()
            if problem:
                return {"error": problem, "superseded": False}
            training, validation = contents.training.to_dict(), (  # type: ignore[union-attr]
                contents.validation.to_dict() if contents.validation else None)
            settings_path = contents.settings_path
        else:
            current = blob_entry(service, container, wanted["path"])
            training = current.as_ref() if current else None
            validation = _explicit_validation(service, container, request.get("validation_path"))
            settings_path = request.get("settings_path")
        if training is None:
            return errors.error_result(errors.DATASET_NOT_FOUND,
                                       f"The training file {container}/{wanted['path']} no longer exists.",
                                       superseded=False)
        if training["path"] != wanted["path"] or (
                wanted.get("etag") and not same_etag(training["etag"], wanted["etag"])):
            return {"training": training, "validation": validation, "settings": {}, "superseded": True,
                    "error": None}
        resolved = _resolve_settings(service, settings, request, settings_path)
    except errors.PipelineError as exc:
        return errors.error_result(exc.code, exc.message, superseded=False)
    return {"training": training, "validation": validation, "settings": resolved, "superseded": False,
            "error": None}


def _explicit_validation(service: BlobServiceClient, container: str,
                         path: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    entry = blob_entry(service, container, path)
    if entry is None:
        raise errors.PipelineError(errors.DATASET_NOT_FOUND,
                                   f"The validation file {container}/{path} does not exist; upload it or "
                                   "leave it out of the request.")
    return entry.as_ref()


# ---- Validation ----
def validation_options(settings: Settings, request: dict[str, Any]) -> ValidationOptions:
    """Engine options for a Validate*/Merge* input dict."""
    return ValidationOptions(model=request["model"], n_epochs=request.get("n_epochs"),
                             price_overrides=settings.price_overrides or None,
                             max_file_bytes=settings.max_file_bytes, role=request.get("role", "training"),
                             training_type=request.get("training_type"),
                             **method_options(request, settings.rft_example_epochs_per_hour))


def method_options(request: dict[str, Any], rft_rate: float) -> dict[str, Any]:
    """The ValidationOptions of a run's method (a Validate* input dict, or a RunSettings-like dict)."""
    return {"method": request.get("method") or None,
            "item_fields": tuple(request.get("item_fields") or ()),
            "method_hyperparameters": dict(request.get("method_hyperparameters") or {}),
            "rft_example_epochs_per_hour": rft_rate}


def _unknown_model(exc: UnknownModelError, role: str) -> dict[str, Any]:
    return {"role": role, "ok": False, **errors.error_result(errors.UNKNOWN_MODEL, str(exc))}


def validate_blob(service: BlobServiceClient, settings: Settings, request: dict[str, Any]) -> dict[str, Any]:
    """Validate a whole dataset blob (ValidateInput dict) and write its report; a ValidationSummary dict."""
    blob, role = request["blob"], request.get("role", "training")
    try:
        options = validation_options(settings, request)
        chunks = iter_blob_chunks(service, settings.datasets_container, blob["path"], etag=blob.get("etag"))
        report = validate_chunks(chunks, options, total_bytes=blob.get("size"))
    except UnknownModelError as exc:
        return _unknown_model(exc, role)
    except errors.PipelineError as exc:
        return {"role": role, "ok": False, **errors.error_result(exc.code, exc.message)}
    write_report_blob(service, settings.reports_container, request["report_path"], report.to_dict())
    return summarize(report, role, request["report_path"], settings.reports_container)


def validate_blob_range(service: BlobServiceClient, settings: Settings,
                        request: dict[str, Any]) -> dict[str, Any]:
    """Validate the lines byte range [range_start, range_end) owns; store the partial; a RangeResult dict."""
    blob, start, end = request["blob"], request["range_start"], request["range_end"]
    try:
        options = validation_options(settings, request)
        # From the range's start to the end of the blob: the engine stops reading after the
        # line that crosses range_end, and the download is lazy, so at most a chunk more is fetched.
        chunks = iter_blob_chunks(service, settings.datasets_container, blob["path"], etag=blob.get("etag"),
                                  start=start)
        partial = validate_range_chunks(chunks, options, range_start=start, range_end=end)
    except UnknownModelError as exc:
        return {"range_start": start, "range_end": end, **errors.error_result(errors.UNKNOWN_MODEL, str(exc))}
    except errors.PipelineError as exc:
        return {"range_start": start, "range_end": end, **errors.error_result(exc.code, exc.message)}
    write_report_blob(service, settings.reports_container, request["partial_path"], partial.to_bytes(),
                      content_type="application/octet-stream")
    return {"partial_path": request["partial_path"], "range_start": start, "range_end": end, "error": None}


def merge_validation(service: BlobServiceClient, settings: Settings,
                     request: dict[str, Any]) -> dict[str, Any]:
    """Merge the stored partials (MergeValidationInput dict, in range order), finalize, write the report."""
    role = request.get("role", "training")
    try:
        options = validation_options(settings, request)
        partials = [PartialResult.from_bytes(read_report_blob(service, settings.reports_container, path))
                    for path in request["partial_paths"]]
        report = finalize(merge_partials(partials), options, total_bytes=request["blob"].get("size"))
    except UnknownModelError as exc:
        return _unknown_model(exc, role)
    except errors.PipelineError as exc:
        return {"role": role, "ok": False, **errors.error_result(exc.code, exc.message)}
    write_report_blob(service, settings.reports_container, request["report_path"], report.to_dict())
    return summarize(report, role, request["report_path"], settings.reports_container)
