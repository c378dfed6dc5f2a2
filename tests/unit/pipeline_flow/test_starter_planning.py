"""The starters' pure decisions: which run a blob event starts, and what a POST body may say."""

from __future__ import annotations

import pytest

from shared import run_ids
from shared.errors import INVALID_REQUEST, INVALID_RUN_SETTINGS, RequestError
from shared.payloads import BlobRef, Timing
from shared.settings import load_settings
from starters.planning import (
    blob_name_in_container,
    parse_action_note,
    parse_start_body,
    plan_blob_start,
    plan_http_start,
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
