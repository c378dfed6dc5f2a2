"""The dataset convention: which blobs of the datasets container make up a run.

- ``<run>/train*.jsonl`` (the lab's ``training_set.jsonl`` matches) is the training file,
  ``<run>/valid*.jsonl`` the optional validation file, ``<run>/finetune.json`` the optional
  run settings;
- a single ``<name>.jsonl`` at the top of the container is a training-only run named ``<name>``;
- anything else (deeper folders, other names) is not part of a run and is ignored.
Pure functions over blob names and listings, shared by the starters and the activities.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shared.errors import INVALID_DATASET
from shared.payloads import BlobRef

SETTINGS_FILE = "finetune.json"
TRAINING = "training"
VALIDATION = "validation"
SETTINGS = "settings"


@dataclass(frozen=True)
class RunBlob:
    """A blob name seen through the convention."""

    run: str
    role: str                 # training | validation | settings
    in_folder: bool           # False for a top-level single-file run


def classify(blob_name: str) -> RunBlob | None:
    """The role of a blob (name relative to the container), or None when it is not part of a run."""
    parts = blob_name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    if len(parts) == 1:
        leaf = parts[0]
        if leaf.lower().endswith(".jsonl") and len(leaf) > len(".jsonl"):
            return RunBlob(run=leaf[: -len(".jsonl")], role=TRAINING, in_folder=False)
        return None
    if len(parts) != 2:
        return None
    run, leaf = parts
    lower = leaf.lower()
    if lower == SETTINGS_FILE:
        return RunBlob(run=run, role=SETTINGS, in_folder=True)
    if lower.endswith(".jsonl") and lower.startswith("train"):
        return RunBlob(run=run, role=TRAINING, in_folder=True)
    if lower.endswith(".jsonl") and lower.startswith("valid"):
        return RunBlob(run=run, role=VALIDATION, in_folder=True)
    return None


def folder_prefix(run: str) -> str:
    """The listing prefix of a run folder."""
    return f"{run}/"


@dataclass
class FolderContents:
    """The run's files after applying the convention to a listing of its folder."""

    run: str
    training: BlobRef | None = None
    validation: BlobRef | None = None
    settings_path: str | None = None
    problems: list[str] = field(default_factory=list)

    def error(self) -> dict[str, Any] | None:
        """A returnable ``{"code", "message"}`` when the folder is ambiguous or has no training file."""
        if self.problems:
            return {"code": INVALID_DATASET, "message": " ".join(self.problems)}
        if self.training is None:
            return {"code": INVALID_DATASET,
                    "message": f"Run folder '{self.run}/' has no training file (train*.jsonl)."}
        return None


def read_folder(run: str, listing: Iterable[tuple[str, str | None, int | None]]) -> FolderContents:
    """Apply the convention to ``(name, etag, size)`` tuples listed under ``<run>/``.

    More than one training (or validation) file is ambiguous: the run cannot guess which
    one was meant, so it is reported as a problem naming the files.
    """
    contents = FolderContents(run=run)
    found: dict[str, list[BlobRef]] = {TRAINING: [], VALIDATION: [], SETTINGS: []}
    for name, etag, size in sorted(listing):
        seen = classify(name)
        if seen is None or seen.run != run or not seen.in_folder:
            continue
        found[seen.role].append(BlobRef(path=name, etag=etag, size=size))
    for role in (TRAINING, VALIDATION):
        if len(found[role]) > 1:
            names = ", ".join(ref.path for ref in found[role])
            contents.problems.append(f"Run folder '{run}/' has more than one {role} file ({names}); "
                                     f"keep exactly one.")
    contents.training = found[TRAINING][0] if found[TRAINING] else None
    contents.validation = found[VALIDATION][0] if found[VALIDATION] else None
    contents.settings_path = found[SETTINGS][0].path if found[SETTINGS] else None
    return contents
