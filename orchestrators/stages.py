"""The stages before training: settle, validate, budget, upload, files ready, submit.

Each is a generator used with ``yield from`` by the finetune orchestrator: it only
schedules activities and timers, and raises PipelineError with a message a user can act
on. Large files are validated as parallel byte ranges (the engine's range API), merged
by one more activity.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from orchestrators.tracker import POLL_RETRY, UPLOAD_RETRY, RunTracker, Steps
from shared import errors, names, run_ids
from shared.budget import budget_problem
from shared.errors import PipelineError
from shared.method_settings import validation_fields
from shared.payloads import (
    BlobRef,
    FileRef,
    FileState,
    JobSnapshot,
    MergeValidationInput,
    ReadRunFolderInput,
    RunFolder,
    SubmitJobInput,
    UploadInput,
    ValidateInput,
    ValidateRangeInput,
    ValidationSummary,
)
from shared.run_settings import RunSettings
from shared.validation_digest import invalid_dataset_message


def plan_ranges(total_bytes: int, range_bytes: int) -> list[tuple[int, int]]:
    from shared.validation.ranges import plan_ranges as engine_plan  # the engine's own tiling

    return engine_plan(total_bytes, range_bytes)


# ---- 1 settle ----
def settle(run: RunTracker) -> Steps:
    """Wait for the rest of the folder to land, then read it (files and run settings)."""
    context, request = run.context, run.request
    run.begin(names.STAGE_SETTLE)
    if request.discover and request.timing.settle_seconds > 0:
        fire_at = context.current_utc_datetime + timedelta(seconds=request.timing.settle_seconds)
        yield from run.wait_until(fire_at)
    payload = ReadRunFolderInput(run=request.run, training=request.training,
                                 validation_path=request.validation_path, settings_path=request.settings_path,
                                 settings=request.settings, discover=request.discover)
    folder = RunFolder.from_dict((yield from run.call(names.READ_RUN_FOLDER, payload.to_dict())))
    if folder.training is None:
        raise PipelineError(errors.DATASET_NOT_FOUND,
                            f"The training file {request.training.path} is gone; upload it again.", run.stage)
    return folder


# ---- 2 validate ----
def validate(run: RunTracker, folder: RunFolder, settings: RunSettings) -> Steps:
    """Validate every file of the run (fanning out large ones); fail on any problem."""
    run.begin(names.STAGE_VALIDATE, model=settings.model)
    files = [("training", folder.training, names.REPORT_VALIDATION)]
    if folder.validation is not None:
        files.append(("validation", folder.validation, names.REPORT_VALIDATION_VALID))
    whole, ranged = [], []
    for role, blob, report_name in files:
        report = names.report_path(run.request.run, run.context.instance_id, report_name)
        if (blob.size or 0) > run.request.timing.validation_range_bytes:
            ranged.append((role, blob, report))
        else:
            whole.append(ValidateInput(blob=blob, role=role, model=settings.model, n_epochs=settings.n_epochs,
                                       report_path=report, training_type=settings.training_type,
                                       **method_fields(settings)).to_dict())
    whole_tasks = [run.context.call_activity_with_retry(names.VALIDATE_DATASET, POLL_RETRY, p) for p in whole]
    partial_tasks, merges = _range_tasks(run, ranged, settings)
    results = yield from _gather(run, names.VALIDATE_DATASET, whole_tasks + partial_tasks)
    for partial in results[len(whole_tasks):]:
        run.raise_returned(partial, errors.INVALID_DATASET)
    merge_tasks = [run.context.call_activity_with_retry(names.MERGE_VALIDATION, POLL_RETRY, m.to_dict())
                   for m in merges]
    results = results[: len(whole_tasks)] + (yield from _gather(run, names.MERGE_VALIDATION, merge_tasks))
    summaries = [ValidationSummary.from_dict(result) for result in results]
    for summary in summaries:
        run.raise_returned(summary.to_dict(), errors.INVALID_DATASET)
        if not summary.ok:
            raise PipelineError(errors.INVALID_DATASET, invalid_message(summary, run), run.stage)
    run.details["validation"] = [
        {"role": s.role, "examples": s.examples, "total_tokens": s.total_tokens,
         "billable_tokens": s.billable_tokens, "n_epochs": s.n_epochs, "epochs_source": s.epochs_source,
         "estimated_trained_tokens": s.estimated_trained_tokens, "estimated_cost_usd": s.estimated_cost_usd,
         "training_tier": s.training_tier, "price_usd_per_million": s.price_usd_per_million,
         "price_is_estimate": s.price_is_estimate, "estimated_training_hours": s.estimated_training_hours,
         "price_usd_per_hour": s.price_usd_per_hour}
        for s in summaries]
    return {summary.role: summary for summary in summaries}


def _range_tasks(run: RunTracker, ranged: list[tuple[str, BlobRef, str]],
                 settings: RunSettings) -> tuple[list[Any], list[MergeValidationInput]]:
    """The range activities of every large file, and the merge each file needs afterwards."""
    tasks, merges = [], []
    for role, blob, report in ranged:
        paths = []
        for start, end in plan_ranges(blob.size or 0, run.request.timing.validation_range_bytes):
            path = names.report_path(run.request.run, run.context.instance_id,
                                     f"{names.PARTIALS_FOLDER}/{role}-{start:012d}.bin")
            payload = ValidateRangeInput(blob=blob, role=role, model=settings.model,
                                         n_epochs=settings.n_epochs, range_start=start, range_end=end,
                                         partial_path=path, training_type=settings.training_type,
                                         **method_fields(settings))
            tasks.append(run.context.call_activity_with_retry(names.VALIDATE_RANGE, POLL_RETRY,
                                                              payload.to_dict()))
            paths.append(path)
        merges.append(MergeValidationInput(blob=blob, role=role, model=settings.model,
                                           n_epochs=settings.n_epochs, partial_paths=paths,
                                           report_path=report, training_type=settings.training_type,
                                           **method_fields(settings)))
    return tasks, merges


def method_fields(settings: RunSettings) -> dict[str, Any]:
    """What validation needs of the run's method (format per line, grader fields, RFT estimate)."""
    return validation_fields(settings.method, settings.hyperparameters)


def _gather(run: RunTracker, name: str, tasks: list[Any]) -> Steps:
    return (yield from run.gather(name, tasks, POLL_RETRY))


def invalid_message(summary: ValidationSummary, run: RunTracker) -> str:
    container = run.request.timing.reports_container
    report = f"{container}/{summary.report_path}" if summary.report_path else "the report"
    return invalid_dataset_message(summary.role, summary.error_count, summary.error_counts,
                                   summary.first_errors, report)


# ---- 3 budget ----
def budget(run: RunTracker, training: ValidationSummary, settings: RunSettings) -> None:
    """Refuse a cost above the run's cap, or a cap that no known price can check (shared/budget.py)."""
    run.begin(names.STAGE_BUDGET)
    problem = budget_problem(settings.max_cost_usd, training, settings.model)
    if problem is not None:
        raise PipelineError(problem[0], problem[1], run.stage)


# ---- 4 upload ----
def upload(run: RunTracker, folder: RunFolder) -> Steps:
    """Upload training (and validation) in parallel; returns {role: file id}."""
    run.begin(names.STAGE_UPLOAD)
    blobs = {"training": folder.training}
    if folder.validation is not None:
        blobs["validation"] = folder.validation
    tasks = [run.context.call_activity_with_retry(names.UPLOAD_FILE, UPLOAD_RETRY, UploadInput(
        blob=blob, role=role, instance_id=run.context.instance_id,
        file_name=run_ids.upload_file_name(run.request.run, run.context.instance_id, role)).to_dict())
        for role, blob in blobs.items()]
    results = yield from _gather(run, names.UPLOAD_FILE, tasks)
    file_ids: dict[str, str] = {}
    for role, result in zip(blobs, results, strict=True):
        run.raise_returned(result, errors.UPLOAD_FAILED)
        file_ids[role] = str(FileState.from_dict(result).file_id)
    run.details["files"] = file_ids
    return file_ids


# ---- 5 files ready ----
def files_ready(run: RunTracker, file_ids: dict[str, str]) -> Steps:
    """Poll on durable timers until every file is processed; a file in error fails the run."""
    run.begin(names.STAGE_FILES_READY)
    context, timing = run.context, run.request.timing
    deadline = context.current_utc_datetime + timedelta(minutes=timing.files_timeout_minutes)
    pending = dict(file_ids)
    while True:
        tasks = [context.call_activity_with_retry(names.GET_FILE_STATUS, POLL_RETRY, FileRef(fid).to_dict())
                 for fid in pending.values()]
        results = yield from _gather(run, names.GET_FILE_STATUS, tasks)
        for role, result in zip(list(pending), results, strict=True):
            state = FileState.from_dict(result)
            if state.status == "error" or (state.error and state.status != "processed"):
                details = state.status_details or (state.error or {}).get("message") or "no details given"
                raise PipelineError(errors.FILE_PROCESSING_FAILED,
                                    f"Azure OpenAI could not process the {role} file ({pending[role]}): "
                                    f"{errors.clause(details)}. "
                                    "Fix the dataset and upload it again.", run.stage)
            if state.status == "processed":
                del pending[role]
        if not pending:
            return
        if context.current_utc_datetime >= deadline:
            raise PipelineError(errors.FILES_TIMEOUT,
                                f"The uploaded files were not processed within "
                                f"{timing.files_timeout_minutes:g} minutes. Check the Azure OpenAI resource "
                                "and start the run again.", run.stage)
        yield from run.wait_until(min(deadline, context.current_utc_datetime
                                      + timedelta(seconds=timing.files_poll_seconds)))


# ---- 6 submit ----
def submit(run: RunTracker, settings: RunSettings, file_ids: dict[str, str]) -> Steps:
    run.begin(names.STAGE_SUBMIT)
    payload = SubmitJobInput(
        instance_id=run.context.instance_id, run=run.request.run, model=settings.model,
        training_file_id=file_ids["training"], validation_file_id=file_ids.get("validation"),
        seed=settings.seed, suffix=settings.suffix, hyperparameters=dict(settings.hyperparameters),
        training_type=settings.training_type, method=settings.method,
        metadata={"finetune_run": run.context.instance_id, "run_name": run.request.run[:512]})
    context, timing = run.context, run.request.timing
    deadline = context.current_utc_datetime + timedelta(hours=timing.monitor_deadline_hours)
    pause = timing.monitor_min_poll_seconds
    while True:
        job = JobSnapshot.from_dict((yield from run.call(names.SUBMIT_JOB, payload.to_dict(),
                                                         failure_code=errors.SUBMIT_FAILED)))
        if not job.queue_full:
            break
        if context.current_utc_datetime >= deadline:
            raise PipelineError(errors.SUBMIT_FAILED,
                                f"The service's fine-tuning job queue stayed full for "
                                f"{timing.monitor_deadline_hours:g} hours: {job.queue_full} "
                                "Cancel queued jobs or start the run again later.", run.stage)
        # The resource runs one job and queues 20: wait for a place, as a user would, instead of failing.
        run.details["job"] = {"id": None, "status": "waiting_for_queue", "service_message": job.queue_full}
        run.publish("running")
        yield from run.wait_until(min(deadline, context.current_utc_datetime + timedelta(seconds=pause)))
        pause = min(pause * 2, timing.monitor_max_poll_seconds)
    run.details["job"] = {"id": job.job_id, "status": job.status}
    return job
