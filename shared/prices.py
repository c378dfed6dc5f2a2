"""Prices of fine-tuning on Azure OpenAI: a table with a public source per row, and its lookups.

What others call (every lookup takes the ``FINETUNE_PRICES_JSON`` overrides, which win):

- ``training_price(model, tier, overrides)``: the PriceRow for SFT/DPO training, USD per 1M
  trained tokens (training tokens x epochs), or None for a model this table does not know;
- ``rft_usd_per_hour(model, tier, overrides)``: reinforcement fine-tuning, USD per training hour;
- ``hosting_usd_per_hour(model, sku, overrides)``: a deployed fine-tuned model, USD per hour;
- ``inference_prices(model, overrides)``: USD per 1M input / output tokens, or None.

Training prices per 1M tokens are ESTIMATES (``PriceRow.estimate``), not Azure quotes. Azure
prints its per-model figures only on its pricing page, whose tables are filled in the browser, so
no copy of them could be read. The Global Standard figure of each model is OpenAI's published
fine-tuning training price for the same model version (openai.com/api/pricing, fine-tuning
section, as published in 2025); the other tiers follow from the relations Microsoft's
fine-tuning cost article documents: "global standard (10-30% discount from regional standard
training)" and "developer (50% discount from global)". So Developer = Global x 0.5, and
Standard = Global / 0.7, the upper end of the documented discount, rounded up to the cent: a cost
cap is checked against the highest regional price the docs allow. Users with their own price
sheet set FINETUNE_PRICES_JSON, which wins and is not an estimate. The article's worked example
("GPT-4.1 global training $2 / 1M tokens") is not used: the article says its numbers are
examples, and $2 is GPT-4.1's input-token price, far below any published training price.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

STANDARD, GLOBAL_STANDARD, DEVELOPER = "Standard", "GlobalStandard", "Developer"
TIERS = (STANDARD, GLOBAL_STANDARD, DEVELOPER)
ANY_TIER = "*"
OVERRIDE_SOURCE = "FINETUNE_PRICES_JSON"

COST_DOC = "https://learn.microsoft.com/azure/foundry/openai/how-to/fine-tuning-cost-management"
OPENAI_PRICING = "https://openai.com/api/pricing/"
OPENAI_RFT_BILLING = ("https://help.openai.com/en/articles/11323177-billing-guide-for-the-reinforcement-"
                      "fine-tuning-api")
READ_ON = "2026-12-01"
# openai.com itself could not be fetched here: its fine-tuning figures were read in copies of the
# page quoted in public repositories (one printed 2025-08-21, one of platform.openai.com/docs/pricing
# from the GPT-5 months), which agree row for row.
OPENAI_PUBLISHED = "2025"
COST_DOC_DATED = "fine-tuning-cost-management (ms.date 2026-02-11; Foundry include 2026-03-19)"
RFT_ONLY = ("o4-mini is trained by reinforcement fine-tuning, billed per training hour, not per token; "
            "see rft_usd_per_hour.")
YOUR_PRICE = ("Azure's own figure (its pricing page) may differ: set FINETUNE_PRICES_JSON from your "
              "price sheet.")
# "global standard (10-30% discount from regional standard training) or developer (50% discount
# from global)" (COST_DOC). Standard is derived with the 30% end: the highest regional price.
GLOBAL_DISCOUNT_MAX = Decimal("0.30")
DEVELOPER_DISCOUNT = Decimal("0.50")


@dataclass(frozen=True)
class PriceRow:
    """One price and where it comes from: ``usd`` is None when no public figure could be read."""

    model: str
    tier: str                   # a training tier, or a deployment SKU for hosting rows
    usd: float | None           # per 1M tokens (training, inference) or per hour (RFT, hosting)
    unit: str                   # "1M training tokens" | "training hour" | "deployment hour"
    source: str                 # a URL, or FINETUNE_PRICES_JSON
    read_on: str | None         # when the source was read (None for an override)
    note: str = ""              # how the figure was derived, or why there is none
    estimate: bool = False      # not Azure's own quote for this row (derived from a public figure)
    published_on: str | None = None   # when the source published the figure, as far as known
    derived_with: str | None = None   # the documented relation the tier's figure was derived with

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "tier": self.tier, "usd": self.usd, "unit": self.unit,
                "source": self.source, "read_on": self.read_on, "note": self.note,
                "estimate": self.estimate, "published_on": self.published_on,
                "derived_with": self.derived_with}


# ---- The table (model x tier), every row with its source ----
# OpenAI's published fine-tuning training price, USD per 1M training tokens, per model version
# (gpt-35-turbo is OpenAI's gpt-3.5-turbo); the Global Standard estimate of each model.
OPENAI_TRAINING_USD: dict[str, Decimal] = {
    "gpt-4o-mini-2024-07-18": Decimal("3.00"),
    "gpt-4o-2024-08-06": Decimal("25.00"),
    "gpt-4.1-2025-04-14": Decimal("25.00"),
    "gpt-4.1-mini-2025-04-14": Decimal("5.00"),
    "gpt-4.1-nano-2025-04-14": Decimal("1.50"),
    "gpt-35-turbo-0125": Decimal("8.00"),
    "gpt-35-turbo-1106": Decimal("8.00"),
}
SFT_MODELS = tuple(OPENAI_TRAINING_USD)
RFT_MODELS = ("o4-mini-2025-04-16",)


def _tier_usd(global_usd: Decimal, tier: str) -> float:
    """The tier's estimate from the Global Standard one (Standard rounded up to the cent)."""
    if tier == DEVELOPER:
        return float(global_usd * (1 - DEVELOPER_DISCOUNT))
    if tier == STANDARD:
        regional = global_usd / (1 - GLOBAL_DISCOUNT_MAX)
        return float(regional.quantize(Decimal("0.01"), rounding=ROUND_CEILING))
    return float(global_usd)


def _derivation(global_usd: Decimal, tier: str) -> str:
    listed = (f"OpenAI's published training price for this model (${global_usd} per 1M tokens, "
              "openai.com/api/pricing)")
    if tier == GLOBAL_STANDARD:
        how = f"{listed} used as Azure's Global Standard price"
    elif tier == STANDARD:
        how = (f"{listed} used as Azure's Global Standard price, divided by 0.7 for regional Standard "
               "(Microsoft: Global is 10-30% cheaper than regional; 30% gives the highest regional price) "
               "and rounded up to the cent")
    else:
        how = (f"{listed} used as Azure's Global Standard price, halved for Developer (Microsoft: "
               "Developer training is 50% cheaper than Global)")
    return f"{how}. {YOUR_PRICE}"


def _training_row(model: str, tier: str) -> PriceRow:
    global_usd = OPENAI_TRAINING_USD[model]
    return PriceRow(model, tier, _tier_usd(global_usd, tier), "1M training tokens", OPENAI_PRICING, READ_ON,
                    _derivation(global_usd, tier), estimate=True, published_on=OPENAI_PUBLISHED,
                    derived_with=None if tier == GLOBAL_STANDARD else COST_DOC)


TRAINING_TABLE: dict[tuple[str, str], PriceRow] = {
    **{(model, tier): _training_row(model, tier) for model in SFT_MODELS for tier in TIERS},
    **{(model, tier): PriceRow(model, tier, None, "1M training tokens", COST_DOC, READ_ON, RFT_ONLY)
       for model in RFT_MODELS for tier in TIERS},
}
RFT_TABLE: dict[tuple[str, str], PriceRow] = {
    ("o4-mini-2025-04-16", tier): PriceRow(
        "o4-mini-2025-04-16", tier, 100.0, "training hour", COST_DOC, READ_ON,
        f"{COST_DOC_DATED}: $100 per hour of core training time, per-job billing capped at $5,000 "
        f"(OpenAI bills the same $100 per hour, {OPENAI_RFT_BILLING}); the article gives no separate "
        f"figure per tier and calls its numbers examples. {YOUR_PRICE}", estimate=True)
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
