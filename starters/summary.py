"""The readable run summary of GET /api/finetune/{id} and the rows of GET /api/finetune.

Built from the Durable status of the run (and, while training, of its monitor
sub-orchestration, whose custom status carries the live job progress).
"""

from __future__ import annotations

import json
from typing import Any

from shared.errors import TERMINATED
from shared.token_accounting import token_comparison

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


def run_status(runtime: str | None, custom: dict[str, Any]) -> str:
    """The run's status: the orchestrator's own word, except after a Durable terminate.

    A terminated orchestration never wrote its ending, so its custom status still says
    running (or waiting_for_approval): the runtime status is the truth then.
    """
    if runtime == "Terminated":
        return TERMINATED
    return custom.get("status") or (runtime or "").lower()


def deployment_of(status: Any, custom: dict[str, Any]) -> str | None:
    """The deployment the run made (or is making), from its output or its custom status."""
    output = status.output if isinstance(status.output, dict) else {}
    name = output.get("deployment") or custom.get("deployment")
    return name if isinstance(name, str) and name else None


def live_job(custom: dict[str, Any], monitor: Any = None) -> dict[str, Any]:
    """The run's job as its custom status knows it, with the monitor's newer progress merged in."""
    job = dict(custom.get("job") or {})
    monitor_custom = getattr(monitor, "custom_status", None)
    if isinstance(monitor_custom, dict) and isinstance(monitor_custom.get("job"), dict):
        job.update({k: v for k, v in monitor_custom["job"].items() if v is not None})
    return job


def run_row(status: Any, monitor: Any = None) -> dict[str, Any]:
    """One run in the list: id, run, runtime status, stage, status, model, newest event, deployment, times."""
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    runtime = runtime_name(status)
    output = status.output if isinstance(status.output, dict) else {}
    job = live_job(custom, monitor)
    return {"id": status.instance_id, "run": run_name(status, custom), "runtimeStatus": runtime,
            "stage": custom.get("stage"), "status": run_status(runtime, custom),
            "model": custom.get("model"),
            "fine_tuned_model": output.get("fine_tuned_model") or job.get("fine_tuned_model"),
            "newest_event": job.get("newest_event"),
            "deployment": deployment_of(status, custom),
            "created": _iso(status.created_time), "updated": _iso(status.last_updated_time)}


def valid_actions(summary: dict[str, Any], supported: Any) -> list[str]:
    """The actions of ``supported`` (the API's) that the run accepts now, as POST .../{action} checks them.

    The runs page shows a button for each: cancel while the run is active; approve and reject
    while it waits for an approval; pause while its job trains, resume while it is paused.
    """
    if not summary.get("active"):
        return []
    job_status = (summary.get("job") or {}).get("status")
    valid = {"cancel": True,
             "approve": summary.get("status") == "waiting_for_approval",
             "reject": summary.get("status") == "waiting_for_approval",
             "pause": job_status == "running",
             "resume": job_status == "paused"}
    return [action for action in supported if valid.get(action)]


def run_summary(status: Any, monitor: Any = None) -> dict[str, Any]:
    """A user's view of a run: where it is, how training goes, what failed, where the reports are."""
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    runtime = runtime_name(status)
    summary = run_row(status, monitor)
    job = live_job(custom, monitor)
    monitor_custom = getattr(monitor, "custom_status", None)
    if isinstance(monitor_custom, dict) and isinstance(monitor_custom.get("job"), dict):
        summary["next_poll"] = monitor_custom.get("next_poll")
    summary["job"] = job or None
    if summary["status"] == "running" and job.get("status") in ("paused", "pausing"):
        # The job is paused (a user's pause, or the service's at its cost cap): waiting, not stuck.
        summary["status"] = "paused"
        summary["paused_since"] = job.get("paused_since")
    summary["stages"] = custom.get("stages") or []
    summary["files"] = custom.get("files")
    summary["validation"] = custom.get("validation")
    summary["deployment"] = deployment_of(status, custom)
    summary["reports"] = custom.get("report") or custom.get("reports")
    summary["error"] = custom.get("error")
    if runtime == "Failed" and summary["error"] is None:
        summary["error"] = failure_error(status.output)
    if runtime == "Terminated":
        reason = f" ({status.output})" if status.output not in (None, "") else ""
        summary["error"] = {"code": TERMINATED, "stage": custom.get("stage"), "message": (
            f"The orchestration was terminated through the Durable API{reason}, so the run stopped where it "
            "was without cleaning up: a fine-tuning job or deployment it started may still exist. Check them "
            "in Azure OpenAI, and use POST /api/finetune/{id}/cancel rather than terminate next time.")}
    summary["output"] = status.output if isinstance(status.output, dict) else None
    summary["evaluation"] = (summary["output"] or {}).get("evaluation") or custom.get("evaluation")
    summary["active"] = runtime in ACTIVE
    summary["approval"] = custom.get("approval")
    training = next((v for v in custom.get("validation") or [] if v.get("role") == "training"), None)
    summary["tokens"] = token_comparison(training, job.get("trained_tokens"), job.get("n_epochs"))
    if summary["status"] == "waiting_for_approval":
        summary["approval_deadline"] = custom.get("approval_deadline")
    return summary
