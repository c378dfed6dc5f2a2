"""Fine-tuning jobs: records, creation rules, quota, list/cancel/pause/resume (lifecycle in job_lifecycle)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from local.aoai import config
from local.aoai.config import Timings
from local.aoai.errors import aoai_error
from local.aoai.models import job_rules, method_rules
from local.aoai.models.catalog import BASE_MODELS, FINE_TUNED
from local.aoai.models.common import new_id, paginate
from local.aoai.models.faults import Faults
from local.aoai.models.files import FilesModel
from local.aoai.models.learning import Digest, LearnedStore

TERMINAL = {"succeeded", "failed", "cancelled"}


@dataclass
class JobRecord:
    id: str
    model: str
    training_file: str
    validation_file: str | None
    created_at: float
    hyperparameters: dict[str, Any]
    steps: int
    duration: float
    start_after: float
    training_bytes: int
    seed: int | None = None
    suffix: str | None = None
    method: dict[str, Any] | None = None
    training_type: str | int | None = None
    metadata: dict[str, str] | None = None
    integrations: list[Any] | None = None
    status: str = "pending"
    started_at: float | None = None
    paused_at: float | None = None
    method_type: str = "supervised"
    transition_at: float | None = None  # when "pausing" becomes "paused" (or "resuming" "running")
    pause_at_step: int | None = None  # an injected auto-pause (the $5,000 cap) at this step
    pause_reason: str | None = None
    finished_at: float | None = None
    estimated_finish: float | None = None
    steps_done: int = 0
    fine_tuned_model: str | None = None
    result_files: list[str] | None = None  # null until the job succeeds, as the service answers
    trained_tokens: int | None = None
    digested: bool = False  # the training file was read (tokens billed, examples learned)
    error: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hex(self) -> str:
        return self.id.split("-", 1)[1]

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "object": "fine_tuning.job",
            "id": self.id,
            "model": self.model,
            "created_at": int(self.created_at),
            "finished_at": None if self.finished_at is None else int(self.finished_at),
            "fine_tuned_model": self.fine_tuned_model,
            "organization_id": None,
            "result_files": None if self.result_files is None else list(self.result_files),
            "status": self.status,
            "validation_file": self.validation_file,
            "training_file": self.training_file,
            "hyperparameters": dict(self.hyperparameters),
            "trained_tokens": self.trained_tokens,
            "error": self.error,
            "estimated_finish": None if self.estimated_finish is None else int(self.estimated_finish),
            "suffix": self.suffix,
            "user_provided_suffix": self.suffix,
            "seed": self.seed,
            "metadata": self.metadata,
            "integrations": self.integrations,
        }
        if self.method is not None:
            body["method"] = self.method
        if self.training_type is not None:
            body["trainingType"] = self.training_type
        return body


class JobsModel:
    def __init__(
        self, files: FilesModel, timings: Timings, faults: Faults, learned: LearnedStore | None = None
    ) -> None:
        self.files = files
        self.timings = timings
        self.faults = faults
        self.learned = learned or LearnedStore(None)
        self.records: dict[str, JobRecord] = {}

    def get(self, job_id: str) -> JobRecord:
        record = self.records.get(job_id)
        if record is None:
            raise aoai_error(404, "notFound", f"Fine-tuning job '{job_id}' not found.", "fine_tuning_job_id")
        return record

    def fine_tuned_models(self) -> set[str]:
        return {
            j.fine_tuned_model
            for j in self.records.values()
            if j.status == "succeeded" and j.fine_tuned_model
        }

    def deployable_models(self) -> set[str]:
        """Fine-tuned models and the checkpoints kept of succeeded or paused jobs."""
        checkpoints = {
            c["fine_tuned_model_checkpoint"]
            for j in self.records.values()
            if j.status in ("succeeded", "paused")
            for c in j.checkpoints
        }
        return self.fine_tuned_models() | checkpoints

    def job_of_model(self, model: str) -> JobRecord | None:
        """The job whose fine-tuned model (or kept checkpoint) `model` is."""
        match = FINE_TUNED.match(model)
        return self.records.get(f"ftjob-{match['hex']}") if match else None

    def digest(self, job_id: str, digest: Digest) -> None:
        """Record what the job read from its training file (tokens to bill, examples to learn)."""
        record = self.records.get(job_id)
        if record is not None:
            self.learned.put(job_id, digest)
            record.digested = True

    def undigested(self) -> list[JobRecord]:
        return [j for j in self.records.values() if not j.digested and j.status not in TERMINAL]

    def _check_model(self, model: Any) -> str:
        if not isinstance(model, str) or not model:
            raise aoai_error(400, "invalidPayload", "The 'model' field is required.", "model")
        known = BASE_MODELS.get(model)
        if not (known and known.fine_tune) and model not in self.fine_tuned_models():
            raise aoai_error(
                400, "invalidPayload", "The specified base model does not support fine-tuning.", "model"
            )
        return model

    def _check_file(self, file_id: Any, param: str) -> int:
        if not isinstance(file_id, str) or not file_id:
            raise aoai_error(400, "invalidPayload", f"The '{param}' field is required.", param)
        record = self.files.records.get(file_id)
        if record is None:
            raise aoai_error(404, "notFound", f"File with id '{file_id}' not found.", param)
        if record.status != "processed":
            detail = f" ({record.status_details})" if record.status_details else ""
            raise aoai_error(
                400,
                "invalidPayload",
                f"The file '{file_id}' is not ready for fine-tuning: its status is "
                f"'{record.status}'{detail}. "
                "Wait until it is 'processed', or upload a valid file.",
                param,
            )
        return record.bytes

    def _check_quota(self, now: float) -> None:
        pending = sum(1 for j in self.records.values() if j.status == "pending")
        if pending >= config.MAX_PENDING_JOBS:
            error = aoai_error(
                429,
                "quotaExceeded",
                f"This resource already has {pending} fine-tuning jobs waiting to run (the limit is "
                f"{config.MAX_PENDING_JOBS} queued and {config.MAX_RUNNING_JOBS} running). "
                "Wait for queued jobs to finish or cancel some, then retry.",
            )
            # Retry-After: whole seconds until the running job is expected to end and a queued one starts.
            finishes = [j.estimated_finish for j in self.records.values()
                        if j.status == "running" and j.estimated_finish is not None]
            wait = min(finishes) - now if finishes else self.timings.job_start_delay_seconds
            error.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            raise error

    def create(self, body: dict[str, Any], now: float, api_version: str | None = None) -> JobRecord:
        """A new job; ``api_version`` is the request's ("v1" on /openai/v1; None: not checked)."""
        training_type = body.get("trainingType", body.get("training_type"))
        if training_type is None and job_rules.requires_training_type(api_version):
            # What the real service answers without trainingType (BerriAI/litellm PR #24687): misleading.
            raise aoai_error(
                400, "invalidPayload", "The specified base model does not support fine-tuning.", "model"
            )
        model = self._check_model(body.get("model"))
        training_bytes = self._check_file(body.get("training_file"), "training_file")
        if body.get("validation_file") is not None:
            self._check_file(body.get("validation_file"), "validation_file")
        kind, method_hyper = method_rules.check_method(body, v1=api_version == "v1")
        method_rules.check_model_for(model, kind, job_rules.check_training_type(training_type))
        hyperparameters = job_rules.normalize_hyperparameters(
            {k: v for k, v in method_hyper.items() if k in job_rules.HYPERPARAMETERS}
        )
        record = JobRecord(
            id=new_id("ftjob"),
            model=model,
            training_file=body["training_file"],
            validation_file=body.get("validation_file"),
            created_at=now,
            hyperparameters=hyperparameters,
            steps=self.timings.job_steps,
            duration=self.timings.job_duration_seconds,
            start_after=now + self.timings.job_start_delay_seconds,
            training_bytes=training_bytes,
            seed=job_rules.check_seed(body.get("seed")),  # generated below when absent
            suffix=job_rules.check_suffix(body.get("suffix")),
            method=body.get("method"),
            method_type=kind,
            training_type=job_rules.check_training_type(training_type),
            metadata=job_rules.check_metadata(body.get("metadata")),
            integrations=body.get("integrations"),
        )
        if record.seed is None:  # the service generates one (an integer; v1 requires it)
            record.seed = int(record.hex[:8], 16) % 2_147_483_648
        self._check_quota(now)
        record.estimated_finish = record.start_after + record.duration
        failure = self.faults.take_job_failure(record.id)
        if failure is not None:
            record.failure = asdict(failure)
        record.pause_at_step = self.faults.take_job_pause(record.id)
        self.records[record.id] = record
        add_event(record, now, "Job enqueued. Waiting for jobs ahead to complete.")
        return record

    def list(self, after: str | None, limit: int, metadata: dict[str, str]) -> tuple[list[JobRecord], bool]:
        newest_first = reversed(list(self.records.values()))
        items = [j for j in newest_first if all((j.metadata or {}).get(k) == v for k, v in metadata.items())]
        items.sort(key=lambda j: j.created_at, reverse=True)  # stable: ties keep newest-first order
        return paginate(items, after, limit)

    def cancel(self, job_id: str, now: float) -> JobRecord:
        record = self.get(job_id)
        if record.status in TERMINAL:
            raise _wrong_state(record, "cancelled")
        record.status, record.finished_at = "cancelled", now
        add_event(record, now, "Job cancelled.")
        return record

    def pause(self, job_id: str, now: float) -> JobRecord:
        """running -> paused at once (the 2025-04-01-preview example answers "paused"), with a checkpoint."""
        from local.aoai.models.checkpoints import enter_paused  # it imports this module

        record = self.get(job_id)
        if record.status != "running" or record.steps_done < 1:
            raise _wrong_state(
                record, "paused (only a running job that has trained at least one step can be)"
            )
        record.paused_at, record.pause_reason = now, "user"
        enter_paused(record, now, "Job paused.")
        return record

    def resume(self, job_id: str, now: float) -> JobRecord:
        """paused -> resuming (the example's answer) -> running after pause_transition_seconds; the paused
        time is not trained."""
        record = self.get(job_id)
        if record.status != "paused":
            raise _wrong_state(record, "resumed (only a paused job can be)")
        record.status = "resuming"
        record.transition_at = now + self.timings.pause_transition_seconds
        add_event(record, now, "Job resume requested.")
        return record

    def delete(self, job_id: str) -> None:
        self.get(job_id)
        del self.records[job_id]

    def to_dict(self) -> dict[str, Any]:
        return {job_id: asdict(record) for job_id, record in self.records.items()}

    def load(self, data: dict[str, Any]) -> None:
        self.records = {job_id: JobRecord(**item) for job_id, item in data.items()}


def _wrong_state(record: JobRecord, action: str) -> Exception:
    return aoai_error(
        400,
        "unexpectedEntityState",
        f"The job '{record.id}' is {record.status} and cannot be {action}.",
        "job_id",
    )


def add_event(
    record: JobRecord, at: float, message: str, level: str = "info", data: dict[str, Any] | None = None
) -> None:
    event: dict[str, Any] = {
        "object": "fine_tuning.job.event",
        "id": new_id("ftevent"),
        "created_at": int(at),
        "level": level,
        "message": message,
        "type": "metrics" if data else "message",
    }
    if data:  # message events carry no `data` key at all (recorded service output)
        event["data"] = data
    record.events.append(event)
