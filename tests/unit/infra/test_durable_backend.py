"""The production engine: durableBackend picks Azure Storage or the Durable Task Scheduler.

host.json is one file for both backends. It keeps the default storage provider (Azure Storage,
which the local host and a default deployment use); with DurableTaskScheduler, main.bicep adds
app settings that override its durableTask.storageProvider (AzureFunctionsJobHost__<path>). The
scheduler's task hub takes its name from host.json, so both backends use the same hub name.
"""

from __future__ import annotations

import json
import re

import pytest

from local.host.settings import load_settings
from tests.unit.infra.bicep_text import INFRA, MAIN_BICEP, REPO, object_block, object_keys
from tests.unit.infra.bicep_tree import literal, parse_json, read

pytestmark = pytest.mark.infra

HOST_JSON = json.loads((REPO / "host.json").read_text(encoding="utf-8"))
SCHEDULER = INFRA / "app" / "durable-task-scheduler.bicep"
# Built-in role ids, from Azure's built-in roles list.
DURABLE_TASK_DATA_CONTRIBUTOR = "0ad04412-c4d5-4796-b79c-f76d14c8d402"
DURABLE_TASK_DATA_READER = "d6a5505f-6ebb-45a4-896e-ac8274cfc0ac"
# First extension bundle with the Durable Task Scheduler provider (azureManaged) for non-.NET apps.
MIN_BUNDLE = (4, 32, 0)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_host_json_keeps_the_azure_storage_provider():
    durable = HOST_JSON["extensions"]["durableTask"]
    assert "storageProvider" not in durable or durable["storageProvider"].get("type", "AzureStorage") == \
        "AzureStorage"


def test_the_extension_bundle_includes_the_scheduler_provider():
    bundle = HOST_JSON["extensionBundle"]
    assert bundle["id"] == "Microsoft.Azure.Functions.ExtensionBundle"
    match = re.fullmatch(r"\[(\d+\.\d+\.\d+), (\d+)\.0\.0\)", bundle["version"])
    assert match, f"expected '[x.y.z, N.0.0)', got {bundle['version']!r}"
    assert _version(match.group(1)) >= MIN_BUNDLE and match.group(2) == "5"


def test_the_hub_name_is_a_valid_task_hub_name():
    # main.bicep names the scheduler's task hub with host.json's hubName, read literally.
    assert re.fullmatch(r"[a-zA-Z0-9-]{3,64}", HOST_JSON["extensions"]["durableTask"]["hubName"])


def test_the_local_host_runs_on_the_repositorys_host_json(tmp_path):
    settings = load_settings(REPO, tmp_path, port=0)
    assert settings.hub_name == HOST_JSON["extensions"]["durableTask"]["hubName"]


def test_the_overrides_address_host_json_durable_task_section():
    text = MAIN_BICEP.read_text(encoding="utf-8")
    overrides = [name for name in object_keys(object_block(text, "durableTaskSchedulerSettings"))
                 if name.startswith("AzureFunctionsJobHost__")]
    assert {tuple(name.split("__")[1:]) for name in overrides} == {
        ("extensions", "durableTask", "storageProvider", "type"),
        ("extensions", "durableTask", "storageProvider", "connectionStringName"),
    }
    assert "durableTask" in HOST_JSON["extensions"]  # the section the overrides land in


def test_durable_backend_parameter_and_its_switch():
    main = read(MAIN_BICEP)
    param = main.named("param")["durableBackend"]
    assert literal(param.decorators["allowed"]) == ["AzureStorage", "DurableTaskScheduler"]
    assert literal(param.value) == "AzureStorage"
    parsed = parse_json(MAIN_BICEP)
    assert parsed["variables"]["useDurableTaskScheduler"]["value"]["operator"]["operands"] == {
        "operand_1": "durableBackend", "operand_2": "DurableTaskScheduler"}
    module = parsed["modules"]["durableTaskScheduler"]
    assert module["detail"]["path"] == "app/durable-task-scheduler.bicep"
    assert module["config"]["condition"] == "useDurableTaskScheduler"
    assert module["config"]["config"]["params"]["taskHubName"] == "taskHubName"
    assert [(a.path, a.members) for a in main.json_accesses] == [
        ("../host.json", ("extensions", "durableTask", "hubName"))]


def test_the_scheduler_resources_and_sku():
    resources = parse_json(SCHEDULER)["resources"]
    scheduler, hub = resources["scheduler"], resources["taskHub"]
    assert (scheduler["type"], scheduler["api_version"]) == ("Microsoft.DurableTask/schedulers", "2025-11-01")
    assert (hub["type"], hub["api_version"]) == ("Microsoft.DurableTask/schedulers/taskHubs", "2025-11-01")
    assert hub["config"]["parent"] == "scheduler"
    # An empty allow list denies every caller, the app included.
    assert scheduler["config"]["properties"]["ipAllowlist"]
    sku = read(SCHEDULER).named("param")["skuName"]
    assert sorted(literal(sku.decorators["allowed"])) == ["Consumption", "Dedicated"]


def test_the_apps_identity_gets_durable_task_data_contributor_on_the_scheduler():
    parsed = parse_json(SCHEDULER)
    variables = {name: var["value"] for name, var in parsed["variables"].items()}
    assignment = parsed["resources"]["identityOnScheduler"]["config"]
    role = assignment["properties"]["roleDefinitionId"]["function"]["parameters"]["resource_name_1"]
    assert variables[role] == DURABLE_TASK_DATA_CONTRIBUTOR
    assert assignment["scope"] == "scheduler"
    assert assignment["properties"]["principalId"] == "identityPrincipalId"
    assert assignment["properties"]["principalType"] == "ServicePrincipal"
    reader = parsed["resources"]["userOnScheduler"]["config"]["config"]
    role = reader["properties"]["roleDefinitionId"]["function"]["parameters"]["resource_name_1"]
    assert variables[role] == DURABLE_TASK_DATA_READER  # the deploying user: the dashboard, read only
