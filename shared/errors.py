"""User-facing errors of the pipeline: stable codes and the activity error convention.

Convention between orchestrators and activities (docs/pipeline.md):
- a PERMANENT failure is RETURNED as ``{"error": {"code", "message"}}`` (plus what the
  activity knows), so the orchestrator fails fast with the service's own words;
- a TRANSIENT failure (429, 5xx, timeouts) is RAISED, so RetryOptions retry it.
A run that fails ends with ``{"code", "stage", "message"}``: what failed, where, what to do.
"""

from __future__ import annotations

from typing import Any

# ---- Stable codes (documented in docs/pipeline.md) ----
INVALID_REQUEST = "invalid_request"             # HTTP body / path problems (400)
INVALID_RUN_SETTINGS = "invalid_run_settings"   # finetune.json or body run settings
# A grader (evaluation.graders, method.reinforcement.grader) has an unknown type, field or value, a
# template that names a missing field, or a formula/source that does not parse: fix the field named.
INVALID_GRADER = "invalid_grader"
# The evaluation object of finetune.json has an unknown key or bad value: fix the field named.
INVALID_EVALUATION_SETTINGS = "invalid_evaluation_settings"
DATASET_NOT_FOUND = "dataset_not_found"         # the training blob is gone
DATASET_SUPERSEDED = "dataset_superseded"       # the training blob changed; a newer run takes over
INVALID_DATASET = "invalid_dataset"             # the validation engine found errors
UNKNOWN_MODEL = "unknown_model"                 # no tokenizer/price data for the base model
# The run's method (or training tier, or continued fine-tuning) is not one the model takes
# (shared/model_catalog.py, then the service's /models): the message names the models that do.
METHOD_NOT_SUPPORTED = "method_not_supported"
# The fine-tuned model a run continues from does not exist in the Azure OpenAI resource.
PARENT_MODEL_NOT_FOUND = "parent_model_not_found"
# Reinforcement fine-tuning needs a validation file beside the training file (valid*.jsonl).
VALIDATION_FILE_REQUIRED = "validation_file_required"
BUDGET_EXCEEDED = "budget_exceeded"
COST_UNKNOWN = "cost_unknown"                   # a cap is set but no price is known for the model
UPLOAD_FAILED = "upload_failed"
FILE_PROCESSING_FAILED = "file_processing_failed"
FILES_TIMEOUT = "files_timeout"
SUBMIT_FAILED = "submit_failed"
JOB_FAILED = "job_failed"
JOB_CANCELLED = "job_cancelled"                 # cancelled outside the app
TRAINING_DEADLINE = "training_deadline_exceeded"
APPROVAL_TIMEOUT = "approval_timeout"
REJECTED = "rejected"
CANCELLED = "cancelled"
TERMINATED = "terminated"                       # a Durable terminate stopped the run (no cleanup ran)
DEPLOYMENT_FAILED = "deployment_failed"
DEPLOYMENT_TIMEOUT = "deployment_timeout"
SMOKE_TEST_FAILED = "smoke_test_failed"
# The candidate did not beat the baseline by the evaluation's rules: eval.json says which rule and
# eval.csv shows every example; improve the training data or relax evaluation.min_improvement.
QUALITY_GATE_FAILED = "quality_gate_failed"
REPORT_FAILED = "report_failed"
SERVICE_UNAVAILABLE = "service_unavailable"     # transient failures outlasted every retry
INTERNAL = "internal_error"

PIPELINE_CODES = frozenset(value for name, value in dict(globals()).items()
                           if name.isupper() and isinstance(value, str))


class PipelineError(Exception):
    """A failure a user can act on: a stable code, a sentence, and the stage it happened in."""

    def __init__(self, code: str, message: str, stage: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.stage = stage

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "stage": self.stage, "message": self.message}

    def with_stage(self, stage: str) -> PipelineError:
        return PipelineError(self.code, self.message, self.stage or stage)


class RequestError(ValueError):
    """A rejected HTTP body or run settings: rendered as 400 ``{"error": {code, message, field}}``."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


def error_result(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """What an activity RETURNS for a permanent failure."""
    return {"error": {"code": code, "message": message}, **extra}


def returned_error(result: Any) -> dict[str, Any] | None:
    """The ``{"code", "message"}`` an activity returned, or None when it succeeded."""
    if isinstance(result, dict) and isinstance(result.get("error"), dict):
        return result["error"]
    return None


def clause(text: str) -> str:
    """A quoted message as a clause of ours: without its final period, so "...: {clause}. Do X" has one."""
    return text.rstrip().rstrip(".").rstrip()
