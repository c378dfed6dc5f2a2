"""Handlers of /openai/files: multipart upload streamed to disk, list, retrieve, delete, content."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import BodyPartReader, web

from local.aoai.errors import aoai_error
from local.aoai.handlers.common import STATE, is_v1, list_page, location, now, run_in_background, state_of
from local.aoai.models.common import parse_limit
from local.aoai.models.validation import check_jsonl_file

CHUNK = 1 << 16


async def _stream_to(part: BodyPartReader, path: Path) -> int:
    """Write one multipart part to `path` chunk by chunk; return its size."""
    size = 0
    with path.open("wb") as sink:
        while chunk := await part.read_chunk(CHUNK):
            sink.write(chunk)
            size += len(chunk)
    return size


def schedule_validation(app: web.Application, file_id: str) -> None:
    """Check a fine-tune upload in a worker thread; the verdict lands on the record when done."""
    state = app[STATE]
    path = state.files.blob_path(file_id)

    async def check() -> None:
        problem = await asyncio.get_running_loop().run_in_executor(None, check_jsonl_file, path)
        state.files.set_verdict(file_id, problem)
        state.save()

    run_in_background(app, check())


async def create(request: web.Request) -> web.Response:
    state = state_of(request)
    if not request.content_type.startswith("multipart/"):
        raise aoai_error(
            400, "invalidPayload", "Upload the file as multipart/form-data with 'purpose' and 'file'."
        )
    reader = await request.multipart()
    purpose: str | None = None
    upload: tuple[str, Path, str, int] | None = None
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "purpose":
            purpose = (await part.text()).strip()
        elif part.name == "file" and upload is None:
            file_id, path = state.files.new_upload()
            upload = (file_id, path, part.filename or "file", await _stream_to(part, path))
        else:
            await part.release()
    if upload is None:
        raise aoai_error(400, "invalidPayload", "The 'file' field is required.", "file")
    file_id, path, filename, size = upload
    try:
        state.files.check_purpose(purpose)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    record = state.files.add(file_id, filename, str(purpose), size, now())
    state.save()
    if not record.checked:
        schedule_validation(request.app, file_id)
    return web.json_response(
        record.to_api(is_v1(request)), status=201, headers={"Location": location(request, file_id)}
    )


async def list_files(request: web.Request) -> web.Response:
    query = request.query
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise aoai_error(400, "invalidPayload", "order must be 'asc' or 'desc'.", "order")
    records, has_more = state_of(request).files.list(
        query.get("purpose"), query.get("after"), parse_limit(query.get("limit"), 10_000), order
    )
    return list_page([r.to_api(is_v1(request)) for r in records], has_more)


async def retrieve(request: web.Request) -> web.Response:
    record = state_of(request).files.get(request.match_info["file_id"])
    return web.json_response(record.to_api(is_v1(request)))


async def delete(request: web.Request) -> web.Response:
    file_id = request.match_info["file_id"]
    state = state_of(request)
    state.files.delete(file_id)
    state.save()
    return web.json_response({"object": "file", "deleted": True, "id": file_id})


async def content(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    record = state.files.get(request.match_info["file_id"])
    return web.FileResponse(
        state.files.blob_path(record.id),
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f'attachment; filename="{record.filename}"',
        },
    )
