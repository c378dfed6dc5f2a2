"""infra/main.bicep and local.settings.example.json set what shared/settings.py reads, and no secret.

The app reads its settings only through shared/settings.py (the SETTINGS table). These tests
fail when a setting the app requires in Azure is missing from the Bicep app settings, when
Bicep sets a name the app does not know (a typo the app would silently ignore), or when a
key or secret would land in app settings.
"""

from __future__ import annotations

import json
import re

import pytest

from shared.settings import SETTINGS, SPEC_BY_NAME
from tests.unit.infra.bicep_text import INFRA, MAIN_BICEP, REPO, object_block, object_keys, strip_comments

pytestmark = pytest.mark.unit

# App settings the Functions platform reads (not the app): allowed in Bicep besides SETTINGS.
PLATFORM_SETTINGS = frozenset({
    "FUNCTIONS_EXTENSION_VERSION",
    "FUNCTIONS_WORKER_RUNTIME",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    "AzureWebJobsStorage__blobServiceUri",
    "AzureWebJobsStorage__queueServiceUri",
    "AzureWebJobsStorage__tableServiceUri",
    "AzureWebJobsStorage__credential",
    "AzureWebJobsStorage__clientId",
    "AzureWebJobsFeatureFlags",
})

# With durableBackend = DurableTaskScheduler: read by the host's Durable extension, not the app.
PROVIDER_TYPE = "AzureFunctionsJobHost__extensions__durableTask__storageProvider__type"
PROVIDER_CONNECTION = "AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName"
DURABLE_TASK_SCHEDULER_SETTINGS = frozenset({
    PROVIDER_TYPE,
    PROVIDER_CONNECTION,
    "DURABLE_TASK_SCHEDULER_CONNECTION_STRING",
    "TASKHUB_NAME",
})

# Text that would mean a key or secret is written into an app setting's value.
KEY_LIKE = re.compile(
    r"AccountKey=|SharedAccessSignature|SharedAccessKey|listKeys\(|listkeys\(|\.listKeys|"
    r"api[-_]?key|client[-_]?secret|password",
    re.IGNORECASE,
)

LOCAL_EXAMPLE = REPO / "local.settings.example.json"


@pytest.fixture(scope="module")
def bicep_app_settings() -> dict[str, str]:
    return object_keys(object_block(MAIN_BICEP.read_text(encoding="utf-8"), "appSettings"))


@pytest.fixture(scope="module")
def scheduler_settings() -> dict[str, str]:
    """The settings main.bicep adds when durableBackend is DurableTaskScheduler."""
    return object_keys(object_block(MAIN_BICEP.read_text(encoding="utf-8"), "durableTaskSchedulerSettings"))


def test_every_setting_required_in_azure_is_set_by_main_bicep(bicep_app_settings):
    required = {spec.name for spec in SETTINGS if spec.required_in_azure}
    missing = sorted(required - bicep_app_settings.keys())
    assert not missing, f"shared/settings.py requires these in Azure, main.bicep does not set them: {missing}"


def test_every_bicep_app_setting_is_a_known_setting(bicep_app_settings):
    unknown = sorted(set(bicep_app_settings) - SPEC_BY_NAME.keys() - PLATFORM_SETTINGS)
    assert not unknown, f"main.bicep sets names neither the app nor the platform reads: {unknown}"


def test_the_scheduler_settings_are_exactly_the_hosts(scheduler_settings, bicep_app_settings):
    assert set(scheduler_settings) == DURABLE_TASK_SCHEDULER_SETTINGS
    assert not set(scheduler_settings) & set(bicep_app_settings)  # union() would silently override


def test_the_scheduler_is_reached_with_the_apps_identity(scheduler_settings, bicep_app_settings):
    # The storage provider override names the setting that holds the connection string.
    assert scheduler_settings[PROVIDER_TYPE] == "'azureManaged'"
    name = scheduler_settings[PROVIDER_CONNECTION]
    assert name.strip("'") in scheduler_settings
    # Endpoint=...;Authentication=ManagedIdentity;ClientID=<the user-assigned identity>: no key.
    connection = scheduler_settings[name.strip("'")]
    client_id = re.escape(bicep_app_settings["AZURE_CLIENT_ID"])
    assert re.fullmatch(rf"'Endpoint=\$\{{durableTaskScheduler\.outputs\.endpoint\}};"
                        rf"Authentication=ManagedIdentity;ClientID=\$\{{{client_id}\}}'", connection)
    assert not KEY_LIKE.search(connection)


def test_no_secret_setting_is_put_in_bicep_app_settings(bicep_app_settings):
    secrets = sorted(spec.name for spec in SETTINGS if spec.secret and spec.name in bicep_app_settings)
    assert not secrets, f"settings marked secret must not be deployed as app settings: {secrets}"


def test_no_key_like_value_in_bicep_app_settings(bicep_app_settings):
    leaks = {name: value for name, value in bicep_app_settings.items() if KEY_LIKE.search(value)}
    assert not leaks, f"app settings whose value looks like a key or secret: {leaks}"


def test_no_account_key_anywhere_in_infra():
    for path in sorted(INFRA.rglob("*.bicep")):
        code = strip_comments(path.read_text(encoding="utf-8"))
        assert not re.search(r"AccountKey=|listKeys\(|listkeys\(", code), f"{path.name} reads or writes a key"


def test_storage_is_reached_by_identity(bicep_app_settings):
    assert "AzureWebJobsStorage" not in bicep_app_settings  # the connection-string form
    assert bicep_app_settings["AzureWebJobsStorage__credential"] == "'managedidentity'"
    for service in ("blob", "queue", "table"):  # Durable Task on Azure Storage uses all three
        assert f"AzureWebJobsStorage__{service}ServiceUri" in bicep_app_settings
    # The host and DefaultAzureCredential both use the user-assigned identity.
    assert bicep_app_settings["AzureWebJobsStorage__clientId"] == bicep_app_settings["AZURE_CLIENT_ID"]


def test_the_function_module_adds_no_settings_of_its_own():
    # All app settings live in main.bicep's two objects, which the tests above read.
    main = strip_comments(MAIN_BICEP.read_text(encoding="utf-8"))
    function = strip_comments((INFRA / "app" / "function.bicep").read_text(encoding="utf-8"))
    assert re.search(r"^\s*appSettings: union\(appSettings, durableTaskSchedulerSettings\)$", main,
                     re.MULTILINE)
    assert re.search(r"^\s*appSettingsKeyValuePairs: appSettings$", function, re.MULTILINE)
    assert len(re.findall(r"\bappSettings\b", function)) == 2  # the parameter and its one use


def _local_values() -> dict[str, str]:
    return json.loads(LOCAL_EXAMPLE.read_text(encoding="utf-8"))["Values"]


def test_local_settings_example_sets_every_required_setting():
    values = _local_values()
    missing = []
    for spec in SETTINGS:
        if not spec.required_in_azure:
            continue
        # Locally the host's storage is a connection string (Azurite), not the identity form.
        name = "AzureWebJobsStorage" if spec.name.startswith("AzureWebJobsStorage__") else spec.name
        if name not in values:
            missing.append(name)
    assert not missing, f"local.settings.example.json lacks settings the app requires: {missing}"

