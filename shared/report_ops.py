"""The run's final report: summary.json, the job's results.csv and a loss-curve SVG.

``build_summary`` is pure (the orchestrator's stage records plus what the job
reports); ``write_run_report`` fetches the job's events and result file from Azure
OpenAI and writes the three blobs under ``<reports>/<run>/<instance>/``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import openai
from azure.storage.blob import BlobServiceClient

from shared import aoai_ops, errors, names
from shared.loss_curve import decode_results_file, final_metrics, loss_curve_svg, parse_results_csv
from shared.service_errors import call_openai, is_error_result
from shared.storage_ops import write_report_blob
from shared.token_accounting import token_comparison

SUMMARY_VERSION = 1


def _stages(report: dict[str, Any], written_at: str | None) -> list[dict[str, Any]]:
    """The stage records; the report stage, still open when the payload was built, ends now."""
    stages = [{key: stage.get(key) for key in ("stage", "started", "ended", "outcome", "detail")}
              for stage in report.get("stages", [])]
    for stage in stages:
        if stage["stage"] == names.STAGE_REPORT and stage["ended"] is None and written_at:
            stage.update(ended=written_at, outcome="succeeded", detail="summary.json written")
    return stages


def build_summary(report: dict[str, Any], *, job: dict[str, Any] | None, events: list[dict[str, Any]],
                  metrics: dict[str, float], report_paths: dict[str, str | None],
                  written_at: str | None = None) -> dict[str, Any]:
    """summary.json for a ReportInput dict: stages, job events, final metrics, everything created.

    ``written_at`` (ISO-8601) ends the report stage: the summary is its last act.
    """
    deployment = report.get("deployment")
    training = next((v for v in report.get("validation", []) if v.get("role") == "training"), None)
    trained = job.get("trained_tokens") if job else None
    return {
        "version": SUMMARY_VERSION,
        "run": report["run"],
        "instance_id": report["instance_id"],
        "outcome": report["outcome"],
        "error": report.get("error"),
        "stages": _stages(report, written_at),
        "approval": report.get("approval"),
        "settings": report.get("settings", {}),
        "validation": report.get("validation", []),
        "job": {
            "id": report.get("job_id"),
            "status": job.get("status") if job else None,
            "trained_tokens": trained,
            "n_epochs": job.get("n_epochs") if job else None,
            "tokens": token_comparison(training, trained, job.get("n_epochs") if job else None),
            "events": events,
            "final_metrics": metrics,
        },
        "smoke_test": report.get("smoke_test"),
        "method": report.get("method"),
        "training_type": report.get("training_type"),
        "parent_model": report.get("parent_model"),   # the lineage of a continued model
        "checkpoint": report.get("checkpoint"),
        "created": {
            "files": list(report.get("file_ids", [])),
            "job": report.get("job_id"),
            "fine_tuned_model": report.get("fine_tuned_model") or (job or {}).get("fine_tuned_model"),
            "deployment": deployment,
            "reports": {name: path for name, path in report_paths.items() if path},
        },
    }


def _job_results(client: openai.AzureOpenAI, job_id: str) -> tuple[dict[str, Any] | None, list[dict], str]:
    """The job snapshot, its events and its results.csv text ('' when it has none)."""
    job = aoai_ops.get_job_status(client, job_id)
    if is_error_result(job):
        return None, [], ""
    events = call_openai(lambda: aoai_ops.list_job_events(client, job_id), errors.REPORT_FAILED,
                         f"list the events of {job_id}")
    if is_error_result(events):
        events = []
    csv_text = ""
    for file_id in job.get("result_files", [])[:1]:
        try:
            content = call_openai(lambda fid=file_id: aoai_ops.read_file_content(client, fid),
                                  errors.REPORT_FAILED, f"return the result file {file_id}")
        except ValueError:  # larger than any results.csv: not copied, the summary is still written
            continue
        if not is_error_result(content):
            csv_text = decode_results_file(content)  # type: ignore[arg-type]
    return job, events, csv_text  # type: ignore[return-value]


def write_run_report(service: BlobServiceClient, client: openai.AzureOpenAI | None, reports_container: str,
                     report: dict[str, Any]) -> dict[str, Any]:
    """Write summary.json (always), results.csv and loss.svg (when the job produced results)."""
    folder = report["report_folder"].strip("/")
    job, events, csv_text = (None, [], "")
    if report.get("job_id") and client is not None:
        job, events, csv_text = _job_results(client, report["job_id"])
    paths: dict[str, str | None] = {"results": None, "loss": None}
    metrics: dict[str, float] = {}
    if csv_text:
        rows = parse_results_csv(csv_text)
        metrics = final_metrics(rows)
        paths["results"] = write_report_blob(service, reports_container, f"{folder}/{names.REPORT_RESULTS}",
                                             csv_text, content_type="text/csv")
        settings = report.get("settings") or {}
        svg = loss_curve_svg(rows, f"Loss per step: {report['run']}", job=report.get("job_id"),
                             model=(job or {}).get("model") or settings.get("model"))
        paths["loss"] = write_report_blob(service, reports_container, f"{folder}/{names.REPORT_LOSS}", svg,
                                          content_type="image/svg+xml")
    summary_path = f"{folder}/{names.REPORT_SUMMARY}"
    paths["summary"] = f"{reports_container}/{summary_path}"
    summary = build_summary(report, job=job, events=events, metrics=metrics, report_paths=paths,
                            written_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    write_report_blob(service, reports_container, summary_path, summary)
    return {"summary_path": summary_path,
            "results_path": f"{folder}/{names.REPORT_RESULTS}" if paths["results"] else None,
            "loss_path": f"{folder}/{names.REPORT_LOSS}" if paths["loss"] else None,
            "error": None}
