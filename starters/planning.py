"""Pure decisions of the starters: which run a blob belongs to, and what an HTTP body asks for.

``plan_blob_start`` maps ANY blob event of a run (training, validation or finetune.json, in
any order) to the run's instance id, derived from the run folder's training blob and its
ETag: no training file yet means nothing starts; the same training version always gives the
same id (a duplicate delivery finds the instance and starts nothing); a new version gives a
new id. ``parse_start_body`` checks a POST /api/finetune body field by field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from shared import run_folder, run_ids
from shared.errors import INVALID_REQUEST, RequestError
from shared.payloads import BlobRef, RunRequest, Timing
from shared.run_settings import parse_run_settings
from shared.settings import Settings

Listing = Callable[[str], Iterable[tuple[str, str | None, int | None]]]
BODY_KEYS = {"training_file", "validation_file", "settings"}


@dataclass(frozen=True)
class StartPlan:
    instance_id: str
    request: RunRequest


def timing_from(settings: Settings) -> Timing:
    """The orchestration's timing, fixed in its input when the run starts."""
    return Timing(
        settle_seconds=settings.settle_seconds, files_poll_seconds=settings.files_poll_seconds,
        files_timeout_minutes=settings.files_timeout_minutes,
        monitor_min_poll_seconds=settings.monitor_min_poll_seconds,
        monitor_max_poll_seconds=settings.monitor_max_poll_seconds,
        monitor_deadline_hours=settings.monitor_deadline_hours,
        deploy_poll_seconds=settings.deploy_poll_seconds,
        deploy_timeout_minutes=settings.deploy_timeout_minutes,
        validation_range_bytes=settings.validation_range_bytes,
        reports_container=settings.reports_container, datasets_container=settings.datasets_container)


def blob_name_in_container(trigger_name: str, container: str) -> str | None:
    """The blob's name inside ``container`` from the trigger's "container/name" (None: another container)."""
    prefix = f"{container}/"
    return trigger_name[len(prefix):] if trigger_name.startswith(prefix) else None


def plan_blob_start(blob_name: str, listing: Listing, timing: Timing) -> StartPlan | None:
    """The run a blob event belongs to, or None when nothing should start (yet)."""
    seen = run_folder.classify(blob_name)
    if seen is None:
        return None
    if not seen.in_folder:
        entries = [entry for entry in listing(blob_name) if entry[0] == blob_name]
        if not entries:
            return None  # deleted since the event
        name, etag, size = entries[0]
        training, settings_path = BlobRef(path=name, etag=etag, size=size), None
    else:
        contents = run_folder.read_folder(seen.run, listing(run_folder.folder_prefix(seen.run)))
        if contents.training is None:
            return None  # the training file has not landed yet: its own event will start the run
        training, settings_path = contents.training, contents.settings_path
    if not training.etag:
        return None
    request = RunRequest(run=seen.run, training=training, settings_path=settings_path, discover=True,
                         source="blob", timing=timing)
    return StartPlan(run_ids.instance_id(seen.run, training.path, training.etag), request)


# ---- HTTP body ----
def dataset_path(value: Any, field: str, container: str) -> str:
    """A blob path of the datasets container: "<container>/<run>/<file>.jsonl" or "<container>/<file>.jsonl".

    Rejected: non-strings, URLs, absolute paths, backslashes, "." or ".." segments (also
    percent-encoded), other containers and names outside the dataset convention.
    """
    example = f'"{container}/<run>/train.jsonl"'
    if not isinstance(value, str) or not value.strip():
        raise RequestError(INVALID_REQUEST, f"{field} must be a blob path such as {example}.", field)
    decoded = unquote(value)
    if "://" in decoded or decoded.startswith(("/", "\\")) or "\\" in decoded or ":" in decoded:
        raise RequestError(INVALID_REQUEST, f"{field} must be a path inside the {container} container such "
                           f"as {example}, not a URL or an absolute path.", field)
    parts = decoded.split("/")
    if any(part in ("", ".", "..") for part in parts) or any(ord(ch) < 32 for ch in decoded):
        raise RequestError(INVALID_REQUEST, f"{field} must not contain empty, '.' or '..' segments.", field)
    if parts[0] != container:
        raise RequestError(INVALID_REQUEST, f"{field} must be in the {container} container (start with "
                           f"'{container}/'); got container '{parts[0]}'.", field)
    name = "/".join(parts[1:])
    if not name.lower().endswith(".jsonl") or len(parts) not in (2, 3):
        raise RequestError(INVALID_REQUEST, f"{field} must name a .jsonl file directly in the container or "
                           f"one folder below it, such as {example}.", field)
    return name


@dataclass(frozen=True)
class StartBody:
    run: str
    training_path: str
    validation_path: str | None
    settings: dict[str, Any]


def parse_start_body(body: Any, settings: Settings) -> StartBody:
    """Check a POST /api/finetune body; RequestError names the offending field."""
    if not isinstance(body, dict):
        raise RequestError(INVALID_REQUEST, "The body must be a JSON object such as "
                           '{"training_file": "datasets/<run>/train.jsonl"}.', None)
    unknown = sorted(set(body) - BODY_KEYS)
    if unknown:
        raise RequestError(INVALID_REQUEST, f"Unknown field '{unknown[0]}'. Allowed: "
                           f"{', '.join(sorted(BODY_KEYS))}.", unknown[0])
    if "training_file" not in body:
        raise RequestError(INVALID_REQUEST, "training_file is required, for example "
                           f'"{settings.datasets_container}/<run>/train.jsonl".', "training_file")
    container = settings.datasets_container
    training = dataset_path(body["training_file"], "training_file", container)
    validation = None
    if body.get("validation_file") is not None:
        validation = dataset_path(body["validation_file"], "validation_file", container)
        if validation == training:
            raise RequestError(INVALID_REQUEST, "validation_file must differ from training_file.",
                               "validation_file")
    raw_settings = body.get("settings")
    try:
        parse_run_settings(raw_settings, settings)
    except RequestError as exc:
        field = f"settings.{exc.field}" if exc.field and exc.field != "settings" else "settings"
        raise RequestError(exc.code, exc.message, field) from None
    run = training.split("/")[0] if "/" in training else training[: -len(".jsonl")]
    return StartBody(run=run, training_path=training, validation_path=validation, settings=raw_settings or {})


def plan_http_start(body: StartBody, training: BlobRef, timing: Timing) -> StartPlan:
    """The run of a validated body, once the training blob's ETag is known."""
    request = RunRequest(run=body.run, training=training, validation_path=body.validation_path,
                         settings=body.settings, discover=False, source="http", timing=timing)
    return StartPlan(run_ids.instance_id(body.run, training.path, str(training.etag)), request)


# ---- approve / reject / cancel ----
NOTE_KEYS = ("reason", "comment")
MAX_NOTE_CHARS = 500


def parse_action_note(body: bytes, params: dict[str, str]) -> str | None:
    """The note of an approve/reject/cancel: ``{"reason"|"comment": text}`` in the body, or
    ``?reason=``/``?comment=``; None when there is none. RequestError names what is wrong."""
    note: Any = None
    if body.strip():
        try:
            data = json.loads(body)
        except ValueError:
            raise RequestError(INVALID_REQUEST, "The body is not valid JSON; send "
                               '{"reason": "why"} or nothing.', None) from None
        if not isinstance(data, dict) or set(data) - set(NOTE_KEYS):
            unknown = sorted(set(data) - set(NOTE_KEYS)) if isinstance(data, dict) else []
            raise RequestError(INVALID_REQUEST, 'The body must be {"reason": "..."} (or {"comment": "..."}).',
                               unknown[0] if unknown else None)
        for key in NOTE_KEYS:
            if data.get(key) is not None and not isinstance(data[key], str):
                raise RequestError(INVALID_REQUEST, f"{key} must be a string.", key)
        note = data.get("reason") or data.get("comment")
    if not note:
        note = params.get("reason") or params.get("comment")
    if note is None or not note.strip():
        return None
    if len(note) > MAX_NOTE_CHARS:
        raise RequestError(INVALID_REQUEST, f"The note has {len(note)} characters; keep it to "
                           f"{MAX_NOTE_CHARS}.", "reason")
    return note.strip()
