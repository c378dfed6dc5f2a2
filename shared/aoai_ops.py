"""Azure OpenAI data-plane effects: files, fine-tuning jobs, chat completions.

Plain functions over an ``openai.AzureOpenAI`` passed in, each returning a small dict
(the shapes of shared/payloads.py). Uploads and submits are idempotent: the uploaded
file's name and the job's metadata carry the run's instance id, so a retried or
replayed activity finds what an earlier attempt created instead of making a second.
Transient failures are raised, permanent ones returned (shared/service_errors.py).
"""

from __future__ import annotations

from typing import IO, Any

import openai
from openai.types import FileObject
from openai.types.fine_tuning import FineTuningJob

from shared import errors
from shared.method_settings import job_method
from shared.service_errors import call_openai, is_error_result, openai_error_detail

FINE_TUNE_PURPOSE = "fine-tune"
RUN_METADATA_KEY = "finetune_run"
TERMINAL_JOB_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
GONE_FILE_STATUSES = frozenset({"deleted", "deleting"})
MAX_RESULT_FILE_BYTES = 32 * 1024 * 1024
QUEUE_FULL_CODE = "quotaExceeded"  # the resource's job queue is full (1 running + 20 queued per resource)


# ---- Files ----
def file_state(file: FileObject, **extra: Any) -> dict[str, Any]:
    """A FileState dict; a file in status ``error`` carries a file_processing_failed error."""
    state: dict[str, Any] = {
        "file_id": file.id, "status": file.status, "status_details": file.status_details,
        "filename": file.filename, "bytes": file.bytes, "error": None, **extra,
    }
    if file.status == "error":
        details = file.status_details or "no details given"
        message = (f"Azure OpenAI could not process {file.filename} ({file.id}): {details}. "
                   "Fix the dataset and upload it again.")
        state["error"] = {"code": errors.FILE_PROCESSING_FAILED, "message": message}
    return state


def find_file_by_name(client: openai.AzureOpenAI, filename: str) -> FileObject | None:
    """The newest fine-tune file called ``filename`` that is not deleted, or None."""
    found: FileObject | None = None
    for file in client.files.list(purpose=FINE_TUNE_PURPOSE):
        if file.filename == filename and file.status not in GONE_FILE_STATUSES and (
                found is None or file.created_at > found.created_at):
            found = file
    return found


def upload_file(client: openai.AzureOpenAI, stream: IO[bytes], filename: str) -> dict[str, Any]:
    """Upload ``stream`` (read chunk by chunk) as ``filename``, or return the file an earlier attempt made."""

    def upload() -> dict[str, Any]:
        existing = find_file_by_name(client, filename)
        if existing is not None:
            return file_state(existing, reused=True)
        created = client.files.create(file=(filename, stream), purpose=FINE_TUNE_PURPOSE)
        return file_state(created, reused=False)

    return call_openai(upload, errors.UPLOAD_FAILED, f"accept the file {filename}")


def get_file_state(client: openai.AzureOpenAI, file_id: str) -> dict[str, Any]:
    """The file's processing status (FileState dict)."""
    result = call_openai(lambda: client.files.retrieve(file_id), errors.FILE_PROCESSING_FAILED,
                         f"report on the file {file_id}")
    return result if is_error_result(result) else file_state(result)  # type: ignore[arg-type,return-value]


def delete_files(client: openai.AzureOpenAI, file_ids: list[str]) -> dict[str, Any]:
    """Delete uploaded files; a file already gone counts as missing, not as a failure."""
    deleted: list[str] = []
    missing: list[str] = []

    def delete_all() -> dict[str, Any]:
        for file_id in file_ids:
            try:
                client.files.delete(file_id)
                deleted.append(file_id)
            except openai.NotFoundError:
                missing.append(file_id)
        return {"deleted": deleted, "missing": missing, "error": None}

    result = call_openai(delete_all, errors.INTERNAL, "delete the uploaded files")
    return {"deleted": deleted, "missing": missing, **result} if is_error_result(result) else result


def read_file_content(client: openai.AzureOpenAI, file_id: str,
                      max_bytes: int = MAX_RESULT_FILE_BYTES) -> bytes:
    """A (small) file's content, e.g. a job's results.csv; ValueError when it exceeds ``max_bytes``."""
    parts: list[bytes] = []
    total = 0
    with client.files.with_streaming_response.content(file_id) as response:
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > max_bytes:
                raise ValueError(f"file {file_id} is larger than {max_bytes} bytes")
            parts.append(chunk)
    return b"".join(parts)


# ---- Jobs ----
def job_snapshot(job: FineTuningJob, newest_event: dict[str, Any] | None = None,
                 **extra: Any) -> dict[str, Any]:
    """A JobSnapshot dict; a failed job carries a job_failed error with the service's message."""
    snapshot: dict[str, Any] = {
        "job_id": job.id, "status": job.status, "model": job.model, "fine_tuned_model": job.fine_tuned_model,
        "trained_tokens": job.trained_tokens, "estimated_finish": job.estimated_finish,
        "newest_event": newest_event, "result_files": list(job.result_files or []), "error": None,
        "n_epochs": _epochs(job), **extra,
    }
    if job.status == "failed":
        detail = job.error.message if job.error and job.error.message else "no reason given"
        code = f" ({job.error.code})" if job.error and job.error.code else ""
        snapshot["error"] = {"code": errors.JOB_FAILED,
                             "message": f"The fine-tuning job {job.id} failed{code}: {detail}"}
    return snapshot


def _epochs(job: FineTuningJob) -> int | None:
    """The job's n_epochs once the service resolved it ("auto" until then)."""
    epochs = getattr(job.hyperparameters, "n_epochs", None) if job.hyperparameters else None
    # Only a real count: "auto", or a placeholder such as -1 before the service resolves it, is None.
    return epochs if isinstance(epochs, int) and not isinstance(epochs, bool) and epochs > 0 else None


def find_run_job(client: openai.AzureOpenAI, instance_id: str, training_file_id: str) -> FineTuningJob | None:
    """This run's job: metadata names the instance, or (services that drop metadata) it trains on our file."""
    for job in client.fine_tuning.jobs.list(limit=100):
        metadata = job.metadata or {}
        if metadata.get(RUN_METADATA_KEY) == instance_id or job.training_file == training_file_id:
            return job
    return None


def job_request(request: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of ``jobs.create`` for a SubmitJobInput dict (None values left out)."""
    metadata = {**request.get("metadata", {}), RUN_METADATA_KEY: request["instance_id"]}
    kwargs: dict[str, Any] = {
        "model": request["model"], "training_file": request["training_file_id"], "metadata": metadata,
    }
    for key, arg in (("validation_file_id", "validation_file"), ("seed", "seed"), ("suffix", "suffix")):
        if request.get(key) is not None:
            kwargs[arg] = request[key]
    hyperparameters = {k: v for k, v in (request.get("hyperparameters") or {}).items() if v is not None}
    # The service's form (docs: "provide them as part of method"), top-level hyperparameters being
    # deprecated; the method is always named, and so is the training tier: without trainingType the
    # service answers "The specified base model does not support fine-tuning."
    kwargs["method"] = job_method(request.get("method") or {}, hyperparameters)
    kwargs["extra_body"] = {"trainingType": request.get("training_type") or "Standard"}
    return kwargs


def uses_v1(request: dict[str, Any]) -> bool:
    """Reinforcement jobs go through Azure's v1 surface (the preview spec's methods: dpo, supervised)."""
    return (request.get("method") or {}).get("type") == "reinforcement"


def submit_job(client: openai.AzureOpenAI, request: dict[str, Any]) -> dict[str, Any]:
    """Create the fine-tuning job of a SubmitJobInput dict, or return the one this run already has."""

    def submit() -> dict[str, Any]:
        existing = find_run_job(client, request["instance_id"], request["training_file_id"])
        if existing is not None:
            return job_snapshot(existing, reused=True)
        return job_snapshot(client.fine_tuning.jobs.create(**job_request(request)), reused=False)

    try:
        return call_openai(submit, errors.SUBMIT_FAILED, "create the fine-tuning job")
    except openai.RateLimitError as exc:
        service_code, message = openai_error_detail(exc)
        if service_code != QUEUE_FULL_CODE:
            raise
        # Not a failure: the job waits its turn; the orchestrator submits again after a durable timer.
        return {"job_id": None, "status": None, "queue_full": message[:1000]}


def newest_event(client: openai.AzureOpenAI, job_id: str) -> dict[str, Any] | None:
    """The job's newest event (the service lists events newest first) as a JobEvent dict."""
    page = client.fine_tuning.jobs.list_events(job_id, limit=1)
    if not page.data:
        return None
    event = page.data[0]
    return {"created_at": event.created_at, "level": event.level, "message": event.message}


def list_job_events(client: openai.AzureOpenAI, job_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The job's newest ``limit`` events, oldest first, as plain dicts."""
    page = client.fine_tuning.jobs.list_events(job_id, limit=limit)
    # The service lists newest first; reversing keeps the order of events within one second.
    events = [{"created_at": e.created_at, "level": e.level, "message": e.message, "type": e.type}
              for e in reversed(page.data)]
    return sorted(events, key=lambda event: event["created_at"] or 0)


def get_job_status(client: openai.AzureOpenAI, job_id: str) -> dict[str, Any]:
    """The job's status with its newest event (JobSnapshot dict)."""

    def read() -> dict[str, Any]:
        job = client.fine_tuning.jobs.retrieve(job_id)
        return job_snapshot(job, newest_event(client, job_id))

    return call_openai(read, errors.JOB_FAILED, f"report on the fine-tuning job {job_id}")


def cancel_job(client: openai.AzureOpenAI, job_id: str) -> dict[str, Any]:
    """Cancel the job unless it already ended; returns its snapshot afterwards."""
    current = get_job_status(client, job_id)
    if is_error_result(current) or current["status"] in TERMINAL_JOB_STATUSES:
        return current
    cancelled = call_openai(lambda: client.fine_tuning.jobs.cancel(job_id), errors.CANCELLED,
                            f"cancel the fine-tuning job {job_id}")
    if is_error_result(cancelled):
        after = get_job_status(client, job_id)  # it may have ended between the two calls
        return after if not is_error_result(after) and after["status"] in TERMINAL_JOB_STATUSES else cancelled
    return job_snapshot(cancelled)  # type: ignore[arg-type]


# ---- Chat ----
def chat_completion(client: openai.AzureOpenAI, deployment: str, messages: list[dict[str, Any]],
                    max_tokens: int | None = None) -> dict[str, Any]:
    """One chat completion against a deployment (readiness probe and smoke test): ChatResult dict."""
    options: dict[str, Any] = {"max_tokens": max_tokens} if max_tokens else {}

    def complete() -> Any:
        return client.chat.completions.create(model=deployment, messages=messages, **options)

    result = call_openai(complete, errors.SMOKE_TEST_FAILED,
                         f"answer a chat completion on the deployment {deployment}")
    if is_error_result(result):
        return {"ok": False, "reply": None, "finish_reason": None, **result}
    choice = result.choices[0] if result.choices else None  # type: ignore[union-attr]
    reply = choice.message.content if choice else None
    if not reply:
        return {"ok": False, "reply": reply, "finish_reason": choice.finish_reason if choice else None,
                "error": {"code": errors.SMOKE_TEST_FAILED,
                          "message": f"The deployment {deployment} answered with no text."}}
    return {"ok": True, "reply": reply, "finish_reason": choice.finish_reason, "error": None}


# ---- Job control and checkpoints ----
def control_job(client: openai.AzureOpenAI, job_id: str, action: str) -> dict[str, Any]:
    """Pause or resume the job; the service's refusal (not running, not paused) is returned, not raised."""
    call = client.fine_tuning.jobs.pause if action == "pause" else client.fine_tuning.jobs.resume
    result = call_openai(lambda: call(job_id), errors.JOB_FAILED, f"{action} the fine-tuning job {job_id}")
    return result if is_error_result(result) else job_snapshot(result)  # type: ignore[arg-type]


def list_checkpoints(client: openai.AzureOpenAI, job_id: str) -> dict[str, Any]:
    """A CheckpointList dict: the job's kept checkpoints, newest first, with their metrics."""

    def read() -> list[dict[str, Any]]:
        return [{"id": c.id, "model": c.fine_tuned_model_checkpoint, "step": c.step_number,
                 "metrics": c.metrics.to_dict() if c.metrics else {}}
                for c in client.fine_tuning.jobs.checkpoints.list(job_id, limit=10)]

    result = call_openai(read, errors.DEPLOYMENT_FAILED, f"list the checkpoints of {job_id}")
    return result if is_error_result(result) else {"checkpoints": result, "error": None}  # type: ignore[dict-item]
