"""The Azurite fixture gives a working storage account (the base every storage test stands on)."""

import pytest
from azure.storage.blob import BlobServiceClient

pytestmark = pytest.mark.integration


def test_azurite_round_trips_a_blob(azurite):
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    container = service.get_container_client("fixture-check")
    container.create_container()
    container.upload_blob("a/b.jsonl", b'{"x": 1}\n')
    assert container.download_blob("a/b.jsonl").readall() == b'{"x": 1}\n'
