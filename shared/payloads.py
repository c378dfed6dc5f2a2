"""The small JSON payloads exchanged between orchestrators and activities.

Each is a dataclass with ``to_dict()`` / ``from_dict()`` (tolerant of unknown keys, so a
newer activity can add fields). They carry blob paths, ids, counts and statuses, never
dataset contents. Blob paths are relative to their container (datasets or reports).
Activities receive ``payload: dict`` and return a dict; a permanent failure is returned as
``{"error": {"code", "message"}}`` (shared/errors.py), which every output type carries.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, ClassVar, TypeVar

P = TypeVar("P", bound="Payload")


class Payload:
    """Mixin: dict conversion, nested payloads listed in ``_nested`` (field -> class)."""

    _nested: ClassVar[dict[str, type[Payload]]] = {}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls: type[P], data: dict[str, Any] | None) -> P:
        data = data or {}
        values: dict[str, Any] = {}
        for spec in fields(cls):  # type: ignore[arg-type]
            if spec.name not in data:
                continue
            value = data[spec.name]
            nested = cls._nested.get(spec.name)
            if nested is not None and isinstance(value, dict):
                value = nested.from_dict(value)
            values[spec.name] = value
        missing = [s.name for s in fields(cls)  # type: ignore[arg-type]
                   if s.name not in values and s.default is MISSING and s.default_factory is MISSING]
        if missing:
            raise ValueError(f"{cls.__name__} is missing {', '.join(missing)}")
        return cls(**values)


# ---- Blobs and the run ----
@dataclass
class BlobRef(Payload):
    """A blob in the datasets container: path relative to the container, ETag, size in bytes."""

    path: str
    etag: str | None = None
    size: int | None = None


@dataclass
class Timing(Payload):
    """The orchestration's timing and sizes, read from the app settings by the starter.

    They travel in the orchestration's input so that replays see the values the run started
    with (an orchestrator never reads settings itself).
    """

    settle_seconds: int = 10
    files_poll_seconds: int = 15
    files_timeout_minutes: float = 120
    monitor_min_poll_seconds: int = 30
    monitor_max_poll_seconds: int = 600
    monitor_deadline_hours: float = 72
    deploy_poll_seconds: int = 20
    deploy_timeout_minutes: float = 60
    validation_range_bytes: int = 64 * 1024 * 1024
    reports_container: str = "reports"
    datasets_container: str = "datasets"


@dataclass
class RunRequest(Payload):
    """Input of the finetune orchestrator (built by the starters)."""

    run: str                                   # run name: the folder, or the single file's stem
    training: BlobRef
    validation_path: str | None = None         # explicit (HTTP) validation file
    settings_path: str | None = None           # finetune.json, when the folder has one
    settings: dict[str, Any] | None = None     # run settings from the HTTP body (already validated)
    discover: bool = True                      # blob runs: list the folder after settling
    source: str = "blob"                       # "blob" | "http"
    timing: Timing = field(default_factory=Timing)
    _nested: ClassVar[dict[str, type[Payload]]] = {"training": BlobRef, "timing": Timing}


@dataclass
class ReadRunFolderInput(Payload):
    run: str
    training: BlobRef
    validation_path: str | None = None
    settings_path: str | None = None
    settings: dict[str, Any] | None = None
    discover: bool = True
    _nested: ClassVar[dict[str, type[Payload]]] = {"training": BlobRef}


@dataclass
class RunFolder(Payload):
    """What the run folder holds after settling, and the resolved run settings (RunSettings dict)."""

    training: BlobRef | None = None
    validation: BlobRef | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    superseded: bool = False                   # the training blob's ETag changed: a newer run exists
    error: dict[str, Any] | None = None
    _nested: ClassVar[dict[str, type[Payload]]] = {"training": BlobRef, "validation": BlobRef}


# ---- Validation ----
@dataclass
class ValidateInput(Payload):
    """Validate one whole file (streamed) and write its report blob."""

    blob: BlobRef
    role: str                                  # "training" | "validation"
    model: str
    n_epochs: int | None
    report_path: str                           # in the reports container
    training_type: str | None = None           # the run's training tier: its price
    method: str | None = None                  # the run's method: the format its lines must have
    item_fields: list[str] = field(default_factory=list)   # an RFT grader's item.* references
    method_hyperparameters: dict[str, Any] = field(default_factory=dict)  # for the RFT hours estimate
    _nested: ClassVar[dict[str, type[Payload]]] = {"blob": BlobRef}


@dataclass
class ValidateRangeInput(Payload):
    """Validate bytes [range_start, range_end) of a file; store the PartialResult at partial_path."""

    blob: BlobRef
    role: str
    model: str
    n_epochs: int | None
    range_start: int
    range_end: int
    partial_path: str                          # in the reports container
    training_type: str | None = None           # the run's training tier: its price
    method: str | None = None                  # the run's method: the format its lines must have
    item_fields: list[str] = field(default_factory=list)   # an RFT grader's item.* references
    method_hyperparameters: dict[str, Any] = field(default_factory=dict)  # for the RFT hours estimate
    _nested: ClassVar[dict[str, type[Payload]]] = {"blob": BlobRef}


@dataclass
class RangeResult(Payload):
    partial_path: str = ""
    range_start: int = 0
    range_end: int = 0
    error: dict[str, Any] | None = None


@dataclass
class MergeValidationInput(Payload):
    """Merge stored partials (in range order), finalize and write the report blob."""

    blob: BlobRef
    role: str
    model: str
    n_epochs: int | None
    partial_paths: list[str]
    report_path: str
    training_type: str | None = None           # the run's training tier: its price
    method: str | None = None                  # the run's method: the format its lines must have
    item_fields: list[str] = field(default_factory=list)   # an RFT grader's item.* references
    method_hyperparameters: dict[str, Any] = field(default_factory=dict)  # for the RFT hours estimate
    _nested: ClassVar[dict[str, type[Payload]]] = {"blob": BlobRef}


@dataclass
class ValidationSummary(Payload):
    """A small digest of a ValidationReport; the full report is the blob at report_path."""

    role: str = "training"
    ok: bool = False
    examples: int = 0
    error_count: int = 0
    error_counts: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)   # at most a few, each one line
    total_tokens: int = 0
    estimated_trained_tokens: int | None = None
    estimated_cost_usd: float | None = None
    report_path: str | None = None
    error: dict[str, Any] | None = None
    billable_tokens: int | None = None         # the estimate's parts: billable tokens x n_epochs
    n_epochs: int | None = None
    epochs_source: str | None = None           # "settings" | "default_rule"
    training_tier: str | None = None           # Standard | GlobalStandard | Developer
    price_usd_per_million: float | None = None
    price_source: str | None = None            # a URL, or FINETUNE_PRICES_JSON
    price_note: str | None = None              # how an estimate was derived, or why there is no price
    price_is_estimate: bool = False            # the price is the table's estimate, not the user's price
    # Reinforcement fine-tuning is billed per training hour (shared/rft_estimate.py): the estimate's parts.
    price_unit: str | None = None              # "1M training tokens" | "training hour"
    estimated_training_hours: float | None = None
    price_usd_per_hour: float | None = None


# ---- Files ----
@dataclass
class UploadInput(Payload):
    """Stream a dataset blob to the files API under ``file_name`` (carries the run identity)."""

    blob: BlobRef
    role: str
    file_name: str
    instance_id: str
    _nested: ClassVar[dict[str, type[Payload]]] = {"blob": BlobRef}


@dataclass
class FileRef(Payload):
    file_id: str


@dataclass
class FileState(Payload):
    file_id: str | None = None
    status: str | None = None                  # uploaded | pending | running | processed | error | deleted
    status_details: str | None = None
    filename: str | None = None
    bytes: int | None = None
    error: dict[str, Any] | None = None


# ---- Jobs ----
@dataclass
class SubmitJobInput(Payload):
    """Create the job, or return this run's existing one (found by metadata finetune_run)."""

    instance_id: str
    run: str
    model: str
    training_file_id: str
    validation_file_id: str | None = None
    seed: int | None = None
    suffix: str | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    training_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    # The run's method (RunSettings.method): sent as the job's "method" with the hyperparameters in it.
    method: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobRef(Payload):
    job_id: str


@dataclass
class JobEvent(Payload):
    created_at: int | None = None              # unix seconds
    level: str | None = None
    message: str | None = None


@dataclass
class JobSnapshot(Payload):
    job_id: str | None = None
    # validating_files | queued | running | succeeded | failed | cancelled
    status: str | None = None
    model: str | None = None
    fine_tuned_model: str | None = None
    trained_tokens: int | None = None
    estimated_finish: int | None = None        # unix seconds
    newest_event: JobEvent | None = None
    result_files: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None        # the job's own error, or an activity error
    queue_full: str | None = None              # submit only: the service's job queue is full (its words)
    n_epochs: int | None = None                # the epochs the job runs (the service's choice when auto)
    _nested: ClassVar[dict[str, type[Payload]]] = {"newest_event": JobEvent}


# ---- Deployment and chat ----
@dataclass
class DeploymentInput(Payload):
    name: str
    model: str                                 # the fine-tuned model
    sku: str
    capacity: int
    instance_id: str


@dataclass
class DeploymentRef(Payload):
    name: str
    # ARM reports why a deployment failed only in its async-operation status, not in the
    # deployment itself: START_DEPLOYMENT returns this URL so GET_DEPLOYMENT can read the reason.
    operation_url: str | None = None


@dataclass
class DeploymentState(Payload):
    name: str | None = None
    provisioning_state: str | None = None      # Creating | Succeeded | Failed | ... (ARM)
    model: str | None = None
    error: dict[str, Any] | None = None


@dataclass
class ChatInput(Payload):
    deployment: str
    messages: list[dict[str, Any]]
    max_tokens: int | None = None


@dataclass
class ChatResult(Payload):
    ok: bool = False
    reply: str | None = None
    finish_reason: str | None = None
    error: dict[str, Any] | None = None


# ---- Report and cleanup ----
@dataclass
class StageRecord(Payload):
    stage: str
    started: str                               # ISO-8601, from context.current_utc_datetime
    ended: str | None = None
    outcome: str | None = None                 # succeeded | failed | skipped | cancelled | rejected
    detail: str | None = None


@dataclass
class ReportInput(Payload):
    """Everything summary.json needs; the activity fetches the job's events and result files itself."""

    run: str
    instance_id: str
    report_folder: str                         # <run>/<instance> in the reports container
    outcome: str                               # succeeded | failed | cancelled | rejected
    stages: list[dict[str, Any]] = field(default_factory=list)   # StageRecord dicts
    settings: dict[str, Any] = field(default_factory=dict)
    validation: list[dict[str, Any]] = field(default_factory=list)  # ValidationSummary dicts
    job_id: str | None = None
    file_ids: list[str] = field(default_factory=list)
    fine_tuned_model: str | None = None
    deployment: str | None = None
    smoke_test: dict[str, Any] | None = None   # ChatResult dict
    error: dict[str, Any] | None = None        # {code, stage, message} when the run failed
    approval: dict[str, Any] | None = None     # {decision: approved | rejected, note} when one was asked
    method: str | None = None                  # supervised | dpo | reinforcement
    training_type: str | None = None
    parent_model: str | None = None            # continuous fine-tuning: the fine-tuned model continued
    checkpoint: dict[str, Any] | None = None   # the model deployed: {choice, model, step, reason}


@dataclass
class ReportResult(Payload):
    summary_path: str | None = None
    results_path: str | None = None
    loss_path: str | None = None
    error: dict[str, Any] | None = None


@dataclass
class DeleteFilesInput(Payload):
    file_ids: list[str]


@dataclass
class DeleteFilesResult(Payload):
    deleted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None


# ---- Monitor sub-orchestration ----
@dataclass
class MonitorInput(Payload):
    """State of the monitor, carried through continue_as_new."""

    job_id: str
    deadline: str                              # ISO-8601: past it, cancel the job and fail
    min_interval: int
    max_interval: int
    interval: int | None = None
    polls: int = 0                             # in this generation (history bound)
    generation: int = 0
    failures: int = 0                          # polls in a row whose status read failed
    last: JobSnapshot | None = None
    paused_since: str | None = None            # ISO-8601: the job is paused; the deadline waits meanwhile
    # The run's cap while an RFT job trains (orchestrators/cost_guard.py): price, cap, time seen running
    usd_per_hour: float | None = None
    cost_cap_usd: float | None = None
    running_seconds: float = 0.0
    last_poll: str | None = None
    cost_paused: dict[str, Any] | None = None  # {at, hours, usd, cap_usd}: the job was paused at the cap
    _nested: ClassVar[dict[str, type[Payload]]] = {"last": JobSnapshot}


@dataclass
class MonitorResult(Payload):
    outcome: str                               # succeeded | failed | cancelled | deadline | unavailable
    job: JobSnapshot | None = None
    polls_total: int = 0
    detail: str | None = None
    _nested: ClassVar[dict[str, type[Payload]]] = {"job": JobSnapshot}
