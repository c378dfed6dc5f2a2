"""Instance ids and the names derived from them: the key to idempotent starts.

A run's instance id is derived from its run name, its training blob and that blob's
ETag, never chosen by a caller: every trigger delivery for the same version of the same
training file maps to the same id (a duplicate never starts a second run), and a new
version (new ETag) maps to a new id (a new run). The uploaded file names and the default
deployment name carry the id's short hash, so retried uploads find their own files.
"""

from __future__ import annotations

import hashlib
import re

INSTANCE_PREFIX = "ft-"
_SLUG_MAX = 40
_HASH_CHARS = 16
_INSTANCE_PATTERN = re.compile(r"^ft-[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{16}$")


def slug(run: str) -> str:
    """Lower-case letters, digits and single dashes; 'run' when nothing is left."""
    text = re.sub(r"[^a-z0-9]+", "-", run.lower()).strip("-")
    return text[:_SLUG_MAX].strip("-") or "run"


def instance_id(run: str, training_path: str, training_etag: str) -> str:
    """The orchestration instance id of (run, training blob, ETag)."""
    key = "\n".join((run, training_path, training_etag.strip('"')))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    return f"{INSTANCE_PREFIX}{slug(run)}-{digest}"


def is_instance_id(text: str) -> bool:
    """True when ``text`` has the shape of an id made by ``instance_id`` (checked on HTTP routes)."""
    return bool(_INSTANCE_PATTERN.match(text))


def short_id(instance: str) -> str:
    """The last 8 hex characters of an instance id: enough to tell runs of one dataset apart."""
    return instance[-8:]


def monitor_instance_id(instance: str) -> str:
    """The monitor sub-orchestration's id (stable across replays and continue_as_new)."""
    return f"{instance}:monitor"


def upload_file_name(run: str, instance: str, role: str) -> str:
    """Name of an uploaded file: names the run so a retried upload finds it (PIPELINE.md §6)."""
    return f"{slug(run)}-{short_id(instance)}-{role}.jsonl"


def deployment_name(run: str, instance: str) -> str:
    """Default deployment name: ft-<run slug>-<short id>, within ARM's 64 characters."""
    return f"ft-{slug(run)[:48]}-{short_id(instance)}"
