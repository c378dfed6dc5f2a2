"""ARM deployments (PUT/GET/list/PATCH/DELETE, async operations), chat on both surfaces, Entra tokens:
through azure-mgmt-cognitiveservices, openai and azure-identity; the conftest validates each answer."""

from __future__ import annotations

import time

import openai
import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.core.rest import HttpRequest
from azure.mgmt.cognitiveservices.models import (
    Deployment,
    DeploymentModel,
    DeploymentProperties,
    PatchResourceTagsAndSku,
    Sku,
)

from tests.schema.test_data_plane import BASE, _trained

pytestmark = pytest.mark.schema


def _deployment(model: str, sku: str = "Standard", capacity: int = 1) -> Deployment:
    return Deployment(
        sku=Sku(name=sku, capacity=capacity),
        properties=DeploymentProperties(model=DeploymentModel(format="OpenAI", name=model, version="1")),
    )


def test_deployment_routes_and_chat(clients, sample_training):
    client = clients.aoai("2024-10-21")
    job = _trained(client, sample_training)
    arm, rg, account = clients.mgmt(), clients.info["resource_group"], clients.info["account"]

    created = arm.deployments.begin_create_or_update(
        rg, account, "ft", _deployment(job.fine_tuned_model)
    ).result()
    assert created.properties.provisioning_state == "Succeeded"
    base = arm.deployments.begin_create_or_update(rg, account, "base", _deployment(BASE)).result()
    assert base.properties.model.name == BASE
    assert {d.name for d in arm.deployments.list(rg, account)} == {"ft", "base"}
    updated = arm.deployments.begin_update(
        rg,
        account,
        "ft",
        PatchResourceTagsAndSku(sku=Sku(name="Standard", capacity=3), tags={"stage": "test"}),
    ).result()
    assert updated.sku.capacity == 3 and updated.tags == {"stage": "test"}
    assert arm.deployments.get(rg, account, "ft").properties.current_capacity == 3

    asked = [{"role": "user", "content": "What is Azure Blob Storage?"}]
    reply = client.chat.completions.create(model="ft", messages=asked)
    assert reply.choices[0].message.content and reply.usage.prompt_tokens > 0
    v1_reply = clients.v1().chat.completions.create(model="base", messages=asked)
    assert v1_reply.choices[0].message.content and v1_reply.system_fingerprint
    streamed = client.chat.completions.create(model="ft", messages=asked, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)

    clients.emulator.set_timings(requests_per_minute_per_capacity=6)  # capacity 1: a bucket of one request
    client.chat.completions.create(model="base", messages=asked)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="base", messages=asked)
    assert caught.value.response.headers["Retry-After"].isdigit()

    with pytest.raises(HttpResponseError) as refused:
        arm.deployments.begin_create_or_update(
            rg, account, "bad", _deployment(BASE + ".ft-" + "0" * 32)
        ).result()
    assert refused.value.status_code == 400
    arm.deployments.begin_delete(rg, account, "ft").result()
    with pytest.raises(ResourceNotFoundError):
        arm.deployments.get(rg, account, "ft")
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="ft", messages=asked)
    assert missing.value.code == "DeploymentNotFound"


def test_operation_in_progress_then_failed(clients, sample_training):
    """An operation is InProgress (with Retry-After) while it runs; an injected failure ends it Failed."""
    client = clients.aoai("2025-04-01-preview")
    job = _trained(client, sample_training)
    arm, rg, account = clients.mgmt(), clients.info["resource_group"], clients.info["account"]
    clients.emulator.set_timings(deployment_seconds=1.5)
    clients.emulator.fail_deployment(name="doomed", message="No capacity left in the region.")
    started = arm.deployments.begin_create_or_update(
        rg, account, "doomed", _deployment(job.fine_tuned_model), polling=False,
        cls=lambda response, _body, _headers: response.http_response.headers["Azure-AsyncOperation"],
    ).result()
    # The management client's own pipeline (auth, hooks) sends the poll the LRO poller would send.
    running = arm._send_request(HttpRequest("GET", started))
    assert running.json()["status"] == "InProgress" and running.headers["Retry-After"].isdigit()
    time.sleep(1.6)
    failed = arm._send_request(HttpRequest("GET", started)).json()
    assert failed["status"] == "Failed" and "No capacity" in failed["error"]["message"]
    assert failed["id"].startswith("/subscriptions/") and failed["id"].endswith(failed["name"])


def test_entra_token_routes(clients):
    credential = clients.credential()
    assert credential.get_token("https://management.azure.com/.default").token
    wrong = clients.credential(client_secret="not-the-secret")
    with pytest.raises(ClientAuthenticationError) as caught:
        wrong.get_token("https://cognitiveservices.azure.com/.default")
    assert "AADSTS7000215" in str(caught.value)
