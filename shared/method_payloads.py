"""Payloads of the pre-flight checks, job control (pause, resume) and the checkpoint choice.

The same conventions as shared/payloads.py (one small dataclass per call, tolerant
``from_dict``); kept apart so that file stays one phase's size (style-models: split by phase).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from shared.payloads import BlobRef, Payload


@dataclass
class ModelCheckInput(Payload):
    """Ask the service whether ``model`` (a base model, or a fine-tuned one to continue) can train."""

    model: str
    method: str                                # supervised | dpo | reinforcement


@dataclass
class ModelCheck(Payload):
    model: str | None = None
    reachable: bool = True                     # False: /models could not be read; nothing was concluded
    fine_tuned: bool = False                   # continuous fine-tuning: the model is a fine-tuned one
    parent_model: str | None = None            # the fine-tuned model a continued run starts from
    base_model: str | None = None              # the base it descends from, as the service names it
    found_by: str | None = None                # "models" | "jobs": where the service showed the model
    note: str | None = None
    error: dict[str, Any] | None = None


@dataclass
class GraderCheckInput(Payload):
    """Validate an RFT grader with the service and run it on the first example of each file."""

    grader: dict[str, Any]
    files: list[BlobRef] = field(default_factory=list)   # training, then validation
    _nested: ClassVar[dict[str, type[Payload]]] = {}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> GraderCheckInput:
        data = data or {}
        files = [BlobRef.from_dict(item) for item in data.get("files") or []]
        return cls(grader=dict(data.get("grader") or {}), files=files)


@dataclass
class GraderCheck(Payload):
    """What the service said: valid, and for each example the reward of its reference answer."""

    valid: bool = False
    runs: list[dict[str, Any]] = field(default_factory=list)   # {file, line, sample, reward, flags}
    error: dict[str, Any] | None = None


@dataclass
class JobControlInput(Payload):
    """Pause or resume the job (POST /fine_tuning/jobs/{id}/pause | resume)."""

    job_id: str
    action: str                                # pause | resume


@dataclass
class CheckpointList(Payload):
    """The job's kept checkpoints, newest first: {id, model, step, metrics}."""

    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
