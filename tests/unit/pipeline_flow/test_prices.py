"""The price table (every row sourced, training figures are estimates), FINETUNE_PRICES_JSON, the budget."""

from __future__ import annotations

import json
import re

import pytest

from shared import errors, prices
from shared.budget import budget_problem
from shared.payloads import ValidationSummary
from shared.settings import SettingsError, load_settings
from shared.validation import ValidationOptions, validate_chunks
from shared.validation.models import KNOWN_MODELS
from shared.validation_digest import summarize
from tests.unit.validation.helpers import jsonl, simple

pytestmark = pytest.mark.unit
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_every_row_names_a_public_source_and_the_date_it_was_read() -> None:
    rows = [*prices.TRAINING_TABLE.values(), *prices.RFT_TABLE.values(), *prices.HOSTING_TABLE.values()]
    for row in rows:
        assert row.source.startswith("https://") and DATE.match(row.read_on or ""), row
        assert row.usd is not None or row.note, f"{row}: a missing figure must say why"
        if row.estimate:  # how it was derived, and what to do about it
            assert "FINETUNE_PRICES_JSON" in row.note and "may differ" in row.note, row


# OpenAI's published fine-tuning training prices (USD per 1M training tokens, 2025), the Global
# Standard estimates; written out here so that a changed figure in the table fails this test.
OPENAI_LIST = {"gpt-4o-mini-2024-07-18": 3.00, "gpt-4o-2024-08-06": 25.00, "gpt-4.1-2025-04-14": 25.00,
               "gpt-4.1-mini-2025-04-14": 5.00, "gpt-4.1-nano-2025-04-14": 1.50, "gpt-35-turbo-0125": 8.00,
               "gpt-35-turbo-1106": 8.00}


def test_every_supervised_model_has_an_estimate_at_every_tier_with_its_derivation() -> None:
    assert set(OPENAI_LIST) == set(KNOWN_MODELS) - {"o4-mini-2025-04-16"}
    for model, listed in OPENAI_LIST.items():
        rows = {tier: prices.training_price(model, tier) for tier in prices.TIERS}
        assert all(r.model == model and r.tier == t and r.estimate for t, r in rows.items())
        assert {(r.source, r.published_on) for r in rows.values()} == {(prices.OPENAI_PRICING, "2025")}
        assert rows["GlobalStandard"].usd == listed and rows["GlobalStandard"].derived_with is None
        assert rows["Developer"].usd == listed * 0.5                 # "50% discount from global"
        # Global is "10-30% discount from regional": regional at most Global / 0.7, rounded up to the cent
        assert listed / 0.7 <= rows["Standard"].usd < listed / 0.7 + 0.01
        assert rows["Standard"].derived_with == rows["Developer"].derived_with == prices.COST_DOC
        assert f"${listed:.2f} per 1M" in rows["Standard"].note and "divided by 0.7" in rows["Standard"].note
        assert "halved for Developer" in rows["Developer"].note
    default = {t: prices.training_price("gpt-4o-mini", t).usd for t in prices.TIERS}
    assert default == {"Standard": 4.29, "GlobalStandard": 3.0, "Developer": 1.5}
    assert prices.training_price("gpt-4.1", "GlobalStandard").usd == 25.0  # not the docs' "$2" example


def test_o4_mini_has_no_per_token_price_and_an_unknown_model_has_no_row() -> None:
    for tier in prices.TIERS:
        row = prices.training_price("o4-mini", tier)
        assert row.usd is None and not row.estimate and "per training hour" in row.note
    assert prices.training_price("my-base-model", "Standard") is None


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
        assert (row.usd, row.source, row.tier, row.estimate) == (3.3, "FINETUNE_PRICES_JSON", tier, False)
    other = prices.training_price("gpt-4.1", None, overrides)   # other models keep the table's estimate
    assert (other.usd, other.estimate) == (35.72, True)


def test_the_rich_override_form_prices_tiers_hours_hosting_and_tokens() -> None:
    overrides = _settings({"gpt-4.1": {"training": {"Standard": 27.5, "GlobalStandard": 25},
                                       "training_per_hour": 90, "hosting_per_hour": {"Standard": 2.0},
                                       "input": 2.2, "output": 8.8},
                           "my-base-model": {"training": 1}})
    assert prices.training_price("gpt-4.1-2025-04-14", "globalstandard", overrides).usd == 25.0
    assert prices.training_price("gpt-4.1-2025-04-14", "Standard", overrides).usd == 27.5
    assert prices.training_price("gpt-4.1-2025-04-14", "Developer", overrides).usd == 12.5  # the table's
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


def _training(cost: float | None, price: float | None = 2.0, estimate: bool = False,
              note: str | None = None) -> ValidationSummary:
    return ValidationSummary(ok=True, estimated_trained_tokens=5_000_000, estimated_cost_usd=cost,
                             training_tier="GlobalStandard", price_usd_per_million=price,
                             price_is_estimate=estimate, price_note=note or (None if price else "no figure"))


def test_the_budget_lets_a_run_cost_exactly_its_cap_and_refuses_a_cent_more() -> None:
    assert budget_problem(None, _training(None, None), "gpt-4o-mini") is None  # no cap: nothing to check
    assert budget_problem(10.0, _training(10.0), "gpt-4o-mini") is None
    code, message = budget_problem(10.0, _training(10.01), "gpt-4o-mini")
    assert code == errors.BUDGET_EXCEEDED
    assert "$10.01" in message and "$10.00" in message and "GlobalStandard" in message
    assert "ESTIMATE" not in message  # the user's own price (FINETUNE_PRICES_JSON) is not an estimate


def test_a_refusal_on_the_table_s_price_says_it_is_an_estimate_and_how_it_was_derived() -> None:
    row = prices.training_price("gpt-4o-mini", "GlobalStandard")
    training = _training(15.0, row.usd, estimate=True, note=row.note)
    code, message = budget_problem(10.0, training, "gpt-4o-mini")
    assert code == errors.BUDGET_EXCEEDED
    assert "The price is an ESTIMATE, not a quote: OpenAI's published training price" in message
    assert "set FINETUNE_PRICES_JSON from your price sheet" in message


def test_a_sub_cent_cost_and_cap_are_shown_as_figures_not_as_zero() -> None:
    code, message = budget_problem(0.001, _training(0.0063), "gpt-4o-mini")
    assert code == errors.BUDGET_EXCEEDED and "$0.0063" in message and "$0.0010" in message


def test_a_cap_on_a_model_the_table_does_not_know_says_how_to_give_its_price() -> None:
    data = jsonl(*(simple(i) for i in range(10)))
    options = ValidationOptions(model="my-base-model", max_tokens=4096, training_type="GlobalStandard")
    report = validate_chunks([data], options, total_bytes=len(data))
    training = ValidationSummary.from_dict(summarize(report, "training", None))
    assert training.estimated_cost_usd is None and not training.price_is_estimate
    code, message = budget_problem(5.0, training, "my-base-model")
    assert code == errors.COST_UNKNOWN
    assert "my-base-model at GlobalStandard training (The price table does not know this model" in message
    assert '{"my-base-model": {"training": {"GlobalStandard":' in message
    assert "max_cost_usd to null" in message
    priced = load_settings({"FINETUNE_PRICES_JSON": '{"my-base-model": 2}'}).price_overrides
    report = validate_chunks([data], ValidationOptions(model="my-base-model", max_tokens=4096,
                                                       price_overrides=priced), total_bytes=len(data))
    training = ValidationSummary.from_dict(summarize(report, "training", None))
    assert training.price_usd_per_million == 2.0 and budget_problem(5.0, training, "my-base-model") is None
