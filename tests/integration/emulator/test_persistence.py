"""--state-dir persistence: a restarted emulator keeps files, jobs (still progressing) and deployments."""

from __future__ import annotations

import pytest

from local.aoai.config import Timings
from tests.fixtures.emulator import running_emulator
from tests.integration.emulator.helpers import (
    BASE_MODEL,
    chat_lines,
    create_job,
    deploy,
    upload_processed,
    wait_job,
)

pytestmark = pytest.mark.integration


def test_restart_keeps_state_and_a_running_job_finishes(tmp_path):
    with running_emulator(tmp_path / "state") as first:
        client = first.openai_client()
        training = upload_processed(client)
        done = wait_job(
            client, create_job(client, model=BASE_MODEL, training_file=training.id).id
        )
        deploy(first, "kept", done.fine_tuned_model)
        first.set_timings(job_duration_seconds=2.5)  # each job keeps the timings it was created with
        running = create_job(client, model=BASE_MODEL, training_file=training.id, suffix="resume")
        wait_job(client, running.id, ("running",))
    with running_emulator(tmp_path / "state", Timings.fast()) as second:
        client = second.openai_client()
        assert client.files.retrieve(training.id).status == "processed"
        assert client.files.content(training.id).read() == chat_lines()
        assert client.fine_tuning.jobs.retrieve(done.id).fine_tuned_model == done.fine_tuned_model
        resumed = wait_job(client, running.id)
        assert resumed.status == "succeeded" and resumed.suffix == "resume"
        info = second.info
        kept = second.mgmt_client().deployments.get(info["resource_group"], info["account"], "kept")
        assert kept.properties.provisioning_state == "Succeeded"
        reply = client.chat.completions.create(
            model="kept", messages=[{"role": "user", "content": "Question 7?"}]
        )
        assert reply.choices[0].message.content == "Answer 7."  # what it learned survived the restart
        token = second.credential().get_token("https://cognitiveservices.azure.com/.default").token
        assert second.openai_client(azure_ad_token=token).files.list().data


def test_without_state_dir_nothing_survives(tmp_path):
    with running_emulator() as first:
        upload_processed(first.openai_client())
        assert first.state()["counts"]["files"] == 1
    with running_emulator() as second:
        assert second.state()["counts"]["files"] == 0
