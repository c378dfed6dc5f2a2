"""The local host's blob trigger against Azurite: receipts per ETag, restarts, retries and poison."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient

from local.host.storage import peek_queue_messages
from tests.integration.host.helpers import call, recorded_runs, until, wait_for

pytestmark = pytest.mark.integration
APP = Path(__file__).parent / "apps" / "blobs"


def test_each_blob_version_triggers_once_across_restarts_and_failures_go_to_poison(
        azurite, local_host_factory, tmp_path: Path) -> None:
    app_dir = tmp_path / "app"
    shutil.copytree(APP, app_dir)
    # The connection and the %UPLOADS_CONTAINER% path setting come from local.settings.json Values.
    values = {"AzureWebJobsStorage": azurite.connection_string, "UPLOADS_CONTAINER": "uploads"}
    settings = {"IsEncrypted": False, "Values": values}
    (app_dir / "local.settings.json").write_text(json.dumps(settings))
    runs = tmp_path / "runs.jsonl"
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    for container in ("uploads", "poison", "starts"):
        service.create_container(container)
    host = local_host_factory(app_dir, env={"RUNS_FILE": str(runs), "LOCAL_HOST_BLOB_POLL_SECONDS": "0.2"})

    uploads = service.get_container_client("uploads")
    uploads.upload_blob("run1/a.txt", b"hello", metadata={"owner": "tests"})
    until(lambda: len(recorded_runs(runs, "on_upload")) == 1, "the first trigger")
    first = recorded_runs(runs, "on_upload")[0]
    assert first["name"] == "uploads/run1/a.txt" and first["length"] == 5 and first["content"] == "hello"
    assert first["metadata"] == {"owner": "tests"} and first["uri"].endswith("/uploads/run1/a.txt")

    uploads.upload_blob("run1/a.txt", b"hello", overwrite=True)  # same content, new ETag
    until(lambda: len(recorded_runs(runs, "on_upload")) == 2, "the re-upload trigger")
    assert recorded_runs(runs, "on_upload")[1]["etag"] != first["etag"]

    host.restart()
    uploads.upload_blob("run2/b.txt", b"later")  # listed after run1/a.txt in the same poll
    until(lambda: len(recorded_runs(runs, "on_upload")) == 3, "the trigger after restart")
    assert [r["name"] for r in recorded_runs(runs, "on_upload")].count("uploads/run1/a.txt") == 2

    service.get_container_client("starts").upload_blob("go.txt", b"x")
    body = wait_for(host.base_url, "starts-go.txt")
    assert body["runtimeStatus"] == "Completed" and body["output"] == {"blob": "starts/go.txt"}

    service.get_container_client("poison").upload_blob("bad.txt", b"x")
    until(lambda: bool(peek_queue_messages(azurite.connection_string, "webjobs-blobtrigger-poison")),
           "the poison message")
    message = json.loads(peek_queue_messages(azurite.connection_string, "webjobs-blobtrigger-poison")[0])
    assert message["ContainerName"] == "poison" and message["BlobName"] == "bad.txt"
    assert message["FunctionId"].endswith(".Functions.always_fails") and message["ETag"]
    assert len(recorded_runs(runs, "always_fails")) == 5

    # POST /admin/functions/{name} runs a blob function on the blob it names, receipt or not.
    admin = call("POST", f"{host.base_url}/admin/functions/on_upload", {"input": "uploads/run1/a.txt"})
    assert (admin.status, admin.text) == (202, "")
    until(lambda: len(recorded_runs(runs, "on_upload")) == 4, "the admin run")
    assert recorded_runs(runs, "on_upload")[-1]["name"] == "uploads/run1/a.txt"
