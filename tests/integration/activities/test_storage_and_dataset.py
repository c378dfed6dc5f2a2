"""Storage effects and the dataset activities against a real Azurite."""

from __future__ import annotations

import json

import pytest

from activities import dataset
from shared import errors, names, storage_ops
from shared.validation import ValidationOptions, plan_ranges, validate_chunks
from tests.integration.activities.helpers import BASE_MODEL, AppEnv, call, chat_jsonl

pytestmark = pytest.mark.integration


def test_list_run_folder_sees_direct_children_only(storage_env: AppEnv) -> None:
    for name in ("nimbus/train.jsonl", "nimbus/valid.jsonl", "nimbus/old/train.jsonl", "nimbusx/train.jsonl"):
        storage_env.put(name, b"{}\n")
    listed = storage_ops.list_run_folder(storage_env.blobs, storage_env.settings.datasets_container, "nimbus")
    assert [entry.name for entry in listed] == ["nimbus/train.jsonl", "nimbus/valid.jsonl"]
    assert all(entry.etag and entry.size == 3 for entry in listed)


def test_streaming_a_big_blob_comes_in_bounded_chunks_and_ranges(storage_env: AppEnv) -> None:
    data = bytes(range(251)) * (9 * 1024 * 1024 // 251)
    ref = storage_env.put("big/train.jsonl", data)
    container = storage_env.settings.datasets_container
    chunks = list(storage_ops.iter_blob_chunks(storage_env.blobs, container, ref["path"], etag=ref["etag"]))
    assert b"".join(chunks) == data
    assert len(chunks) >= 3 and max(map(len, chunks)) <= 4 * 1024 * 1024
    middle = storage_ops.iter_blob_chunks(storage_env.blobs, container, ref["path"], start=1000,
                                          end=5_000_123)
    assert b"".join(middle) == data[1000:5_000_123]
    reader = storage_ops.open_blob_reader(storage_env.blobs, container, ref["path"], etag=ref["etag"])
    reader.seek(7_000_000)
    assert reader.read(100) == data[7_000_000:7_000_100]


def test_a_dataset_replaced_mid_run_is_reported_superseded(storage_env: AppEnv) -> None:
    ref = storage_env.put("run/train.jsonl", b"one\n")
    storage_env.put("run/train.jsonl", b"two\n")
    with pytest.raises(errors.PipelineError) as caught:
        list(storage_ops.iter_blob_chunks(storage_env.blobs, storage_env.settings.datasets_container,
                                          ref["path"], etag=ref["etag"]))
    assert caught.value.code == errors.DATASET_SUPERSEDED


def test_report_blobs_go_to_the_reports_container(storage_env: AppEnv) -> None:
    written = storage_ops.write_report_blob(storage_env.blobs, storage_env.settings.reports_container,
                                            "run/ft-x/summary.json", {"ok": True})
    assert written == f"{storage_env.settings.reports_container}/run/ft-x/summary.json"
    assert json.loads(storage_env.report("run/ft-x/summary.json")) == {"ok": True}


def _folder_request(ref: dict, **extra) -> dict:
    return {"run": "nimbus", "training": ref, "discover": True, **extra}


def test_read_run_folder_resolves_files_and_settings(storage_env: AppEnv) -> None:
    ref = storage_env.put("nimbus/training_set.jsonl", chat_jsonl())
    storage_env.put("nimbus/validation_set.jsonl", chat_jsonl(3))
    storage_env.put("nimbus/finetune.json", json.dumps({"suffix": "nimbus", "seed": 42}).encode())
    result = call(dataset.read_run_folder, _folder_request(ref))
    assert result["error"] is None and result["superseded"] is False
    assert result["training"] == ref
    assert result["validation"]["path"] == "nimbus/validation_set.jsonl"
    assert result["settings"]["suffix"] == "nimbus" and result["settings"]["seed"] == 42
    assert result["settings"]["model"] == storage_env.settings.default_model


def test_read_run_folder_flags_a_newer_training_file_and_bad_settings(storage_env: AppEnv) -> None:
    old = storage_env.put("nimbus/train.jsonl", chat_jsonl())
    storage_env.put("nimbus/train.jsonl", chat_jsonl(13))
    assert call(dataset.read_run_folder, _folder_request(old))["superseded"] is True
    current = storage_env.put("nimbus/train.jsonl", chat_jsonl())
    storage_env.put("nimbus/finetune.json", b'{"seed": "many"}')
    result = call(dataset.read_run_folder, _folder_request(current))
    assert result["error"]["code"] == errors.INVALID_RUN_SETTINGS and "seed" in result["error"]["message"]
    storage_env.put("nimbus/finetune.json", b"x" * (storage_ops.MAX_SETTINGS_BYTES + 1))
    result = call(dataset.read_run_folder, _folder_request(current))
    assert result["error"]["code"] == errors.INVALID_RUN_SETTINGS and "limit" in result["error"]["message"]


def _validate_payload(ref: dict, report_path: str = "nimbus/ft-1/validation.json") -> dict:
    return {"blob": ref, "role": "training", "model": BASE_MODEL, "n_epochs": 2, "report_path": report_path}


def test_validate_dataset_writes_the_report_and_returns_a_digest(storage_env: AppEnv) -> None:
    ref = storage_env.put("nimbus/train.jsonl", chat_jsonl(20))
    result = call(dataset.validate_dataset, _validate_payload(ref))
    assert result["ok"] is True and result["examples"] == 20 and result["error"] is None
    report = json.loads(storage_env.report("nimbus/ft-1/validation.json"))
    assert report["ok"] is True and report["examples"] == 20
    assert result["total_tokens"] == report["tokens"]["total"]["sum"]
    assert result["estimated_trained_tokens"] == report["billing"]["estimated_trained_tokens"]


def test_an_invalid_dataset_is_a_returned_error_with_the_first_problems(storage_env: AppEnv) -> None:
    ref = storage_env.put("nimbus/train.jsonl", chat_jsonl(11) + b'{"messages": "nope"}\n')
    result = call(dataset.validate_dataset, _validate_payload(ref))
    assert result["ok"] is False and result["error"]["code"] == errors.INVALID_DATASET
    assert result["first_errors"][0].startswith("line 12:")
    assert json.loads(storage_env.report("nimbus/ft-1/validation.json"))["ok"] is False


def test_unknown_model_and_missing_blob_are_returned_errors(storage_env: AppEnv) -> None:
    ref = storage_env.put("nimbus/train.jsonl", chat_jsonl())
    unknown = call(dataset.validate_dataset, {**_validate_payload(ref), "model": "mystery-model"})
    assert unknown["error"]["code"] == errors.UNKNOWN_MODEL
    gone = call(dataset.validate_dataset, _validate_payload({"path": "nimbus/none.jsonl", "etag": None}))
    assert gone["error"]["code"] == errors.DATASET_NOT_FOUND


def test_range_fan_out_and_merge_equal_the_whole_file_report(storage_env: AppEnv) -> None:
    data = chat_jsonl(40) + b"not json\n" + chat_jsonl(15, start=40)
    ref = storage_env.put("wide/train.jsonl", data)
    partials = []
    for index, (start, end) in enumerate(plan_ranges(len(data), 1500)):
        result = call(dataset.validate_range, {
            "blob": ref, "role": "training", "model": BASE_MODEL, "n_epochs": 2, "range_start": start,
            "range_end": end, "partial_path": f"wide/ft-1/{names.PARTIALS_FOLDER}/{index}.bin"})
        assert result["error"] is None
        partials.append(result["partial_path"])
    assert len(partials) > 3
    merged = call(dataset.merge_validation, {"blob": ref, "role": "training", "model": BASE_MODEL,
                                             "n_epochs": 2, "partial_paths": partials,
                                             "report_path": "wide/ft-1/validation.json"})
    whole = validate_chunks([data], ValidationOptions(model=BASE_MODEL, n_epochs=2), total_bytes=len(data))
    written = json.loads(storage_env.report("wide/ft-1/validation.json"))
    assert written == json.loads(json.dumps(whole.to_dict()))
    assert merged["ok"] is False and merged["examples"] == 55 and merged["error_count"] == 1


def test_a_single_file_run_and_an_http_run_with_explicit_paths(storage_env: AppEnv) -> None:
    single = storage_env.put("solo.jsonl", chat_jsonl())
    storage_env.put("solo/train.jsonl", chat_jsonl(20))  # a folder of the same name is another run
    result = call(dataset.read_run_folder, {"run": "solo", "training": single, "discover": True})
    assert result["training"] == single and result["validation"] is None and result["superseded"] is False
    training = storage_env.put("http/data.jsonl", chat_jsonl())
    valid = storage_env.put("http/holdout.jsonl", chat_jsonl(3))
    result = call(dataset.read_run_folder, {"run": "http", "training": training, "discover": False,
                                            "validation_path": "http/holdout.jsonl",
                                            "settings": {"suffix": "viahttp"}})
    assert result["validation"] == valid and result["settings"]["suffix"] == "viahttp"
    missing = call(dataset.read_run_folder, {"run": "http", "training": training, "discover": False,
                                             "validation_path": "http/none.jsonl"})
    assert missing["error"]["code"] == errors.DATASET_NOT_FOUND
    assert "http/none.jsonl" in missing["error"]["message"]
