"""Handlers of /openai/models (Models_List, Models_Get): base models and the account's fine-tuned models."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from local.aoai.errors import aoai_error
from local.aoai.handlers.common import state_of
from local.aoai.models.catalog import BASE_MODELS, fine_tuned_model_api


def _models(request: web.Request) -> dict[str, dict[str, Any]]:
    models = {name: model.to_api() for name, model in BASE_MODELS.items()}
    for job in sorted(state_of(request).jobs.records.values(), key=lambda j: j.created_at):
        if job.status == "succeeded" and job.fine_tuned_model:
            models[job.fine_tuned_model] = fine_tuned_model_api(
                job.fine_tuned_model, job.id, job.model, job.finished_at or job.created_at
            )
    return models


async def list_models(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": list(_models(request).values())})


async def retrieve(request: web.Request) -> web.Response:
    model_id = request.match_info["model_id"]
    model = _models(request).get(model_id)
    if model is None:
        raise aoai_error(404, "notFound", f"The model '{model_id}' does not exist.", "model")
    return web.json_response(model)
