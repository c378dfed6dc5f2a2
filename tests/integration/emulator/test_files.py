"""Files API through openai.AzureOpenAI over HTTPS: upload, processing, list pages, content, delete."""

from __future__ import annotations

import io

import openai
import pytest

from tests.integration.emulator.helpers import chat_lines, upload, upload_processed, wait_until

pytestmark = pytest.mark.integration


def test_upload_is_pending_then_processed_and_content_round_trips(fresh_emulator):
    client = fresh_emulator.openai_client()
    content = chat_lines(15)
    created = upload(client, content)
    assert created.status == "pending"
    assert created.id.startswith("file-") and created.bytes == len(content) and created.purpose == "fine-tune"
    processed = upload_processed(client, content)
    assert processed.status == "processed" and processed.status_details is None
    assert client.files.content(processed.id).read() == content


def test_invalid_training_data_ends_in_error_with_status_details(fresh_emulator):
    client = fresh_emulator.openai_client()
    bad = chat_lines(3) + b'{"prompt": "old completion format", "completion": "x"}\n'
    failed = upload_processed(client, bad, "bad.jsonl")
    assert failed.status == "error"
    assert "Line 4" in failed.status_details


def test_not_json_is_an_error_and_bom_is_accepted(fresh_emulator):
    client = fresh_emulator.openai_client()
    assert upload_processed(client, b"not json at all\n").status == "error"
    assert upload_processed(client, b"\xef\xbb\xbf" + chat_lines(2)).status == "processed"


def test_results_purpose_files_skip_validation(fresh_emulator):
    client = fresh_emulator.openai_client()
    created = upload(client, b"anything", "notes.txt", purpose="assistants")
    assert wait_until(lambda: client.files.retrieve(created.id).status == "processed", "processed")


def test_unknown_purpose_is_rejected(fresh_emulator):
    client = fresh_emulator.openai_client()
    with pytest.raises(openai.BadRequestError) as caught:
        upload(client, purpose="nonsense")
    assert caught.value.code == "invalidPayload"
    assert fresh_emulator.state()["counts"]["files"] == 0


def test_list_pages_with_has_more_and_after(fresh_emulator):
    client = fresh_emulator.openai_client()
    ids = {upload(client, name=f"f{i}.jsonl").id for i in range(5)}
    first = client.files.list(limit=2)
    assert len(first.data) == 2 and first.has_more is True
    collected = [f.id for f in client.files.list(limit=2)]  # the SDK follows `after` across pages
    assert sorted(collected) == sorted(ids) and len(collected) == 5
    assert [f.id for f in client.files.list(purpose="fine-tune-results")] == []


def test_retrieve_delete_and_missing_file(fresh_emulator):
    client = fresh_emulator.openai_client()
    created = upload(client)
    deleted = client.files.delete(created.id)
    assert deleted.deleted is True and deleted.id == created.id
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(created.id)
    with pytest.raises(openai.NotFoundError):
        client.files.content(created.id)


def test_large_upload_streams_to_disk_with_exact_size(fresh_emulator):
    client = fresh_emulator.openai_client()
    line = chat_lines(1)
    content = line * (8 * 1024 * 1024 // len(line))  # ~8 MB, many multipart chunks
    created = client.files.create(file=("big.jsonl", io.BytesIO(content)), purpose="fine-tune")
    assert created.bytes == len(content)
    blob = fresh_emulator.server.state.files.blob_path(created.id)
    assert blob.stat().st_size == len(content)


def test_v1_surface_with_openai_client_and_bearer_key(fresh_emulator):
    client = openai.OpenAI(
        base_url=fresh_emulator.info["endpoint"] + "/openai/v1/",
        api_key=fresh_emulator.info["api_key"],
        http_client=openai.DefaultHttpxClient(verify=fresh_emulator.ssl_context),
        max_retries=0,
    )
    created = upload(client)
    assert client.files.retrieve(created.id).id == created.id
    v1_azure = openai.AzureOpenAI(
        base_url=fresh_emulator.info["endpoint"] + "/openai/v1",
        api_key=fresh_emulator.info["api_key"],
        api_version="preview",
        http_client=openai.DefaultHttpxClient(verify=fresh_emulator.ssl_context),
    )
    assert [f.id for f in v1_azure.files.list()] == [created.id]


def test_missing_or_unknown_api_version_is_resource_not_found(fresh_emulator):
    key = {"api-key": fresh_emulator.info["api_key"]}
    for path in (
        "/openai/files",
        "/openai/files?api-version=yesterday",
        "/openai/nothing-here?api-version=2024-10-21",
    ):
        status, _, body = fresh_emulator.request("GET", path, headers=key)
        assert (status, body) == (404, {"error": {"code": "404", "message": "Resource not found"}})


def test_import_fetches_only_from_this_machine(fresh_emulator):
    client = fresh_emulator.openai_client()
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/files/import", cast_to=object, body={
            "purpose": "fine-tune", "filename": "x.jsonl", "content_url": "https://example.com/x.jsonl"})
    assert caught.value.code == "fileImportFailed" and "on this machine" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/files/import", cast_to=object, body={"purpose": "fine-tune", "filename": "x.jsonl"})
    assert caught.value.code == "invalidPayload" and caught.value.param == "content_url"
    unreachable = client.post("/files/import", cast_to=object, body={
        "purpose": "fine-tune", "filename": "gone.jsonl", "content_url": "http://127.0.0.1:9/gone.jsonl"})
    failed = wait_until(lambda: (f := client.files.retrieve(unreachable["id"])).status == "error" and f,
                        "the import to fail")
    assert failed.status_details.startswith("Failed to import the file from content_url")
