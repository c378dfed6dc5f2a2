"""The /_emulator control API: reset, timings, faults, tokens for tests, state inspection."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from local.aoai import config
from local.aoai.errors import control_error
from local.aoai.handlers.common import info_of, json_body, state_of
from local.aoai.models.faults import Failure


async def _body(request: web.Request) -> dict[str, Any]:
    return await json_body(request, control_error(400, "The body must be a JSON object."))


async def reset(request: web.Request) -> web.Response:
    state_of(request).reset()
    return web.json_response({"reset": True})


async def info(request: web.Request) -> web.Response:
    return web.json_response(info_of(request))


async def get_state(request: web.Request) -> web.Response:
    return web.json_response(state_of(request).summary())


async def get_timings(request: web.Request) -> web.Response:
    return web.json_response(state_of(request).timings.to_dict())


async def set_timings(request: web.Request) -> web.Response:
    timings = state_of(request).timings
    try:
        timings.update(await _body(request))
    except (TypeError, ValueError) as exc:
        raise control_error(400, str(exc)) from None
    return web.json_response(timings.to_dict())


async def list_faults(request: web.Request) -> web.Response:
    return web.json_response(state_of(request).faults.to_dict())


async def clear_faults(request: web.Request) -> web.Response:
    faults = state_of(request).faults
    faults.routes.clear()
    for store in (faults.next_jobs, faults.next_deployments, faults.next_files, faults.next_job_pauses):
        store.clear()
    for named in (faults.jobs_by_id, faults.deployments_by_name, faults.files_by_name):
        named.clear()
    state_of(request).save()
    return web.json_response(faults.to_dict())


async def add_route_fault(request: web.Request) -> web.Response:
    try:
        fault = state_of(request).faults.add_route_fault(await _body(request))
    except (TypeError, ValueError) as exc:
        raise control_error(400, str(exc)) from None
    state_of(request).save()
    return web.json_response(asdict(fault), status=201)


def _failure(body: dict[str, Any], code: str, message: str) -> Failure:
    at_step = body.get("at_step")
    return Failure(
        str(body.get("code") or code), str(body.get("message") or message), at_step and int(at_step)
    )


async def fail_job(request: web.Request) -> web.Response:
    """Fail a job (`job_id`), else the next `count` jobs created, at `at_step`, with `code` and `message`."""
    body = await _body(request)
    failure = _failure(body, "internalFailure", "The job failed due to an internal error.")
    state = state_of(request)
    if body.get("job_id"):
        job = state.jobs.get(body["job_id"])
        job.failure = asdict(failure)
    else:
        state.faults.next_jobs.extend(failure for _ in range(int(body.get("count", 1))))
    state.save()
    return web.json_response(asdict(failure), status=201)


async def pause_job(request: web.Request) -> web.Response:
    """The service pauses a job by itself at `at_step` (default: half-way), as at the $5,000 RFT cap:
    that job (`job_id`, running or pending) or the next `count` jobs created."""
    body = await _body(request)
    state = state_of(request)
    at_step = body.get("at_step")
    if at_step is not None and (not isinstance(at_step, int) or at_step < 1):
        raise control_error(400, "at_step must be a whole number of at least 1.")
    if body.get("job_id"):
        job = state.jobs.get(body["job_id"])
        job.pause_at_step = at_step or max(1, job.steps // 2)
    else:
        steps = at_step or max(1, state.timings.job_steps // 2)
        state.faults.next_job_pauses.extend(steps for _ in range(int(body.get("count", 1))))
    state.save()
    return web.json_response({"at_step": at_step, "job_id": body.get("job_id")}, status=201)


async def fail_deployment(request: web.Request) -> web.Response:
    """Fail the deployment `name` when next created, else the next `count` deployments."""
    body = await _body(request)
    failure = _failure(
        body, "DeploymentFailed", "The deployment failed during provisioning. Retry the deployment."
    )
    faults = state_of(request).faults
    if body.get("name"):
        faults.deployments_by_name[body["name"]] = failure
    else:
        faults.next_deployments.extend(failure for _ in range(int(body.get("count", 1))))
    state_of(request).save()
    return web.json_response(asdict(failure), status=201)


async def fail_file(request: web.Request) -> web.Response:
    """Make processing of the next upload (or of uploads named `filename`) end in status error."""
    body = await _body(request)
    failure = _failure(body, "invalidFile", "Invalid file format. The file failed the service's validation.")
    faults = state_of(request).faults
    if body.get("filename"):
        faults.files_by_name[body["filename"]] = failure
    else:
        faults.next_files.extend(failure for _ in range(int(body.get("count", 1))))
    state_of(request).save()
    return web.json_response(asdict(failure), status=201)


async def issue_token(request: web.Request) -> web.Response:
    """A token with any audience and lifetime (negative: already expired), to test rejections."""
    body = await _body(request)
    audience = config.AUDIENCES.get(body.get("audience", "cognitiveservices"), body.get("audience"))
    if not isinstance(audience, str):
        raise control_error(400, "audience must be 'cognitiveservices', 'management' or a URL.")
    token, lifetime = state_of(request).tokens.issue(audience, int(body.get("expires_in", 3600)))
    return web.json_response({"access_token": token, "expires_in": lifetime, "audience": audience})
