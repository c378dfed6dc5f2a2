"""Shared steps of the emulator tests: training data, upload-and-wait, run a job, deploy a model."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

from tests.fixtures.emulator import EmulatorHandle

BASE_MODEL = "gpt-4o-mini-2024-07-18"
WAIT_S = 30


def chat_lines(count: int = 12) -> bytes:
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "You answer briefly."},
                    {"role": "user", "content": f"Question {i}?"},
                    {"role": "assistant", "content": f"Answer {i}."},
                ]
            }
        )
        for i in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def wait_until(check: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    """Poll `check` until it returns a truthy value; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def upload(
    client: Any, content: bytes | None = None, name: str = "train.jsonl", purpose: str = "fine-tune"
) -> Any:
    return client.files.create(
        file=(name, io.BytesIO(chat_lines() if content is None else content)), purpose=purpose
    )


def upload_processed(client: Any, content: bytes | None = None, name: str = "train.jsonl") -> Any:
    created = upload(client, content, name)
    return wait_until(
        lambda: (f := client.files.retrieve(created.id)).status in ("processed", "error") and f,
        f"file {created.id} processed",
    )


def wait_job(
    client: Any, job_id: str, statuses: tuple[str, ...] = ("succeeded", "failed", "cancelled")
) -> Any:
    return wait_until(
        lambda: (job := client.fine_tuning.jobs.retrieve(job_id)).status in statuses and job,
        f"job {job_id} in {statuses}",
    )


def succeeded_job(client: Any, **create: Any) -> Any:
    training = upload_processed(client)
    job = create_job(client, model=BASE_MODEL, training_file=training.id, **create)
    return wait_job(client, job.id)


def deploy(emulator: EmulatorHandle, name: str, model: str, sku: str = "Standard", capacity: int = 1) -> Any:
    from azure.mgmt.cognitiveservices.models import Deployment, DeploymentModel, DeploymentProperties, Sku

    deployment = Deployment(
        sku=Sku(name=sku, capacity=capacity),
        properties=DeploymentProperties(model=DeploymentModel(format="OpenAI", name=model, version="1")),
    )
    poller = emulator.mgmt_client().deployments.begin_create_or_update(
        emulator.info["resource_group"], emulator.info["account"], name, deployment
    )
    return poller.result()


def create_job(client: Any, **create: Any) -> Any:
    """jobs.create with a trainingType, as every caller must send one (docs/emulator.md, Create rules)."""
    extra = dict(create.pop("extra_body", None) or {})
    extra.setdefault("trainingType", "Standard")
    return client.fine_tuning.jobs.create(extra_body=extra, **create)
