"""The finetune orchestrator: one dataset, all the way to a smoke-tested deployment.

Stages (ARCHITECTURE.md): settle, validate, budget, preflight, upload, files ready, submit,
monitor, approve (optional), deploy, smoke test, report, cleanup (optional). The generator only
decides and waits; every effect is an activity (shared/names.py).

How a run ends:
- succeeded: runtimeStatus Completed, output {status:"succeeded", job_id, fine_tuned_model,
  deployment, smoke_test{reply}, report{summary,...}, method, training_type, parent_model,
  checkpoint{choice, model, step, reason}};
- failed: runtimeStatus Failed; customStatus {stage, status:"failed", error{code, stage,
  message}}; the failure text is that error as JSON;
- cancelled (the "cancel" event) / rejected (the "reject" event) / superseded (the training
  file changed before the run read it): runtimeStatus Completed with output.status saying so;
  a cancel first cancels the Azure OpenAI job if one exists.
"""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from orchestrators import checkpoints, delivery, preflight, stages
from orchestrators.delivery import RunRejected
from orchestrators.tracker import (
    STANDARD_RETRY,
    RunCancelled,
    RunTracker,
    Steps,
    failure_message,
    short_reason,
)
from shared import errors, names
from shared.errors import PipelineError
from shared.payloads import ReportInput, ReportResult, RunRequest, ValidationSummary
from shared.run_settings import RunSettings
from shared.token_accounting import token_comparison

bp = df.Blueprint()
JOB_ENDED = {errors.JOB_FAILED, errors.JOB_CANCELLED, errors.TRAINING_DEADLINE}  # no job left running


class RunFacts:
    """What the run has produced so far (for the report, cleanup and the output)."""

    def __init__(self) -> None:
        self.settings: RunSettings | None = None
        self.validation: list[ValidationSummary] = []
        self.file_ids: dict[str, str] = {}
        self.job_id: str | None = None
        self.job_finished = False
        self.fine_tuned_model: str | None = None
        self.deployment: str | None = None
        self.smoke_test: dict[str, Any] | None = None
        self.deployed_model: str | None = None  # the fine-tuned model, or the checkpoint chosen


def pipeline(run: RunTracker, facts: RunFacts) -> Steps:
    """Stages 1-10. False when the run was superseded before it did anything."""
    folder = yield from stages.settle(run)
    if folder.superseded:
        return False
    facts.settings = settings = RunSettings.from_dict(folder.settings)
    summaries = yield from stages.validate(run, folder, settings)
    facts.validation = list(summaries.values())
    stages.budget(run, summaries["training"], settings)
    yield from preflight.preflight(run, settings, folder)
    facts.file_ids = yield from stages.upload(run, folder)
    yield from stages.files_ready(run, facts.file_ids)
    job = yield from stages.submit(run, settings, facts.file_ids)
    facts.job_id = job.job_id
    try:
        hourly = summaries["training"].price_usd_per_hour  # set for a run billed per hour (RFT)
        job = yield from delivery.monitor(run, job, hourly, settings.max_cost_usd if hourly else None)
    except PipelineError as exc:
        facts.job_finished = exc.code in JOB_ENDED
        raise
    facts.job_finished = True
    facts.fine_tuned_model = job.fine_tuned_model
    estimate = summaries["training"].to_dict()
    run.details["tokens"] = token_comparison(estimate, job.trained_tokens, job.n_epochs)
    if not settings.deployment.enabled:
        run.skip(names.STAGE_DEPLOY, "deployment.enabled is false")
        return True
    facts.deployed_model = yield from checkpoints.choose_model(run, settings, job)
    if settings.deployment.require_approval:
        yield from delivery.approve(run, settings)
    try:
        facts.deployment = yield from delivery.deploy(run, settings, facts.deployed_model)
    except (PipelineError, RunCancelled):
        facts.deployment = run.created_deployment  # a half-made deployment is named in the report
        raise
    smoke = yield from delivery.smoke_test(run, settings, facts.deployment)
    facts.smoke_test = {"reply": smoke.reply, "finish_reason": smoke.finish_reason}
    return True


def finish(run: RunTracker, facts: RunFacts, outcome: str, error: dict[str, Any] | None) -> Steps:
    """Report (every outcome) and cleanup (when asked); neither hides the run's outcome.

    After a failure, cancel or reject the stage in the custom status stays the one where
    the run ended; only a succeeded run moves on to the report and cleanup stages.
    """
    record = outcome == "succeeded"
    run.ending = True
    if outcome == "cancelled" and facts.job_id and not facts.job_finished:
        try:
            job = yield from delivery.cancel_job(run, facts.job_id)
        except PipelineError as exc:
            run.details["cancel_error"] = exc.message
        else:  # the summary shows the job's final state (cancelled), as the service does
            known = {k: v for k, v in delivery.job_status(job).items() if v is not None}
            if known.get("status"):
                run.details["job"] = {**(run.details.get("job") or {}), **known}
    if record:
        run.begin(names.STAGE_REPORT)
    report = yield from write_report(run, facts, outcome, error)
    wants_cleanup = facts.settings is not None and facts.settings.cleanup and facts.file_ids
    if wants_cleanup and (facts.job_finished or facts.job_id is None or outcome == "cancelled"):
        try:
            yield from delivery.cleanup(run, list(facts.file_ids.values()), record)
        except PipelineError as exc:
            run.details["cleanup_error"] = exc.message
    return report


def write_report(run: RunTracker, facts: RunFacts, outcome: str, error: dict[str, Any] | None) -> Steps:
    payload = ReportInput(
        run=run.request.run, instance_id=run.context.instance_id, report_folder=run.report_folder.rstrip("/"),
        outcome=outcome, stages=[r.to_dict() for r in run.records],
        settings=facts.settings.to_dict() if facts.settings else {},
        validation=[v.to_dict() for v in facts.validation], job_id=facts.job_id,
        file_ids=list(facts.file_ids.values()), fine_tuned_model=facts.fine_tuned_model,
        deployment=facts.deployment, smoke_test=facts.smoke_test, error=error,
        approval=run.details.get("approval"), **method_facts(run, facts))
    try:
        result = yield run.context.call_activity_with_retry(names.WRITE_REPORT, STANDARD_RETRY,
                                                            payload.to_dict())
    except Exception as exc:  # a missing report never hides the run's outcome
        result = {"error": {"code": errors.REPORT_FAILED, "message": short_reason(exc)}}
    report = ReportResult.from_dict(result)
    container = run.request.timing.reports_container
    paths = {"summary": report.summary_path, "results": report.results_path, "loss": report.loss_path}
    links: dict[str, Any] = {key: f"{container}/{value}" for key, value in paths.items() if value}
    if report.error:
        links["error"] = report.error.get("message")
    run.details["report"] = links
    return links


def method_facts(run: RunTracker, facts: RunFacts) -> dict[str, Any]:
    """The run's method, tier, the model it continued (parent_model) and the checkpoint it deployed."""
    settings = facts.settings
    return {"method": settings.method.get("type") if settings else None,
            "training_type": settings.training_type if settings else None,
            "parent_model": run.details.get("parent_model"), "checkpoint": run.details.get("checkpoint")}


def output(run: RunTracker, facts: RunFacts, status: str, report: dict[str, Any] | None,
           **extra: Any) -> dict[str, Any]:
    return {"status": status, "run": run.request.run, "instance_id": run.context.instance_id,
            "job_id": facts.job_id, "fine_tuned_model": facts.fine_tuned_model,
            "deployment": facts.deployment, "smoke_test": facts.smoke_test,
            "files": facts.file_ids, "report": report, "approval": run.details.get("approval"),
            **method_facts(run, facts), **extra}


def end_cancelled(run: RunTracker, facts: RunFacts, detail: str | None = None) -> Steps:
    note = delivery.event_note(run.cancel_event.result) if run.cancel_event.is_completed else None
    run.end("cancelled", note or detail)
    report = yield from finish(run, facts, "cancelled", None)
    run.publish("cancelled")
    return output(run, facts, "cancelled", report, cancelled_at_stage=run.stage, note=note)


def finetune(context: df.DurableOrchestrationContext) -> Steps:
    """Generator: the whole run; see the module docstring for how it ends."""
    request = RunRequest.from_dict(context.get_input())
    run, facts = RunTracker(context, request), RunFacts()
    try:
        completed = yield from pipeline(run, facts)
    except RunCancelled:
        return (yield from end_cancelled(run, facts))
    except RunRejected as rejected:
        run.end("rejected", rejected.note)
        report = yield from finish(run, facts, "rejected", None)
        run.publish("rejected")
        return output(run, facts, "rejected", report, note=rejected.note)
    except PipelineError as exc:
        if run.cancel_event.is_completed:  # a cancel came first: the user's word wins over the failure
            return (yield from end_cancelled(run, facts, exc.message))
        failure = run.fail(exc)
        yield from finish(run, facts, "failed", failure)
        run.publish("failed", error=failure)
        raise PipelineError(failure["code"], failure_message(failure), failure["stage"]) from None
    if not completed:
        run.end("skipped", "the training file changed; a newer run takes over")
        run.publish("superseded")
        return output(run, facts, "superseded", None)
    report = yield from finish(run, facts, "succeeded", None)
    run.end("succeeded")
    run.stage = names.STAGE_DONE
    run.publish("succeeded")
    return output(run, facts, "succeeded", report)


@bp.orchestration_trigger(context_name="context", orchestration=names.FINETUNE_ORCHESTRATOR)
def finetune_orchestrator(context: df.DurableOrchestrationContext):
    return (yield from finetune(context))
