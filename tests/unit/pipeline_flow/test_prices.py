"""The price table (every row sourced, unknown figures None), FINETUNE_PRICES_JSON, and the budget check."""

from __future__ import annotations

import json
import re

import pytest

from shared import errors, prices
from shared.budget import budget_problem
from shared.payloads import ValidationSummary
from shared.settings import SettingsError, load_settings
from shared.validation.models import KNOWN_MODELS

pytestmark = pytest.mark.unit
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_every_row_names_a_public_source_and_the_date_it_was_read() -> None:
    rows = [*prices.TRAINING_TABLE.values(), *prices.RFT_TABLE.values(), *prices.HOSTING_TABLE.values()]
    for row in rows:
        assert row.source.startswith("https://") and DATE.match(row.read_on or ""), row
        assert row.usd is not None or row.note, f"{row}: a missing figure must say why"


def test_the_table_covers_every_supported_model_and_tier_without_inventing_figures() -> None:
    for model in KNOWN_MODELS:
        for tier in prices.TIERS:
            row = prices.training_price(model, tier)
            assert row is not None and row.model == model and row.tier == tier
            assert row.usd is None  # Azure's per-model figures could not be read: none is assumed
    assert prices.training_price("gpt-4.1", "GlobalStandard").usd is None  # not the docs' "$2" example


def test_published_figures_rft_per_hour_and_hosting_per_sku() -> None:
    assert prices.rft_usd_per_hour("o4-mini", "GlobalStandard").usd == 100.0
    assert prices.rft_usd_per_hour("gpt-4o-mini", "Standard") is None
    assert prices.hosting_usd_per_hour("gpt-4o-mini", "Standard") == 1.70
    assert prices.hosting_usd_per_hour("gpt-4.1-nano", "globalstandard") == 1.70
    assert prices.hosting_usd_per_hour("gpt-4.1-nano", "developertier") == 0.0
    assert prices.hosting_usd_per_hour("gpt-4.1", "ProvisionedManaged") is None  # PTU-hours, not a fee
    assert prices.inference_prices("o4-mini-2025-04-16") == (1.10, 4.40)
    assert prices.inference_prices("gpt-4o-mini") is None


def test_the_training_tier_comes_from_the_run_s_training_type() -> None:
    given = (None, "standard", "GLOBALSTANDARD", "developerTier", "Developer")
    assert [prices.canonical_tier(v) for v in given] == \
        ["Standard", "Standard", "GlobalStandard", "Developer", "Developer"]


def _settings(raw: object) -> dict:
    return load_settings({"FINETUNE_PRICES_JSON": json.dumps(raw)}).price_overrides


def test_the_old_override_form_prices_every_tier_of_the_model_by_any_spelling() -> None:
    overrides = _settings({"GPT-4o-mini": 3.3})
    for tier in prices.TIERS:
        row = prices.training_price("gpt-4o-mini-2024-07-18", tier, overrides)
        assert (row.usd, row.source, row.tier) == (3.3, "FINETUNE_PRICES_JSON", tier)
    assert prices.training_price("gpt-4.1", None, overrides).usd is None  # other models keep the table


def test_the_rich_override_form_prices_tiers_hours_hosting_and_tokens() -> None:
    overrides = _settings({"gpt-4.1": {"training": {"Standard": 27.5, "GlobalStandard": 25},
                                       "training_per_hour": 90, "hosting_per_hour": {"Standard": 2.0},
                                       "input": 2.2, "output": 8.8},
                           "my-base-model": {"training": 1}})
    assert prices.training_price("gpt-4.1-2025-04-14", "globalstandard", overrides).usd == 25.0
    assert prices.training_price("gpt-4.1-2025-04-14", "Standard", overrides).usd == 27.5
    assert prices.training_price("gpt-4.1-2025-04-14", "Developer", overrides).usd is None
    assert prices.rft_usd_per_hour("gpt-4.1", "Developer", overrides).usd == 90.0
    assert prices.hosting_usd_per_hour("gpt-4.1", "Standard", overrides) == 2.0
    assert prices.hosting_usd_per_hour("gpt-4.1", "GlobalStandard", overrides) == 1.70  # the table's
    assert prices.inference_prices("gpt-4.1", overrides) == (2.2, 8.8)
    assert prices.training_price("my-base-model", None, overrides).usd == 1.0


@pytest.mark.parametrize(("raw", "words"), [
    ('["gpt-4o-mini", 3]', "must be a JSON object of model names"),
    ('{"gpt-4o-mini": -1}', "must be a number of US dollars"),
    ('{"gpt-4o-mini": "3"}', "must be a number of US dollars"),
    ('{"gpt-4o-mini": true}', "must be a number of US dollars"),
    ('{"gpt-4o-mini": {"trainig": 3}}', "unknown key 'trainig'"),
    ('{"gpt-4o-mini": {"training": {"Regional": 3}}}', "unknown tier 'Regional'"),
    ('{"gpt-4o-mini": {}}', "is empty"),
    ('{"gpt-4o-mini": 3', "is not valid JSON"),
])
def test_a_bad_override_is_refused_with_what_to_fix(raw: str, words: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(words)) as caught:
        load_settings({"FINETUNE_PRICES_JSON": raw})
    assert "FINETUNE_PRICES_JSON" in str(caught.value)


def _training(cost: float | None, price: float | None = 2.0) -> ValidationSummary:
    return ValidationSummary(ok=True, estimated_trained_tokens=5_000_000, estimated_cost_usd=cost,
                             training_tier="GlobalStandard", price_usd_per_million=price,
                             price_note=None if price else "no figure")


def test_the_budget_lets_a_run_cost_exactly_its_cap_and_refuses_a_cent_more() -> None:
    assert budget_problem(None, _training(None, None), "gpt-4o-mini") is None  # no cap: nothing to check
    assert budget_problem(10.0, _training(10.0), "gpt-4o-mini") is None
    code, message = budget_problem(10.0, _training(10.01), "gpt-4o-mini")
    assert code == errors.BUDGET_EXCEEDED
    assert "$10.01" in message and "$10.00" in message and "GlobalStandard" in message


def test_a_cap_without_a_price_says_how_to_give_one() -> None:
    code, message = budget_problem(5.0, _training(None, None), "gpt-4o-mini-2024-07-18")
    assert code == errors.COST_UNKNOWN
    assert "gpt-4o-mini-2024-07-18 at GlobalStandard training (no figure)" in message
    assert '{"gpt-4o-mini-2024-07-18": {"training": {"GlobalStandard":' in message
    assert "max_cost_usd to null" in message
