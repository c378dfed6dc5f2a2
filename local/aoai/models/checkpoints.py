"""Checkpoints a job keeps, and a job entering ``paused`` (which keeps one of the step reached)."""

from __future__ import annotations

from typing import Any

from local.aoai.models.common import new_id
from local.aoai.models.jobs import JobRecord, add_event

CHECKPOINTS_KEPT = 3  # the final model and the two epochs before it (Azure's retention)


def keep_checkpoint(record: JobRecord, step: int, at: float, data: dict[str, Any]) -> None:
    """Keep a checkpoint of ``step``: the final model at the last step, else ``<model>:ckpt-step-N``."""
    model = f"{record.model}.ft-{record.hex}"
    record.checkpoints.append(
        {
            "object": "fine_tuning.job.checkpoint",
            "id": new_id("ftchkpt"),
            "created_at": int(at),
            # The last epoch's checkpoint is the fine-tuned model itself; earlier ones are
            # deployable as <model>:ckpt-step-N (recorded service output).
            "fine_tuned_model_checkpoint": (model if step == record.steps
                                            else f"{model}:ckpt-step-{step}"),
            "step_number": step,
            "metrics": dict(data),
            "fine_tuning_job_id": record.id,
        }
    )
    record.checkpoints = record.checkpoints[-CHECKPOINTS_KEPT:]


def enter_paused(record: JobRecord, at: float, message: str) -> None:
    """Enter paused: a deployable checkpoint of the step reached (unless one exists for it)."""
    record.status = "paused"
    add_event(record, at, message)
    if record.steps_done and not any(c["step_number"] == record.steps_done for c in record.checkpoints):
        keep_checkpoint(record, record.steps_done, at, record.metrics[-1] if record.metrics else {})
