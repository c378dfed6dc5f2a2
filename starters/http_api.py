"""The HTTP API (function-level auth): start, read, list, approve, reject and cancel runs.

POST /api/finetune                  start a run (202 + the Durable check-status payload)
GET  /api/finetune                  recent runs (?top=N, ?status=running,failed,...)
GET  /api/finetune/{id}             a readable summary (stage, status, job, progress, error, reports,
                                    stages, the actions valid now)
POST /api/finetune/{id}/approve|reject|cancel   raise that event on the run, with an optional note
                                    ({"reason": "..."} or {"comment": "..."}, or ?reason= / ?comment=)
POST /api/finetune/{id}/pause|resume            pause / resume the run's training job (while it trains)
Errors are JSON {"error": {"code", "message", "field"}} with a status saying whose fault it is.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.durable_functions as df
import azure.functions as func
from azure.core.exceptions import ResourceNotFoundError

from shared import clients, names, run_ids
from shared.errors import INVALID_REQUEST, RequestError
from shared.payloads import BlobRef
from shared.settings import SettingsError, load_settings
from shared.storage_ops import normalize_etag
from starters.durable_start import instance_exists, start_once
from starters.planning import parse_action_note, parse_start_body, plan_http_start, timing_from
from starters.summary import ACTIVE, run_row, run_summary, runtime_name, valid_actions

bp = df.Blueprint()
AUTH = func.AuthLevel.FUNCTION
LIST_DAYS = 30
BAD_ID = "The run id is not one this API made (ft-<run>-<16 hex>)."
ACTIONS = {"approve": names.EVENT_APPROVE, "reject": names.EVENT_REJECT, "cancel": names.EVENT_CANCEL,
           "pause": names.EVENT_PAUSE, "resume": names.EVENT_RESUME}
# The job status each job action needs (the service's rule: a pause needs a running job that trained a step).
JOB_ACTIONS = {"pause": ("running", "job_not_running"), "resume": ("paused", "job_not_paused")}


def error_response(status: int, code: str, message: str, field: str | None = None) -> func.HttpResponse:
    body = {"error": {"code": code, "message": message, "field": field}}
    return func.HttpResponse(json.dumps(body), status_code=status, mimetype="application/json")


def json_response(body: Any, status: int = 200) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body, default=str), status_code=status, mimetype="application/json")


def read_json(req: func.HttpRequest) -> Any:
    try:
        return req.get_json()
    except ValueError:
        raise RequestError(INVALID_REQUEST, "The body is not valid JSON.", None) from None


def training_blob(settings, path: str) -> BlobRef | None:
    """The training blob's ETag and size (None when it does not exist)."""
    blob = clients.blob_service(settings).get_blob_client(settings.datasets_container, path)
    try:
        props = blob.get_blob_properties()
    except ResourceNotFoundError:
        return None
    return BlobRef(path=path, etag=normalize_etag(props.etag), size=props.size)


@bp.route(route="finetune", methods=["POST"], auth_level=AUTH)
@bp.durable_client_input(client_name="client")
async def start_finetune(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    try:
        settings = load_settings()
    except SettingsError as exc:  # the app is misconfigured: say which setting, not a bare 500
        return error_response(500, exc.code, str(exc))
    try:
        body = parse_start_body(read_json(req), settings)
    except RequestError as exc:
        return error_response(400, exc.code, exc.message, exc.field)
    training = await asyncio.to_thread(training_blob, settings, body.training_path)
    if training is None:
        return error_response(400, "dataset_not_found", f"training_file {settings.datasets_container}/"
                              f"{body.training_path} does not exist; upload it first.", "training_file")
    plan = plan_http_start(body, training, timing_from(settings))
    existing = await client.get_status(plan.instance_id)
    if instance_exists(existing) and runtime_name(existing) not in ACTIVE:
        return error_response(409, "run_exists", f"Run {plan.instance_id} already ran for this version of "
                              f"the training file (status {runtime_name(existing)}). Upload a new version of "
                              "the file to start another run.", "training_file")
    await start_once(client, plan.instance_id, plan.request)
    return client.create_check_status_response(req, plan.instance_id)


@bp.route(route="finetune", methods=["GET"], auth_level=AUTH)
@bp.durable_client_input(client_name="client")
async def list_finetune_runs(req: func.HttpRequest,
                             client: df.DurableOrchestrationClient) -> func.HttpResponse:
    try:
        top = int(req.params.get("top", "20"))
    except ValueError:
        top = 0
    if not 1 <= top <= 100:
        return error_response(400, INVALID_REQUEST, "top must be a whole number from 1 to 100.", "top")
    wanted = {word.strip().lower() for word in req.params.get("status", "").split(",") if word.strip()}
    since = datetime.now(UTC) - timedelta(days=LIST_DAYS)
    statuses = await client.get_status_by(created_time_from=since, instance_id_prefix=run_ids.INSTANCE_PREFIX)
    runs = [s for s in statuses if s.name == names.FINETUNE_ORCHESTRATOR]
    # the monitors share the prefix: their custom status has the live job of each run that trains
    monitors = {s.instance_id: s for s in statuses if s.name == names.MONITOR_ORCHESTRATOR}
    runs.sort(key=lambda s: s.created_time or since, reverse=True)
    rows = [run_row(s, monitors.get(run_ids.monitor_instance_id(s.instance_id))) for s in runs]
    rows = [row for row in rows if not wanted or row["status"] in wanted]
    return json_response({"runs": rows[:top]})


@bp.route(route="finetune/{instance_id}", methods=["GET"], auth_level=AUTH)
@bp.durable_client_input(client_name="client")
async def get_finetune_run(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = req.route_params.get("instance_id", "")
    if not run_ids.is_instance_id(instance_id):
        return error_response(400, INVALID_REQUEST, BAD_ID,
                              "instance_id")
    status = await client.get_status(instance_id)
    if not instance_exists(status):
        return error_response(404, "run_not_found", f"No run {instance_id}.", "instance_id")
    monitor = None
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    if custom.get("stage") == names.STAGE_MONITOR and runtime_name(status) in ACTIVE:
        monitor = await client.get_status(run_ids.monitor_instance_id(instance_id))
    summary = run_summary(status, monitor)
    summary["actions"] = valid_actions(summary, ACTIONS)
    return json_response(summary)


async def job_action_refusal(client: df.DurableOrchestrationClient, status: Any, custom: dict[str, Any],
                             instance_id: str, action: str) -> func.HttpResponse | None:
    """409 unless the run's job is in the state ``action`` needs (the monitor's view of the job)."""
    wanted, code = JOB_ACTIONS[action]
    monitor = None
    if custom.get("stage") == names.STAGE_MONITOR:
        monitor = await client.get_status(run_ids.monitor_instance_id(instance_id))
    job = run_summary(status, monitor)["job"] or {}
    if custom.get("stage") == names.STAGE_MONITOR and job.get("status") == wanted:
        return None
    now = f"its job is {job.get('status')}" if job.get("status") else "it has no training job yet"
    return error_response(409, code, f"Run {instance_id} is in stage {custom.get('stage')} and {now}; "
                          f"{action} applies only while its job is {wanted}.", "action")


@bp.route(route="finetune/{instance_id}/{action}", methods=["POST"], auth_level=AUTH)
@bp.durable_client_input(client_name="client")
async def act_on_finetune_run(req: func.HttpRequest,
                              client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = req.route_params.get("instance_id", "")
    action = req.route_params.get("action", "")
    if action not in ACTIONS:
        return error_response(404, INVALID_REQUEST, "Unknown action; use approve, reject, cancel, pause or "
                              "resume.", "action")
    if not run_ids.is_instance_id(instance_id):
        return error_response(400, INVALID_REQUEST, BAD_ID,
                              "instance_id")
    status = await client.get_status(instance_id)
    if not instance_exists(status):
        return error_response(404, "run_not_found", f"No run {instance_id}.", "instance_id")
    if runtime_name(status) not in ACTIVE:
        return error_response(409, "run_finished", f"Run {instance_id} has already ended "
                              f"({runtime_name(status)}); there is nothing to {action}.", "instance_id")
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    if action in JOB_ACTIONS:
        refusal = await job_action_refusal(client, status, custom, instance_id, action)
        if refusal is not None:
            return refusal
    elif action != "cancel" and custom.get("status") != "waiting_for_approval":
        return error_response(409, "not_waiting_for_approval", f"Run {instance_id} is not waiting for an "
                              f"approval (stage {custom.get('stage')}); {action} applies only then.",
                              "action")
    try:
        note = parse_action_note(req.get_body() or b"", dict(req.params))
    except RequestError as exc:
        return error_response(400, exc.code, exc.message, exc.field)
    try:
        await client.raise_event(instance_id, ACTIONS[action], {"reason": note} if note else None)
    except Exception:  # the run ended between the status read and the event (410 Gone)
        return error_response(409, "run_finished", f"Run {instance_id} has just ended; there is nothing to "
                              f"{action}.", "instance_id")
    return json_response({"id": instance_id, "event": ACTIONS[action], "accepted": True, "note": note},
                         status=202)
