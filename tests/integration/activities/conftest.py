"""The app's environment for activity tests: Azurite storage, the emulator, settings through env vars.

The activities read settings with ``load_settings()`` and build their clients with
shared/clients.py, exactly as in Azure; only the environment differs. TLS trust of the
emulator's certificate comes from SSL_CERT_FILE / REQUESTS_CA_BUNDLE, as in production.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from local.azurite import Azurite
from shared import clients
from shared.settings import load_settings
from tests.fixtures.emulator import EmulatorHandle
from tests.integration.activities.helpers import AppEnv


def _storage_env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite) -> None:
    suffix = uuid.uuid4().hex[:8]
    monkeypatch.setenv("AzureWebJobsStorage", azurite.connection_string)
    monkeypatch.setenv("DATASETS_CONTAINER", f"datasets{suffix}")
    monkeypatch.setenv("REPORTS_CONTAINER", f"reports{suffix}")


def _emulator_env(monkeypatch: pytest.MonkeyPatch, info: dict[str, Any]) -> None:
    values = {
        "AZURE_OPENAI_ENDPOINT": info["endpoint"], "ARM_ENDPOINT": info["arm_endpoint"],
        "AZURE_SUBSCRIPTION_ID": info["subscription_id"], "AZURE_RESOURCE_GROUP": info["resource_group"],
        "AZURE_OPENAI_ACCOUNT_NAME": info["account"], "AZURE_TENANT_ID": info["tenant_id"],
        "AZURE_CLIENT_ID": info["client_id"], "AZURE_CLIENT_SECRET": info["client_secret"],
        "AZURE_AUTHORITY_HOST": info["authority"], "AZURE_DISABLE_INSTANCE_DISCOVERY": "true",
        "SSL_CERT_FILE": info["ca_cert"], "REQUESTS_CA_BUNDLE": info["ca_cert"],
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)  # Entra ID tokens, as in Azure


def _make_env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite, emulator: EmulatorHandle | None) -> AppEnv:
    _storage_env(monkeypatch, azurite)
    if emulator is not None:
        _emulator_env(monkeypatch, emulator.info)
    clients.clear_cache()
    settings = load_settings()
    blobs = clients.blob_service(settings)
    blobs.create_container(settings.datasets_container)
    return AppEnv(settings, blobs, emulator)


@pytest.fixture
def storage_env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite) -> Iterator[AppEnv]:
    """Azurite only, with fresh containers."""
    yield _make_env(monkeypatch, azurite, None)
    clients.clear_cache()


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite,
            fresh_emulator: EmulatorHandle) -> Iterator[AppEnv]:
    """Azurite and a reset emulator, the app authenticating with Entra ID tokens."""
    yield _make_env(monkeypatch, azurite, fresh_emulator)
    clients.clear_cache()
