"""The app's service clients (Blob, Azure OpenAI, ARM) and the identity they share.

Built from ``shared.settings.Settings`` on first use and cached per process (the
Functions worker keeps a process alive across invocations, so connection pools and
tokens are reused); nothing is built at import. TLS trust comes only from the standard
environment (SSL_CERT_FILE / REQUESTS_CA_BUNDLE), never from a switch in the code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import openai
from azure.core.credentials import TokenCredential
from azure.identity import ClientSecretCredential, DefaultAzureCredential, get_bearer_token_provider
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
from azure.storage.blob import BlobServiceClient

from shared.settings import Settings, SettingsError

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"
MANAGEMENT_SCOPE = "https://management.azure.com/.default"
SOVEREIGN_ARM_SCOPES = {
    "management.usgovcloudapi.net": "https://management.usgovcloudapi.net/.default",
    "management.chinacloudapi.cn": "https://management.chinacloudapi.cn/.default",
}
# The blob SDK's first GET of a download is 32 MiB by default; these keep a streamed
# download's memory at a few MiB whatever the blob's size.
BLOB_FIRST_GET_BYTES = 4 * 1024 * 1024
BLOB_CHUNK_BYTES = 4 * 1024 * 1024
OPENAI_MAX_RETRIES = 3

_T = TypeVar("_T")
_cache: dict[tuple[Any, ...], Any] = {}
_lock = threading.RLock()  # re-entrant: a client is built with the cached credential


def _cached(key: tuple[Any, ...], build: Callable[[], _T]) -> _T:
    with _lock:
        if key not in _cache:
            _cache[key] = build()
        return _cache[key]


def clear_cache() -> None:
    """Forget every built client (tests that change settings between cases)."""
    with _lock:
        _cache.clear()


def _identity_key(settings: Settings) -> tuple[Any, ...]:
    return (settings.tenant_id, settings.client_id, settings.client_secret, settings.authority_host,
            settings.disable_instance_discovery)


def credential(settings: Settings) -> TokenCredential:
    """A service principal when a client secret is set (CI, local stack), else the managed identity."""

    def build() -> TokenCredential:
        if settings.client_secret:
            if not (settings.tenant_id and settings.client_id):
                raise SettingsError("AZURE_CLIENT_SECRET needs AZURE_TENANT_ID and AZURE_CLIENT_ID as well.")
            options: dict[str, Any] = {"disable_instance_discovery": settings.disable_instance_discovery}
            if settings.authority_host:
                options["authority"] = settings.authority_host
            return ClientSecretCredential(settings.tenant_id, settings.client_id, settings.client_secret,
                                          **options)
        return DefaultAzureCredential(managed_identity_client_id=settings.client_id,
                                      exclude_interactive_browser_credential=True)

    return _cached(("credential", *_identity_key(settings)), build)


def blob_service(settings: Settings) -> BlobServiceClient:
    """The storage account's blob service: connection string locally, managed identity in Azure."""

    def build() -> BlobServiceClient:
        sizes = {"max_single_get_size": BLOB_FIRST_GET_BYTES, "max_chunk_get_size": BLOB_CHUNK_BYTES}
        if settings.storage_connection_string:
            return BlobServiceClient.from_connection_string(settings.storage_connection_string, **sizes)
        if not settings.blob_service_uri:
            raise SettingsError("Set AzureWebJobsStorage (connection string) or "
                                "AzureWebJobsStorage__blobServiceUri (managed identity).")
        return BlobServiceClient(settings.blob_service_uri, credential=credential(settings), **sizes)

    key = ("blob", settings.storage_connection_string, settings.blob_service_uri, *_identity_key(settings))
    return _cached(key, build)


def openai_client(settings: Settings) -> openai.AzureOpenAI:
    """Azure OpenAI data plane: the API key when one is configured, else an Entra ID token."""

    def build() -> openai.AzureOpenAI:
        common: dict[str, Any] = {"azure_endpoint": settings.openai_endpoint,
                                  "api_version": settings.openai_api_version,
                                  "max_retries": OPENAI_MAX_RETRIES}
        if settings.openai_api_key:
            return openai.AzureOpenAI(api_key=settings.openai_api_key, **common)
        provider = get_bearer_token_provider(credential(settings), COGNITIVE_SERVICES_SCOPE)
        return openai.AzureOpenAI(azure_ad_token_provider=provider, **common)

    key = ("openai", settings.openai_endpoint, settings.openai_api_version, settings.openai_api_key,
           *_identity_key(settings))
    return _cached(key, build)


def openai_v1_client(settings: Settings) -> openai.AzureOpenAI:
    """Azure OpenAI's v1 surface ({endpoint}/openai/v1, api-version v1): graders and RFT jobs.

    The graders routes and the reinforcement method exist only in Azure's v1 spec (the
    2025-04-01-preview authoring spec lists the dpo and supervised methods); same credentials.
    """

    def build() -> openai.AzureOpenAI:
        common: dict[str, Any] = {"base_url": f"{settings.openai_endpoint}/openai/v1", "api_version": "v1",
                                  "max_retries": OPENAI_MAX_RETRIES}
        if settings.openai_api_key:
            return openai.AzureOpenAI(api_key=settings.openai_api_key, **common)
        provider = get_bearer_token_provider(credential(settings), COGNITIVE_SERVICES_SCOPE)
        return openai.AzureOpenAI(azure_ad_token_provider=provider, **common)

    key = ("openai-v1", settings.openai_endpoint, settings.openai_api_key, *_identity_key(settings))
    return _cached(key, build)


def arm_scope(arm_endpoint: str) -> str:
    """The token scope for an ARM endpoint: a sovereign cloud's own, else the public cloud's.

    Any other endpoint (a proxy, the local emulator) fronts public-cloud ARM, whose tokens
    carry the audience https://management.azure.com, the SDK's own default scope.
    """
    host = arm_endpoint.rstrip("/").removeprefix("https://")
    return SOVEREIGN_ARM_SCOPES.get(host, MANAGEMENT_SCOPE)


def arm_client(settings: Settings) -> CognitiveServicesManagementClient:
    """ARM for Microsoft.CognitiveServices (deployments), with an Entra ID token."""

    def build() -> CognitiveServicesManagementClient:
        if not settings.subscription_id:
            raise SettingsError("AZURE_SUBSCRIPTION_ID is needed to create deployments.")
        return CognitiveServicesManagementClient(
            credential(settings), settings.subscription_id, base_url=settings.arm_endpoint,
            credential_scopes=[arm_scope(settings.arm_endpoint)],
        )

    key = ("arm", settings.subscription_id, settings.arm_endpoint, *_identity_key(settings))
    return _cached(key, build)
