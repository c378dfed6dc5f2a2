"""Estimated vs trained tokens: side by side, with a sentence that holds whatever the service reports."""

from __future__ import annotations

import pytest

from shared.token_accounting import token_comparison

pytestmark = pytest.mark.unit

SAMPLE = {"billable_tokens": 735, "n_epochs": 2, "epochs_source": "settings",
          "estimated_trained_tokens": 1470}
AUTO = {"billable_tokens": 735, "n_epochs": 8, "epochs_source": "default_rule",
        "estimated_trained_tokens": 5880}


def test_equal_figures_say_the_job_trained_the_estimate() -> None:
    result = token_comparison(SAMPLE, 1470, 2)
    assert (result["estimated"], result["trained"], result["difference"], result["difference_pct"]) == \
        (1470, 1470, 0, 0.0)
    assert result["explanation"] == \
        "The job trained the estimated 1,470 tokens (735 billable tokens x 2 epochs)."


def test_a_different_count_per_epoch_is_explained_as_the_service_s_accounting() -> None:
    result = token_comparison(SAMPLE, 2140, 2)  # the emulator's old bytes/4 count
    assert (result["difference"], result["difference_pct"]) == (670, 45.6)
    assert "Per epoch the service counted 1,070 tokens where the validation counted 735 (2 epochs)" \
        in result["explanation"]


def test_the_service_s_choice_of_epochs_when_n_epochs_was_auto() -> None:
    result = token_comparison(AUTO, 735 * 3, 3)
    assert result["epochs_trained"] == 3 and result["epochs_source"] == "default_rule"
    assert result["explanation"] == (
        "The estimate assumed 8 epochs (n_epochs was auto; the estimate used the cookbook's default rule) "
        "but the service chose 3; at that many epochs the estimate matches.")
    other = token_comparison(AUTO, 1000 * 3, 3)
    assert other["explanation"].endswith(
        "per epoch the service also counted 1,000 tokens where the validation counted 735.")


def test_missing_figures_are_said_not_guessed() -> None:
    assert token_comparison(None, None, None) is None
    waiting = token_comparison(SAMPLE, None, None)
    assert waiting["difference"] is None and "not reported its trained tokens yet" in waiting["explanation"]
    unknown = token_comparison(None, 900, 3)
    assert unknown["estimated"] is None and unknown["trained"] == 900


def test_a_placeholder_epoch_count_is_not_taken_for_the_service_s_choice() -> None:
    result = token_comparison(AUTO, 3210, -1)   # a service that reports n_epochs -1 until it resolves auto
    assert result["epochs_trained"] is None and "-1" not in result["explanation"]
    assert result["explanation"].startswith("Per epoch the service counted")
