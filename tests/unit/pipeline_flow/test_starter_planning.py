"""The starters' pure decisions: which run a blob event starts, and what a POST body may say."""

from __future__ import annotations

import pytest

from shared import run_ids
from shared.errors import INVALID_REQUEST, INVALID_RUN_SETTINGS, RequestError
from shared.payloads import BlobRef, RunRequest, Timing
from shared.settings import load_settings
from starters.planning import (
    blob_name_in_container,
    dataset_path,
    parse_action_note,
    parse_start_body,
    plan_blob_start,
    plan_http_start,
    timing_from,
)

pytestmark = pytest.mark.unit

SETTINGS = load_settings({})
TIMING = Timing(settle_seconds=3)


def listing_of(blobs: dict[str, str]):
    """A container listing over {name: etag}, as the starter reads it (name, etag, size)."""
    return lambda prefix: [(name, etag, 10) for name, etag in sorted(blobs.items())
                           if name.startswith(prefix)]


def test_no_training_file_yet_starts_nothing():
    blobs = {"faq/valid.jsonl": "0x2", "faq/finetune.json": "0x3"}
    assert plan_blob_start("faq/valid.jsonl", listing_of(blobs), TIMING) is None
    assert plan_blob_start("faq/finetune.json", listing_of(blobs), TIMING) is None


def test_every_event_of_a_run_maps_to_the_same_instance_whatever_the_order():
    blobs = {"faq/valid.jsonl": "0x2", "faq/train.jsonl": "0x1", "faq/finetune.json": "0x3"}
    plans = [plan_blob_start(name, listing_of(blobs), TIMING) for name in blobs]
    assert {plan.instance_id for plan in plans} == {run_ids.instance_id("faq", "faq/train.jsonl", "0x1")}
    request = plans[0].request
    assert (request.run, request.training.path, request.training.etag) == ("faq", "faq/train.jsonl", "0x1")
    assert request.settings_path == "faq/finetune.json" and request.discover and request.timing == TIMING


def test_a_new_training_version_is_a_new_run():
    first = plan_blob_start("faq/train.jsonl", listing_of({"faq/train.jsonl": "0x1"}), TIMING)
    second = plan_blob_start("faq/train.jsonl", listing_of({"faq/train.jsonl": "0x9"}), TIMING)
    assert first.instance_id != second.instance_id


def test_a_single_top_level_file_is_a_training_only_run():
    blobs = {"faq.jsonl": "0x5", "faq.jsonl.bak": "0x6"}
    plan = plan_blob_start("faq.jsonl", listing_of(blobs), TIMING)
    assert plan.request.run == "faq" and plan.request.training == BlobRef("faq.jsonl", "0x5", 10)
    assert plan.request.settings_path is None
    assert plan_blob_start("faq.jsonl", listing_of({}), TIMING) is None   # deleted since the event


@pytest.mark.parametrize("name", ["faq/notes.md", "a/b/train.jsonl", "finetune.json"])
def test_blobs_outside_the_convention_start_nothing(name):
    assert plan_blob_start(name, listing_of({name: "0x1", "a/b/c.jsonl": "0x2"}), TIMING) is None


def test_trigger_names_are_confined_to_the_datasets_container():
    assert blob_name_in_container("datasets/faq/train.jsonl", "datasets") == "faq/train.jsonl"
    assert blob_name_in_container("reports/faq/train.jsonl", "datasets") is None
    assert blob_name_in_container("datasets2/x.jsonl", "datasets") is None


def test_a_valid_body():
    body = parse_start_body({"training_file": "datasets/faq/training_set.jsonl",
                             "validation_file": "datasets/faq/validation_set.jsonl",
                             "settings": {"hyperparameters": {"n_epochs": 2}}}, SETTINGS)
    assert (body.run, body.training_path, body.validation_path) == (
        "faq", "faq/training_set.jsonl", "faq/validation_set.jsonl")
    plan = plan_http_start(body, BlobRef("faq/training_set.jsonl", "0x7", 99), TIMING)
    assert plan.instance_id == run_ids.instance_id("faq", "faq/training_set.jsonl", "0x7")
    assert plan.request.discover is False and plan.request.settings == {"hyperparameters": {"n_epochs": 2}}
    single = parse_start_body({"training_file": "datasets/faq.jsonl"}, SETTINGS)
    assert (single.run, single.settings) == ("faq", {})


@pytest.mark.parametrize(("body", "field", "code"), [
    ([1], None, INVALID_REQUEST),
    ({}, "training_file", INVALID_REQUEST),
    ({"training_file": "datasets/a/train.jsonl", "model": "x"}, "model", INVALID_REQUEST),
    ({"training_file": 5}, "training_file", INVALID_REQUEST),
    ({"training_file": "https://evil.example/datasets/a.jsonl"}, "training_file", INVALID_REQUEST),
    ({"training_file": "/datasets/a/train.jsonl"}, "training_file", INVALID_REQUEST),
    ({"training_file": "datasets/../reports/a.jsonl"}, "training_file", INVALID_REQUEST),
    ({"training_file": "datasets/%2e%2e/x/a.jsonl"}, "training_file", INVALID_REQUEST),
    ({"training_file": "datasets\\a\\train.jsonl"}, "training_file", INVALID_REQUEST),
    ({"training_file": "reports/a/train.jsonl"}, "training_file", INVALID_REQUEST),
    ({"training_file": "a/train.jsonl"}, "training_file", INVALID_REQUEST),
    ({"training_file": "datasets/a/train.csv"}, "training_file", INVALID_REQUEST),
    ({"training_file": "datasets/a/b/train.jsonl"}, "training_file", INVALID_REQUEST),
    ({"training_file": "datasets/a/train.jsonl", "validation_file": "reports/v.jsonl"}, "validation_file",
     INVALID_REQUEST),
    ({"training_file": "datasets/a/train.jsonl", "validation_file": "datasets/a/train.jsonl"},
     "validation_file", INVALID_REQUEST),
    ({"training_file": "datasets/a/train.jsonl", "settings": {"seed": "x"}}, "settings.seed",
     INVALID_RUN_SETTINGS),
    ({"training_file": "datasets/a/train.jsonl", "settings": "fast"}, "settings", INVALID_RUN_SETTINGS),
])
def test_bad_bodies_are_rejected_naming_the_field(body, field, code):
    with pytest.raises(RequestError) as caught:
        parse_start_body(body, SETTINGS)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert caught.value.message


@pytest.mark.parametrize(("body", "params", "note"), [
    (b'{"reason": "loss too high"}', {}, "loss too high"),
    (b'{"comment": "  ship it  "}', {}, "ship it"),
    (b"", {"comment": "from the query"}, "from the query"),
    (b"", {"reason": "why"}, "why"),
    (b'{"reason": null}', {}, None),
    (b"", {}, None),
    (b"  ", {"comment": ""}, None),
])
def test_an_action_note_comes_from_the_body_or_the_query(body, params, note):
    assert parse_action_note(body, params) == note


@pytest.mark.parametrize(("body", "field"), [
    (b"{oops", None), (b'["loss"]', None), (b'{"why": "x"}', "why"), (b'{"reason": 3}', "reason"),
    (b'{"reason": "' + b"x" * 501 + b'"}', "reason"),
])
def test_a_bad_action_note_is_refused_naming_the_field(body, field):
    with pytest.raises(RequestError) as caught:
        parse_action_note(body, {})
    assert caught.value.code == "invalid_request" and caught.value.field == field


def test_the_timing_carries_each_setting_into_its_own_field():
    settings = load_settings({
        "SETTLE_SECONDS": "11", "FILES_POLL_SECONDS": "12", "FILES_TIMEOUT_MINUTES": "13.5",
        "MONITOR_MIN_POLL_SECONDS": "14", "MONITOR_MAX_POLL_SECONDS": "15", "MONITOR_DEADLINE_HOURS": "16.5",
        "DEPLOY_POLL_SECONDS": "17", "DEPLOY_TIMEOUT_MINUTES": "18.5", "VALIDATION_RANGE_BYTES": "19456",
        "REPORTS_CONTAINER": "out20", "DATASETS_CONTAINER": "in21"})
    assert timing_from(settings) == Timing(
        settle_seconds=11, files_poll_seconds=12, files_timeout_minutes=13.5, monitor_min_poll_seconds=14,
        monitor_max_poll_seconds=15, monitor_deadline_hours=16.5, deploy_poll_seconds=17,
        deploy_timeout_minutes=18.5, validation_range_bytes=19456, reports_container="out20",
        datasets_container="in21")


def test_a_blob_run_lists_its_folder_and_says_it_came_from_a_blob():
    plan = plan_blob_start("faq/train.jsonl", listing_of({"faq/train.jsonl": "0x1"}), TIMING)
    request = plan.request
    assert (request.source, request.discover, request.validation_path, request.settings) == (
        "blob", True, None, None)


def test_an_http_run_carries_the_whole_body_and_says_it_came_from_http():
    body = parse_start_body({"training_file": "datasets/faq/train.jsonl",
                             "validation_file": "datasets/faq/valid.jsonl",
                             "settings": {"seed": 3}}, SETTINGS)
    training = BlobRef("faq/train.jsonl", "0x7", 99)
    request = plan_http_start(body, training, TIMING).request
    assert request == RunRequest(run="faq", training=training, validation_path="faq/valid.jsonl",
                                 settings={"seed": 3}, discover=False, source="http", timing=TIMING)
    assert parse_start_body({"training_file": "datasets/faq.jsonl"}, SETTINGS).validation_path is None


EXAMPLE = '"datasets/<run>/train.jsonl"'
NOT_A_BLOB_PATH = f"training_file must be a blob path such as {EXAMPLE}."
NOT_INSIDE = f"training_file must be a path inside the datasets container such as {EXAMPLE}, " \
             "not a URL or an absolute path."
BAD_SEGMENTS = "training_file must not contain empty, '.' or '..' segments."
NOT_A_JSONL_NAME = f"training_file must name a .jsonl file directly in the container or one folder below " \
                   f"it, such as {EXAMPLE}."


@pytest.mark.parametrize(("path", "message"), [
    (None, NOT_A_BLOB_PATH),
    ("   ", NOT_A_BLOB_PATH),
    ("https://evil.example/datasets/a.jsonl", NOT_INSIDE),
    ("/datasets/a/train.jsonl", NOT_INSIDE),
    ("\\\\server\\datasets\\a.jsonl", NOT_INSIDE),          # starts with a backslash
    ("datasets\\a\\train.jsonl", NOT_INSIDE),               # a backslash inside
    ("datasets/a:b/train.jsonl", NOT_INSIDE),               # a colon (drive letters, schemes)
    ("datasets//train.jsonl", BAD_SEGMENTS),
    ("datasets/a/", BAD_SEGMENTS),
    ("datasets/./train.jsonl", BAD_SEGMENTS),
    ("datasets/%2E/train.jsonl", BAD_SEGMENTS),
    ("datasets/../train.jsonl", BAD_SEGMENTS),
    ("datasets/a/train.txt", NOT_A_JSONL_NAME),
    ("datasets/a/b/train.jsonl", NOT_A_JSONL_NAME),
    ("datasets", NOT_A_JSONL_NAME),
])
def test_each_path_rule_rejects_with_its_own_message(path, message):
    with pytest.raises(RequestError) as caught:
        dataset_path(path, "training_file", "datasets")
    assert (caught.value.code, caught.value.field, caught.value.message) == (INVALID_REQUEST, "training_file",
                                                                            message)


def test_another_container_is_named_in_the_message():
    with pytest.raises(RequestError) as caught:
        dataset_path("reports/a/train.jsonl", "validation_file", "datasets")
    assert caught.value.message == ("validation_file must be in the datasets container (start with "
                                    "'datasets/'); got container 'reports'.")


@pytest.mark.parametrize("path", ["datasets/a\tb/train.jsonl", "datasets/a/\x00.jsonl",
                                  "datasets/a/b\x1f.jsonl"])
def test_control_characters_are_refused(path):
    with pytest.raises(RequestError) as caught:
        dataset_path(path, "training_file", "datasets")
    assert (caught.value.code, caught.value.field) == (INVALID_REQUEST, "training_file")


@pytest.mark.parametrize(("path", "name"), [
    ("datasets/my run/train set.jsonl", "my run/train set.jsonl"),   # spaces are ordinary characters
    ("datasets/café/ÜBUNG.JSONL", "café/ÜBUNG.JSONL"),
    ("datasets/faq.jsonl", "faq.jsonl"),
])
def test_accepted_paths_name_the_blob_inside_the_container(path, name):
    assert dataset_path(path, "training_file", "datasets") == name


@pytest.mark.parametrize(("body", "message"), [
    ([1], 'The body must be a JSON object such as {"training_file": "datasets/<run>/train.jsonl"}.'),
    ({"training_file": "datasets/a.jsonl", "model": "x"},
     "Unknown field 'model'. Allowed: settings, training_file, validation_file."),
    ({}, 'training_file is required, for example "datasets/<run>/train.jsonl".'),
    ({"training_file": "datasets/a/train.jsonl", "validation_file": "datasets/a/train.jsonl"},
     "validation_file must differ from training_file."),
])
def test_body_errors_say_what_to_send(body, message):
    with pytest.raises(RequestError) as caught:
        parse_start_body(body, SETTINGS)
    assert caught.value.message == message
