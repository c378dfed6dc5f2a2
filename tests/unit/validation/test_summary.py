"""The text summary `python -m local validate` prints: exact lines for the cases a user meets."""

from __future__ import annotations

import pytest

from shared.validation import ValidationOptions, validate_chunks
from shared.validation.summary import summary_text
from tests.unit.validation.helpers import chat, jsonl, simple

pytestmark = pytest.mark.unit

JSON_ERROR = ("[invalid_json] The line is not valid JSON (Expecting property name enclosed in double quotes: "
              "line 1 column 2 (char 1)); put exactly one JSON object on each line.")
REPEATS = ("[duplicate_example] The example repeats line {} exactly; remove the copy unless the repetition "
           "is intended.")
# 39 lines, every third broken, five distinct examples repeated; a blank line; one without a system message.
MESSY = jsonl(*["{oops" if i % 3 == 0 else simple(i % 5) for i in range(1, 40)], "",
              chat(("user", "hi"), ("assistant", "ok"), system=None))


def _report(data: bytes, **options):
    return validate_chunks([data], ValidationOptions(**options), total_bytes=len(data))


def test_an_invalid_file_lists_the_first_issues_of_each_kind_and_counts_the_rest() -> None:
    report = _report(MESSY, min_examples=50, price_overrides={"gpt-4o-mini": 2.5})
    assert report.summary_text(max_listed=3).splitlines() == [
        "INVALID: training file, format chat, model gpt-4o-mini-2024-07-18 (o200k_base)",
        "  27 valid example(s), 41 line(s), 4199 bytes, 13 invalid line(s), 1 blank line(s)",
        "Errors: too_few_examples x1, invalid_json x13",
        "  file: [too_few_examples] The training file has 27 valid example(s); at least 50 are needed. Fix "
        "the invalid lines or add examples.",
        f"  line 3: {JSON_ERROR}",
        f"  line 6: {JSON_ERROR}",
        "  ... and 11 more (the JSON report lists the first 20 of each code)",
        "Warnings: blank_line x1, duplicate_example x21, missing_system_message x1",
        f"  line 7: {REPEATS.format(2)}",
        f"  line 10: {REPEATS.format(5)}",
        f"  line 11: {REPEATS.format(1)}",
        "  ... and 20 more (the JSON report lists the first 20 of each code)",
        "Tokens per example (min / p5 / median / mean / p95 / max, sum):",
        "  total      13 / 27.0 / 27.0 / 26.48 / 27.0 / 27, sum 715",
        "  assistant  1 / 4.0 / 4.0 / 3.89 / 4.0 / 4, sum 105",
        "  messages   2 / 3.0 / 3.0 / 2.96 / 3.0 / 3, sum 80",
        "Billing: 715 billable tokens x 3 epoch(s) (default_rule) = 2,145 trained tokens; estimated "
        "$0.005363 at $2.5 per 1M tokens, Standard training (price from FINETUNE_PRICES_JSON)",
    ]


def test_ten_issues_of_each_kind_are_listed_by_default() -> None:
    report = _report(MESSY, min_examples=50)
    assert summary_text(report.to_dict()) == report.summary_text()
    lines = report.summary_text().splitlines()
    errors = lines[lines.index("Errors: too_few_examples x1, invalid_json x13") + 1:]
    listed = [line.split(":")[0] for line in errors[:10]]
    assert listed == ["  file"] + [f"  line {n}" for n in range(3, 28, 3)]
    assert errors[10] == "  ... and 4 more (the JSON report lists the first 20 of each code)"


def test_one_hidden_issue_is_still_counted() -> None:
    data = jsonl(simple(1), *["{oops"] * 11)
    lines = _report(data, min_examples=1).summary_text().splitlines()
    assert "  ... and 1 more (the JSON report lists the first 20 of each code)" in lines


def test_an_empty_file_has_no_format_no_token_figures_and_a_zero_estimate() -> None:
    lines = _report(b"\n\n").summary_text().splitlines()
    billing = lines.pop()
    assert billing.startswith("Billing: 0 billable tokens x 3 epoch(s) (default_rule) = 0 trained tokens; "
                              "estimated $0.00 at $4.29 per 1M tokens, Standard training (price from "
                              "https://openai.com/api/pricing/); the price is an ESTIMATE, not a quote: ")
    assert lines == [
        "INVALID: training file, format unknown, model gpt-4o-mini-2024-07-18 (o200k_base)",
        "  0 valid example(s), 2 line(s), 2 bytes, 0 invalid line(s), 2 blank line(s)",
        "Errors: empty_file x1",
        "  file: [empty_file] The file holds no examples; put one JSON example on each line.",
        "Warnings: blank_line x2",
        "  line 1: [blank_line] The line is blank and is skipped; remove it.",
        "  line 2: [blank_line] The line is blank and is skipped; remove it.",
    ]


@pytest.mark.parametrize(("price", "cost_text"), [
    (0.0, "estimated $0.00 at $0.0 per 1M tokens"),                      # free: cents
    (100.0, "estimated $0.002700 at $100.0 per 1M tokens"),              # under a cent: six decimals
    (10_000 / 27, "estimated $0.01 at $370.3703703703704 per 1M tokens"),  # exactly a cent
    (20_000.0, "estimated $0.54 at $20000.0 per 1M tokens"),
    (60_000_000.0, "estimated $1,620.00 at $60000000.0 per 1M tokens"),  # thousands separated
])
def test_the_cost_is_shown_in_cents_or_to_the_micro_dollar(price: float, cost_text: str) -> None:
    # One example of 27 tokens, one epoch.
    report = _report(jsonl(simple(1)), min_examples=1, n_epochs=1, price_overrides={"gpt-4o-mini": price})
    assert report.summary_text().splitlines() == [
        "VALID: training file, format chat, model gpt-4o-mini-2024-07-18 (o200k_base)",
        "  1 valid example(s), 1 line(s), 155 bytes, 0 invalid line(s), 0 blank line(s)",
        "Tokens per example (min / p5 / median / mean / p95 / max, sum):",
        "  total      27 / 27.0 / 27.0 / 27.0 / 27.0 / 27, sum 27",
        "  assistant  4 / 4.0 / 4.0 / 4.0 / 4.0 / 4, sum 4",
        "  messages   3 / 3.0 / 3.0 / 3.0 / 3.0 / 3, sum 3",
        f"Billing: 27 billable tokens x 1 epoch(s) (settings) = 27 trained tokens; {cost_text}, "
        "Standard training (price from FINETUNE_PRICES_JSON)",
    ]
