"""Prices of fine-tuning on Azure OpenAI: a table with a public source per row, and its lookups.

What others call (every lookup takes the ``FINETUNE_PRICES_JSON`` overrides, which win):

- ``training_price(model, tier, overrides)``: the PriceRow for SFT/DPO training, USD per 1M
  trained tokens (training tokens x epochs), or None for a model this table does not know;
- ``rft_usd_per_hour(model, tier, overrides)``: reinforcement fine-tuning, USD per training hour;
- ``hosting_usd_per_hour(model, sku, overrides)``: a deployed fine-tuned model, USD per hour;
- ``inference_prices(model, overrides)``: USD per 1M input / output tokens, or None.

A row's price is None where Azure publishes no figure we could read: the per-model figures
live on the pricing page (azure.microsoft.com/pricing/details/cognitive-services/openai-service),
which fills its tables in the browser, so no stored copy holds them (read 2026-12-01); the
third-party copies we found contradict each other (gpt-4o-mini training at $0.30, $1 and $3 per
1M). A price is never guessed: without one, a run's cost cap cannot be checked (``cost_unknown``)
until the user sets the price in FINETUNE_PRICES_JSON. The one training figure Microsoft prints,
"GPT-4.1 global training $2 / 1M tokens", is kept out of the table on purpose: the article says
its numbers are examples, and $2 is GPT-4.1's input-token price, so a cap checked against it
could let a run cost many times the cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STANDARD, GLOBAL_STANDARD, DEVELOPER = "Standard", "GlobalStandard", "Developer"
TIERS = (STANDARD, GLOBAL_STANDARD, DEVELOPER)
ANY_TIER = "*"
OVERRIDE_SOURCE = "FINETUNE_PRICES_JSON"

COST_DOC = "https://learn.microsoft.com/azure/foundry/openai/how-to/fine-tuning-cost-management"
PRICING_PAGE = "https://azure.microsoft.com/pricing/details/cognitive-services/openai-service"
READ_ON = "2026-12-01"
COST_DOC_DATED = "fine-tuning-cost-management (ms.date 2026-02-11; Foundry include 2026-03-19)"
NOT_PUBLISHED = ("Azure publishes this figure only on its pricing page, whose tables are filled in the "
                 "browser; no copy could be read, so no price is assumed")
RFT_ONLY = ("o4-mini is trained by reinforcement fine-tuning, billed per training hour, not per token; "
            "see rft_usd_per_hour.")


@dataclass(frozen=True)
class PriceRow:
    """One price and where it comes from: ``usd`` is None when no public figure could be read."""

    model: str
    tier: str                   # a training tier, or a deployment SKU for hosting rows
    usd: float | None           # per 1M tokens (training, inference) or per hour (RFT, hosting)
    unit: str                   # "1M training tokens" | "training hour" | "deployment hour"
    source: str                 # a URL, or FINETUNE_PRICES_JSON
    read_on: str | None         # when the source was read (None for an override)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "tier": self.tier, "usd": self.usd, "unit": self.unit,
                "source": self.source, "read_on": self.read_on, "note": self.note}


# ---- The table (model x tier), every row with its source ----
SFT_MODELS = ("gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", "gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14",
              "gpt-4.1-nano-2025-04-14", "gpt-35-turbo-0125", "gpt-35-turbo-1106")
RFT_MODELS = ("o4-mini-2025-04-16",)
TRAINING_TABLE: dict[tuple[str, str], PriceRow] = {
    **{(model, tier): PriceRow(model, tier, None, "1M training tokens", PRICING_PAGE, READ_ON, NOT_PUBLISHED)
       for model in SFT_MODELS for tier in TIERS},
    **{(model, tier): PriceRow(model, tier, None, "1M training tokens", COST_DOC, READ_ON, RFT_ONLY)
       for model in RFT_MODELS for tier in TIERS},
}
RFT_TABLE: dict[tuple[str, str], PriceRow] = {
    ("o4-mini-2025-04-16", tier): PriceRow(
        "o4-mini-2025-04-16", tier, 100.0, "training hour", COST_DOC, READ_ON,
        f"{COST_DOC_DATED}: $100 per hour of core training time, per-job billing capped at $5,000; "
        "the article gives no separate figure per tier.")
    for tier in (STANDARD, GLOBAL_STANDARD)
}
# Hosting does not depend on the model in the docs: Standard and Global Standard $1.70/hour,
# Developer tier no hourly fee (deleted after 24 h). Provisioned SKUs bill PTU-hours instead.
HOSTING_TABLE: dict[str, PriceRow] = {
    STANDARD: PriceRow("*", STANDARD, 1.70, "deployment hour", COST_DOC, READ_ON,
                       f"{COST_DOC_DATED}: $1.70/hour while the deployment exists, even idle."),
    GLOBAL_STANDARD: PriceRow("*", GLOBAL_STANDARD, 1.70, "deployment hour", COST_DOC, READ_ON,
                              f"{COST_DOC_DATED}: $1.70/hour while the deployment exists, even idle."),
    DEVELOPER: PriceRow("*", DEVELOPER, 0.0, "deployment hour", COST_DOC, READ_ON,
                        f"{COST_DOC_DATED}: no hourly fee; the deployment is deleted after 24 hours."),
}
# Inference of a fine-tuned model is billed "at the same rate as the base model"; the article's
# only figures are o4-mini's.
INFERENCE_TABLE: dict[str, tuple[float, float, str]] = {
    "o4-mini-2025-04-16": (1.10, 4.40,
                           f"{COST_DOC_DATED}: o4-mini example, $1.10 input and $4.40 output per 1M."),
}


# ---- Names ----
def canonical_tier(value: str | None) -> str:
    """A training tier from a run's training_type (None: the service's default, Standard)."""
    lowered = (value or STANDARD).strip().lower()
    if lowered in ("globalstandard", "global"):
        return GLOBAL_STANDARD
    if lowered in ("developer", "developertier"):
        return DEVELOPER
    return STANDARD if lowered == "standard" else value or STANDARD


def canonical_sku(value: str) -> str:
    """A deployment SKU in the table's spelling (Developer for developertier); others unchanged."""
    tier = canonical_tier(value)
    return tier if tier in TIERS else value


def _model_key(model: str) -> str:
    # Imported here: shared.validation's billing imports this module (no import cycle at load).
    from shared.validation.models import canonical_model

    return canonical_model(model) or model.strip().lower()


# ---- FINETUNE_PRICES_JSON ----
OVERRIDE_KEYS = {"training", "training_per_hour", "hosting_per_hour", "input", "output"}
EXAMPLE = ('{"gpt-4o-mini-2024-07-18": 3.3} or {"gpt-4o-mini-2024-07-18": {"training": {"Standard": 3.3, '
           '"GlobalStandard": 3.0}, "hosting_per_hour": {"Standard": 1.7}, "input": 0.165, "output": 0.66}}')


def _usd(value: Any, where: str) -> float:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not value >= 0 or value == float("inf"):  # "not >=" also refuses NaN
        raise ValueError(f"{where} must be a number of US dollars (0 or more); got {value!r}.")
    return float(value)


def _per_tier(value: Any, where: str) -> dict[str, float]:
    if not isinstance(value, dict):
        return {ANY_TIER: _usd(value, where)}
    result = {}
    for tier, price in value.items():
        known = tier if tier == ANY_TIER else canonical_tier(tier) if isinstance(tier, str) else None
        if known not in (*TIERS, ANY_TIER):
            raise ValueError(f"{where} has an unknown tier {tier!r}; use Standard, GlobalStandard or "
                             "Developer.")
        result[known] = _usd(price, f"{where}.{tier}")
    return result


def parse_price_overrides(raw: Any) -> dict[str, dict[str, Any]]:
    """Check FINETUNE_PRICES_JSON (already parsed) and normalize it; ValueError says what to fix.

    ``{"model": 3.3}`` (USD per 1M training tokens, every tier) or ``{"model": {"training":
    number | {tier: number}, "training_per_hour": ..., "hosting_per_hour": number | {sku: number},
    "input": number, "output": number}}`` (input/output: USD per 1M inference tokens).
    """
    if not isinstance(raw, dict):
        raise ValueError("FINETUNE_PRICES_JSON must be a JSON object of model names, for example (with your "
                         f"prices) {EXAMPLE}.")
    result: dict[str, dict[str, Any]] = {}
    for model, entry in raw.items():
        where = f"FINETUNE_PRICES_JSON[{model!r}]"
        if not isinstance(entry, dict):
            result[_model_key(model)] = {"training": {ANY_TIER: _usd(entry, where)}}
            continue
        unknown = sorted(set(entry) - OVERRIDE_KEYS)
        if unknown:
            allowed = ", ".join(sorted(OVERRIDE_KEYS))
            raise ValueError(f"{where} has an unknown key {unknown[0]!r}; use {allowed}.")
        if not entry:
            raise ValueError(f"{where} is empty; give at least one price, for example (with your prices) "
                             f"{EXAMPLE}.")
        normal: dict[str, Any] = {}
        for key in ("training", "training_per_hour", "hosting_per_hour"):
            if key in entry:
                normal[key] = _per_tier(entry[key], f"{where}.{key}")
        for key in ("input", "output"):
            if key in entry:
                normal[key] = _usd(entry[key], f"{where}.{key}")
        result[_model_key(model)] = normal
    return result


def _override(overrides: Mapping[str, Any] | None, model: str, key: str, tier: str) -> float | None:
    if not overrides:
        return None
    wanted = _model_key(model)
    for name, entry in overrides.items():
        if _model_key(name) != wanted:
            continue
        normal = parse_price_overrides({name: entry})[wanted]  # also accepts the raw forms
        prices = normal.get(key)
        if isinstance(prices, dict):
            value = prices.get(tier, prices.get(ANY_TIER))
            if value is not None:
                return value
    return None


# ---- Lookups ----
def training_price(model: str, tier: str | None = None,
                   overrides: Mapping[str, Any] | None = None) -> PriceRow | None:
    """USD per 1M trained tokens for SFT/DPO at this tier: an override, else the table's row."""
    key, tier_name = _model_key(model), canonical_tier(tier)
    value = _override(overrides, model, "training", tier_name)
    if value is not None:
        return PriceRow(key, tier_name, value, "1M training tokens", OVERRIDE_SOURCE, None)
    return TRAINING_TABLE.get((key, tier_name))


def rft_usd_per_hour(model: str, tier: str | None = None,
                     overrides: Mapping[str, Any] | None = None) -> PriceRow | None:
    """USD per hour of reinforcement fine-tuning (o4-mini), or None."""
    key, tier_name = _model_key(model), canonical_tier(tier)
    value = _override(overrides, model, "training_per_hour", tier_name)
    if value is not None:
        return PriceRow(key, tier_name, value, "training hour", OVERRIDE_SOURCE, None)
    return RFT_TABLE.get((key, tier_name))


def hosting_usd_per_hour(model: str, sku: str, overrides: Mapping[str, Any] | None = None) -> float | None:
    """USD per hour a deployment of a fine-tuned ``model`` bills while it exists, or None (e.g. PTU)."""
    row = hosting_row(model, sku, overrides)
    return row.usd if row else None


def hosting_row(model: str, sku: str, overrides: Mapping[str, Any] | None = None) -> PriceRow | None:
    """The hosting price with its source (see hosting_usd_per_hour)."""
    sku_name = canonical_sku(sku)
    value = _override(overrides, model, "hosting_per_hour", sku_name)
    if value is not None:
        return PriceRow(_model_key(model), sku_name, value, "deployment hour", OVERRIDE_SOURCE, None)
    return HOSTING_TABLE.get(sku_name)


def inference_prices(model: str, overrides: Mapping[str, Any] | None = None) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens of a fine-tuned ``model``, or None when unknown."""
    if overrides:
        wanted = _model_key(model)
        for name, entry in overrides.items():
            if _model_key(name) == wanted and isinstance(entry, dict) and {"input", "output"} <= set(entry):
                return _usd(entry["input"], "input"), _usd(entry["output"], "output")
    known = INFERENCE_TABLE.get(_model_key(model))
    return (known[0], known[1]) if known else None
