"""A fine-tuning job's training metrics, step by step, for the loss curve of the runs page.

Plain functions over an ``openai.AzureOpenAI`` passed in (GET /api/finetune/{id}/metrics is a
thin route over ``job_metrics``). Two sources, as the service offers them:

- while the job trains, its ``metrics`` events (``data``: step, train_loss, valid_loss,
  full_valid_loss and the token accuracies), read newest first and only back to the
  caller's last step (``after_step``), so a page that polls reads a page of events, not the
  whole history;
- once the job has a result file (results.csv, one row per step), that file, which holds
  every step even when the event list was trimmed.
"""

from __future__ import annotations

from typing import Any

import openai

from shared import aoai_ops
from shared.loss_curve import decode_results_file, parse_results_csv

METRIC_KEYS = ("train_loss", "train_mean_token_accuracy", "valid_loss", "valid_mean_token_accuracy",
               "full_valid_loss", "full_valid_mean_token_accuracy")
EVENTS_PAGE = 100
MAX_EVENT_PAGES = 50          # 5,000 events per read at most; results.csv has the rest at the end
MAX_POINTS = 20_000           # a point is ~200 bytes of JSON: the answer stays a few MB at most


def point(data: dict[str, Any]) -> dict[str, Any] | None:
    """One step's metrics with every key present (None when the service left it out)."""
    step = data.get("step")
    if isinstance(step, bool) or not isinstance(step, int | float):
        return None
    values = {key: data.get(key) if isinstance(data.get(key), int | float) else None for key in METRIC_KEYS}
    return {"step": int(step), **values}


def points_from_events(client: openai.AzureOpenAI, job_id: str, after_step: int) -> tuple[list[dict], bool]:
    """Metric points newer than ``after_step`` from the job's events; (points, complete)."""
    found: dict[int, dict[str, Any]] = {}
    after: str | None = None
    for _ in range(MAX_EVENT_PAGES):
        options: dict[str, Any] = {"limit": EVENTS_PAGE, **({"after": after} if after else {})}
        page = client.fine_tuning.jobs.list_events(job_id, **options)
        reached_known = False
        for event in page.data:
            data = getattr(event, "data", None)
            is_metrics = getattr(event, "type", None) == "metrics" and isinstance(data, dict)
            parsed = point(data) if is_metrics else None
            if parsed is None:
                continue
            if parsed["step"] <= after_step:
                reached_known = True   # newest first: everything further is older still
                break
            found.setdefault(parsed["step"], parsed)
        if reached_known or not page.data or not getattr(page, "has_more", False):
            return sorted(found.values(), key=lambda p: p["step"]), True
        after = page.data[-1].id
    return sorted(found.values(), key=lambda p: p["step"]), False


def points_from_results(client: openai.AzureOpenAI, file_id: str, after_step: int) -> list[dict] | None:
    """Metric points newer than ``after_step`` from a results.csv file; None when it cannot be read."""
    try:
        raw = aoai_ops.read_file_content(client, file_id)
    except (ValueError, openai.NotFoundError):
        return None
    rows = parse_results_csv(decode_results_file(raw))
    points = [p for p in (point(row) for row in rows) if p is not None and p["step"] > after_step]
    return sorted(points, key=lambda p: p["step"])


def job_metrics(client: openai.AzureOpenAI, job_id: str, after_step: int = 0) -> dict[str, Any]:
    """``{job_id, status, source, complete, points}``: the job's metrics after ``after_step``.

    ``complete`` is false when the event list was longer than this read allows; the points
    are then the newest ones, and the result file (at the end) has them all.
    """
    job = client.fine_tuning.jobs.retrieve(job_id)
    points: list[dict[str, Any]] | None = None
    source, complete = "events", True
    for file_id in list(job.result_files or [])[:1]:
        points = points_from_results(client, file_id, after_step)
        source = "results_file"
    if points is None:
        points, complete = points_from_events(client, job_id, after_step)
        source = "events"
    if len(points) > MAX_POINTS:
        points, complete = points[-MAX_POINTS:], False
    return {"job_id": job.id, "status": job.status, "source": source, "complete": complete,
            "points": points}
