"""The stages after training: monitor, approve, deploy, smoke test, report, cleanup.

Generators used with ``yield from`` by the finetune orchestrator. Monitoring runs as a
sub-orchestration (orchestrators/monitor.py) raced against the run's "cancel" event;
the approval waits for "approve"/"reject" with a deadline; the deployment is started by
one activity, then polled on durable timers until ARM says Succeeded AND a chat call answers.
"""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from typing import Any

from orchestrators.tracker import POLL_RETRY, RunCancelled, RunTracker, Steps, iso, short_reason
from shared import errors, names, run_ids
from shared.errors import PipelineError
from shared.method_payloads import JobControlInput
from shared.payloads import (
    ChatInput,
    ChatResult,
    DeleteFilesInput,
    DeploymentInput,
    DeploymentRef,
    DeploymentState,
    JobRef,
    JobSnapshot,
    MonitorInput,
    MonitorResult,
)
from shared.run_settings import RunSettings

PROBE_MESSAGES = [{"role": "user", "content": "ping"}]
MAX_NOTE_CHARS = 500   # the HTTP API refuses longer notes
SMOKE_MAX_TOKENS = 300


class RunRejected(Exception):
    """A "reject" event arrived during the approval: the run ends without deploying.

    ``note`` is the reason sent with the event, or None (never the text "None").
    """

    def __init__(self, note: str | None) -> None:
        super().__init__(note or "rejected")
        self.note = note


# ---- 7 monitor ----
def monitor(run: RunTracker, job: JobSnapshot, usd_per_hour: float | None = None,
            cost_cap_usd: float | None = None) -> Steps:
    """Run the monitor sub-orchestration; returns the succeeded job, raises otherwise.

    ``usd_per_hour`` and ``cost_cap_usd``: a job billed per hour (RFT) is paused at the cap.
    """
    context, timing = run.context, run.request.timing
    child_id = run_ids.monitor_instance_id(context.instance_id)
    run.begin(names.STAGE_MONITOR, monitor_instance=child_id)
    deadline = context.current_utc_datetime + timedelta(hours=timing.monitor_deadline_hours)
    start = MonitorInput(job_id=str(job.job_id), deadline=iso(deadline),
                         min_interval=timing.monitor_min_poll_seconds,
                         max_interval=timing.monitor_max_poll_seconds, usd_per_hour=usd_per_hour,
                         cost_cap_usd=cost_cap_usd)
    run.check_cancel()
    child = context.call_sub_orchestrator(names.MONITOR_ORCHESTRATOR, start.to_dict(), child_id)
    # One waiter per event name, replaced only once it fired (see tracker.py on stale waiters).
    pause = context.wait_for_external_event(names.EVENT_PAUSE)
    resume = context.wait_for_external_event(names.EVENT_RESUME)
    while True:
        try:
            winner = yield context.task_any([child, run.cancel_event, pause, resume])
        except Exception as exc:
            raise PipelineError(errors.SERVICE_UNAVAILABLE, f"Monitoring the job failed: "
                                f"{short_reason(exc)}. The job may still be running; check it in Azure "
                                "OpenAI.", run.stage) from None
        if winner is run.cancel_event:
            raise RunCancelled()
        if winner is not pause and winner is not resume:
            break
        action = names.EVENT_PAUSE if winner is pause else names.EVENT_RESUME
        yield from control_job(run, str(job.job_id), action, winner.result)
        if winner is pause:
            pause = context.wait_for_external_event(names.EVENT_PAUSE)
        else:
            resume = context.wait_for_external_event(names.EVENT_RESUME)
    if child.state.name == "FAILED":  # task_any returns a failed child as the winner
        raise PipelineError(errors.SERVICE_UNAVAILABLE,
                            f"Monitoring the job failed: {short_reason(child.result)}. "
                            "The job may still be running; check it in Azure OpenAI.", run.stage)
    result = MonitorResult.from_dict(child.result)
    final = result.job or JobSnapshot(job_id=job.job_id)
    run.details["job"] = job_status(final)
    return _monitor_outcome(run, result.outcome, final, result.detail)


def control_job(run: RunTracker, job_id: str, action: str, data: Any) -> Steps:
    """Pause or resume the job for a user's "pause"/"resume" event; a refusal is noted, never fatal.

    The monitor sub-orchestration keeps polling and sees the job paused (or running again).
    """
    payload = JobControlInput(job_id=job_id, action=action)
    result = yield from run.call_raw(names.CONTROL_JOB, payload.to_dict(), POLL_RETRY)
    error = errors.returned_error(result)
    run.details["job_control"] = {"action": action, "requested": iso(run.context.current_utc_datetime),
                                  "note": event_note(data), "status": None if error else result.get("status"),
                                  "error": (error or {}).get("message")}
    run.publish("running")


def _monitor_outcome(run: RunTracker, outcome: str, job: JobSnapshot, detail: str | None) -> JobSnapshot:
    message = (job.error or {}).get("message")
    if outcome == "succeeded" and job.fine_tuned_model:
        return job
    if outcome == "cancelled":
        raise PipelineError(errors.JOB_CANCELLED, f"Job {job.job_id} was cancelled outside this app. "
                            "Start the run again if that was not intended.", run.stage)
    if outcome == "unavailable":
        raise PipelineError(errors.SERVICE_UNAVAILABLE,
                            f"The status of job {job.job_id} could not be read for several polls in a row "
                            f"({detail or 'no details'}). The job may still be running: check it in Azure "
                            "OpenAI, then cancel it or start the run again.", run.stage)
    if outcome == "deadline":
        raise PipelineError(errors.TRAINING_DEADLINE,
                            f"Job {job.job_id} did not finish within "
                            f"{run.request.timing.monitor_deadline_hours:g} hours and was cancelled. Raise "
                            "MONITOR_DEADLINE_HOURS or train on less data.",
                            run.stage)
    reason = errors.clause(message or "no reason given")
    raise PipelineError(errors.JOB_FAILED, f"Job {job.job_id} failed: {reason}. "
                        "Fix the cause (often the dataset or quota) and start the run again.", run.stage)


def job_status(job: JobSnapshot) -> dict[str, Any]:
    """The job's part of customStatus."""
    event = job.newest_event.message if job.newest_event else None
    return {"id": job.job_id, "status": job.status, "trained_tokens": job.trained_tokens,
            "newest_event": event, "estimated_finish": job.estimated_finish,
            "fine_tuned_model": job.fine_tuned_model, "n_epochs": job.n_epochs}


def cancel_job(run: RunTracker, job_id: str) -> Steps:
    """Best effort: a cancel that fails is recorded, it does not hide the original outcome."""
    result = yield from run.call_raw(names.CANCEL_JOB, JobRef(job_id).to_dict(), POLL_RETRY)
    return JobSnapshot.from_dict(result)


# ---- 8 approve ----
def approve(run: RunTracker, settings: RunSettings) -> Steps:
    """Wait for "approve" or "reject" until the deadline; "cancel" still wins."""
    context = run.context
    run.begin(names.STAGE_APPROVE)
    hours = settings.deployment.approval_timeout_hours
    deadline = context.current_utc_datetime + timedelta(hours=hours)
    run.publish("waiting_for_approval", approval_deadline=iso(deadline))
    run.check_cancel()
    approved = context.wait_for_external_event(names.EVENT_APPROVE)
    rejected = context.wait_for_external_event(names.EVENT_REJECT)
    timer = context.create_timer(deadline)
    winner = yield context.task_any([approved, rejected, run.cancel_event, timer])
    if winner is not timer:
        timer.cancel()
    if winner is run.cancel_event:
        raise RunCancelled()
    if winner is rejected:
        note = event_note(rejected.result)
        run.details["approval"] = {"decision": "rejected", "note": note}
        raise RunRejected(note)
    if winner is timer:
        raise PipelineError(errors.APPROVAL_TIMEOUT,
                            f"No approval arrived within {hours:g} hours, so the model was not deployed. "
                            "Deploy it by hand, or start the run again and approve in time.", run.stage)
    run.details["approval"] = {"decision": "approved", "note": event_note(approved.result)}


def event_note(data: Any) -> str | None:
    """The note sent with approve/reject: {"comment"|"reason": text} or text; None when there is none.

    Event data may arrive JSON-encoded once more (the Python client encodes it itself); a
    missing note is None, never the text "None" or "null".
    """
    for _ in range(2):
        if isinstance(data, str) and data.strip()[:1] in ('{', '"') or data == "null":
            with contextlib.suppress(ValueError):
                data = json.loads(data)
    if isinstance(data, dict):
        data = data.get("reason") or data.get("comment")
    if not isinstance(data, str) or not data.strip() or data.strip() in ("None", "null"):
        return None
    return data.strip()[:MAX_NOTE_CHARS]


# ---- 9 deploy ----
def deploy(run: RunTracker, settings: RunSettings, model: str) -> Steps:
    """Create the deployment, then poll until it is Succeeded and answers a chat call."""
    context, timing = run.context, run.request.timing
    name = settings.deployment.name or run_ids.deployment_name(run.request.run, context.instance_id)
    run.begin(names.STAGE_DEPLOY, deployment=name)
    payload = DeploymentInput(name=name, model=model, sku=settings.deployment.sku,
                              capacity=settings.deployment.capacity, instance_id=context.instance_id)
    started = yield from run.call(names.START_DEPLOYMENT, payload.to_dict(),
                                  failure_code=errors.DEPLOYMENT_FAILED)
    run.created_deployment = name
    ref = DeploymentRef(name, operation_url=(started or {}).get("operation_url"))
    deadline = context.current_utc_datetime + timedelta(minutes=timing.deploy_timeout_minutes)
    while True:
        raw = yield from run.call_raw(names.GET_DEPLOYMENT, ref.to_dict(), POLL_RETRY)
        state = DeploymentState.from_dict(raw)
        provisioning = (state.provisioning_state or "").lower()
        if provisioning in ("failed", "canceled", "cancelled", "disabled"):
            raise PipelineError(errors.DEPLOYMENT_FAILED,
                                f"Deployment {name} ended {state.provisioning_state}: "
                                f"{errors.clause((state.error or {}).get('message') or 'no reason given')}. "
                                "Check quota "
                                "and the SKU/capacity, then deploy again.", run.stage)
        run.raise_returned(raw, errors.DEPLOYMENT_FAILED)
        run.check_cancel()
        if provisioning == "succeeded" and (yield from _answers(run, name)):
            return name
        if context.current_utc_datetime >= deadline:
            raise PipelineError(errors.DEPLOYMENT_TIMEOUT,
                                f"Deployment {name} was not ready within {timing.deploy_timeout_minutes:g} "
                                f"minutes (last state: {state.provisioning_state}). Check it in the Azure "
                                "portal.",
                                run.stage)
        yield from run.wait_until(min(deadline, context.current_utc_datetime
                                      + timedelta(seconds=timing.deploy_poll_seconds)))


def _answers(run: RunTracker, deployment: str) -> Steps:
    """True when one chat call gets a reply; a not-yet-routable deployment is simply not ready."""
    payload = ChatInput(deployment=deployment, messages=PROBE_MESSAGES, max_tokens=1).to_dict()
    try:
        result = yield run.context.call_activity_with_retry(names.CHAT_COMPLETION, POLL_RETRY, payload)
    except Exception:  # transient failures outlasted the retries: try again after the next timer
        return False
    run.check_cancel()
    return bool(ChatResult.from_dict(result).ok)


# ---- 10 smoke test ----
def smoke_test(run: RunTracker, settings: RunSettings, deployment: str) -> Steps:
    run.begin(names.STAGE_SMOKE_TEST)
    payload = ChatInput(deployment=deployment, messages=settings.smoke_messages, max_tokens=SMOKE_MAX_TOKENS)
    result = ChatResult.from_dict((yield from run.call(names.CHAT_COMPLETION, payload.to_dict(),
                                                       failure_code=errors.SMOKE_TEST_FAILED)))
    if not result.ok or not result.reply:
        raise PipelineError(errors.SMOKE_TEST_FAILED,
                            f"The deployment {deployment} gave no reply to the smoke test. Try it in the "
                            "chat playground.", run.stage)
    return result


# ---- 12 cleanup ----
def cleanup(run: RunTracker, file_ids: list[str], record: bool = True) -> Steps:
    """Delete the uploaded files; a failure is noted, never fatal (the model is already trained)."""
    if record:
        run.begin(names.STAGE_CLEANUP)
    result = yield from run.call_raw(names.DELETE_FILES, DeleteFilesInput(file_ids=file_ids).to_dict())
    error = errors.returned_error(result)
    if record:
        run.end("failed" if error else "succeeded", (error or {}).get("message"))
    if error:
        run.details["cleanup_error"] = error.get("message")
    return result
