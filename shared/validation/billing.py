"""Training-cost estimate: billable tokens, epochs (the service's default rule) and price.

Prices are USD per 1M training tokens. Official per-model prices were not found
in any source available to the team; the one figure below is the worked example
of Azure's docs (MicrosoftDocs/azure-ai-docs, articles/ai-foundry/openai/how-to/
fine-tuning-cost-management.md, ms.date 02/11/2026: "GPT-4.1 global training ...
$2 / 1M tokens", labelled "for example purposes only"). Every other model gives
a null price and cost, never an invented figure; users set real prices with the
FINETUNE_PRICES_JSON setting (``ValidationOptions.price_overrides``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from shared.validation.models import canonical_model

DEFAULT_PRICES_USD_PER_MILLION: dict[str, float] = {
    "gpt-4.1-2025-04-14": 2.0,  # illustrative: the docs' worked example (global training)
}

# The default-epochs rule of the OpenAI cookbook's data-preparation notebook.
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def default_epochs(n_examples: int) -> int:
    """Epochs the service picks when the run does not say: 3, adjusted for tiny or huge files."""
    if n_examples <= 0:
        return TARGET_EPOCHS
    if n_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    if n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return TARGET_EPOCHS


def price_for(model: str, overrides: Mapping[str, float] | None) -> float | None:
    """USD per 1M training tokens: an override, else the table; names match by their canonical form."""
    wanted = canonical_model(model) or model
    for table in (overrides or {}, DEFAULT_PRICES_USD_PER_MILLION):
        for name, price in table.items():
            if name == model or (canonical_model(name) or name) == wanted:
                return float(price)
    return None


def billing_section(
    total_tokens: np.ndarray,
    n_examples: int,
    *,
    model: str,
    token_limit: int,
    n_epochs: int | None,
    price_overrides: Mapping[str, float] | None,
) -> dict[str, Any]:
    """The report's ``billing`` object for examples of ``total_tokens`` tokens each."""
    billable = int(np.minimum(total_tokens, token_limit).sum(dtype=np.int64)) if total_tokens.size else 0
    epochs = n_epochs if n_epochs is not None else default_epochs(n_examples)
    trained = billable * epochs
    price = price_for(model, price_overrides)
    return {
        "billable_tokens": billable,
        "n_epochs": epochs,
        "epochs_source": "settings" if n_epochs is not None else "default_rule",
        "estimated_trained_tokens": trained,
        "price_usd_per_million": price,
        "estimated_cost_usd": None if price is None else round(trained * price / 1_000_000, 6),
        "token_limit": token_limit,
    }
