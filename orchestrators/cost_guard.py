"""The run's cost cap applied while a reinforcement job trains (it is billed per training hour).

The pre-flight cost of an RFT run is an estimate (shared/rft_estimate.py): nobody publishes how
long a job trains. So while the monitor follows the job it also adds up the time the job was
seen ``running`` between two polls and, once that time at the hourly price reaches the run's
``max_cost_usd``, pauses the job, once, as the service itself pauses at $5,000: the job keeps a
deployable checkpoint, billing stops, and the run waits (its status says why) for the user to
resume (paying on, as after the service's own pause) or cancel. Wall time running overstates
the billed "core training time", so the cap is reached early rather than late.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import azure.durable_functions as df

from orchestrators.tracker import POLL_RETRY, iso, short_reason
from shared import names
from shared.method_payloads import JobControlInput
from shared.payloads import JobSnapshot, MonitorInput


def account(context: df.DurableOrchestrationContext, state: MonitorInput, job: JobSnapshot | None,
            now: datetime) -> Any:
    """Generator: add the running time since the last poll; pause the job at the cap (once)."""
    if state.last_poll and state.last is not None and (state.last.status or "") == "running":
        state.running_seconds += (now - datetime.fromisoformat(state.last_poll)).total_seconds()
    state.last_poll = iso(now)
    if not state.usd_per_hour or state.cost_cap_usd is None or state.cost_paused or job is None:
        return
    spent = state.running_seconds / 3600 * state.usd_per_hour
    if spent < state.cost_cap_usd or (job.status or "") != "running":
        return
    state.cost_paused = {"at": iso(now), "hours": round(state.running_seconds / 3600, 2),
                         "usd": round(spent, 2), "cap_usd": state.cost_cap_usd}
    try:
        yield context.call_activity_with_retry(names.CONTROL_JOB, POLL_RETRY,
                                               JobControlInput(state.job_id, "pause").to_dict())
    except Exception as exc:  # noted: the job goes on, the next polls show it running
        state.cost_paused["error"] = short_reason(exc)
