"""Instance ids and the run-folder convention (pure rules shared by the starters and activities)."""

from __future__ import annotations

import pytest

from shared import run_folder, run_ids
from shared.errors import INVALID_DATASET

pytestmark = pytest.mark.unit


def test_the_instance_id_depends_on_run_training_blob_and_etag_only():
    first = run_ids.instance_id("faq-bot", "faq-bot/train.jsonl", '"0x8DC1"')
    assert first == run_ids.instance_id("faq-bot", "faq-bot/train.jsonl", "0x8DC1")   # quotes do not matter
    assert first != run_ids.instance_id("faq-bot", "faq-bot/train.jsonl", "0x8DC2")   # new version: new run
    assert first != run_ids.instance_id("faq-bot", "faq-bot/train2.jsonl", "0x8DC1")
    assert first != run_ids.instance_id("other", "faq-bot/train.jsonl", "0x8DC1")
    assert run_ids.is_instance_id(first) and first.startswith("ft-faq-bot-")


@pytest.mark.parametrize("run", ["Customer Support (v2)", "ÄÖÜ", "a" * 200, "x/../y"])
def test_any_run_name_gives_a_valid_instance_id(run):
    instance = run_ids.instance_id(run, f"{run}/train.jsonl", "0x1")
    assert run_ids.is_instance_id(instance)
    assert not set("/\\#?") & set(instance)
    name = run_ids.deployment_name(run, instance)
    assert 2 <= len(name) <= 64 and name.startswith("ft-")


@pytest.mark.parametrize("text", ["", "ft-x", "ft-faq-bot-XYZ", "../ft-a-0123456789abcdef",
                                  "ft-a-0123456789abcdef/x"])
def test_foreign_ids_are_not_instance_ids(text):
    assert not run_ids.is_instance_id(text)


def test_derived_names_carry_the_run_identity():
    instance = run_ids.instance_id("faq-bot", "faq-bot/train.jsonl", "0x1")
    short = run_ids.short_id(instance)
    assert run_ids.upload_file_name("faq-bot", instance, "training") == f"faq-bot-{short}-training.jsonl"
    assert run_ids.monitor_instance_id(instance) == f"{instance}:monitor"


@pytest.mark.parametrize(("name", "expected"), [
    ("faq/train.jsonl", ("faq", "training", True)),
    ("faq/training_set.jsonl", ("faq", "training", True)),
    ("faq/Train-2024.JSONL", ("faq", "training", True)),
    ("faq/valid.jsonl", ("faq", "validation", True)),
    ("faq/validation_set.jsonl", ("faq", "validation", True)),
    ("faq/finetune.json", ("faq", "settings", True)),
    ("single.jsonl", ("single", "training", False)),
    ("validation_set.jsonl", ("validation_set", "training", False)),
])
def test_blobs_of_a_run(name, expected):
    seen = run_folder.classify(name)
    assert seen is not None and (seen.run, seen.role, seen.in_folder) == expected


@pytest.mark.parametrize("name", ["faq/notes.txt", "faq/test.jsonl", "faq/deep/train.jsonl", "finetune.json",
                                  ".jsonl", "faq/", "/train.jsonl", "faq//train.jsonl", "../train.jsonl"])
def test_blobs_outside_the_convention_are_ignored(name):
    assert run_folder.classify(name) is None


def test_read_folder_finds_the_files_whatever_the_listing_order():
    listing = [("faq/finetune.json", "0x3", 40), ("faq/validation_set.jsonl", "0x2", 50),
               ("faq/training_set.jsonl", "0x1", 100), ("faq/readme.md", "0x4", 1)]
    contents = run_folder.read_folder("faq", reversed(listing))
    assert contents.training.path == "faq/training_set.jsonl" and contents.training.etag == "0x1"
    assert contents.validation.path == "faq/validation_set.jsonl"
    assert contents.settings_path == "faq/finetune.json"
    assert contents.error() is None


def test_a_folder_without_training_file_or_with_two_is_an_error():
    assert run_folder.read_folder("faq", [("faq/valid.jsonl", "0x1", 1)]).error()["code"] == INVALID_DATASET
    two = run_folder.read_folder("faq", [("faq/train_a.jsonl", "0x1", 1), ("faq/train_b.jsonl", "0x2", 1)])
    error = two.error()
    assert error["code"] == INVALID_DATASET and "faq/train_a.jsonl" in error["message"]
    assert "faq/train_b.jsonl" in error["message"]
