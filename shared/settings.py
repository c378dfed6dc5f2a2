"""The one place where the app reads its settings.

Every setting the app understands is declared once in ``SETTINGS`` (name,
default, whether production needs it, whether it is a secret) and read by
``load_settings()``, never at import time. Defaults point at the local stack
(Azurite, the emulator in ``local/aoai``); ``local.settings.example.json`` and
``infra/main.bicep`` are kept in step with this table by a test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class SettingsError(ValueError):
    """A setting is missing or has a value the app cannot use."""

    code = "invalid_setting"


@dataclass(frozen=True)
class SettingSpec:
    """One app setting: its environment name, default and role."""

    name: str
    default: str | None
    doc: str
    required_in_azure: bool = False
    secret: bool = False


# ---- The table of settings ----
# Names follow the Functions convention: app settings are environment variables.
SETTINGS: tuple[SettingSpec, ...] = (
    # Storage: a connection string locally; in Azure the identity-based form
    # (AzureWebJobsStorage__blobServiceUri etc.), which the host also uses.
    SettingSpec("AzureWebJobsStorage", "UseDevelopmentStorage=true",
                "Storage connection string (local); leave unset in Azure, use the __blobServiceUri form.",
                secret=True),
    SettingSpec("AzureWebJobsStorage__blobServiceUri", None,
                "Blob endpoint of the app's storage account, reached with the managed identity.",
                required_in_azure=True),
    SettingSpec("DATASETS_CONTAINER", "datasets", "Container watched for datasets."),
    SettingSpec("REPORTS_CONTAINER", "reports", "Container the reports are written to."),
    # Azure OpenAI data plane.
    SettingSpec("AZURE_OPENAI_ENDPOINT", "https://127.0.0.1:8443",
                "Azure OpenAI endpoint, https://<account>.openai.azure.com.", required_in_azure=True),
    SettingSpec("AZURE_OPENAI_API_VERSION", "2025-04-01-preview", "Data-plane api-version."),
    SettingSpec("AZURE_OPENAI_API_KEY", None,
                "Optional API key; without it the app uses an Entra ID token.", secret=True),
    # ARM (deployments).
    SettingSpec("AZURE_SUBSCRIPTION_ID", None, "Subscription of the Azure OpenAI account.",
                required_in_azure=True),
    SettingSpec("AZURE_RESOURCE_GROUP", None, "Resource group of the Azure OpenAI account.",
                required_in_azure=True),
    SettingSpec("AZURE_OPENAI_ACCOUNT_NAME", None, "Name of the Azure OpenAI (Cognitive Services) account.",
                required_in_azure=True),
    SettingSpec("ARM_ENDPOINT", "https://management.azure.com", "Azure Resource Manager endpoint."),
    # Identity. In Azure: the managed identity (AZURE_CLIENT_ID names a user-assigned one).
    # A client secret selects a service principal instead (CI, the local stack).
    SettingSpec("AZURE_CLIENT_ID", None, "Client id of the user-assigned managed identity/service principal.",
                required_in_azure=True),
    SettingSpec("AZURE_TENANT_ID", None, "Tenant of the service principal (with AZURE_CLIENT_SECRET)."),
    SettingSpec("AZURE_CLIENT_SECRET", None, "Service principal secret; unset in Azure (managed identity).",
                secret=True),
    SettingSpec("AZURE_AUTHORITY_HOST", None, "Entra ID authority host (default: the public cloud's)."),
    SettingSpec("AZURE_DISABLE_INSTANCE_DISCOVERY", "false",
                "true when the authority is not a public Entra ID cloud (the local emulator)."),
    # Run defaults (a run's finetune.json or HTTP body overrides them).
    SettingSpec("FINETUNE_DEFAULT_MODEL", "gpt-4o-mini-2024-07-18", "Base model when a run names none."),
    SettingSpec("FINETUNE_DEFAULT_SKU", "Standard", "Deployment sku when a run names none."),
    # Always sent as the job's trainingType: without it the service answers the misleading "The
    # specified base model does not support fine-tuning." (docs/pipeline.md, Training tiers).
    SettingSpec("FINETUNE_DEFAULT_TRAINING_TYPE", "Standard",
                "Training tier when a run names none: Standard, GlobalStandard or Developer."),
    SettingSpec("FINETUNE_RFT_EXAMPLE_EPOCHS_PER_HOUR", "100",
                "Reinforcement fine-tuning throughput assumed by the cost estimate (training examples x "
                "epochs per billed hour; docs/pipeline.md, Reinforcement fine-tuning cost)."),
    SettingSpec("FINETUNE_DEFAULT_CAPACITY", "1", "Deployment capacity when a run names none."),
    SettingSpec("FINETUNE_MAX_COST_USD", None, "Cost cap per run when a run names none (unset: no cap)."),
    SettingSpec("FINETUNE_PRICES_JSON", None,
                'Your prices, over the built-in table (shared/prices.py): {"gpt-4o-mini-2024-07-18": 3.3} '
                '(USD per 1M training tokens, every tier) or per model {"training": {"Standard": 3.3, '
                '"GlobalStandard": 3.0, "Developer": 1.5}, "training_per_hour": ..., '
                '"hosting_per_hour": {"Standard": 1.7}, "input": ..., "output": ...} (docs/pipeline.md).'),
    SettingSpec("FINETUNE_MAX_FILE_BYTES", str(512 * 1024 * 1024), "Largest dataset file accepted."),
    # Timing of the orchestration (seconds). Azure defaults; the local stack shortens them.
    SettingSpec("SETTLE_SECONDS", "10", "Wait after a blob lands before the run folder is read."),
    SettingSpec("FILES_POLL_SECONDS", "15", "Interval while waiting for uploaded files to be processed."),
    SettingSpec("FILES_TIMEOUT_MINUTES", "120", "Uploaded files not processed after this fail the run."),
    SettingSpec("MONITOR_MIN_POLL_SECONDS", "30", "Shortest interval between job status checks."),
    SettingSpec("MONITOR_MAX_POLL_SECONDS", "600", "Longest interval between job status checks."),
    SettingSpec("MONITOR_DEADLINE_HOURS", "72", "Training longer than this is cancelled and the run fails."),
    SettingSpec("DEPLOY_POLL_SECONDS", "20", "Interval while waiting for a deployment to succeed."),
    SettingSpec("DEPLOY_TIMEOUT_MINUTES", "60", "A deployment not ready after this fails the run."),
    SettingSpec("APPROVAL_TIMEOUT_HOURS", "24", "Default deadline for an approval."),
    SettingSpec("VALIDATION_RANGE_BYTES", str(64 * 1024 * 1024),
                "Files larger than this are validated as parallel byte ranges."),
    # There is no setting for the blob trigger's source: it is EventGrid, fixed in code, because
    # decorator arguments are fixed at import (docs/pipeline.md); the local host polls regardless.
)

SPEC_BY_NAME: dict[str, SettingSpec] = {spec.name: spec for spec in SETTINGS}


def read_setting(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """One setting's value from the environment, or its declared default."""
    spec = SPEC_BY_NAME[name]
    source = os.environ if env is None else env
    value = source.get(name)
    if value is None or value == "":
        return spec.default
    return value


def _as_int(name: str, raw: str | None, minimum: int = 0) -> int:
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise SettingsError(f"Setting {name} must be a whole number, got {raw!r}.") from exc
    if value < minimum:
        raise SettingsError(f"Setting {name} must be at least {minimum}, got {value}.")
    return value


def _as_float(name: str, raw: str | None) -> float:
    try:
        value = float(str(raw))
    except ValueError as exc:
        raise SettingsError(f"Setting {name} must be a number, got {raw!r}.") from exc
    if value < 0:
        raise SettingsError(f"Setting {name} must not be negative, got {value}.")
    return value


def _as_bool(raw: str | None) -> bool:
    return str(raw).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """The app's validated settings; build with ``load_settings()``."""

    storage_connection_string: str | None
    blob_service_uri: str | None
    datasets_container: str
    reports_container: str
    openai_endpoint: str
    openai_api_version: str
    openai_api_key: str | None = field(repr=False)
    subscription_id: str | None
    resource_group: str | None
    account_name: str | None
    arm_endpoint: str
    client_id: str | None
    tenant_id: str | None
    client_secret: str | None = field(repr=False)
    authority_host: str | None
    disable_instance_discovery: bool
    default_model: str
    default_sku: str
    default_capacity: int
    max_cost_usd: float | None
    price_overrides: dict[str, dict[str, Any]]   # normalized FINETUNE_PRICES_JSON (shared/prices.py)
    max_file_bytes: int
    settle_seconds: int
    files_poll_seconds: int
    files_timeout_minutes: float
    monitor_min_poll_seconds: int
    monitor_max_poll_seconds: int
    monitor_deadline_hours: float
    deploy_poll_seconds: int
    deploy_timeout_minutes: float
    approval_timeout_hours: float
    validation_range_bytes: int
    default_training_type: str = "Standard"      # FINETUNE_DEFAULT_TRAINING_TYPE, canonical spelling
    rft_example_epochs_per_hour: float = 100.0   # FINETUNE_RFT_EXAMPLE_EPOCHS_PER_HOUR

    def to_public_dict(self) -> dict[str, Any]:
        """The settings with every secret replaced by a mark, for logs and reports."""
        public: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if key in {"openai_api_key", "client_secret", "storage_connection_string"}:
                value = "***" if value else None
            public[key] = value
        return public


def _price_overrides(raw: str | None) -> dict[str, dict[str, Any]]:
    """FINETUNE_PRICES_JSON checked and normalized; the old form {"model": usd_per_1M} still works."""
    from shared.prices import parse_price_overrides

    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"FINETUNE_PRICES_JSON is not valid JSON: {exc.msg}.") from exc
    try:
        return parse_price_overrides(parsed)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise SettingsError with a fixable message."""

    def get(name: str) -> str | None:
        return read_setting(name, env)

    connection = get("AzureWebJobsStorage")
    blob_uri = get("AzureWebJobsStorage__blobServiceUri")
    if blob_uri and (env if env is not None else os.environ).get("AzureWebJobsStorage") in (None, ""):
        connection = None  # identity-based storage: the connection string default does not apply
    max_cost = get("FINETUNE_MAX_COST_USD")
    min_poll = _as_int("MONITOR_MIN_POLL_SECONDS", get("MONITOR_MIN_POLL_SECONDS"), 1)
    max_poll = _as_int("MONITOR_MAX_POLL_SECONDS", get("MONITOR_MAX_POLL_SECONDS"), 1)
    if max_poll < min_poll:
        raise SettingsError("MONITOR_MAX_POLL_SECONDS must not be smaller than MONITOR_MIN_POLL_SECONDS.")
    return Settings(
        storage_connection_string=connection,
        blob_service_uri=blob_uri,
        datasets_container=get("DATASETS_CONTAINER") or "datasets",
        reports_container=get("REPORTS_CONTAINER") or "reports",
        openai_endpoint=(get("AZURE_OPENAI_ENDPOINT") or "").rstrip("/"),
        openai_api_version=get("AZURE_OPENAI_API_VERSION") or "",
        openai_api_key=get("AZURE_OPENAI_API_KEY"),
        subscription_id=get("AZURE_SUBSCRIPTION_ID"),
        resource_group=get("AZURE_RESOURCE_GROUP"),
        account_name=get("AZURE_OPENAI_ACCOUNT_NAME"),
        arm_endpoint=(get("ARM_ENDPOINT") or "").rstrip("/"),
        client_id=get("AZURE_CLIENT_ID"),
        tenant_id=get("AZURE_TENANT_ID"),
        client_secret=get("AZURE_CLIENT_SECRET"),
        authority_host=get("AZURE_AUTHORITY_HOST"),
        disable_instance_discovery=_as_bool(get("AZURE_DISABLE_INSTANCE_DISCOVERY")),
        default_model=get("FINETUNE_DEFAULT_MODEL") or "",
        default_sku=get("FINETUNE_DEFAULT_SKU") or "Standard",
        default_capacity=_as_int("FINETUNE_DEFAULT_CAPACITY", get("FINETUNE_DEFAULT_CAPACITY"), 1),
        max_cost_usd=_as_float("FINETUNE_MAX_COST_USD", max_cost) if max_cost else None,
        price_overrides=_price_overrides(get("FINETUNE_PRICES_JSON")),
        max_file_bytes=_as_int("FINETUNE_MAX_FILE_BYTES", get("FINETUNE_MAX_FILE_BYTES"), 1),
        settle_seconds=_as_int("SETTLE_SECONDS", get("SETTLE_SECONDS")),
        files_poll_seconds=_as_int("FILES_POLL_SECONDS", get("FILES_POLL_SECONDS"), 1),
        files_timeout_minutes=_as_float("FILES_TIMEOUT_MINUTES", get("FILES_TIMEOUT_MINUTES")),
        monitor_min_poll_seconds=min_poll,
        monitor_max_poll_seconds=max_poll,
        monitor_deadline_hours=_as_float("MONITOR_DEADLINE_HOURS", get("MONITOR_DEADLINE_HOURS")),
        deploy_poll_seconds=_as_int("DEPLOY_POLL_SECONDS", get("DEPLOY_POLL_SECONDS"), 1),
        deploy_timeout_minutes=_as_float("DEPLOY_TIMEOUT_MINUTES", get("DEPLOY_TIMEOUT_MINUTES")),
        approval_timeout_hours=_as_float("APPROVAL_TIMEOUT_HOURS", get("APPROVAL_TIMEOUT_HOURS")),
        validation_range_bytes=_as_int("VALIDATION_RANGE_BYTES", get("VALIDATION_RANGE_BYTES"), 1024),
        default_training_type=_training_type(get("FINETUNE_DEFAULT_TRAINING_TYPE")),
        rft_example_epochs_per_hour=_positive("FINETUNE_RFT_EXAMPLE_EPOCHS_PER_HOUR",
                                              get("FINETUNE_RFT_EXAMPLE_EPOCHS_PER_HOUR")),
    )


def _training_type(raw: str | None) -> str:
    """FINETUNE_DEFAULT_TRAINING_TYPE in the service's spelling; SettingsError for another name."""
    from shared.prices import TIERS, canonical_tier

    tier = canonical_tier(raw)
    if tier not in TIERS:
        raise SettingsError(f"Setting FINETUNE_DEFAULT_TRAINING_TYPE must be Standard, GlobalStandard or "
                            f"Developer (any case), got {raw!r}.")
    return tier


def _positive(name: str, raw: str | None) -> float:
    value = _as_float(name, raw)
    if value <= 0:
        raise SettingsError(f"Setting {name} must be above 0, got {raw!r}.")
    return value
