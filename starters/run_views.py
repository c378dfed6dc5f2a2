"""What the runs page reads about one run besides its summary (function-level auth, like every route).

GET /api/finetune/{id}/metrics[?after_step=N]  the job's metrics per step (the loss curve), from the
                                               service: events while it trains, results.csv after
GET /api/finetune/{id}/reports                 the run's report blobs that exist (name, type, size)
GET /api/finetune/{id}/reports/{name}          one of them, with its content type; names outside the
                                               fixed list of shared/report_files.py are refused
Thin routes over shared/job_metrics.py and shared/report_files.py; errors as in starters/http_api.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import azure.durable_functions as df
import azure.functions as func
import openai

from shared import clients, errors, job_metrics, report_files, run_ids
from shared.settings import Settings, SettingsError, load_settings
from starters.durable_start import instance_exists
from starters.http_api import AUTH, BAD_ID, error_response, json_response
from starters.summary import run_name

bp = df.Blueprint()
# A report is data, not a page of this origin: no script runs in it, even opened on its own.
REPORT_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
                  "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}


class RouteError(Exception):
    """An answer other than 200, ready to return."""

    def __init__(self, response: func.HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


async def _run_status(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> tuple[str, Any]:
    instance_id = req.route_params.get("instance_id", "")
    if not run_ids.is_instance_id(instance_id):
        raise RouteError(error_response(400, errors.INVALID_REQUEST, BAD_ID, "instance_id"))
    status = await client.get_status(instance_id)
    if not instance_exists(status):
        raise RouteError(error_response(404, "run_not_found", f"No run {instance_id}.", "instance_id"))
    return instance_id, status


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise RouteError(error_response(500, exc.code, str(exc))) from None


def _custom(status: Any) -> dict[str, Any]:
    return status.custom_status if isinstance(status.custom_status, dict) else {}


def job_id_of(status: Any) -> str | None:
    """The run's fine-tuning job id, once it has one (custom status while running, output after)."""
    output = status.output if isinstance(status.output, dict) else {}
    job = _custom(status).get("job") or {}
    found = output.get("job_id") or (job.get("id") if isinstance(job, dict) else None)
    return found if isinstance(found, str) and found else None


def report_location(status: Any, instance_id: str, settings: Settings) -> tuple[str, str] | None:
    """(container, folder) of the run's reports: the container its custom status names, the folder
    always ``<run>/<instance>/`` (never a path taken from elsewhere). None before the run is named."""
    run = run_name(status, _custom(status))
    if not run:
        return None
    folder = report_files.run_folder(run, instance_id)
    published = _custom(status).get("reports")
    container = settings.reports_container
    if isinstance(published, str) and published.rstrip("/").endswith("/" + folder.rstrip("/")):
        container = published.split("/", 1)[0] or container
    return container, folder


@bp.route(route="finetune/{instance_id}/metrics", methods=["GET"], auth_level=AUTH)
@bp.durable_client_input(client_name="client")
async def get_run_metrics(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    try:
        after = int(req.params.get("after_step", "0"))
    except ValueError:
        after = -1
    if after < 0:
        return error_response(400, errors.INVALID_REQUEST, "after_step must be a whole number, 0 or more.",
                              "after_step")
    try:
        instance_id, status = await _run_status(req, client)
        job_id = job_id_of(status)
        if job_id is None:
            return json_response({"id": instance_id, "job_id": None, "status": None, "source": None,
                                  "complete": True, "points": []})
        service = clients.openai_client(_settings())
        metrics = await asyncio.to_thread(job_metrics.job_metrics, service, job_id, after)
    except RouteError as exc:
        return exc.response
    except openai.NotFoundError:
        return error_response(404, "job_not_found", f"Azure OpenAI no longer knows the job {job_id}; it may "
                              "have been deleted.", "instance_id")
    except (openai.APIStatusError, openai.APIConnectionError) as exc:
        status_code = getattr(exc, "status_code", None) or "no answer"
        return error_response(503, errors.SERVICE_UNAVAILABLE, f"Azure OpenAI did not list the job's metrics "
                              f"({status_code}); try again in a moment.")
    return json_response({"id": instance_id, **metrics})


@bp.route(route="finetune/{instance_id}/reports/{name?}", methods=["GET"], auth_level=AUTH)
@bp.durable_client_input(client_name="client")
async def get_run_reports(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    name = req.route_params.get("name") or ""
    if name and name not in report_files.REPORT_TYPES:
        known = ", ".join(report_files.REPORT_TYPES)
        return error_response(404, "report_not_found", f"{name!r} is not a report name; the reports are "
                              f"{known}.", "name")
    try:
        instance_id, status = await _run_status(req, client)
        settings = _settings()
    except RouteError as exc:
        return exc.response
    location = report_location(status, instance_id, settings)
    service = clients.blob_service(settings)
    if not name:
        found = await asyncio.to_thread(report_files.list_reports, service, *location) if location else []
        return json_response({"id": instance_id, "reports": [r.to_dict() for r in found]})
    try:
        body = None if location is None else await asyncio.to_thread(report_files.read_report, service,
                                                                      *location, name)
    except report_files.ReportTooLarge:
        return error_response(413, "report_too_large", f"{name} is larger than "
                              f"{report_files.MAX_REPORT_BYTES // 2**20} MB; read it from the reports "
                              "container with a storage client.", "name")
    if body is None:
        return error_response(404, "report_not_found", f"Run {instance_id} has no {name} (yet): reports are "
                              "written as the run goes, summary.json when it ends.", "name")
    return func.HttpResponse(body, status_code=200, mimetype=report_files.REPORT_TYPES[name].split(";")[0],
                             charset="utf-8", headers={**REPORT_HEADERS,
                                                       "Content-Disposition": f'inline; filename="{name}"'})
