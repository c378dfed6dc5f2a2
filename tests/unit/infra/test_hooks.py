"""The azd hooks deliver dataset events to the app's real blob trigger, and grant the right roles.

scripts/postdeploy.sh is run with a stand-in `az` on PATH (the Azure CLI is not installed
here) that records its arguments, so the test sees the exact Event Grid subscription the hook
would create. The blob trigger's name is read from the app the way the Functions worker
indexes it: import function_app.py and call get_functions() (in a subprocess, so that the
app is indexed once, as in the worker).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from shared.settings import SPEC_BY_NAME
from tests.fixtures.missing import missing_fixture
from tests.unit.infra.bicep_text import MAIN_BICEP, REPO, object_block, object_keys, outputs, string_var

pytestmark = pytest.mark.unit

SCRIPTS = REPO / "scripts"
FAKE_KEY = "fake-blobs-extension-key-123"
# Cognitive Services OpenAI Contributor: data plane + deployments write/delete, all the app needs.
OPENAI_ROLES = {"a001fd3d-188f-4b5d-821b-7da978bf7442"}
# Cognitive Services Contributor: would also allow listing keys and deleting the account.
COGNITIVE_SERVICES_CONTRIBUTOR = "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68"

# Prints the app's blob triggers as JSON, indexing function_app.py as the worker does.
_INDEX_BLOB_TRIGGERS = """
import json, azure.functions as func
import function_app
apps = [v for v in vars(function_app).values() if isinstance(v, func.FunctionRegister)]
found = []
for fn in apps[0].get_functions():
    for raw in fn.get_raw_bindings():
        binding = json.loads(raw)
        if binding["type"] == "blobTrigger":
            found.append({"name": fn.get_function_name(), "binding": binding})
print(json.dumps({"blob_triggers": found}))
"""

# A stand-in for the Azure CLI: logs each call's arguments as a JSON line, answers the key query.
_FAKE_AZ = f"""#!{sys.executable}
import json, os, sys
with open(os.environ["FAKE_AZ_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:4] == ["functionapp", "keys", "list"]:
    print("{FAKE_KEY}")
"""


@pytest.fixture(scope="module")
def main_bicep() -> str:
    return MAIN_BICEP.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def azd_outputs(main_bicep) -> dict[str, str]:
    """What azd would put in the hook's environment: main.bicep's outputs, with sample values."""
    values = {name: f"sample-{name.lower()}" for name in outputs(main_bicep)}
    values.update({
        "SERVICE_API_BASE_URL": "https://func-api-abc.azurewebsites.net",
        "BLOB_TRIGGER_FUNCTION_NAME": string_var(main_bicep, "blobTriggerFunctionName"),
        "DATASETS_CONTAINER": "datasets",
    })
    return values


@pytest.fixture()
def fake_az(tmp_path) -> tuple[dict[str, str], Path]:
    """PATH with the stand-in `az` first, and the file its calls are logged to."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    az = bin_dir / "az"
    az.write_text(_FAKE_AZ, encoding="utf-8")
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "az-calls.jsonl"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_AZ_LOG": str(log)}
    return env, log


def _run_hook(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    sh = shutil.which("sh")
    if sh is None:
        missing_fixture("no POSIX sh on this machine: the azd hooks cannot be run")
    return subprocess.run([sh, str(SCRIPTS / script)], env=env, capture_output=True, text=True, timeout=60)


def _calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_main_bicep_outputs_the_blob_trigger_name_it_declares(main_bicep):
    assert outputs(main_bicep)["BLOB_TRIGGER_FUNCTION_NAME"] == "blobTriggerFunctionName"


HOOKS = ["postdeploy.sh", "postdeploy.ps1", "postprovision.sh", "postprovision.ps1"]


@pytest.mark.parametrize("script", HOOKS)
def test_hooks_read_only_what_main_bicep_outputs(script, main_bicep):
    text = (SCRIPTS / script).read_text(encoding="utf-8")
    pattern = r"\$env:([A-Z][A-Z0-9_]+)" if script.endswith(".ps1") else r"\$\{?([A-Z][A-Z0-9_]+)"
    used = set(re.findall(pattern, text))
    assert used, f"{script} reads no azd environment value"
    missing = sorted(used - outputs(main_bicep).keys())
    assert not missing, f"{script} reads environment values main.bicep does not output: {missing}"


def test_postdeploy_subscribes_the_blob_trigger_to_blob_created_in_datasets(fake_az, azd_outputs):
    env, log = fake_az
    result = _run_hook("postdeploy.sh", {**azd_outputs, **env})
    assert result.returncode == 0, result.stderr
    create = ["eventgrid", "system-topic", "event-subscription", "create"]
    created = [call for call in _calls(log) if call[:4] == create]
    assert len(created) == 1
    args = created[0]
    name = azd_outputs["BLOB_TRIGGER_FUNCTION_NAME"]
    assert _option(args, "--endpoint") == (
        f"https://func-api-abc.azurewebsites.net/runtime/webhooks/blobs"
        f"?functionName=Host.Functions.{name}&code={FAKE_KEY}")
    assert _option(args, "--endpoint-type") == "webhook"
    assert _option(args, "--included-event-types") == "Microsoft.Storage.BlobCreated"
    assert _option(args, "--subject-begins-with") == "/blobServices/default/containers/datasets/blobs/"
    assert _option(args, "--system-topic-name") == azd_outputs["EVENT_GRID_SYSTEM_TOPIC_NAME"]
    assert _option(args, "--resource-group") == azd_outputs["AZURE_RESOURCE_GROUP"]
    assert FAKE_KEY not in result.stdout + result.stderr  # the key is never printed


def test_postprovision_grants_the_openai_roles_only_for_an_existing_account(fake_az, azd_outputs):
    env, log = fake_az
    created = _run_hook("postprovision.sh", {**azd_outputs, **env, "AZURE_OPENAI_CREATED": "true"})
    assert created.returncode == 0, created.stderr
    assert _calls(log) == []  # Bicep (infra/app/rbac-openai.bicep) assigned them

    existing = _run_hook("postprovision.sh", {**azd_outputs, **env, "AZURE_OPENAI_CREATED": "false"})
    assert existing.returncode == 0, existing.stderr
    calls = _calls(log)
    assert {_option(c, "--role") for c in calls} == OPENAI_ROLES and len(calls) == len(OPENAI_ROLES)
    for call in calls:
        assert call[:3] == ["role", "assignment", "create"]
        assert _option(call, "--scope") == azd_outputs["AZURE_OPENAI_ACCOUNT_ID"]
        assert _option(call, "--assignee-object-id") == azd_outputs["AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID"]


def test_bicep_grants_the_same_openai_roles_as_the_hooks():
    bicep = (REPO / "infra" / "app" / "rbac-openai.bicep").read_text(encoding="utf-8")
    assert set(re.findall(r"'([0-9a-f-]{36})'", bicep)) == OPENAI_ROLES
    powershell = (SCRIPTS / "postprovision.ps1").read_text(encoding="utf-8")
    assert set(re.findall(r"'([0-9a-f-]{36})'", powershell)) == OPENAI_ROLES


def test_the_app_is_never_given_cognitive_services_contributor():
    for path in [*sorted((REPO / "infra").rglob("*.bicep")), *sorted(SCRIPTS.iterdir())]:
        assert COGNITIVE_SERVICES_CONTRIBUTOR not in path.read_text(encoding="utf-8"), path.name


def _app_blob_triggers() -> list[dict]:
    # A missing or broken function_app.py fails here: the app is indexed as the worker would.
    result = subprocess.run([sys.executable, "-c", _INDEX_BLOB_TRIGGERS], cwd=REPO, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, f"function_app.py cannot be indexed:\n{result.stderr[-2000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])["blob_triggers"]


def test_the_event_grid_endpoint_names_the_apps_blob_trigger(main_bicep):
    triggers = _app_blob_triggers()
    assert len(triggers) == 1, f"expected one blob trigger in the app, found {triggers}"
    assert triggers[0]["name"] == string_var(main_bicep, "blobTriggerFunctionName")


def test_the_apps_blob_trigger_fits_the_deployment(main_bicep):
    binding = _app_blob_triggers()[0]["binding"]
    settings = object_keys(object_block(main_bicep, "appSettings"))
    # Flex Consumption runs blob triggers with the Event Grid source only.
    assert binding.get("source") == "EventGrid"
    # Its connection is the identity-based storage main.bicep configures.
    assert f"{binding.get('connection') or 'AzureWebJobsStorage'}__blobServiceUri" in settings
    # It watches the datasets container the Event Grid subscription filters on.
    container = binding["path"].split("/", 1)[0]
    assert container in {"%DATASETS_CONTAINER%", SPEC_BY_NAME["DATASETS_CONTAINER"].default}
