"""Which models take which training method, tier and continued fine-tuning: a data table with sources.

Each row says, for one fine-tunable base model, the methods Azure OpenAI documents for it
(supervised, dpo, reinforcement), the training tiers (Standard, GlobalStandard, Developer),
whether a model fine-tuned from it may be fine-tuned again (continuous fine-tuning), and the
public page (and its date) each fact comes from. ``method_problem`` checks a run's model,
method and tier against it before anything is uploaded; the pre-flight stage then asks the
service itself (``/models``), which has the last word for the resource's region.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPERVISED, DPO, REINFORCEMENT = "supervised", "dpo", "reinforcement"
METHODS = (SUPERVISED, DPO, REINFORCEMENT)
STANDARD, GLOBAL_STANDARD, DEVELOPER = "Standard", "GlobalStandard", "Developer"

# ---- Sources (read 2026-12-01) ----
DOCS = "https://learn.microsoft.com/azure/ai-foundry/openai"
MODELS_TABLE = (f"{DOCS}/includes/fine-tune-models (the 'Fine-tuning models' table of "
                "foundry-models/concepts/models-sold-directly-by-azure; ms.date 2025-02-06, Global training "
                "column as updated 2025-09-17)")
DPO_PAGE = f"{DOCS}/how-to/fine-tuning-direct-preference-optimization (ms.date 2026-02-11)"
RFT_PAGE = f"{DOCS}/how-to/reinforcement-fine-tuning (ms.date 2026-02-11)"
SDK_PAGE = (f"{DOCS}/how-to/fine-tuning (OpenAI SDK include, ms.date 2025-09-01): 'you can fine-tune a "
            "previously fine-tuned model, formatted as base-model.ft-{jobid}'")
COST_PAGE = (f"{DOCS}/how-to/fine-tuning-cost-management (ms.date 2026-02-11): 'For all training jobs, you "
             "have the option to use global standard ... or developer (50% discount from global)'")
READ_ON = "2026-12-01"


@dataclass(frozen=True)
class CatalogRow:
    """What the docs say one base model can be trained with, and where they say it."""

    model: str
    methods: tuple[str, ...]
    tiers: tuple[str, ...]
    continuous: bool                # a fine-tuned model of this base may be fine-tuned again
    sources: tuple[str, ...]
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"model": self.model, "methods": list(self.methods), "tiers": list(self.tiers),
                "continuous": self.continuous, "sources": list(self.sources), "read_on": READ_ON,
                "note": self.note}


ALL_TIERS = (STANDARD, GLOBAL_STANDARD, DEVELOPER)
_SFT_SOURCES = (MODELS_TABLE, SDK_PAGE, COST_PAGE)
_DEVELOPER_NOTE = ("Developer training is priced as a discount from Global training (cost article); the docs "
                   "name it for models with Global training, so it is listed only where Global training is.")

CATALOG: dict[str, CatalogRow] = {row.model: row for row in (
    CatalogRow("gpt-4o-mini-2024-07-18", (SUPERVISED,), ALL_TIERS, True, _SFT_SOURCES, _DEVELOPER_NOTE),
    CatalogRow("gpt-4o-2024-08-06", (SUPERVISED, DPO), ALL_TIERS, True, (*_SFT_SOURCES, DPO_PAGE),
               _DEVELOPER_NOTE),
    CatalogRow("gpt-4.1-2025-04-14", (SUPERVISED, DPO), ALL_TIERS, True, (*_SFT_SOURCES, DPO_PAGE),
               _DEVELOPER_NOTE),
    CatalogRow("gpt-4.1-mini-2025-04-14", (SUPERVISED, DPO), ALL_TIERS, True, (*_SFT_SOURCES, DPO_PAGE),
               _DEVELOPER_NOTE),
    CatalogRow("gpt-4.1-nano-2025-04-14", (SUPERVISED,), ALL_TIERS, True, _SFT_SOURCES, _DEVELOPER_NOTE),
    CatalogRow("o4-mini-2025-04-16", (REINFORCEMENT,), (STANDARD,), False, (MODELS_TABLE, RFT_PAGE),
               "Reinforcement fine-tuning only (GA); the models table shows no Global training. No source "
               "says a reinforcement-tuned model can be trained again. gpt-5 (2025-08-07) RFT is in private "
               "preview and not listed here."),
    CatalogRow("gpt-35-turbo-0125", (SUPERVISED,), (STANDARD,), True, (MODELS_TABLE, SDK_PAGE),
               "Legacy model; the models table shows no Global training."),
    CatalogRow("gpt-35-turbo-1106", (SUPERVISED,), (STANDARD,), True, (MODELS_TABLE, SDK_PAGE),
               "Legacy model; the models table shows no Global training."),
)}

METHOD_NAMES = {SUPERVISED: "supervised fine-tuning", DPO: "direct preference optimization (dpo)",
                REINFORCEMENT: "reinforcement fine-tuning (reinforcement)"}


def catalog_row(model: str) -> CatalogRow | None:
    """The row of the base model ``model`` names (alias, any case, or a fine-tuned model of it)."""
    # Imported here: shared.validation loads the whole engine, which settings parsing does not need.
    from shared.validation.models import canonical_model

    name = canonical_model(model)
    return CATALOG.get(name) if name else None


def is_fine_tuned(model: str) -> bool:
    """True for a fine-tuned model id (``<base>.ft-<id>``), the start of continuous fine-tuning."""
    return ".ft-" in model


def models_for(method: str, tier: str | None = None) -> list[str]:
    """The base models the table lists for ``method`` (and ``tier``, when given)."""
    return [row.model for row in CATALOG.values()
            if method in row.methods and (tier is None or tier in row.tiers)]


def method_problem(model: str, method: str, tier: str) -> tuple[str, str] | None:
    """(field, sentence) saying why ``model`` cannot train with ``method`` at ``tier``; None when it can.

    ``model`` may be a fine-tuned model (continuous fine-tuning): its base decides. A model the
    table does not know is left to the validation stage (``unknown_model``).
    """
    row = catalog_row(model)
    if row is None:
        return None
    if method not in row.methods:
        others = ", ".join(models_for(method)) or "none"
        return ("method.type", f"{row.model} does not accept {METHOD_NAMES[method]}: it takes "
                f"{' and '.join(row.methods)}. Models that accept {method}: {others}. Change method.type or "
                "model.")
    if is_fine_tuned(model) and not row.continuous:
        return ("model", f"{model} is a fine-tuned {row.model}, and no source documents training such a "
                f"model again ({row.note or 'continuous fine-tuning is not listed for it'}). Start from the "
                f"base model {row.model} instead.")
    if tier not in row.tiers:
        others = ", ".join(models_for(method, tier)) or "none"
        return ("training_type", f"{row.model} does not train at the {tier} tier (it trains at "
                f"{', '.join(row.tiers)}). Set training_type to one of those, or pick a model that trains at "
                f"{tier} with {method}: {others}.")
    return None
