"""Advance jobs by wall-clock time: pending -> running -> succeeded | failed, one running at a time."""

from __future__ import annotations

from local.aoai import config
from local.aoai.models.common import new_id
from local.aoai.models.jobs import JobRecord, JobsModel, add_event
from local.aoai.models.learning import auto_epochs
from local.aoai.models.metrics import results_csv, step_metrics

CHECKPOINTS_KEPT = 3  # the final model and the two epochs before it (Azure's retention)


def advance_jobs(jobs: JobsModel, now: float) -> bool:
    """Move every job as far as `now` allows; return whether anything changed."""
    changed = False
    for record in sorted(jobs.records.values(), key=lambda j: j.created_at):
        if record.status == "running":
            changed |= _train(jobs, record, now)
    running = sum(1 for j in jobs.records.values() if j.status == "running")
    for record in sorted(jobs.records.values(), key=lambda j: j.created_at):  # stable: creation order
        if running >= config.MAX_RUNNING_JOBS:
            break
        if record.status == "pending" and now >= record.start_after:
            _start(record, now)
            running += 1
            changed = True
            changed |= _train(jobs, record, now)
    return changed


def _start(record: JobRecord, now: float) -> None:
    record.status, record.started_at = "running", now
    record.estimated_finish = now + record.duration
    add_event(record, now, "Job started.")
    add_event(record, now, "Training started.")


def _epochs(jobs: JobsModel, record: JobRecord) -> int:
    n_epochs = record.hyperparameters.get("n_epochs", -1)
    if isinstance(n_epochs, int) and n_epochs > 0:
        return n_epochs
    digest = jobs.learned.get(record.id)
    return auto_epochs(digest.examples if digest else 0)


def _step_time(record: JobRecord, step: int) -> float:
    assert record.started_at is not None
    return record.started_at + record.duration * step / record.steps


def _train(jobs: JobsModel, record: JobRecord, now: float) -> bool:
    changed = False
    fail_at = None
    if record.failure is not None:
        fail_at = record.failure.get("at_step") or max(1, record.steps // 2)
    while record.steps_done < record.steps and now >= _step_time(record, record.steps_done + 1):
        record.steps_done += 1
        _record_step(jobs, record, record.steps_done)
        changed = True
        if fail_at is not None and record.steps_done >= fail_at:
            _fail(record, _step_time(record, record.steps_done))
            return True
    if record.steps_done >= record.steps and record.status == "running" and record.digested:
        # Success waits until the training file was read: its tokens are what the job bills.
        digest = jobs.learned.get(record.id)
        if digest is not None and digest.error:
            record.failure = {"code": "invalidTrainingFile", "message": digest.error}
            _fail(record, max(now, _step_time(record, record.steps)))
        else:
            _succeed(jobs, record, _step_time(record, record.steps))
        changed = True
    return changed


def _record_step(jobs: JobsModel, record: JobRecord, step: int) -> None:
    at = _step_time(record, step)
    metrics = step_metrics(record.id, step, record.steps, record.validation_file is not None)
    record.metrics.append(metrics)
    message = f"Step {step}/{record.steps}: training loss={metrics['train_loss']:.4f}"
    data = {k: v for k, v in metrics.items() if v is not None}
    add_event(record, at, message, data=data)
    epochs = min(_epochs(jobs, record), record.steps)
    boundaries = {round(record.steps * e / epochs) for e in range(1, epochs + 1)}
    if step in boundaries:
        model = f"{record.model}.ft-{record.hex}"
        record.checkpoints.append(
            {
                "object": "fine_tuning.job.checkpoint",
                "id": new_id("ftchkpt"),
                "created_at": int(at),
                # The last epoch's checkpoint is the fine-tuned model itself; earlier ones are
                # deployable as <model>:ckpt-step-N (recorded service output).
                "fine_tuned_model_checkpoint": model if step == record.steps else f"{model}:ckpt-step-{step}",
                "step_number": step,
                "metrics": data,
                "fine_tuning_job_id": record.id,
            }
        )
        record.checkpoints = record.checkpoints[-CHECKPOINTS_KEPT:]


def _fail(record: JobRecord, at: float) -> None:
    failure = record.failure or {}
    record.status, record.finished_at = "failed", at
    record.error = {
        "code": failure.get("code") or "internalFailure",
        "message": failure.get("message") or "The job failed due to an internal error.",
        "param": None,
    }
    add_event(record, at, f"Job failed: {record.error['message']}", level="error")


def _succeed(jobs: JobsModel, record: JobRecord, at: float) -> None:
    results = jobs.files.add_generated("results.csv", "fine-tune-results", results_csv(record.metrics), at)
    record.result_files = [results.id]
    digest = jobs.learned.get(record.id)
    # Billed as the service bills: the examples' tokens (model encoding, capped per example) x epochs.
    record.trained_tokens = digest.billable_tokens * _epochs(jobs, record) if digest else 0
    record.fine_tuned_model = f"{record.model}.ft-{record.hex}"
    record.status, record.finished_at = "succeeded", at
    add_event(record, at, f"Completed results file: {results.id}")
    add_event(record, at, f"Training tokens billed: {record.trained_tokens}")
    add_event(record, at, "Model Enqueued")
    add_event(record, at, "Job succeeded.")
