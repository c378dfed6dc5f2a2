"""The /_emulator control API itself: info, state inspection, timings, reset; and the v1 jobs surface."""

from __future__ import annotations

import openai
import pytest

from tests.integration.emulator.helpers import BASE_MODEL, create_job, upload_processed, wait_job

pytestmark = pytest.mark.integration


def test_info_matches_the_server(fresh_emulator):
    assert fresh_emulator.control("GET", "/info") == fresh_emulator.info


def test_state_counts_and_reset_restores_everything(fresh_emulator):
    started_with = fresh_emulator.control("GET", "/timings")
    changed = fresh_emulator.set_timings(job_steps=3, deployment_seconds=5)
    assert (changed["job_steps"], changed["deployment_seconds"]) == (3, 5.0)
    client = fresh_emulator.openai_client()
    training = upload_processed(client)
    job = create_job(client, model=BASE_MODEL, training_file=training.id, metadata={"run": "x"})
    fresh_emulator.add_fault(route="files.list", status=500)
    state = fresh_emulator.state()
    assert state["counts"] == {"files": 1, "jobs": 1, "deployments": 0}
    assert state["jobs"][0]["id"] == job.id and state["jobs"][0]["metadata"] == {"run": "x"}
    assert len(state["faults"]["routes"]) == 1
    fresh_emulator.reset()
    after = fresh_emulator.state()
    assert after["counts"] == {"files": 0, "jobs": 0, "deployments": 0} and after["faults"]["routes"] == []
    assert fresh_emulator.control("GET", "/timings") == started_with
    assert client.files.list().data == []


def test_fine_tuning_on_the_v1_surface(fresh_emulator):
    client = openai.OpenAI(
        base_url=fresh_emulator.info["endpoint"] + "/openai/v1/",
        api_key=fresh_emulator.info["api_key"],
        http_client=openai.DefaultHttpxClient(verify=fresh_emulator.ssl_context),
        max_retries=0,
    )
    training = upload_processed(client)
    job = create_job(client, model=BASE_MODEL, training_file=training.id)
    assert [j.id for j in client.fine_tuning.jobs.list()] == [job.id]
    assert wait_job(client, job.id).status == "succeeded"
    assert list(client.fine_tuning.jobs.list_events(job.id))[0].message == "Job succeeded."
