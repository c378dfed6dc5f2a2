"""Training-cost estimate: billable tokens, epochs (the service's default rule) and price.

Prices are USD per 1M trained tokens at the run's training tier, from ``shared/prices.py``
(a table whose rows name their public source and how they were derived: ESTIMATES, not Azure
quotes) or from the FINETUNE_PRICES_JSON setting (``ValidationOptions.price_overrides``), which
wins. The billing block names the price's source, says whether it is an estimate
(``price_is_estimate``) and why (``price_note``), so nobody mistakes it for a quote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from shared.prices import canonical_tier, training_price

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


def billing_section(
    total_tokens: np.ndarray,
    n_examples: int,
    *,
    model: str,
    token_limit: int,
    n_epochs: int | None,
    price_overrides: Mapping[str, Any] | None,
    training_type: str | None = None,
    method: str | None = None,
    method_hyperparameters: Mapping[str, Any] | None = None,
    rft_example_epochs_per_hour: float = 100.0,
) -> dict[str, Any]:
    """The report's ``billing`` object for examples of ``total_tokens`` tokens each.

    Supervised and DPO runs are billed per trained token (a preference example's tokens are its
    input and both outputs: what the file holds); a reinforcement run per training hour
    (shared/rft_estimate.py), its tokens still reported.
    """
    billable = int(np.minimum(total_tokens, token_limit).sum(dtype=np.int64)) if total_tokens.size else 0
    epochs = n_epochs if n_epochs is not None else default_epochs(n_examples)
    trained = billable * epochs
    row = training_price(model, training_type, price_overrides)
    price = row.usd if row else None
    section = {
        "billable_tokens": billable,
        "n_epochs": epochs,
        "epochs_source": "settings" if n_epochs is not None else "default_rule",
        "estimated_trained_tokens": trained,
        "price_usd_per_million": price,
        "estimated_cost_usd": None if price is None else round(trained * price / 1_000_000, 6),
        "training_tier": canonical_tier(training_type),
        "price_source": row.source if row else None,
        "price_is_estimate": bool(row and row.estimate and price is not None),
        "price_note": (row.note or None) if row else "The price table does not know this model; set "
                                                      "FINETUNE_PRICES_JSON.",
        "token_limit": token_limit,
        "price_unit": "1M training tokens",
    }
    if method == "reinforcement":
        from shared.rft_estimate import rft_billing

        section.update(rft_billing(n_examples, epochs, model=model, training_type=training_type,
                                   hyperparameters=method_hyperparameters, price_overrides=price_overrides,
                                   example_epochs_per_hour=rft_example_epochs_per_hour))
    return section
