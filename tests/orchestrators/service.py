"""A scripted stand-in for the activities, for orchestrator replay tests.

Orchestrator tests check the flow (which activity, with what, in which order, how the run
ends), so the activities' answers are scripted here in the shapes of shared/payloads.py;
the activities themselves are tested against Azurite and the emulator elsewhere.
Each knob says what the "service" does: job statuses per poll, file statuses, deployment
states, chat replies, and transient failures (raised, so RetryOptions retry them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared import names
from shared.errors import error_result
from tests.orchestrators.driver import ActivityFailure

FT_MODEL = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef"
# The service's words for a full job queue (429 quotaExceeded), as shared/aoai_ops.submit_job passes them.
QUEUE_FULL = ("This resource already has 20 fine-tuning jobs waiting to run (the limit is 20 queued and 1 "
              "running). Wait for queued jobs to finish or cancel some, then retry.")
REPLY = "Yes, several Azure AI services support customer managed keys."


@dataclass
class FakeService:
    """Scripted answers, keyed by activity name; counters record what happened."""

    settings: dict[str, Any] = field(default_factory=dict)       # raw run settings (finetune.json)
    validation_file: bool = True
    training_size: int = 2_000
    valid_ok: bool = True
    cost_usd: float | None = 0.42
    usd_per_hour: float | None = None           # a run billed per training hour (RFT)
    folder_error: dict[str, Any] | None = None
    superseded: bool = False
    file_statuses: list[str] = field(default_factory=lambda: ["pending", "processed"])
    file_error_details: str = "Invalid file format: line 3 is not valid JSON."
    job_statuses: list[str] = field(default_factory=lambda: ["queued", "running", "running", "succeeded"])
    job_error: dict[str, Any] | None = None
    deployment_states: list[str] = field(default_factory=lambda: ["Creating", "Succeeded"])
    probe_ok_after: int = 0                     # probes answering "not ready" first
    smoke_ok: bool = True
    transient: dict[str, int] = field(default_factory=dict)       # activity -> failures before success
    queue_full_submits: int = 0                 # submits answered "job queue full" before one is accepted
    model_check: dict[str, Any] | None = None   # the answer of check_model (default: the model is fine)
    grader_error: dict[str, Any] | None = None  # check_grader refuses the grader with this error
    checkpoints: list[dict[str, Any]] = field(default_factory=list)   # list_checkpoints' answer
    controls: list[str] = field(default_factory=list)                 # pause/resume actions sent
    counts: dict[str, int] = field(default_factory=dict)

    def __call__(self, name: str, payload: Any) -> Any:
        self.counts[name] = self.counts.get(name, 0) + 1
        if self.transient.get(name, 0) > 0:
            self.transient[name] -= 1
            raise ActivityFailure(f"{name}: 503 Service Unavailable (Retry-After: 1)")
        return getattr(self, name)(payload)

    # ---- dataset ----
    def read_run_folder(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.folder_error:
            return {"error": self.folder_error}
        from shared.run_settings import parse_run_settings
        from shared.settings import load_settings

        resolved = parse_run_settings(payload.get("settings") or self.settings, load_settings({})).to_dict()
        run = payload["run"]
        training = {"path": payload["training"]["path"], "etag": payload["training"]["etag"],
                    "size": self.training_size}
        valid = {"path": f"{run}/valid.jsonl", "etag": "0x2", "size": 500} if self.validation_file else None
        return {"training": training, "validation": valid, "settings": resolved,
                "superseded": self.superseded}

    def validate_dataset(self, payload: dict[str, Any]) -> dict[str, Any]:
        ok = self.valid_ok or payload["role"] == "validation"
        return self._summary(payload, ok)

    def _summary(self, payload: dict[str, Any], ok: bool) -> dict[str, Any]:
        training = payload["role"] == "training"
        return {"role": payload["role"], "ok": ok, "examples": 10, "error_count": 0 if ok else 2,
                "error_counts": {} if ok else {"missing_assistant": 2},
                "first_errors": [] if ok else ["line 4: The example has no assistant message."],
                "total_tokens": 1200, "estimated_trained_tokens": 3600 if training else None,
                "estimated_cost_usd": self.cost_usd if training else None,
                "price_usd_per_hour": self.usd_per_hour if training else None,
                "report_path": payload["report_path"]}

    def validate_range(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"partial_path": payload["partial_path"], "range_start": payload["range_start"],
                "range_end": payload["range_end"]}

    def merge_validation(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self._summary(payload, self.valid_ok or payload["role"] == "validation")

    # ---- files ----
    def upload_file(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"file_id": f"file-{payload['role']}", "status": "uploaded", "filename": payload["file_name"]}

    def get_file_status(self, payload: dict[str, Any]) -> dict[str, Any]:
        index = min(self.counts[names.GET_FILE_STATUS] - 1, len(self.file_statuses) - 1)
        status = self.file_statuses[index]
        details = self.file_error_details if status == "error" else None
        return {"file_id": payload["file_id"], "status": status, "status_details": details}

    def delete_files(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"deleted": list(payload["file_ids"]), "missing": []}

    # ---- pre-flight ----
    def check_model(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.model_check is not None:
            return self.model_check
        model = payload["model"]
        fine_tuned = ".ft-" in model
        return {"model": model, "reachable": True, "fine_tuned": fine_tuned, "found_by": "models",
                "parent_model": model if fine_tuned else None, "base_model": model.split(".ft-")[0]}

    def check_grader(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.grader_error is not None:
            return {"valid": False, "error": self.grader_error}
        return {"valid": True, "runs": [{"file": blob["path"], "line": 1, "sample": "Paris", "reward": 1.0,
                                         "flags": []} for blob in payload["files"]]}

    # ---- jobs ----
    def control_job(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.controls.append(payload["action"])
        status = "paused" if payload["action"] == "pause" else "resuming"
        return {"job_id": payload["job_id"], "status": status}

    def list_checkpoints(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"checkpoints": self.checkpoints}

    def submit_job(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.queue_full_submits > 0:
            self.queue_full_submits -= 1
            return {"job_id": None, "status": None, "queue_full": QUEUE_FULL}
        return {"job_id": "ftjob-1", "status": "pending", "model": payload["model"]}

    def get_job_status(self, payload: dict[str, Any]) -> dict[str, Any]:
        index = min(self.counts[names.GET_JOB_STATUS] - 1, len(self.job_statuses) - 1)
        status = self.job_statuses[index]
        done = status == "succeeded"
        return {"job_id": payload["job_id"], "status": status, "trained_tokens": 3600 if done else None,
                "fine_tuned_model": FT_MODEL if done else None, "estimated_finish": 1767610000,
                "newest_event": {"created_at": 1767600000 + index, "level": "info",
                                 "message": f"Step {index * 10}: training loss=0.{9 - min(index, 8)}"},
                "error": self.job_error if status == "failed" else None}

    def cancel_job(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"job_id": payload["job_id"], "status": "cancelled"}

    # ---- deployment and chat ----
    def start_deployment(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"name": payload["name"], "provisioning_state": "Creating", "model": payload["model"],
                "operation_url": f"https://arm.example/operations/{payload['name']}"}

    def get_deployment(self, payload: dict[str, Any]) -> dict[str, Any]:
        index = min(self.counts[names.GET_DEPLOYMENT] - 1, len(self.deployment_states) - 1)
        state = self.deployment_states[index]
        # As in ARM, the reason of a failure is only known through the async-operation URL.
        knows_reason = payload.get("operation_url") == f"https://arm.example/operations/{payload['name']}"
        reason = "Quota exceeded for Standard." if knows_reason else None
        error = {"code": "InsufficientQuota", "message": reason} if state == "Failed" else None
        return {"name": payload["name"], "provisioning_state": state, "error": error}

    def chat_completion(self, payload: dict[str, Any]) -> dict[str, Any]:
        probe = payload.get("max_tokens") == 1
        if probe and self.counts[names.CHAT_COMPLETION] <= self.probe_ok_after:
            return error_result("DeploymentNotFound", "The deployment is not ready yet.", ok=False)
        if not probe and not self.smoke_ok:
            return {"ok": False, "reply": None}
        return {"ok": True, "reply": "pong" if probe else REPLY, "finish_reason": "stop"}

    # ---- report ----
    def write_report(self, payload: dict[str, Any]) -> dict[str, Any]:
        folder = payload["report_folder"]
        return {"summary_path": f"{folder}/{names.REPORT_SUMMARY}", "results_path": f"{folder}/results.csv",
                "loss_path": f"{folder}/loss.svg"}
