"""Bad HTTP bodies: path traversal, URLs, other containers, wrong types, oversized settings.

Each ``POST /api/finetune`` must answer 400 with a stable code and the offending field,
start no orchestration, and send nothing to the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest

from local.stack_client import StackClient
from tests.e2e.steps import drop, unique_run
from tests.reliability.datasets import chat_dataset
from tests.reliability.steps import emulator_state

pytestmark = pytest.mark.reliability

TRAVERSALS = [
    "datasets/../reports/victim/train.jsonl",
    "datasets/%2e%2e/reports/train.jsonl",
    "datasets/%2E%2E%2Freports%2Ftrain.jsonl",
    "datasets/run/../../etc/passwd.jsonl",
    "datasets/./run/train.jsonl",
    "/datasets/run/train.jsonl",
    "https://evil.example/datasets/run/train.jsonl",
    "reports/run/train.jsonl",
    "datasets\\run\\train.jsonl",
    "datasets/run/deeper/folder/train.jsonl",
    "datasets/run/train.txt",
    "datasets//train.jsonl",
    "",
]
# (body, expected code, expected field)
BODIES: list[tuple[Any, str, str | None]] = [
    *[({"training_file": path}, "invalid_request", "training_file") for path in TRAVERSALS],
    ({"training_file": "datasets/run/train.jsonl", "validation_file": "datasets/../x.jsonl"},
     "invalid_request", "validation_file"),
    ({"training_file": 42}, "invalid_request", "training_file"),
    ({"training_file": ["datasets/run/train.jsonl"]}, "invalid_request", "training_file"),
    ({"training_file": "datasets/run/train.jsonl", "instance_id": "ft-victim-0123456789abcdef"},
     "invalid_request", "instance_id"),
    ([{"training_file": "datasets/run/train.jsonl"}], "invalid_request", None),
    ({"training_file": "datasets/run/train.jsonl", "settings": {"hyperparameters": {"n_epochs": "3"}}},
     "invalid_run_settings", "settings.hyperparameters.n_epochs"),
    ({"training_file": "datasets/run/train.jsonl", "settings": {"suffix": "x" * 1_000_000}},
     "invalid_run_settings", "settings.suffix"),
    ({"training_file": "datasets/run/train.jsonl", "settings": ["suffix"]},
     "invalid_run_settings", "settings"),
    ({"training_file": "datasets/mon jeu ñ/données é.jsonl"}, "dataset_not_found", "training_file"),
]


def _ids(body: Any) -> str:
    return str(body)[:60]


@pytest.mark.parametrize(("body", "code", "field"), BODIES, ids=[_ids(b[0]) for b in BODIES])
def test_a_bad_start_request_answers_400_and_starts_nothing(rel_client: StackClient, body: Any, code: str,
                                                            field: str | None) -> None:
    before = len(rel_client.durable_instances())
    answer = rel_client.call("POST", "/api/finetune", body)
    assert answer.status == 400, (answer.status, answer.body)
    error = answer.body["error"]
    assert (error["code"], error["field"]) == (code, field), error
    assert len(error["message"]) > 20 and "Traceback" not in error["message"]
    assert len(rel_client.durable_instances()) == before
    assert emulator_state(rel_client)["counts"]["files"] == 0


def test_a_body_that_is_not_json_answers_400(rel_client: StackClient) -> None:
    answer = rel_client.call("POST", "/api/finetune", b"training_file=datasets/x/train.jsonl")
    assert answer.status == 400 and answer.body["error"]["code"] == "invalid_request", answer.body


def test_a_blob_name_with_spaces_and_non_ascii_starts_over_http(rel_client: StackClient) -> None:
    """Not an error: such names are legal blob names, and the run id stays well-formed."""
    run = unique_run("mon jeu ñ")
    drop(rel_client, run, {"données é.jsonl": chat_dataset(12)})
    answer = rel_client.call("POST", "/api/finetune", {
        "training_file": f"datasets/{run}/données é.jsonl", "settings": {"deployment": {"enabled": False}}})
    assert answer.status == 202, answer.body
    assert answer.body["id"].startswith("ft-mon-jeu-")
    summary = rel_client.call("GET", f"/api/finetune/{answer.body['id']}")
    assert summary.status == 200 and summary.body["run"] == run
    rel_client.call("POST", f"/api/finetune/{answer.body['id']}/cancel")
