"""function_app.py composes every function with the right triggers, and reads nothing at import.

Indexed in a subprocess, as the worker does, because ``app.get_functions()`` may run once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared import names

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]
INDEX = """
import json, function_app
functions = {}
for f in function_app.app.get_functions():
    functions[f.get_function_name()] = json.loads(f.get_function_json())["bindings"]
print(json.dumps(functions))
"""


@pytest.fixture(scope="module")
def functions() -> dict[str, list[dict]]:
    # Settings that load_settings() would refuse: importing must not read them.
    env = {**os.environ, "FINETUNE_MAX_FILE_BYTES": "not-a-number", "MONITOR_MIN_POLL_SECONDS": "-1"}
    done = subprocess.run([sys.executable, "-c", INDEX], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def trigger(bindings: list[dict]) -> dict:
    return next(b for b in bindings if b["type"].endswith("Trigger"))


def test_every_activity_and_orchestrator_is_registered_under_its_constant(functions):
    for name in names.ACTIVITIES:
        assert trigger(functions[name])["type"] == "activityTrigger"
    for name in (names.FINETUNE_ORCHESTRATOR, names.MONITOR_ORCHESTRATOR):
        assert trigger(functions[name])["type"] == "orchestrationTrigger"


def test_the_blob_starter_watches_the_datasets_setting_through_event_grid(functions):
    blob = trigger(functions["dataset_blob_starter"])
    assert blob["type"] == "blobTrigger"
    assert blob["path"] == "%DATASETS_CONTAINER%/{name}"
    assert blob["source"] == "EventGrid" and blob["connection"] == "AzureWebJobsStorage"
    assert any(b["type"] == "durableClient" for b in functions["dataset_blob_starter"])


def test_http_functions_use_function_level_auth(functions):
    """Every route that reads or acts on runs needs the key; only the runs page's static shell
    (no data, no secret: ui/page.py says why) is anonymous."""
    routes = {}
    for name, bindings in functions.items():
        http = [b for b in bindings if b["type"] == "httpTrigger"]
        if http:
            anonymous = http[0]["route"] == "ui/{asset?}"
            assert http[0]["authLevel"] == ("ANONYMOUS" if anonymous else "FUNCTION"), name
            routes[(http[0]["route"], tuple(http[0]["methods"]))] = name
    assert set(routes) == {("finetune", ("POST",)), ("finetune", ("GET",)),
                           ("finetune/{instance_id}", ("GET",)),
                           ("finetune/{instance_id}/{action}", ("POST",)),
                           ("finetune/{instance_id}/metrics", ("GET",)),
                           ("finetune/{instance_id}/reports/{name?}", ("GET",)),
                           ("ui/{asset?}", ("GET",))}
