"""The readable run summary of GET /api/finetune/{id} and the rows of GET /api/finetune.

Built from the Durable status of the run (and, while training, of its monitor
sub-orchestration, whose custom status carries the live job progress).
"""

from __future__ import annotations

import json
from typing import Any

ACTIVE = {"Running", "Pending", "ContinuedAsNew", "Suspended"}
PREFIX = "Orchestrator function '"


def runtime_name(status: Any) -> str | None:
    value = getattr(status, "runtime_status", None)
    return getattr(value, "value", value)


def _iso(moment: Any) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def failure_error(output: Any) -> dict[str, Any] | None:
    """The {code, stage, message} of a failed run from its output text ("... failed: {json}")."""
    if not isinstance(output, str):
        return None
    start = output.find("{")
    try:
        parsed = json.loads(output[start:]) if start >= 0 else None
    except json.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and "code" in parsed:
        return {key: parsed.get(key) for key in ("code", "stage", "message")}
    return {"code": "internal_error", "stage": None, "message": output[:500]}


def run_name(status: Any, custom: dict[str, Any]) -> str | None:
    """The run's name: from its custom status, or (before its first step) from its input."""
    if custom.get("run"):
        return custom["run"]
    raw = getattr(status, "input_", None)
    # The Python client double-encodes inputs: the status carries JSON text inside a string.
    while isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return None
    return raw.get("run") if isinstance(raw, dict) and isinstance(raw.get("run"), str) else None


def run_row(status: Any) -> dict[str, Any]:
    """One run in the list: id, run, runtime status, stage, status, times."""
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    runtime = runtime_name(status)
    return {"id": status.instance_id, "run": run_name(status, custom), "runtimeStatus": runtime,
            "stage": custom.get("stage"), "status": custom.get("status") or (runtime or "").lower(),
            "created": _iso(status.created_time), "updated": _iso(status.last_updated_time)}


def run_summary(status: Any, monitor: Any = None) -> dict[str, Any]:
    """A user's view of a run: where it is, how training goes, what failed, where the reports are."""
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    runtime = runtime_name(status)
    summary = run_row(status)
    job = dict(custom.get("job") or {})
    monitor_custom = getattr(monitor, "custom_status", None)
    if isinstance(monitor_custom, dict) and isinstance(monitor_custom.get("job"), dict):
        job.update({k: v for k, v in monitor_custom["job"].items() if v is not None})
        summary["next_poll"] = monitor_custom.get("next_poll")
    summary["job"] = job or None
    summary["files"] = custom.get("files")
    summary["validation"] = custom.get("validation")
    summary["deployment"] = custom.get("deployment")
    summary["reports"] = custom.get("report") or custom.get("reports")
    summary["error"] = custom.get("error")
    if runtime == "Failed" and summary["error"] is None:
        summary["error"] = failure_error(status.output)
    if runtime == "Terminated":
        summary["error"] = {"code": "terminated", "stage": custom.get("stage"),
                            "message": f"The run was terminated: {status.output}"}
    summary["output"] = status.output if isinstance(status.output, dict) else None
    summary["active"] = runtime in ACTIVE
    if custom.get("status") == "waiting_for_approval":
        summary["approval_deadline"] = custom.get("approval_deadline")
    return summary
