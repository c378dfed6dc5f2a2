"""What the finetune orchestrator keeps about its run: stages, custom status, cancellation.

Also the generator helpers every stage uses: calling an activity with a retry policy
(a raised failure that outlasts the retries becomes ``service_unavailable``; a returned
``{"error"}`` becomes a PipelineError with the service's message), and waiting on a timer
that a "cancel" event interrupts. Deterministic: times come from the context only.

One "cancel" waiter lives for the whole run and is reused in every wait: the SDK hands a
raised event to the newest waiter of that name, so a fresh waiter per wait would leave
stale ones behind that swallow a cancel sent while an activity runs.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from datetime import datetime
from typing import Any

import azure.durable_functions as df
from azure.durable_functions.models.Task import TaskState

from shared import errors, names
from shared.errors import PipelineError
from shared.payloads import RunRequest, StageRecord

# Python sends only the first interval and the attempts (constant delay, contract §6).
STANDARD_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=5_000, max_number_of_attempts=5)
UPLOAD_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=15_000, max_number_of_attempts=4)
POLL_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=10_000, max_number_of_attempts=3)
MAX_REASON_CHARS = 400
MAX_ERROR_CHARS = 2_000

Steps = Generator[Any, Any, Any]


class RunCancelled(Exception):
    """A "cancel" event arrived; the run ends as cancelled after cleaning up."""


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def short_reason(exc: BaseException) -> str:
    """The first line(s) of an activity failure, without the .NET/Python details after it."""
    text = str(exc).split("\n \n", 1)[0].split("$OutOfProcData$", 1)[0].strip()
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


class RunTracker:
    """Stage records and the custom status of one finetune run."""

    def __init__(self, context: df.DurableOrchestrationContext, request: RunRequest) -> None:
        self.context = context
        self.request = request
        self.stage = names.STAGE_SETTLE
        self.records: list[StageRecord] = []
        self.details: dict[str, Any] = {}
        self.cancel_event = context.wait_for_external_event(names.EVENT_CANCEL)
        self.ending = False   # set while reporting/cleaning up: a cancel no longer interrupts
        self.created_deployment: str | None = None  # exists in ARM: the report names it, whatever the outcome

    @property
    def report_folder(self) -> str:
        return names.report_path(self.request.run, self.context.instance_id, "")

    # ---- stages ----
    def begin(self, stage: str, **details: Any) -> None:
        """Close the current stage as succeeded (if open) and open ``stage``."""
        self.end("succeeded")
        self.stage = stage
        self.records.append(StageRecord(stage=stage, started=iso(self.context.current_utc_datetime)))
        self.details.update(details)
        self.publish("running")

    def end(self, outcome: str, detail: str | None = None) -> None:
        if self.records and self.records[-1].ended is None:
            self.records[-1].ended = iso(self.context.current_utc_datetime)
            self.records[-1].outcome = outcome
            self.records[-1].detail = detail

    def skip(self, stage: str, detail: str) -> None:
        self.end("succeeded")
        now = iso(self.context.current_utc_datetime)
        self.records.append(StageRecord(stage=stage, started=now, ended=now, outcome="skipped",
                                        detail=detail))

    def publish(self, status: str, **extra: Any) -> None:
        """customStatus: always the stage and the run's status, plus what is known so far."""
        timing = self.request.timing
        self.context.set_custom_status({
            "stage": self.stage,
            "status": status,
            "run": self.request.run,
            "updated": iso(self.context.current_utc_datetime),
            "reports": f"{timing.reports_container}/{self.report_folder}",
            # the stage timeline so far (the runs page shows it with durations): ~13 small records
            "stages": [record.to_dict() for record in self.records],
            **self.details,
            **extra,
        })

    # ---- cancellation ----
    def check_cancel(self) -> None:
        if self.cancel_event.is_completed and not self.ending:
            raise RunCancelled()

    def wait_until(self, fire_at: datetime) -> Steps:
        """A durable timer that a "cancel" event interrupts (raises RunCancelled)."""
        self.check_cancel()
        timer = self.context.create_timer(fire_at)
        winner = yield self.context.task_any([timer, self.cancel_event])
        if winner is self.cancel_event:
            timer.cancel()
            raise RunCancelled()

    # ---- activities ----
    def call(self, name: str, payload: dict[str, Any], retry: df.RetryOptions = STANDARD_RETRY,
             failure_code: str = errors.SERVICE_UNAVAILABLE) -> Steps:
        """Run an activity; a returned ``{"error"}`` or an exhausted retry raises PipelineError."""
        result = yield from self.call_raw(name, payload, retry)
        self.raise_returned(result, failure_code)
        self.check_cancel()
        return result

    def call_raw(self, name: str, payload: dict[str, Any], retry: df.RetryOptions = STANDARD_RETRY) -> Steps:
        """Run an activity; only an exhausted retry raises (as service_unavailable)."""
        task = self.context.call_activity_with_retry(name, retry, payload)
        results = yield from self.gather(name, [task], retry)
        return results[0]

    def gather(self, name: str, tasks: list[Any], retry: df.RetryOptions = STANDARD_RETRY) -> Steps:
        """Wait for all ``tasks`` (activities) or a "cancel", whichever comes first.

        Racing the cancel event makes every activity a waiting point a cancel interrupts; an
        activity still running then finishes unobserved (its result is ignored).
        """
        if not tasks:
            return []
        self.check_cancel()
        together = self.context.task_all(tasks)
        if self.ending:
            yield self.context.task_any([together])
        else:
            winner = yield self.context.task_any([together, self.cancel_event])
            if winner is self.cancel_event:
                raise RunCancelled()
        if together.state is TaskState.FAILED:
            raise self.unavailable(name, together.result, retry)
        return together.result

    def unavailable(self, name: str, exc: BaseException, retry: df.RetryOptions) -> PipelineError:
        return PipelineError(
            errors.SERVICE_UNAVAILABLE,
            f"Activity {name} kept failing after {retry.max_number_of_attempts} attempts: "
            f"{errors.clause(short_reason(exc))}. The service may be unavailable or throttled; start the run "
            "again later.",
            self.stage)

    def raise_returned(self, result: Any, default_code: str) -> None:
        """Fail on a returned ``{"error"}``: our stable code, the service's own words."""
        error = errors.returned_error(result)
        if error is None:
            return
        code, message = error.get("code"), error.get("message") or "The service refused the request."
        if code not in errors.PIPELINE_CODES:
            message = f"{message} (service code: {code})" if code else message
            code = default_code
        raise PipelineError(code, message, self.stage)

    # ---- endings ----
    def fail(self, error: PipelineError) -> dict[str, Any]:
        """Record the failure in the stages and the custom status; the error dict for the output."""
        failure = error.with_stage(self.stage).to_dict()
        if len(failure["message"]) > MAX_ERROR_CHARS:  # the custom status is limited to 16 KB
            failure["message"] = failure["message"][: MAX_ERROR_CHARS - 1] + "…"
        self.end("failed", failure["message"])
        self.publish("failed", error=failure)
        return failure


def failure_message(error: dict[str, Any]) -> str:
    """The orchestration's failure text: the error as JSON, so clients can parse it back."""
    return json.dumps(error, ensure_ascii=False)
