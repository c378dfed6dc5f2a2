"""ARM deployments through azure-mgmt-cognitiveservices (LRO), and chat completions on them."""

from __future__ import annotations

import openai
import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from tests.integration.emulator.helpers import deploy, succeeded_job

pytestmark = pytest.mark.integration


def test_deploy_chat_list_delete(fresh_emulator):
    client = fresh_emulator.openai_client()
    job = succeeded_job(client)
    deployment = deploy(fresh_emulator, "ft-demo", job.fine_tuned_model)
    assert deployment.properties.provisioning_state == "Succeeded"
    assert deployment.properties.model.name == job.fine_tuned_model and deployment.sku.name == "Standard"

    asked = [{"role": "user", "content": "Question 4?"}]
    reply = client.chat.completions.create(model="ft-demo", messages=asked)
    assert reply.choices[0].message.content == "Answer 4." and reply.model == job.fine_tuned_model
    again = client.chat.completions.create(model="ft-demo", messages=asked)
    assert again.choices[0].message.content == reply.choices[0].message.content

    token_client = fresh_emulator.token_openai_client(api_version="2024-10-21")
    assert token_client.chat.completions.create(
        model="ft-demo", messages=[{"role": "user", "content": "x"}]
    ).choices

    mgmt = fresh_emulator.mgmt_client()
    rg, account = fresh_emulator.info["resource_group"], fresh_emulator.info["account"]
    assert [d.name for d in mgmt.deployments.list(rg, account)] == ["ft-demo"]
    assert mgmt.deployments.get(rg, account, "ft-demo").properties.provisioning_state == "Succeeded"
    mgmt.deployments.begin_delete(rg, account, "ft-demo").result()
    with pytest.raises(ResourceNotFoundError):
        mgmt.deployments.get(rg, account, "ft-demo")
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="ft-demo", messages=[{"role": "user", "content": "x"}])
    assert caught.value.code == "DeploymentNotFound"


def test_chat_on_unknown_deployment_is_404_and_v1_form_works(fresh_emulator):
    client = fresh_emulator.openai_client()
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])
    assert caught.value.code == "DeploymentNotFound"
    job = succeeded_job(client)
    deploy(fresh_emulator, "v1-dep", job.fine_tuned_model, sku="developertier", capacity=50)
    v1 = openai.OpenAI(
        base_url=fresh_emulator.info["endpoint"] + "/openai/v1/",
        api_key=fresh_emulator.info["api_key"],
        http_client=openai.DefaultHttpxClient(verify=fresh_emulator.ssl_context),
    )
    reply = v1.chat.completions.create(model="v1-dep", messages=[{"role": "user", "content": "Question 2?"}])
    assert reply.choices[0].message.content == "Answer 2."
    stream = client.chat.completions.create(
        model="v1-dep", messages=[{"role": "user", "content": "Question 2?"}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "Answer 2."


def test_model_must_be_a_succeeded_jobs_fine_tuned_model(fresh_emulator):
    with pytest.raises(HttpResponseError) as caught:
        deploy(fresh_emulator, "bad", "gpt-4o-mini-2024-07-18.ft-" + "0" * 32)
    assert caught.value.status_code == 400 and caught.value.error.code == "DeploymentModelNotSupported"
    assert fresh_emulator.state()["counts"]["deployments"] == 0


@pytest.mark.parametrize("sku", ["standard", "GLOBALSTANDARD", "Developer"])
def test_sku_names_are_case_insensitive(fresh_emulator, sku):
    job = succeeded_job(fresh_emulator.openai_client())
    assert (
        deploy(fresh_emulator, "d", job.fine_tuned_model, sku=sku).properties.provisioning_state
        == "Succeeded"
    )


def test_unknown_sku_is_rejected(fresh_emulator):
    job = succeeded_job(fresh_emulator.openai_client())
    with pytest.raises(HttpResponseError) as caught:
        deploy(fresh_emulator, "d", job.fine_tuned_model, sku="Premium")
    assert caught.value.status_code == 400


def test_at_most_five_fine_tuned_deployments(fresh_emulator):
    fresh_emulator.set_timings(deployment_seconds=0)
    job = succeeded_job(fresh_emulator.openai_client())
    for index in range(5):
        deploy(fresh_emulator, f"d{index}", job.fine_tuned_model)
    with pytest.raises(HttpResponseError) as caught:
        deploy(fresh_emulator, "d5", job.fine_tuned_model)
    assert caught.value.error.code == "InsufficientQuota"
    assert (
        deploy(fresh_emulator, "d0", job.fine_tuned_model, capacity=2).sku.capacity == 2
    )  # update is allowed


def test_put_answers_201_with_async_operation_and_retry_after(fresh_emulator):
    job = succeeded_job(fresh_emulator.openai_client())
    token = fresh_emulator.issue_token("management")
    info = fresh_emulator.info
    path = (
        f"/subscriptions/{info['subscription_id']}/resourceGroups/{info['resource_group']}/providers/"
        f"Microsoft.CognitiveServices/accounts/{info['account']}/deployments/raw?api-version=2024-10-01"
    )
    model = {"format": "OpenAI", "name": job.fine_tuned_model, "version": "1"}
    body = {"sku": {"name": "standard", "capacity": 1}, "properties": {"model": model}}
    status, headers, answer = fresh_emulator.request("PUT", path, body, {"Authorization": f"Bearer {token}"})
    assert status == 201 and answer["properties"]["provisioningState"] in ("Accepted", "Creating")
    assert (
        headers["Azure-AsyncOperation"].startswith(info["arm_endpoint"]) and float(headers["Retry-After"]) > 0
    )
