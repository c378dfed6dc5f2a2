"""Activities of the job stages: submit (idempotent per run), status with the newest event, cancel."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from activities._common import parse, run, settings
from shared import aoai_ops, clients, names
from shared.payloads import JobRef, SubmitJobInput

bp = df.Blueprint()


@bp.activity_trigger(input_name="payload", activity=names.SUBMIT_JOB)
def submit_job(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(SubmitJobInput, payload).to_dict()
        config = settings()
        v1 = aoai_ops.uses_v1(request)  # reinforcement: Azure's v1 surface
        client = clients.openai_v1_client(config) if v1 else clients.openai_client(config)
        return aoai_ops.submit_job(client, request)

    return run(names.SUBMIT_JOB, work)


@bp.activity_trigger(input_name="payload", activity=names.GET_JOB_STATUS)
def get_job_status(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(JobRef, payload)
        return aoai_ops.get_job_status(clients.openai_client(settings()), request.job_id)

    return run(names.GET_JOB_STATUS, work)


@bp.activity_trigger(input_name="payload", activity=names.CANCEL_JOB)
def cancel_job(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(JobRef, payload)
        return aoai_ops.cancel_job(clients.openai_client(settings()), request.job_id)

    return run(names.CANCEL_JOB, work)
