"""What a validation checks against: options refused with a reason, encodings of unlisted models, cost."""

from __future__ import annotations

import pytest

from shared.validation import (
    KNOWN_MODELS,
    UnknownModelError,
    ValidationOptions,
    encoding_for_model,
    model_token_limit,
    validate_range_chunks,
)
from tests.unit.validation.helpers import jsonl, report_of, simple

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("options", "message"), [
    (ValidationOptions(role="test"), "role must be 'training' or 'validation', got 'test'."),
    (ValidationOptions(max_tokens=0), "max_tokens must be a positive whole number, got 0."),
    (ValidationOptions(n_epochs=0), "n_epochs must be a positive whole number, got 0."),
])
def test_bad_options_are_refused_with_a_reason(options: ValidationOptions, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        options.resolve()
    assert str(caught.value) == message


def test_the_smallest_limit_and_epochs_are_one() -> None:
    resolved = ValidationOptions(max_tokens=1, n_epochs=1).resolve()
    assert resolved.token_limit == 1 and resolved.options.n_epochs == 1


@pytest.mark.parametrize("refuse", [lambda: ValidationOptions(model="gpt-9").resolve(),
                                    lambda: model_token_limit("gpt-9")])
def test_an_unknown_model_is_named_with_the_known_ones_and_the_way_out(refuse) -> None:
    with pytest.raises(UnknownModelError) as caught:
        refuse()
    assert caught.value.model == "gpt-9"
    assert str(caught.value) == (
        f"Unknown model 'gpt-9'. Use one of: {', '.join(KNOWN_MODELS)} (the date suffix may be left out), or "
        "give the per-example token limit explicitly (--max-tokens).")


@pytest.mark.parametrize(("model", "encoding"), [
    # Models the table does not list: the gpt-3.5 / gpt-4 family uses cl100k_base, anything newer o200k_base.
    ("gpt-35-turbo-16k", "cl100k_base"), ("GPT-3.5-turbo-instruct", "cl100k_base"),
    ("gpt-4-32k", "cl100k_base"), ("gpt-4:0613", "cl100k_base"), ("GPT-4", "cl100k_base"),
    ("gpt-4o-2030-01-01", "o200k_base"), ("gpt-4.5-preview", "o200k_base"), ("my-model", "o200k_base"),
    ("gpt-40", "o200k_base"),
])
def test_unlisted_models_get_their_familys_encoding(model: str, encoding: str) -> None:
    assert encoding_for_model(model) == encoding
    report = report_of(jsonl(simple()), ValidationOptions(model=model, max_tokens=1000, min_examples=1))
    assert report["encoding"] == encoding


def test_the_cost_is_tokens_times_the_price_per_million_to_the_micro_dollar() -> None:
    # One example of 27 tokens, one epoch, an odd price: 27 x 1,234,567.891 / 1,000,000 = 33.333333057
    options = ValidationOptions(min_examples=1, n_epochs=1, price_overrides={"gpt-4o-mini": 1_234_567.891})
    billing = report_of(jsonl(simple(1)), options)["billing"]
    assert (billing["estimated_trained_tokens"], billing["estimated_cost_usd"]) == (27, 33.333333)
    empty = report_of(b"\n", options)["billing"]
    assert (empty["billable_tokens"], empty["estimated_trained_tokens"]) == (0, 0)
    assert empty["estimated_cost_usd"] == 0.0


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 3)])
def test_a_range_must_start_at_zero_or_later_and_not_end_before_it(start: int, end: int) -> None:
    with pytest.raises(ValueError) as caught:
        validate_range_chunks([b""], ValidationOptions(), range_start=start, range_end=end)
    assert str(caught.value) == f"Invalid range [{start}, {end})."
