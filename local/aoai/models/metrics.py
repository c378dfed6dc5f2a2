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


def step_metrics(job_id: str, step: int, steps: int, with_validation: bool,
                 epochs: int = 1) -> dict[str, Any]:
    """Metrics of one step: loss decays from ~2.2 towards ~0.3, accuracy rises towards ~0.9.

    A job trained for 3 epochs or more overfits: its validation loss rises again over the last
    40% of the steps, so the best kept checkpoint (deployment.checkpoint "best") may be an
    earlier one, as on the real service.
    """
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
        overfit = 2.5 * max(0, epochs - 2) * max(0.0, progress - 0.6) ** 2
        metrics["valid_loss"] = round(train_loss + overfit + 0.08 + 0.03 * _jitter(job_id, step, "vl"), 5)
        metrics["valid_mean_token_accuracy"] = round(train_accuracy - 0.03, 5)
        smooth_loss = 0.3 + 1.9 * math.exp(-3.0 * progress) + overfit
        metrics["full_valid_loss"] = round(smooth_loss + 0.08, 5)
        metrics["full_valid_mean_token_accuracy"] = round(
            min(0.99, 0.45 + 0.45 * (1 - math.exp(-3.0 * progress))) - 0.03, 5
        )
    return metrics


def rft_step_metrics(job_id: str, step: int, steps: int, evaluated: bool) -> dict[str, Any]:
    """A reinforcement step: the grader's mean reward rises from ~0.2 towards ~0.8 (Azure's RFT metrics:
    train/valid_reward_mean, train/valid_reasoning_tokens_mean); valid_* only at evaluation steps."""
    progress = step / steps
    reward = 0.2 + 0.6 * (1 - math.exp(-3.0 * progress))
    tokens = 900 - 300 * progress + 40 * _jitter(job_id, step, "rt")
    metrics: dict[str, Any] = {
        "step": step,
        "train_reward_mean": round(min(1.0, reward + 0.03 * _jitter(job_id, step, "tr")), 5),
        "valid_reward_mean": None,
        "train_reasoning_tokens_mean": round(tokens, 1),
        "valid_reasoning_tokens_mean": None,
    }
    if evaluated:
        metrics["valid_reward_mean"] = round(min(1.0, reward - 0.02), 5)
        metrics["valid_reasoning_tokens_mean"] = round(tokens - 20, 1)
    return metrics


RFT_CSV_COLUMNS = ("step", "train_reward_mean", "valid_reward_mean", "train_reasoning_tokens_mean",
                   "valid_reasoning_tokens_mean")


def results_csv(rows: list[dict[str, Any]], columns: tuple[str, ...] | None = None) -> bytes:
    columns = columns or CSV_COLUMNS
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join("" if row.get(column) is None else str(row[column]) for column in columns))
    return ("\n".join(lines) + "\n").encode("utf-8")
