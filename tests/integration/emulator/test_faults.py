"""Faults injected through /_emulator: route errors (429/500/503), failing jobs, deployments, files."""

from __future__ import annotations

import openai
import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from tests.fixtures.emulator import COGNITIVE_SCOPE
from tests.integration.emulator.helpers import (
    BASE_MODEL,
    create_job,
    deploy,
    succeeded_job,
    upload,
    upload_processed,
    wait_job,
)

pytestmark = pytest.mark.integration


def test_next_call_answers_429_with_retry_after_then_recovers(fresh_emulator):
    fresh_emulator.add_fault(route="files.list", status=429, retry_after=7)
    client = fresh_emulator.openai_client()
    with pytest.raises(openai.RateLimitError) as caught:
        client.files.list()
    assert caught.value.response.headers["retry-after"] == "7"
    assert client.files.list().data == []
    assert fresh_emulator.control("GET", "/faults")["routes"] == []


def test_sdk_retries_honour_retry_after(fresh_emulator):
    fresh_emulator.add_fault(route="files.create", status=429, retry_after=0.1, count=2)
    client = fresh_emulator.openai_client(max_retries=2)
    assert upload(client).status == "pending"  # two 429s, then the third attempt succeeds
    assert fresh_emulator.state()["counts"]["files"] == 1


@pytest.mark.parametrize(
    ("status", "error"), [(500, openai.InternalServerError), (503, openai.InternalServerError)]
)
def test_server_errors_by_path_regex_and_count(fresh_emulator, status, error):
    fresh_emulator.add_fault(path_regex=r"/fine_tuning/jobs$", method="GET", status=status, count=2)
    client = fresh_emulator.openai_client()
    for _ in range(2):
        with pytest.raises(error) as caught:
            client.fine_tuning.jobs.list()
        assert caught.value.status_code == status
    assert client.fine_tuning.jobs.list().data == []


def test_a_fault_on_one_route_leaves_others_alone(fresh_emulator):
    fresh_emulator.add_fault(route="jobs.retrieve", status=503)
    client = fresh_emulator.openai_client()
    assert client.files.list().data == []
    with pytest.raises(openai.InternalServerError):
        client.fine_tuning.jobs.retrieve("ftjob-x")


def test_token_route_fault_reaches_azure_identity(fresh_emulator):
    fresh_emulator.add_fault(route="token", status=503)
    credential = fresh_emulator.credential(retry_total=0)
    with pytest.raises(ClientAuthenticationError):
        credential.get_token(COGNITIVE_SCOPE)
    assert fresh_emulator.credential().get_token(COGNITIVE_SCOPE).token


def test_arm_route_fault_has_the_arm_shape(fresh_emulator):
    job = succeeded_job(fresh_emulator.openai_client())
    fresh_emulator.add_fault(route="deployments.put", status=500, code="InternalServerError")
    with pytest.raises(HttpResponseError) as caught:
        deploy(fresh_emulator, "d", job.fine_tuned_model)
    assert caught.value.status_code == 500 and caught.value.error.code == "InternalServerError"


def test_next_job_fails_with_the_given_error(fresh_emulator):
    fresh_emulator.fail_job(code="invalidTrainingData", message="Too few examples.", at_step=2)
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    failed = wait_job(client, create_job(client, model=BASE_MODEL, training_file=training.id).id)
    assert failed.status == "failed" and failed.fine_tuned_model is None
    assert (failed.error.code, failed.error.message) == ("invalidTrainingData", "Too few examples.")
    events = list(client.fine_tuning.jobs.list_events(failed.id))
    assert events[0].level == "error" and sum(e.type == "metrics" for e in events) == 2
    second = create_job(client, model=BASE_MODEL, training_file=training.id)
    assert wait_job(client, second.id).status == "succeeded"


def test_a_given_job_fails(fresh_emulator):
    fresh_emulator.set_timings(job_duration_seconds=4)
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    job = create_job(client, model=BASE_MODEL, training_file=training.id)
    fresh_emulator.fail_job(job_id=job.id, code="internalFailure", message="Boom.")
    assert wait_job(client, job.id).error.message == "Boom."


def test_next_deployment_fails(fresh_emulator):
    job = succeeded_job(fresh_emulator.openai_client())
    fresh_emulator.fail_deployment(code="DeploymentFailed", message="Capacity not available.")
    with pytest.raises(HttpResponseError, match="Capacity not available"):
        deploy(fresh_emulator, "d", job.fine_tuned_model)
    mgmt = fresh_emulator.mgmt_client()
    info = fresh_emulator.info
    assert (
        mgmt.deployments.get(info["resource_group"], info["account"], "d").properties.provisioning_state
        == "Failed"
    )
    assert deploy(fresh_emulator, "d", job.fine_tuned_model).properties.provisioning_state == "Succeeded"


def test_file_processing_fails_for_next_upload_and_by_filename(fresh_emulator):
    client = fresh_emulator.openai_client()
    fresh_emulator.fail_file(message="Invalid file format. Injected.")
    fresh_emulator.fail_file(filename="doomed.jsonl")
    first = upload_processed(client, name="ok-content.jsonl")
    assert (first.status, first.status_details) == ("error", "Invalid file format. Injected.")
    assert upload_processed(client, name="fine.jsonl").status == "processed"
    assert upload_processed(client, name="doomed.jsonl").status == "error"


def test_bad_fault_specs_are_rejected(fresh_emulator):
    for spec in ({"route": "files.list", "status": 404}, {"status": 500}, {"path_regex": "(", "status": 500}):
        status, _, _ = fresh_emulator.request("POST", "/_emulator/faults", spec)
        assert status == 400
    status, _, _ = fresh_emulator.request("PUT", "/_emulator/timings", {"job_steps": 0})
    assert status == 400
