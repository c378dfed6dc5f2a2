"""The blob starter against Azurite and the local host: run-folder rules and idempotent starts.

In-process calls deliver real ``func.InputStream`` objects built from Azurite blobs (so a
duplicate delivery can be sent on purpose); the last test lets the host's own blob trigger
deliver the events.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from azure.functions.blob import InputStream

from local.host.client_api import PUBLIC_PREFIX, client_binding
from shared import names, run_ids
from shared.storage_ops import normalize_etag
from starters import blob_starter
from tests.integration.host.helpers import call

pytestmark = pytest.mark.integration

TRAIN = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n'


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    # One loop for every durable-client call: the SDK keeps one aiohttp session per process.
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def deliver(stack: Any, loop: asyncio.AbstractEventLoop, blob_name: str) -> None:
    """Call the starter as the host would for one blob event."""
    container = stack.env["DATASETS_CONTAINER"]
    props = stack.datasets.get_blob_client(blob_name).get_blob_properties()
    stream = InputStream(data=b"", name=f"{container}/{blob_name}", length=props.size,
                              uri=f"{stack.service.url}{container}/{blob_name}",
                              blob_properties={"ETag": props.etag, "ContentLength": props.size})
    binding = client_binding(stack.base_url, f"{stack.base_url}{PUBLIC_PREFIX}/", "FineTuneHub", None)
    starter = blob_starter.dataset_blob_starter.build().get_user_function()
    loop.run_until_complete(starter(dataset=stream, client=binding))


def instances(stack: Any, run: str) -> list[dict[str, Any]]:
    reply = call("GET", f"{stack.base_url}{PUBLIC_PREFIX}/instances?showInput=true")
    assert reply.status == 200, reply.text
    prefix = f"ft-{run_ids.slug(run)}-"
    return [i for i in reply.json()
            if i["instanceId"].startswith(prefix) and i["name"] == names.FINETUNE_ORCHESTRATOR]


def upload(stack: Any, name: str, data: bytes = TRAIN) -> str:
    written = stack.datasets.get_blob_client(name).upload_blob(data, overwrite=True)
    return normalize_etag(written["etag"])


def test_events_in_any_order_start_one_run_keyed_by_the_training_version(starter_stack, loop):
    upload(starter_stack, "order/validation_set.jsonl")
    deliver(starter_stack, loop, "order/validation_set.jsonl")
    upload(starter_stack, "order/finetune.json", b'{"hyperparameters": {"n_epochs": 1}}')
    deliver(starter_stack, loop, "order/finetune.json")
    assert instances(starter_stack, "order") == []          # no training file yet: nothing starts

    etag = upload(starter_stack, "order/training_set.jsonl")
    deliver(starter_stack, loop, "order/validation_set.jsonl")   # a late event of another file starts it
    expected = run_ids.instance_id("order", "order/training_set.jsonl", etag)
    [run] = instances(starter_stack, "order")
    assert run["instanceId"] == expected
    request = json.loads(run["input"]) if isinstance(run["input"], str) else run["input"]
    assert request["training"]["path"] == "order/training_set.jsonl" and request["training"]["etag"] == etag
    assert request["settings_path"] == "order/finetune.json" and request["discover"] is True

    deliver(starter_stack, loop, "order/training_set.jsonl")      # duplicates: same instance
    deliver(starter_stack, loop, "order/finetune.json")
    assert [i["instanceId"] for i in instances(starter_stack, "order")] == [expected]


def test_concurrent_duplicate_deliveries_start_one_run(starter_stack, loop):
    etag = upload(starter_stack, "race/train.jsonl")
    props = starter_stack.datasets.get_blob_client("race/train.jsonl").get_blob_properties()
    container = starter_stack.env["DATASETS_CONTAINER"]
    binding = client_binding(starter_stack.base_url, f"{starter_stack.base_url}{PUBLIC_PREFIX}/",
                             "FineTuneHub", None)
    starter = blob_starter.dataset_blob_starter.build().get_user_function()

    def stream() -> InputStream:
        return InputStream(data=b"", name=f"{container}/race/train.jsonl", length=props.size,
                                blob_properties={"ETag": props.etag})

    async def burst() -> None:
        await asyncio.gather(*(starter(dataset=stream(), client=binding) for _ in range(4)))

    loop.run_until_complete(burst())
    assert [i["instanceId"] for i in instances(starter_stack, "race")] == [
        run_ids.instance_id("race", "race/train.jsonl", etag)]


def test_a_new_training_version_starts_a_new_run(starter_stack, loop):
    first = upload(starter_stack, "again.jsonl")
    deliver(starter_stack, loop, "again.jsonl")
    second = upload(starter_stack, "again.jsonl", TRAIN + TRAIN)
    deliver(starter_stack, loop, "again.jsonl")
    deliver(starter_stack, loop, "again.jsonl")
    ids = sorted(i["instanceId"] for i in instances(starter_stack, "again"))
    assert ids == sorted(run_ids.instance_id("again", "again.jsonl", etag) for etag in (first, second))


def test_blobs_outside_the_convention_start_nothing(starter_stack, loop):
    upload(starter_stack, "notes/readme.jsonl.txt", b"x")
    upload(starter_stack, "deep/er/train.jsonl")
    deliver(starter_stack, loop, "notes/readme.jsonl.txt")
    deliver(starter_stack, loop, "deep/er/train.jsonl")
    assert instances(starter_stack, "notes") == [] and instances(starter_stack, "deep") == []


def test_the_hosts_blob_trigger_starts_the_run_once(starter_stack):
    upload(starter_stack, "polled/valid.jsonl")
    etag = upload(starter_stack, "polled/train.jsonl")
    upload(starter_stack, "polled/finetune.json", b"{}")
    expected = run_ids.instance_id("polled", "polled/train.jsonl", etag)
    deadline = time.monotonic() + 60
    container = starter_stack.env["DATASETS_CONTAINER"]
    while True:
        log = starter_stack.host.log_text()
        handled = [f"blob={container}/polled/{leaf}"
                   for leaf in ("valid.jsonl", "train.jsonl", "finetune.json")]
        lines = [line for line in log.splitlines() if "outcome=Succeeded" in line]
        done = all(any(h in line for line in lines) for h in handled)
        if done:
            break
        assert time.monotonic() < deadline, f"the host did not run the starter for every blob:\n{log[-3000:]}"
        time.sleep(0.2)
    assert [i["instanceId"] for i in instances(starter_stack, "polled")] == [expected]
