"""Trained tokens are billed as the service bills them: the examples' tokens with the model's encoding,
times the epochs; the emulator's figure equals the app's validation estimate for the same file."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.validation import ValidationOptions, validate_path
from tests.integration.emulator.helpers import create_job, upload_processed, wait_job

pytestmark = pytest.mark.integration
SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "azure-faq"


def _trained_tokens(emulator, path: Path, model: str, n_epochs: int | None) -> int:
    client = emulator.openai_client()
    file = upload_processed(client, path.read_bytes(), path.name)
    hyperparameters = {"n_epochs": n_epochs} if n_epochs else {}
    job = wait_job(client, create_job(client,
        model=model, training_file=file.id, hyperparameters=hyperparameters).id)
    assert job.status == "succeeded", job.error
    return job.trained_tokens


@pytest.mark.parametrize(("model", "n_epochs"), [("gpt-4o-mini-2024-07-18", 2), ("gpt-35-turbo-0125", None)])
def test_the_sample_bills_what_validation_estimated(fresh_emulator, model, n_epochs):
    path = SAMPLE / "training.jsonl"
    estimate = validate_path(path, ValidationOptions(model=model, n_epochs=n_epochs), workers=1).to_dict()
    trained = _trained_tokens(fresh_emulator, path, model, n_epochs)
    assert trained == estimate["billing"]["estimated_trained_tokens"] > 0


@pytest.mark.parametrize("name", ["training_set.jsonl", "validation_set.jsonl"])
def test_the_lab_files_bill_what_validation_estimated(fresh_emulator, lab_datasets, name):
    path = lab_datasets / name
    model = "gpt-4o-mini-2024-07-18"
    estimate = validate_path(path, ValidationOptions(model=model), workers=1).to_dict()["billing"]
    assert estimate["epochs_source"] == "default_rule"  # n_epochs auto: the service's rule
    assert _trained_tokens(fresh_emulator, path, model, None) == estimate["estimated_trained_tokens"]
