"""The report: its schema, first 20 per code with full counts, statistics, billing and the text summary."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shared.validation import ValidationOptions, validate_chunks
from shared.validation.billing import default_epochs
from tests.unit.validation.helpers import chat, jsonl, report_of, simple

pytestmark = pytest.mark.unit

KEYS = {"ok", "format", "model", "encoding", "examples", "errors", "error_counts", "warnings",
        "warning_counts", "tokens", "billing", "messages_per_example", "bytes", "lines", "role",
        "blank_lines",
        "counted_examples", "invalid_lines", "schema_version", "method"}
STAT_KEYS = {"min", "max", "mean", "median", "p5", "p95", "sum"}
BILLING_KEYS = {"billable_tokens", "n_epochs", "epochs_source", "estimated_trained_tokens",
                "price_usd_per_million", "estimated_cost_usd", "token_limit", "training_tier", "price_source",
                "price_note", "price_is_estimate", "price_unit"}


def test_the_report_has_the_documented_schema_and_is_json() -> None:
    report = report_of(jsonl(*(simple(i) for i in range(12))), ValidationOptions())
    assert set(report) == KEYS
    assert set(report["tokens"]) == {"total", "assistant"}
    assert set(report["tokens"]["total"]) == STAT_KEYS == set(report["messages_per_example"])
    assert set(report["billing"]) == BILLING_KEYS
    assert json.loads(json.dumps(report)) == report
    assert (report["role"], report["format"], report["model"], report["encoding"]) == \
        ("training", "chat", "gpt-4o-mini-2024-07-18", "o200k_base")


def test_statistics_are_numpy_percentiles_of_the_examples() -> None:
    examples = [chat(("user", "word " * n), ("assistant", "ok " * (n % 7 + 1))) for n in range(1, 30)]
    report = report_of(jsonl(*examples))
    from shared.tokenizer import get_encoding

    encode = get_encoding("o200k_base").encode_ordinary
    totals = np.array([3 + sum(3 + len(encode(m["role"])) + len(encode(m["content"])) for m in ex["messages"])
                       for ex in examples])
    stats = report["tokens"]["total"]
    assert stats["sum"] == totals.sum() and stats["min"] == totals.min() and stats["max"] == totals.max()
    assert stats["p5"] == round(float(np.percentile(totals, 5)), 2)
    assert stats["p95"] == round(float(np.percentile(totals, 95)), 2)
    assert stats["median"] == round(float(np.median(totals)), 2)
    assert report["messages_per_example"]["max"] == 3


def test_a_recurring_fault_gives_a_short_report_with_full_counts() -> None:
    data = jsonl(*["{oops" if i % 2 else simple(i) for i in range(1000)])
    report = report_of(data)
    listed = [entry for entry in report["errors"] if entry["code"] == "invalid_json"]
    assert [entry["line"] for entry in listed] == list(range(2, 42, 2))
    assert report["error_counts"] == {"invalid_json": 500}
    assert report["invalid_lines"] == 500 and report["examples"] == 500


def test_errors_are_sorted_by_line_with_file_level_errors_first() -> None:
    report = report_of(jsonl("[]", simple(), "{"), ValidationOptions())
    assert [(e["line"], e["code"]) for e in report["errors"]] == \
        [(None, "too_few_examples"), (1, "not_an_object"), (3, "invalid_json")]


def test_summary_text_shows_verdict_errors_with_lines_tokens_and_cost() -> None:
    options = ValidationOptions(min_examples=1, price_overrides={"gpt-4o-mini": 3.0}, n_epochs=2)
    report = validate_chunks([jsonl(simple(1), "{", simple(2))], options)
    text = report.summary_text()
    assert text.startswith("INVALID")
    assert "line 2: [invalid_json]" in text
    assert "Tokens per example" in text
    assert f"{report.to_dict()['billing']['estimated_trained_tokens']:,} trained tokens" in text
    assert "$3.0 per 1M tokens, Standard training (price from FINETUNE_PRICES_JSON)" in text
    assert "ESTIMATE" not in text  # the user's own price


def test_summary_text_marks_the_table_s_price_as_an_estimate_with_its_basis() -> None:
    text = validate_chunks([jsonl(simple(1), simple(2))], ValidationOptions(min_examples=1)).summary_text()
    assert "at $4.29 per 1M tokens, Standard training (price from https://openai.com/api/pricing/)" in text
    assert "the price is an ESTIMATE, not a quote: OpenAI's published training price for this model" in text
    assert "($3.00 per 1M tokens" in text
    assert "divided by 0.7 for regional Standard" in text and "FINETUNE_PRICES_JSON" in text


@pytest.mark.parametrize(("n", "epochs"), [(1, 25), (10, 10), (30, 3), (34, 3), (33, 3), (8000, 3),
                                           (8333, 3), (8334, 2), (10_000, 2), (30_000, 1), (0, 3)])
def test_default_epochs_follow_the_cookbook_rule(n: int, epochs: int) -> None:
    assert default_epochs(n) == epochs


def test_billing_uses_the_limit_epochs_and_price() -> None:
    examples = [chat(("user", "word " * 30), ("assistant", "ok")) for _ in range(20)]
    options = ValidationOptions(min_examples=1, n_epochs=4, price_overrides={"gpt-4o-mini-2024-07-18": 5.0})
    report = report_of(jsonl(*examples), options)
    total = report["tokens"]["total"]["sum"]
    billing = report["billing"]
    assert billing["billable_tokens"] == total
    assert billing["n_epochs"] == 4 and billing["epochs_source"] == "settings"
    assert billing["estimated_trained_tokens"] == 4 * total
    assert billing["estimated_cost_usd"] == pytest.approx(4 * total * 5.0 / 1e6)
    default = report_of(jsonl(*examples))["billing"]
    assert (default["n_epochs"], default["epochs_source"]) == (5, "default_rule")
    assert default["price_usd_per_million"] == 4.29  # the table's Standard estimate for gpt-4o-mini
    assert default["estimated_cost_usd"] == pytest.approx(5 * total * 4.29 / 1e6)


def test_billing_names_the_tier_and_where_the_price_comes_from() -> None:
    examples = [chat(("user", "word " * 30), ("assistant", "ok")) for _ in range(20)]
    prices = {"gpt-4o-mini": {"training": {"Standard": 4.0, "GlobalStandard": 3.0}}}
    options = ValidationOptions(min_examples=1, n_epochs=1, price_overrides=prices,
                                training_type="globalstandard")
    billing = report_of(jsonl(*examples), options)["billing"]
    assert (billing["training_tier"], billing["price_usd_per_million"]) == ("GlobalStandard", 3.0)
    assert billing["price_source"] == "FINETUNE_PRICES_JSON" and billing["price_note"] is None
    regional_options = ValidationOptions(min_examples=1, price_overrides=prices)
    regional = report_of(jsonl(*examples), regional_options)["billing"]
    assert (regional["training_tier"], regional["price_usd_per_million"]) == ("Standard", 4.0)
    assert billing["price_is_estimate"] is False
    developer = ValidationOptions(min_examples=1, training_type="Developer")
    table = report_of(jsonl(*examples), developer)["billing"]
    assert (table["price_usd_per_million"], table["price_is_estimate"]) == (1.5, True)
    assert table["price_source"] == "https://openai.com/api/pricing/"
    assert "halved for Developer" in table["price_note"] and "FINETUNE_PRICES_JSON" in table["price_note"]
    unpriced = report_of(jsonl(*examples), ValidationOptions(model="my-base-model", max_tokens=4096,
                                                             min_examples=1))["billing"]
    assert unpriced["price_usd_per_million"] is None and unpriced["estimated_cost_usd"] is None
    assert unpriced["price_source"] is None and unpriced["price_is_estimate"] is False
    assert "does not know this model" in unpriced["price_note"]
