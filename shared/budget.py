"""The budget check: may a run spend its estimated training cost? (pure; the pipeline and the CLI share it)

The orchestrator's ``budget`` stage and ``python -m local validate``/``drop`` call
``budget_problem`` with the training file's ValidationSummary, so a cap is refused with the
same code and sentence before an upload as after one.
"""

from __future__ import annotations

import json

from shared import errors
from shared.payloads import ValidationSummary


def budget_problem(cap: float | None, training: ValidationSummary, model: str) -> tuple[str, str] | None:
    """(code, message) when the run must not train for this cost; None when it may (or has no cap)."""
    if cap is None:
        return None
    cost = training.estimated_cost_usd
    tier = training.training_tier or "Standard"
    if cost is None:
        example = json.dumps({model: {"training": {tier: "<USD per 1M tokens>"}}})
        why = f" ({training.price_note})" if training.price_note else ""
        if training.price_unit == "training hour":
            example = json.dumps({model: {"training_per_hour": {tier: "<USD per training hour>"}}})
        return (errors.COST_UNKNOWN,
                f"No training price is known for model {model} at {tier} training{why}, so the run's cap of "
                f"{_usd(cap)} cannot be checked. Set your price in FINETUNE_PRICES_JSON, for example "
                f"{example}, or set max_cost_usd to null.")
    if cost > cap and training.estimated_training_hours is not None:  # reinforcement: billed per hour
        return (errors.BUDGET_EXCEEDED,
                f"The estimated training cost {_usd(cost)} (about {training.estimated_training_hours:g} "
                f"training hour(s) at ${training.price_usd_per_hour} per hour, {tier} training) exceeds the "
                f"run's cap of {_usd(cap)}. {training.price_note or ''} Raise max_cost_usd, lower n_epochs, "
                "compute_multiplier or reasoning_effort, or train on fewer examples.")
    if cost > cap:
        trained = training.estimated_trained_tokens or 0
        return (errors.BUDGET_EXCEEDED,
                f"The estimated training cost {_usd(cost)} ({trained:,} trained tokens at "
                f"${training.price_usd_per_million} per 1M, {tier} training) exceeds the run's cap of "
                f"{_usd(cap)}.{_price_basis(training)} Raise max_cost_usd, lower n_epochs or shrink the "
                "dataset.")
    return None


def _price_basis(training: ValidationSummary) -> str:
    """' The price is an ESTIMATE ...' when it is the table's, not the user's; else ''."""
    if not training.price_is_estimate:
        return ""
    return f" The price is an ESTIMATE, not a quote: {training.price_note or 'see shared/prices.py.'}"


def _usd(amount: float) -> str:
    # Cents, except below a cent, where "$0.00" would hide the figure (a tiny sample, a tiny cap).
    return f"${amount:,.2f}" if amount >= 0.01 or amount == 0 else f"${amount:.4f}"
