"""App indexing, settings, keys and route/blob path patterns of the local host (no servers)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from local.host.app_loader import AppLoadError, load_app
from local.host.blob_trigger import path_pattern, resolve_app_settings
from local.host.client_binding import client_binding
from local.host.http_triggers import route_pattern
from local.host.keys import master_key_for
from local.host.settings import apply_local_settings, load_settings

pytestmark = pytest.mark.unit

APP_WITH_QUEUE = '''
import azure.functions as func
import azure.durable_functions as df
app = df.DFApp()

@app.queue_trigger(arg_name="msg", queue_name="work", connection="AzureWebJobsStorage")
def tick(msg: func.QueueMessage) -> None:
    pass

@app.activity_trigger(input_name="x", activity="act")
def act_impl(x: str) -> str:
    return x
'''


@pytest.fixture
def app_dir(tmp_path: Path):
    (tmp_path / "function_app.py").write_text(APP_WITH_QUEUE)
    yield tmp_path
    sys.modules.pop("function_app", None)
    sys.path[:] = [p for p in sys.path if p != str(tmp_path)]


def test_unsupported_bindings_are_reported_at_start(app_dir: Path) -> None:
    with pytest.raises(AppLoadError, match="LOCALHOST_UNSUPPORTED_BINDING.*tick: binding type.*queueTrigger"):
        load_app(app_dir)


def test_unsupported_functions_can_be_skipped_and_names_come_from_decorators(app_dir: Path) -> None:
    index = load_app(app_dir, allow_unsupported=True)
    assert list(index.activities) == ["act"]
    assert index.skipped and index.skipped[0].startswith("tick")


def test_missing_app_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(AppLoadError, match="LOCALHOST_NO_APP.*--app-dir"):
        load_app(tmp_path)


def test_local_settings_values_apply_but_the_environment_wins(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOST_TEST_KEPT", "from-env")
    monkeypatch.delenv("HOST_TEST_NEW", raising=False)
    values = {"HOST_TEST_KEPT": "from-file", "HOST_TEST_NEW": "from-file"}
    (tmp_path / "local.settings.json").write_text(json.dumps({"Values": values}))
    applied = apply_local_settings(tmp_path)
    try:
        assert applied == ["HOST_TEST_NEW"]
        assert os.environ["HOST_TEST_KEPT"] == "from-env" and os.environ["HOST_TEST_NEW"] == "from-file"
    finally:
        os.environ.pop("HOST_TEST_NEW", None)


def test_host_json_gives_hub_and_concurrency(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("LOCAL_HOST_FUNCTION_KEY", raising=False)
    durable = {"hubName": "MyHub", "maxConcurrentActivityFunctions": 3,
               "maxConcurrentOrchestratorFunctions": 2}
    (tmp_path / "host.json").write_text(json.dumps({"extensions": {"durableTask": durable}}))
    settings = load_settings(tmp_path, tmp_path / "state", 0)
    assert (settings.hub_name, settings.max_activities, settings.max_orchestrations) == ("MyHub", 3, 2)
    assert settings.function_key is None  # keys are off locally unless configured


def test_route_templates() -> None:
    assert route_pattern("finetune/{id}/approve").match("finetune/abc/approve").group("id") == "abc"
    numeric = route_pattern("items/{id:int}")
    assert numeric.match("items/12") and not numeric.match("items/x")
    optional = route_pattern("client/{op}/{instance_id?}")
    assert optional.match("client/list").group("instance_id") is None
    assert optional.match("client/status/i1").group("instance_id") == "i1"
    assert route_pattern("files/{*rest}").match("files/a/b/c").group("rest") == "a/b/c"


def test_blob_paths_match_nested_names_and_escaped_braces() -> None:
    container, pattern, prefix = path_pattern("datasets/{name}")
    assert (container, prefix) == ("datasets", "")
    assert pattern.match("run1/train.jsonl").group("name") == "run1/train.jsonl"
    _, literal, prefix = path_pattern("in/{{x}}-{name}.csv")
    assert prefix == "{x}-" and literal.match("{x}-a.csv") and not literal.match("{x}-a.txt")


def test_client_binding_points_at_the_rpc_listener_and_carries_the_key() -> None:
    binding = json.loads(client_binding("http://h:1", "http://127.0.0.1:2/durabletask/", "Hub", "k"))
    assert binding["rpcBaseUrl"] == "http://127.0.0.1:2/durabletask/" and binding["taskHubName"] == "Hub"
    assert binding["managementUrls"]["statusQueryGetUri"].endswith("?taskHub=Hub&connection=Storage&code=k")
    assert binding["managementUrls"]["id"] == "INSTANCEID"


def test_blob_paths_resolve_app_setting_references(monkeypatch) -> None:
    monkeypatch.setenv("HOST_TEST_CONTAINER", "datasets")
    assert resolve_app_settings("%HOST_TEST_CONTAINER%/{name}") == "datasets/{name}"
    monkeypatch.delenv("HOST_TEST_CONTAINER")
    with pytest.raises(LookupError, match="LOCALHOST_UNRESOLVED_SETTING"):
        resolve_app_settings("%HOST_TEST_CONTAINER%/{name}")


def test_a_master_key_is_kept_in_the_state_folder_when_keys_are_on_and_none_is_given(tmp_path: Path) -> None:
    assert master_key_for(tmp_path, None, keys_on=False) is None  # keys off: no key at all
    assert master_key_for(tmp_path, "given", keys_on=True) == "given"
    created = master_key_for(tmp_path / "state", None, keys_on=True)
    assert created and len(created) >= 32
    assert (tmp_path / "state" / "master.key").stat().st_mode & 0o777 == 0o600
    assert master_key_for(tmp_path / "state", None, keys_on=True) == created  # kept across restarts
