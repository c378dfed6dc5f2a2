"""The route table (stable route names, used by faults) and the middlewares: log, errors, auth, faults."""

from __future__ import annotations

import hmac
import logging
import re
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from local.aoai import config
from local.aoai.errors import (
    EmulatorError,
    aoai_unauthorized,
    arm_error,
    injected_fault,
    resource_not_found,
)
from local.aoai.handlers import arm, chat, control, entra, file_import, files, graders, jobs, models
from local.aoai.handlers.common import now, state_of

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger("local.aoai")

DATA_PLANE: list[tuple[str, str, str, Handler]] = [
    ("POST", "/files", "files.create", files.create),
    ("GET", "/files", "files.list", files.list_files),
    ("GET", "/files/{file_id}", "files.retrieve", files.retrieve),
    ("DELETE", "/files/{file_id}", "files.delete", files.delete),
    ("GET", "/files/{file_id}/content", "files.content", files.content),
    ("POST", "/fine_tuning/jobs", "jobs.create", jobs.create),
    ("GET", "/fine_tuning/jobs", "jobs.list", jobs.list_jobs),
    ("GET", "/fine_tuning/jobs/{job_id}", "jobs.retrieve", jobs.retrieve),
    ("DELETE", "/fine_tuning/jobs/{job_id}", "jobs.delete", jobs.delete),
    ("POST", "/fine_tuning/jobs/{job_id}/cancel", "jobs.cancel", jobs.cancel),
    ("POST", "/fine_tuning/jobs/{job_id}/pause", "jobs.pause", jobs.pause),
    ("POST", "/fine_tuning/jobs/{job_id}/resume", "jobs.resume", jobs.resume),
    ("GET", "/fine_tuning/jobs/{job_id}/events", "jobs.events", jobs.events),
    ("GET", "/fine_tuning/jobs/{job_id}/checkpoints", "jobs.checkpoints", jobs.checkpoints),
    ("POST", "/files/import", "files.import_url", file_import.import_file),
    ("GET", "/models", "models.list", models.list_models),
    ("GET", "/models/{model_id}", "models.retrieve", models.retrieve),
]
ARM_ACCOUNT = (
    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{account}"
)
ARM_DEPLOYMENT = ARM_ACCOUNT + "/deployments"
OTHER: list[tuple[str, str, str, str, Handler]] = [
    (
        "aoai",
        "POST",
        "/openai/deployments/{deployment}/chat/completions",
        "chat.completions",
        chat.deployment_chat,
    ),
    ("v1", "POST", "/openai/v1/chat/completions", "chat.completions", chat.v1_chat),
    # Graders: only in Azure's v1 spec (azure-v1-v1-generated, runGrader / validateGrader).
    ("v1", "POST", "/openai/v1/fine_tuning/alpha/graders/validate", "graders.validate",
     graders.validate_grader),
    ("v1", "POST", "/openai/v1/fine_tuning/alpha/graders/run", "graders.run", graders.run_grader),
    ("arm", "PUT", ARM_DEPLOYMENT + "/{name}", "deployments.put", arm.put_deployment),
    ("arm", "GET", ARM_DEPLOYMENT + "/{name}", "deployments.get", arm.get_deployment),
    ("arm", "PATCH", ARM_DEPLOYMENT + "/{name}", "deployments.patch", arm.patch_deployment),
    ("arm", "DELETE", ARM_DEPLOYMENT + "/{name}", "deployments.delete", arm.delete_deployment),
    ("arm", "GET", ARM_DEPLOYMENT, "deployments.list", arm.list_deployments),
    (
        "arm",
        "GET",
        "/subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/{location}/operationResults/{operation_id}",
        "operations.get",
        arm.operation_status,
    ),
    ("entra", "GET", "/{tenant}/v2.0/.well-known/openid-configuration", "openid", entra.openid_configuration),
    ("entra", "POST", "/{tenant}/oauth2/v2.0/token", "token", entra.token),
    ("control", "GET", "/_emulator/info", "info", control.info),
    ("control", "POST", "/_emulator/reset", "reset", control.reset),
    ("control", "GET", "/_emulator/state", "state", control.get_state),
    ("control", "GET", "/_emulator/timings", "timings.get", control.get_timings),
    ("control", "PUT", "/_emulator/timings", "timings.set", control.set_timings),
    ("control", "POST", "/_emulator/timings", "timings.post", control.set_timings),
    ("control", "GET", "/_emulator/faults", "faults.list", control.list_faults),
    ("control", "DELETE", "/_emulator/faults", "faults.clear", control.clear_faults),
    ("control", "POST", "/_emulator/faults", "faults.add", control.add_route_fault),
    ("control", "POST", "/_emulator/faults/jobs", "faults.jobs", control.fail_job),
    ("control", "POST", "/_emulator/faults/jobs/pause", "faults.jobs.pause", control.pause_job),
    ("control", "POST", "/_emulator/faults/deployments", "faults.deployments", control.fail_deployment),
    ("control", "POST", "/_emulator/faults/files", "faults.files", control.fail_file),
    ("control", "POST", "/_emulator/tokens", "tokens", control.issue_token),
]
API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
V1_API_VERSIONS = {"v1", "preview", "latest"}


def add_routes(app: web.Application) -> None:
    """Register every route; its aiohttp name is '<surface>:<route name>'."""
    table = [("aoai", m, "/openai" + p, n, h) for m, p, n, h in DATA_PLANE]
    table += [("v1", m, "/openai/v1" + p, n, h) for m, p, n, h in DATA_PLANE]
    for surface, method, path, name, handler in table + OTHER:
        app.router.add_route(method, path, handler, name=f"{surface}:{name}")


def _route_of(request: web.Request) -> tuple[str, str] | None:
    name = request.match_info.route.name
    if not name or ":" not in name:
        return None
    surface, route = name.split(":", 1)
    return surface, route


def _check_data_plane(request: web.Request, surface: str) -> None:
    version = request.query.get("api-version")
    if surface == "aoai" and (not version or not API_VERSION.match(version)):
        raise resource_not_found()
    if surface == "v1" and version is not None and version not in V1_API_VERSIONS:
        raise resource_not_found()
    key = request.headers.get("api-key")
    authorization = request.headers.get("Authorization", "")
    if key is not None:
        if not hmac.compare_digest(key.encode(), config.API_KEY.encode()):
            raise aoai_unauthorized(bearer=False)
        return
    if not authorization.lower().startswith("bearer "):
        raise aoai_unauthorized(bearer=False)
    token = authorization[7:].strip()
    if surface == "v1" and hmac.compare_digest(token.encode(), config.API_KEY.encode()):
        return
    if state_of(request).tokens.problem(token, config.COGNITIVE_AUDIENCE) is not None:
        raise aoai_unauthorized(bearer=True)


ARM_AUTH_ERRORS = {
    "expired": ("ExpiredAuthenticationToken", "The access token has expired. Get a new token and retry."),
    "audience": (
        "InvalidAuthenticationTokenAudience",
        "The access token has been obtained for wrong audience or resource. It should exactly match with one "
        "of the allowed audiences 'https://management.core.windows.net/','https://management.azure.com/'.",
    ),
    "invalid": ("InvalidAuthenticationToken", "The access token is invalid."),
}


def _check_arm(request: web.Request) -> None:
    if not request.query.get("api-version"):
        raise arm_error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    authorization = request.headers.get("Authorization", "")
    if not authorization.lower().startswith("bearer "):
        raise arm_error(
            401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."
        )
    problem = state_of(request).tokens.problem(authorization[7:].strip(), config.MANAGEMENT_AUDIENCE)
    if problem is not None:
        raise arm_error(401, *ARM_AUTH_ERRORS[problem])


@web.middleware
async def render_and_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost: render errors as the service's bodies; log 'METHOD path status' (no query, no secrets)."""
    try:
        response = await handler(request)
    except EmulatorError as exc:
        response = exc.response()
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        response = resource_not_found().response()
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = web.json_response(
            {"error": {"code": "internalFailure", "message": "Emulator error."}}, status=500
        )
    log.info("%s %s %s", request.method, request.path, response.status)
    return response


async def add_request_ids(request: web.Request, response: web.StreamResponse) -> None:
    """Every response, streamed ones included, carries one fresh id under the three names Azure uses."""
    request_id = str(uuid.uuid4())
    response.headers.setdefault("x-request-id", request_id)
    response.headers.setdefault("apim-request-id", request_id)
    response.headers.setdefault("x-ms-request-id", request_id)


@web.middleware
async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Per surface: api-version and credentials, then injected faults, then advance the lifecycles."""
    route = _route_of(request)
    if route is None:
        raise resource_not_found()
    surface, name = route
    if surface in ("aoai", "v1"):
        _check_data_plane(request, surface)
    elif surface == "arm":
        _check_arm(request)
    state = state_of(request)
    if surface != "control":
        fault = state.faults.take_route_fault(name, request.method, request.path)
        if fault is not None:
            state.save()
            raise injected_fault(fault.status, fault.code, fault.message, fault.retry_after, surface)
    state.advance(now())
    return await handler(request)
