"""Advance jobs by wall-clock time: pending -> running -> succeeded | failed, one running at a time.

A user's pause is immediate (running -> paused, as the 2025-04-01-preview example answers); a
resume goes paused -> resuming -> running over ``pause_transition_seconds``, and the paused time
is not trained (the schedule shifts). An injected auto-pause (the service's $5,000 RFT cap)
pauses the job by itself at a step: running -> pausing -> paused. Entering paused keeps a
deployable checkpoint of the step reached, as the service does.
"""

from __future__ import annotations

from local.aoai import config
from local.aoai.models.checkpoints import enter_paused, keep_checkpoint
from local.aoai.models.jobs import JobRecord, JobsModel, add_event
from local.aoai.models.learning import auto_epochs
from local.aoai.models.metrics import RFT_CSV_COLUMNS, results_csv, rft_step_metrics, step_metrics


def advance_jobs(jobs: JobsModel, now: float) -> bool:
    """Move every job as far as `now` allows; return whether anything changed."""
    changed = False
    for record in sorted(jobs.records.values(), key=lambda j: j.created_at):
        changed |= _transition(record, now)
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


COST_PAUSE = ("Job paused: its training cost reached the per-job limit of $5,000. Deploy the latest "
              "checkpoint, or resume the job (billing continues without a further limit).")


def _transition(record: JobRecord, now: float) -> bool:
    """pausing -> paused and resuming -> running once their transition time has come."""
    if record.transition_at is None or now < record.transition_at:
        return False
    at, record.transition_at = record.transition_at, None
    if record.status == "pausing":  # the service pausing the job by itself (the $5,000 cap)
        enter_paused(record, at, COST_PAUSE)
    elif record.status == "resuming":
        assert record.started_at is not None and record.paused_at is not None
        record.started_at += at - record.paused_at
        record.estimated_finish = record.started_at + record.duration
        record.status, record.paused_at, record.pause_reason = "running", None, None
        add_event(record, at, "Job resumed.")
    return True


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
    digest = jobs.learned.get(record.id)
    if digest is not None and digest.error and record.steps_done == 0:
        # The service validates the training file for the method before training (validating_files).
        record.failure = {"code": "invalidTrainingFile", "message": digest.error}
        _fail(record, now)
        return True
    while record.steps_done < record.steps and now >= _step_time(record, record.steps_done + 1):
        record.steps_done += 1
        _record_step(jobs, record, record.steps_done)
        changed = True
        if fail_at is not None and record.steps_done >= fail_at:
            _fail(record, _step_time(record, record.steps_done))
            return True
        if record.pause_at_step is not None and record.steps_done >= record.pause_at_step:
            at = _step_time(record, record.steps_done)
            record.pause_at_step, record.paused_at, record.pause_reason = None, at, "cost_limit"
            record.status, record.transition_at = "pausing", at + jobs.timings.pause_transition_seconds
            add_event(record, at, "Job pausing: its training cost reached the per-job limit of $5,000.")
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


def _eval_interval(record: JobRecord) -> int:
    """Steps between an RFT job's evaluation runs: its eval_interval, else every other step."""
    hyper = ((record.method or {}).get("reinforcement") or {}).get("hyperparameters") or {}
    value = hyper.get("eval_interval")
    return value if isinstance(value, int) and value > 0 else 2


def _record_step(jobs: JobsModel, record: JobRecord, step: int) -> None:
    at = _step_time(record, step)
    if record.method_type == "reinforcement":
        evaluated = step % _eval_interval(record) == 0 or step == record.steps
        metrics = rft_step_metrics(record.id, step, record.steps, evaluated)
        message = f"Step {step}/{record.steps}: training reward mean={metrics['train_reward_mean']:.4f}"
    else:
        metrics = step_metrics(record.id, step, record.steps, record.validation_file is not None,
                               _epochs(jobs, record))
        message = f"Step {step}/{record.steps}: training loss={metrics['train_loss']:.4f}"
    record.metrics.append(metrics)
    data = {k: v for k, v in metrics.items() if v is not None}
    add_event(record, at, message, data=data)
    if record.method_type == "reinforcement" and metrics.get("valid_reward_mean") is not None:
        add_event(record, at, f"Evaluation at step {step}: validation reward mean="
                  f"{metrics['valid_reward_mean']:.4f}")
    epochs = min(_epochs(jobs, record), record.steps)
    boundaries = {round(record.steps * e / epochs) for e in range(1, epochs + 1)}
    if step in boundaries:
        keep_checkpoint(record, step, at, data)


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
    columns = RFT_CSV_COLUMNS if record.method_type == "reinforcement" else None
    csv = results_csv(record.metrics, columns)
    results = jobs.files.add_generated("results.csv", "fine-tune-results", csv, at)
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
