"""Activities of the training methods: pre-flight checks with the service, pause/resume, checkpoints."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from activities._common import parse, run, settings
from shared import aoai_ops, clients, names, preflight_ops
from shared.method_payloads import GraderCheckInput, JobControlInput, ModelCheckInput
from shared.payloads import JobRef

bp = df.Blueprint()


@bp.activity_trigger(input_name="payload", activity=names.CHECK_MODEL)
def check_model(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(ModelCheckInput, payload)
        return preflight_ops.check_model(clients.openai_client(settings()), request.model, request.method)

    return run(names.CHECK_MODEL, work)


@bp.activity_trigger(input_name="payload", activity=names.CHECK_GRADER)
def check_grader(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(GraderCheckInput, payload)
        config = settings()
        return preflight_ops.check_grader(clients.openai_v1_client(config), clients.blob_service(config),
                                          config.datasets_container, request.grader,
                                          [blob.path for blob in request.files])

    return run(names.CHECK_GRADER, work)


@bp.activity_trigger(input_name="payload", activity=names.CONTROL_JOB)
def control_job(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(JobControlInput, payload)
        return aoai_ops.control_job(clients.openai_client(settings()), request.job_id, request.action)

    return run(names.CONTROL_JOB, work)


@bp.activity_trigger(input_name="payload", activity=names.LIST_CHECKPOINTS)
def list_checkpoints(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(JobRef, payload)
        return aoai_ops.list_checkpoints(clients.openai_client(settings()), request.job_id)

    return run(names.LIST_CHECKPOINTS, work)
