"""Handlers of /openai/fine_tuning/jobs: CRUD, cancel, pause, resume, events, checkpoints."""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from local.aoai.handlers.common import (
    STATE,
    is_v1,
    json_body,
    list_page,
    location,
    now,
    run_in_background,
    state_of,
)
from local.aoai.models.common import paginate, parse_limit
from local.aoai.models.learning import digest_training_file

METADATA_KEY = re.compile(r"^metadata\[(.+)\]$")


def _saved(request: web.Request, body: dict, status: int = 200, headers: dict | None = None) -> web.Response:
    state_of(request).save()
    return web.json_response(body, status=status, headers=headers)


def schedule_digest(app: web.Application, job_id: str) -> None:
    """Read the job's training file in a worker thread: the tokens it bills and the examples it learns."""
    state = app[STATE]
    record = state.jobs.records[job_id]
    path = state.files.blob_path(record.training_file)

    async def read() -> None:
        digest = await asyncio.get_running_loop().run_in_executor(
            None, digest_training_file, path, record.model, record.method
        )
        state.jobs.digest(job_id, digest)
        state.save()

    run_in_background(app, read())


async def create(request: web.Request) -> web.Response:
    body = await json_body(request)
    state = state_of(request)
    state.advance(now())
    # On /openai/v1 the api-version is optional: the surface decides what the request may hold.
    version = "v1" if is_v1(request) else request.query.get("api-version")
    record = state.jobs.create(body, now(), api_version=version)
    schedule_digest(request.app, record.id)
    state.advance(now())
    return _saved(request, record.to_api(), 201, {"Location": location(request, record.id)})


async def list_jobs(request: web.Request) -> web.Response:
    query = request.query
    metadata = {m.group(1): value for key, value in query.items() if (m := METADATA_KEY.match(key))}
    records, has_more = state_of(request).jobs.list(
        query.get("after"), parse_limit(query.get("limit"), 20), metadata
    )
    return list_page([r.to_api() for r in records], has_more)


async def retrieve(request: web.Request) -> web.Response:
    return web.json_response(state_of(request).jobs.get(request.match_info["job_id"]).to_api())


async def cancel(request: web.Request) -> web.Response:
    return _saved(request, state_of(request).jobs.cancel(request.match_info["job_id"], now()).to_api())


async def pause(request: web.Request) -> web.Response:
    return _saved(request, state_of(request).jobs.pause(request.match_info["job_id"], now()).to_api())


async def resume(request: web.Request) -> web.Response:
    return _saved(request, state_of(request).jobs.resume(request.match_info["job_id"], now()).to_api())


async def delete(request: web.Request) -> web.Response:
    state = state_of(request)
    state.jobs.delete(request.match_info["job_id"])
    state.save()
    return web.Response(status=204)


async def events(request: web.Request) -> web.Response:
    record = state_of(request).jobs.get(request.match_info["job_id"])
    newest_first = list(reversed(record.events))
    page, has_more = paginate(
        newest_first,
        request.query.get("after"),
        parse_limit(request.query.get("limit"), 20),
        lambda e: e["id"],
    )
    return list_page(page, has_more)


async def checkpoints(request: web.Request) -> web.Response:
    record = state_of(request).jobs.get(request.match_info["job_id"])
    newest_first = list(reversed(record.checkpoints))
    page, has_more = paginate(
        newest_first,
        request.query.get("after"),
        parse_limit(request.query.get("limit"), 10),
        lambda c: c["id"],
    )
    return list_page(page, has_more)
