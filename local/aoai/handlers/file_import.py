"""POST /openai/files/import (Files_Import, 2024-10-21 spec): a file created from a URL the service fetches.

The spec's body is {purpose, filename, content_url}; the answer is 201 + Location with the File,
status pending. The emulator fetches the URL in the background (streamed to disk, at most the Files
API's 512 MB) and then validates the content like an upload. It reaches only URLs on this machine
(loopback hosts, such as Azurite's blob SAS URLs): it stands for a service on the network, and the
local stack makes no other network calls. A fetch that fails ends the file in status `error`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from local.aoai.errors import aoai_error
from local.aoai.handlers.common import STATE, is_v1, json_body, location, now, run_in_background, state_of
from local.aoai.handlers.files import schedule_validation

CHUNK = 1 << 16
MAX_BYTES = 512 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 600
LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: object) -> str:
    if not isinstance(url, str) or not url:
        raise aoai_error(400, "invalidPayload", "The 'content_url' field is required.", "content_url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise aoai_error(400, "invalidPayload", "content_url must be an http or https URL.", "content_url")
    if not _is_loopback(parts.hostname):
        raise aoai_error(
            400,
            "fileImportFailed",
            f"The emulator imports only from URLs on this machine (localhost, 127.0.0.0/8, ::1), not "
            f"{parts.hostname}; upload the file instead, or serve it locally (e.g. from Azurite).",
            "content_url",
        )
    return url


async def _fetch(app: web.Application, file_id: str, url: str) -> None:
    state = app[STATE]
    size, problem = 0, None
    try:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
            if response.status != 200:
                raise ValueError(f"GET answered HTTP {response.status}")
            with state.files.blob_path(file_id).open("wb") as sink:
                async for chunk in response.content.iter_chunked(CHUNK):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise ValueError(f"the content is larger than {MAX_BYTES} bytes")
                    sink.write(chunk)
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
        problem = f"Failed to import the file from content_url: {exc or type(exc).__name__}."
    if state.files.imported(file_id, size, problem):
        schedule_validation(app, file_id)
    state.save()


def schedule_import(app: web.Application, file_id: str, url: str) -> None:
    run_in_background(app, _fetch(app, file_id, url))


async def import_file(request: web.Request) -> web.Response:
    body = await json_body(request)
    state = state_of(request)
    purpose = state.files.check_purpose(body.get("purpose"))
    filename = body.get("filename")
    if not isinstance(filename, str) or not filename.strip():
        raise aoai_error(400, "invalidPayload", "The 'filename' field is required.", "filename")
    url = _check_url(body.get("content_url"))
    record = state.files.add_import(filename, purpose, url, now())
    state.save()
    schedule_import(request.app, record.id, url)
    return web.json_response(
        record.to_api(is_v1(request)),
        status=201,
        headers={"Location": location(request, record.id, request.path.removesuffix("/import"))},
    )
