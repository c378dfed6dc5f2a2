"""Idempotent start of a run: one instance per id, whatever the number of deliveries.

The id is derived from the dataset (shared/run_ids.py). A run starts only when no instance
with that id exists; an "already exists" from a racing delivery counts as success, because
the instance it refers to is the run this delivery wanted.
"""

from __future__ import annotations

import logging
from typing import Any

from shared import names
from shared.payloads import RunRequest

log = logging.getLogger(__name__)


def instance_exists(status: Any) -> bool:
    """The SDK gives a falsy status (no created time) for an unknown instance."""
    return bool(status) and getattr(status, "runtime_status", None) is not None


async def start_once(client: Any, instance_id: str, request: RunRequest) -> bool:
    """Start the finetune orchestration unless the instance exists; True when this call started it."""
    if instance_exists(await client.get_status(instance_id)):
        return False
    try:
        await client.start_new(names.FINETUNE_ORCHESTRATOR, instance_id, request.to_dict())
    except Exception:
        if instance_exists(await client.get_status(instance_id)):
            log.info("run %s was started by a concurrent delivery", instance_id)
            return False
        raise
    return True
