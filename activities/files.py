"""Activities of the files stages: streamed upload, processing status, cleanup."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from activities._common import parse, run, settings
from shared import aoai_ops, clients, names, storage_ops
from shared.payloads import DeleteFilesInput, FileRef, UploadInput

bp = df.Blueprint()


@bp.activity_trigger(input_name="payload", activity=names.UPLOAD_FILE)
def upload_file(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(UploadInput, payload)
        config = settings()
        service = clients.blob_service(config)
        with storage_ops.open_blob_reader(service, config.datasets_container, request.blob.path,
                                          size=request.blob.size, etag=request.blob.etag,
                                          filename=request.file_name) as stream:
            return aoai_ops.upload_file(clients.openai_client(config), stream, request.file_name)

    return run(names.UPLOAD_FILE, work)


@bp.activity_trigger(input_name="payload", activity=names.GET_FILE_STATUS)
def get_file_status(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(FileRef, payload)
        return aoai_ops.get_file_state(clients.openai_client(settings()), request.file_id)

    return run(names.GET_FILE_STATUS, work)


@bp.activity_trigger(input_name="payload", activity=names.DELETE_FILES)
def delete_files(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(DeleteFilesInput, payload)
        return aoai_ops.delete_files(clients.openai_client(settings()), list(request.file_ids))

    return run(names.DELETE_FILES, work)
