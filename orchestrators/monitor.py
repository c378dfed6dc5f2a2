"""The monitor sub-orchestration: follows one fine-tuning job until it ends.

It polls the job on durable timers with backoff (the interval doubles while nothing
changes, between MONITOR_MIN_POLL_SECONDS and MONITOR_MAX_POLL_SECONDS, and drops back to
the minimum when the job moves), publishes progress as its custom status, and uses
``continue_as_new`` every POLLS_PER_GENERATION polls so its history stays bounded however
long training takes. Past the deadline it cancels the job and reports "deadline"; a status
read that keeps failing (MAX_FAILED_POLLS polls in a row, each after its retries) reports
"unavailable", while shorter outages only cost a poll. A paused job (a user's pause, or the
service's own at its cost cap) is not stuck: its status says ``paused`` with ``paused_since``,
and the deadline does not count the paused time (it moves on by the time spent paused,
measured between polls).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import azure.durable_functions as df

from orchestrators import cost_guard
from orchestrators.delivery import job_status
from orchestrators.tracker import POLL_RETRY, iso, short_reason
from shared import names
from shared.payloads import JobRef, JobSnapshot, MonitorInput, MonitorResult

bp = df.Blueprint()

POLLS_PER_GENERATION = 20
MAX_FAILED_POLLS = 5          # status reads failing (after retries) this many polls in a row end the watch
TERMINAL = {"succeeded": "succeeded", "failed": "failed", "cancelled": "cancelled", "canceled": "cancelled"}
PAUSED = {"paused", "pausing"}


def next_interval(current: int, changed: bool, minimum: int, maximum: int) -> int:
    """Back off while the job is quiet; poll often again as soon as it moves."""
    if changed:
        return minimum
    return max(minimum, min(maximum, current * 2))


def progress_key(job: JobSnapshot | None) -> tuple[Any, ...]:
    if job is None:
        return ()
    event = job.newest_event.to_dict() if job.newest_event else None
    return (job.status, job.trained_tokens, str(event))


def monitor_status(state: MonitorInput, job: JobSnapshot, next_poll: datetime | None) -> dict[str, Any]:
    status = job_status(job)
    if state.paused_since:
        status["paused_since"] = state.paused_since
    if state.cost_paused:
        status["paused_at_cost_cap"] = state.cost_paused
    return {"stage": names.STAGE_MONITOR, "job": status, "deadline": state.deadline,
            "polls": state.polls, "generation": state.generation,
            "next_poll": iso(next_poll) if next_poll else None}


def read_job(context: df.DurableOrchestrationContext, state: MonitorInput):
    """Generator: the job's snapshot, or None when the read failed even after its retries."""
    try:
        raw = yield context.call_activity_with_retry(names.GET_JOB_STATUS, POLL_RETRY,
                                                      JobRef(state.job_id).to_dict())
    except Exception as exc:  # a long training outlives short outages: count, and poll again later
        state.failures += 1
        return None, short_reason(exc)
    state.failures = 0
    return raw, None


def follow_job(context: df.DurableOrchestrationContext):
    """Generator: one generation of polls; returns a MonitorResult dict or continues as new."""
    state = MonitorInput.from_dict(context.get_input())
    deadline = datetime.fromisoformat(state.deadline)
    interval = state.interval or state.min_interval
    while True:
        raw, problem = yield from read_job(context, state)
        total = state.generation * POLLS_PER_GENERATION + state.polls + 1
        if raw is None and state.failures >= MAX_FAILED_POLLS:
            return MonitorResult(outcome="unavailable", job=state.last, polls_total=total,
                                 detail=problem).to_dict()
        job = JobSnapshot.from_dict(raw) if raw is not None else state.last
        job = job or JobSnapshot(job_id=state.job_id)
        if isinstance(raw, dict) and raw.get("error") and not job.status:
            # the activity could not read the job at all (for example it was deleted)
            return MonitorResult(outcome="failed", job=job, polls_total=total).to_dict()
        outcome = TERMINAL.get((job.status or "").lower()) if raw is not None else None
        if outcome:
            context.set_custom_status(monitor_status(state, job, None))
            return MonitorResult(outcome=outcome, job=job, polls_total=total).to_dict()
        now = context.current_utc_datetime
        yield from cost_guard.account(context, state, job if raw is not None else None, now)
        deadline = account_pause(state, job if raw is not None else None, deadline, now)
        effective = deadline + (now - datetime.fromisoformat(state.paused_since)) if state.paused_since \
            else deadline
        if now >= effective:
            detail = yield from cancel_job(context, state.job_id)
            return MonitorResult(outcome="deadline", job=job, polls_total=total, detail=detail).to_dict()
        changed = raw is not None and state.last is not None and progress_key(job) != progress_key(state.last)
        interval = next_interval(interval, changed, state.min_interval, state.max_interval) \
            if state.last is not None else interval
        fire_at = min(effective, now + timedelta(seconds=interval))
        state.polls += 1
        state.last = job
        context.set_custom_status(monitor_status(state, job, fire_at))
        yield context.create_timer(fire_at)
        if state.polls >= POLLS_PER_GENERATION:
            state.generation += 1
            state.polls = 0
            state.interval = interval
            context.continue_as_new(state.to_dict())
            return None


def account_pause(state: MonitorInput, job: JobSnapshot | None, deadline: datetime,
                  now: datetime) -> datetime:
    """Start or end a paused stretch (``job`` None: the read failed, nothing known); the new deadline."""
    if job is None:
        return deadline
    paused = (job.status or "").lower() in PAUSED
    if paused and state.paused_since is None:
        state.paused_since = iso(now)
    elif not paused and state.paused_since is not None:
        deadline += now - datetime.fromisoformat(state.paused_since)  # the paused time does not count
        state.deadline, state.paused_since = iso(deadline), None
    return deadline


def cancel_job(context: df.DurableOrchestrationContext, job_id: str):
    """Generator: cancel the job past the deadline; a note when even that failed."""
    try:
        yield context.call_activity_with_retry(names.CANCEL_JOB, POLL_RETRY, JobRef(job_id).to_dict())
    except Exception as exc:
        return f"cancelling the job failed too: {short_reason(exc)}"
    return None


@bp.orchestration_trigger(context_name="context", orchestration=names.MONITOR_ORCHESTRATOR)
def monitor_job_orchestrator(context: df.DurableOrchestrationContext):
    return (yield from follow_job(context))
