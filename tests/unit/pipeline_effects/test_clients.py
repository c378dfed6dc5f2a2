"""Client construction from settings: which identity, which auth, cached per process, nothing at import."""

from __future__ import annotations

import importlib

import pytest
from azure.identity import ClientSecretCredential, DefaultAzureCredential

from shared import clients
from shared.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit

SP = {"AZURE_TENANT_ID": "tenant", "AZURE_CLIENT_ID": "client", "AZURE_CLIENT_SECRET": "s3cret",
      "AZURE_AUTHORITY_HOST": "https://login.example.invalid", "AZURE_DISABLE_INSTANCE_DISCOVERY": "true"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    clients.clear_cache()
    yield
    clients.clear_cache()


def test_import_builds_nothing() -> None:
    module = importlib.reload(clients)
    assert module._cache == {}


def test_a_client_secret_selects_the_service_principal_else_the_managed_identity() -> None:
    assert isinstance(clients.credential(load_settings(SP)), ClientSecretCredential)
    assert isinstance(clients.credential(load_settings({"AZURE_CLIENT_ID": "mi"})), DefaultAzureCredential)
    with pytest.raises(SettingsError):
        clients.credential(load_settings({"AZURE_CLIENT_SECRET": "s3cret"}))


def test_clients_are_cached_per_settings() -> None:
    settings = load_settings({"AZURE_OPENAI_API_KEY": "key-1"})
    same = load_settings({"AZURE_OPENAI_API_KEY": "key-1"})
    other = load_settings({"AZURE_OPENAI_API_KEY": "key-2"})
    assert clients.openai_client(settings) is clients.openai_client(same)
    assert clients.openai_client(settings) is not clients.openai_client(other)
    assert clients.blob_service(settings) is clients.blob_service(settings)


def test_openai_uses_the_key_when_configured_else_an_entra_token() -> None:
    keyed = clients.openai_client(load_settings({"AZURE_OPENAI_API_KEY": "key-1", **SP}))
    assert keyed.api_key == "key-1" and keyed._azure_ad_token_provider is None
    tokened = clients.openai_client(load_settings(SP))
    assert tokened._azure_ad_token_provider is not None
    assert str(tokened.base_url).startswith("https://127.0.0.1:8443/openai")


def test_blob_service_by_connection_string_or_by_identity() -> None:
    local = clients.blob_service(load_settings({}))
    assert local.account_name == "devstoreaccount1"
    assert local._config.max_single_get_size == clients.BLOB_FIRST_GET_BYTES
    remote = clients.blob_service(load_settings({"AzureWebJobsStorage__blobServiceUri":
                                                 "https://acct.blob.core.windows.net", **SP}))
    assert remote.account_name == "acct" and isinstance(remote.credential, ClientSecretCredential)


def test_arm_client_needs_a_subscription() -> None:
    with pytest.raises(SettingsError):
        clients.arm_client(load_settings(SP))
    arm = clients.arm_client(load_settings({"AZURE_SUBSCRIPTION_ID": "sub", **SP}))
    assert arm._config.subscription_id == "sub"
