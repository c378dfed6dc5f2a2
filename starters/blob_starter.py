"""The blob trigger on the datasets container: every blob event of a run maps to one run.

Path ``%DATASETS_CONTAINER%/{name}``: the container comes from the app setting through a
binding expression the host resolves, so nothing is read from the environment at import.
Source EventGrid: what Flex Consumption requires (docs/pipeline.md explains; the local host
polls). The starter never reads the blob's content: it lists the run folder to find the
training blob and its ETag, derives the instance id and starts the run once.
"""

from __future__ import annotations

import asyncio
import logging

import azure.durable_functions as df
import azure.functions as func

from shared import clients
from shared.settings import load_settings
from shared.storage_ops import normalize_etag
from starters.durable_start import start_once
from starters.planning import blob_name_in_container, plan_blob_start, timing_from

bp = df.Blueprint()
log = logging.getLogger(__name__)

DATASETS_PATH = "%DATASETS_CONTAINER%/{name}"


def container_listing(service, container: str):
    """``listing(prefix)`` over a container: (name, etag, size) of each blob under the prefix."""
    client = service.get_container_client(container)

    def listing(prefix: str):
        return [(item.name, normalize_etag(item.etag), item.size)
                for item in client.list_blobs(name_starts_with=prefix)]

    return listing


@bp.blob_trigger(arg_name="dataset", path=DATASETS_PATH, connection="AzureWebJobsStorage",
                 source=func.BlobSource.EVENT_GRID)
@bp.durable_client_input(client_name="client")
async def dataset_blob_starter(dataset: func.InputStream, client: df.DurableOrchestrationClient) -> None:
    settings = load_settings()
    blob_name = blob_name_in_container(dataset.name or "", settings.datasets_container)
    if blob_name is None:
        log.warning("blob event outside the datasets container ignored: %s", dataset.name)
        return
    listing = container_listing(clients.blob_service(settings), settings.datasets_container)
    # the listing is blocking I/O: keep it off the worker's event loop
    plan = await asyncio.to_thread(plan_blob_start, blob_name, listing, timing_from(settings))
    if plan is None:
        log.info("blob %s starts no run (not a run file, or no training file yet)", blob_name)
        return
    started = await start_once(client, plan.instance_id, plan.request)
    log.info("blob %s -> run %s instance %s (%s)", blob_name, plan.request.run, plan.instance_id,
             "started" if started else "already exists")
