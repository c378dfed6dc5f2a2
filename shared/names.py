"""Names of every orchestrator, activity, external event and stage of the pipeline.

Function names are the contract between orchestrators (which call them) and the
activity blueprints (which declare them: ``@bp.activity_trigger(input_name="payload",
activity=names.VALIDATE_DATASET)``). Never repeat these strings as literals.
"""

from __future__ import annotations

# ---- Orchestrators ----
FINETUNE_ORCHESTRATOR = "finetune_orchestrator"
MONITOR_ORCHESTRATOR = "monitor_job_orchestrator"

# ---- Activities (input -> output types live in shared/payloads.py) ----
READ_RUN_FOLDER = "read_run_folder"            # ReadRunFolderInput -> RunFolder
VALIDATE_DATASET = "validate_dataset"          # ValidateInput -> ValidationSummary (whole stream)
VALIDATE_RANGE = "validate_range"              # ValidateRangeInput -> RangeResult (partial stored as a blob)
MERGE_VALIDATION = "merge_validation"          # MergeValidationInput -> ValidationSummary
UPLOAD_FILE = "upload_file"                    # UploadInput -> FileState
GET_FILE_STATUS = "get_file_status"            # FileRef -> FileState
SUBMIT_JOB = "submit_job"                      # SubmitJobInput -> JobSnapshot (idempotent per run)
GET_JOB_STATUS = "get_job_status"              # JobRef -> JobSnapshot (with the newest event)
CANCEL_JOB = "cancel_job"                      # JobRef -> JobSnapshot
START_DEPLOYMENT = "start_deployment"          # DeploymentInput -> DeploymentState
GET_DEPLOYMENT = "get_deployment"              # DeploymentRef -> DeploymentState
CHAT_COMPLETION = "chat_completion"            # ChatInput -> ChatResult (readiness probe and smoke test)
WRITE_REPORT = "write_report"                  # ReportInput -> ReportResult
DELETE_FILES = "delete_files"                  # DeleteFilesInput -> DeleteFilesResult
# Pre-flight, job control and the checkpoint choice (input -> output types in shared/method_payloads.py)
CHECK_MODEL = "check_model"                    # ModelCheckInput -> ModelCheck (/models, or the jobs list)
CHECK_GRADER = "check_grader"                  # GraderCheckInput -> GraderCheck (graders validate + run)
CONTROL_JOB = "control_job"                    # JobControlInput -> JobSnapshot (pause | resume)
LIST_CHECKPOINTS = "list_checkpoints"          # JobRef -> CheckpointList

ACTIVITIES: tuple[str, ...] = (
    READ_RUN_FOLDER, VALIDATE_DATASET, VALIDATE_RANGE, MERGE_VALIDATION, UPLOAD_FILE, GET_FILE_STATUS,
    SUBMIT_JOB, GET_JOB_STATUS, CANCEL_JOB, START_DEPLOYMENT, GET_DEPLOYMENT, CHAT_COMPLETION,
    WRITE_REPORT, DELETE_FILES,
    CHECK_MODEL, CHECK_GRADER, CONTROL_JOB, LIST_CHECKPOINTS,
)

# ---- External events (POST /api/finetune/{id}/approve|reject|cancel) ----
EVENT_APPROVE = "approve"
EVENT_REJECT = "reject"
EVENT_CANCEL = "cancel"
EVENT_PAUSE = "pause"                          # POST /api/finetune/{id}/pause: pause the training job
EVENT_RESUME = "resume"                        # POST /api/finetune/{id}/resume: resume it

# ---- Stages, as customStatus.stage and in errors ----
STAGE_SETTLE = "settle"
STAGE_VALIDATE = "validate"
STAGE_BUDGET = "budget"
STAGE_PREFLIGHT = "preflight"                  # everything later stages need exists and is accepted
STAGE_UPLOAD = "upload"
STAGE_FILES_READY = "files_ready"
STAGE_SUBMIT = "submit"
STAGE_MONITOR = "monitor"
STAGE_APPROVE = "approve"
STAGE_DEPLOY = "deploy"
STAGE_SMOKE_TEST = "smoke_test"
STAGE_REPORT = "report"
STAGE_CLEANUP = "cleanup"
STAGE_DONE = "done"

STAGES: tuple[str, ...] = (
    STAGE_SETTLE, STAGE_VALIDATE, STAGE_BUDGET, STAGE_PREFLIGHT, STAGE_UPLOAD, STAGE_FILES_READY,
    STAGE_SUBMIT, STAGE_MONITOR, STAGE_APPROVE, STAGE_DEPLOY, STAGE_SMOKE_TEST, STAGE_REPORT, STAGE_CLEANUP,
    STAGE_DONE,
)

# ---- Report blobs: <REPORTS_CONTAINER>/<run>/<instance>/<name> ----
# Named by the role of the file they describe (before 2026-12: validation.json, validation-valid.json).
REPORT_VALIDATION = "validation.training.json"         # the training file's validation report
REPORT_VALIDATION_VALID = "validation.validation.json" # the validation file's report
REPORT_SUMMARY = "summary.json"
REPORT_RESULTS = "results.csv"
REPORT_LOSS = "loss.svg"
REPORT_EVAL = "eval.json"                              # the evaluation gate: statistics and decision
REPORT_EVAL_CSV = "eval.csv"                           # the evaluation, one row per example
REPORT_EVAL_CHART = "eval.svg"                         # baseline vs candidate per grader
PARTIALS_FOLDER = "partials"                           # range-validation partial results


def report_path(run: str, instance_id: str, name: str) -> str:
    """Path of a report blob inside the reports container."""
    return f"{run}/{instance_id}/{name}"
