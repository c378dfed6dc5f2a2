"""Deterministic, plausibly decreasing training metrics and the fine-tune-results CSV."""

from __future__ import annotations

import hashlib
import math
from typing import Any

CSV_COLUMNS = (
    "step",
    "train_loss",
    "train_mean_token_accuracy",
    "valid_loss",
    "valid_mean_token_accuracy",
    "full_valid_loss",
    "full_valid_mean_token_accuracy",
)


def _jitter(job_id: str, step: int, salt: str) -> float:
    """A repeatable value in [-1, 1) for this job, step and series."""
    digest = hashlib.sha256(f"{job_id}:{step}:{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**31 - 1.0


def step_metrics(job_id: str, step: int, steps: int, with_validation: bool) -> dict[str, Any]:
    """Metrics of one step: loss decays from ~2.2 towards ~0.3, accuracy rises towards ~0.9."""
    progress = step / steps
    train_loss = 0.3 + 1.9 * math.exp(-3.0 * progress) + 0.04 * _jitter(job_id, step, "tl")
    train_accuracy = min(
        0.99, 0.45 + 0.45 * (1 - math.exp(-3.0 * progress)) + 0.01 * _jitter(job_id, step, "ta")
    )
    metrics: dict[str, Any] = {
        "step": step,
        "train_loss": round(train_loss, 5),
        "train_mean_token_accuracy": round(train_accuracy, 5),
        "valid_loss": None,
        "valid_mean_token_accuracy": None,
        "full_valid_loss": None,
        "full_valid_mean_token_accuracy": None,
    }
    if with_validation:
        # valid_*: one validation batch (noisy); full_valid_*: the whole validation file (smooth).
        metrics["valid_loss"] = round(train_loss + 0.08 + 0.03 * _jitter(job_id, step, "vl"), 5)
        metrics["valid_mean_token_accuracy"] = round(train_accuracy - 0.03, 5)
        smooth_loss = 0.3 + 1.9 * math.exp(-3.0 * progress)
        metrics["full_valid_loss"] = round(smooth_loss + 0.08, 5)
        metrics["full_valid_mean_token_accuracy"] = round(
            min(0.99, 0.45 + 0.45 * (1 - math.exp(-3.0 * progress))) - 0.03, 5
        )
    return metrics


def results_csv(rows: list[dict[str, Any]]) -> bytes:
    lines = [",".join(CSV_COLUMNS)]
    for row in rows:
        lines.append(",".join("" if row.get(column) is None else str(row[column]) for column in CSV_COLUMNS))
    return ("\n".join(lines) + "\n").encode("utf-8")
