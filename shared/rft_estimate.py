"""The cost estimate of a reinforcement fine-tuning (RFT) job: training hours x the hourly price.

RFT is billed by the time the job spends in its core training loop (rollouts, grading, weight
updates, evaluations), $100 per hour for o4-mini in Microsoft's cost article and OpenAI's RFT
billing guide, with a per-job cap: the service pauses a job when it reaches $5,000. Neither
publishes a way to predict the hours, so this estimate is an explicit, adjustable model, not a
quote:

    hours = training examples x epochs x compute_multiplier x effort / FINETUNE_RFT_EXAMPLE_EPOCHS_PER_HOUR

with compute_multiplier 1 when "auto" (the service's default scale), effort 0.5 for
``reasoning_effort`` low, 1 for default or medium, 2 for high (reasoning tokens drive rollout
time), and epochs the run's ``n_epochs`` or the default rule. The throughput setting (default
100 example-epochs per hour) should be calibrated from your own jobs' billed hours. Time spent
on evaluations (``eval_interval``, ``eval_samples``) and model-grader tokens (billed apart) are
not in it; the run's cap is therefore also enforced while training (docs/pipeline.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from shared.prices import canonical_tier, rft_usd_per_hour

EFFORT_FACTORS = {"low": 0.5, "default": 1.0, "medium": 1.0, "high": 2.0}
SERVICE_PAUSE_USD = 5000.0   # the service pauses an RFT job at this training cost (cost article)
METHOD_NOTE = ("RFT is billed per training hour; hours estimated as training examples x epochs x "
               "compute_multiplier x reasoning effort factor / FINETUNE_RFT_EXAMPLE_EPOCHS_PER_HOUR (an "
               "estimate: calibrate the setting from your own jobs).")


def estimate_hours(examples: int, epochs: int, hyperparameters: Mapping[str, Any] | None,
                   example_epochs_per_hour: float) -> float:
    """Training hours, rounded up to the hundredth as the service rounds its bill (at least 0.01)."""
    hyper = hyperparameters or {}
    multiplier = hyper.get("compute_multiplier")
    numeric = isinstance(multiplier, (int, float)) and not isinstance(multiplier, bool)
    scale = float(multiplier) if numeric else 1.0
    effort = EFFORT_FACTORS.get(str(hyper.get("reasoning_effort") or "default"), 1.0)
    hours = examples * epochs * scale * effort / example_epochs_per_hour
    return max(0.01, math.ceil(hours * 100 - 1e-9) / 100)


def rft_billing(examples: int, epochs: int, *, model: str, training_type: str | None,
                hyperparameters: Mapping[str, Any] | None, price_overrides: Mapping[str, Any] | None,
                example_epochs_per_hour: float) -> dict[str, Any]:
    """The billing fields of a reinforcement run: hours, USD per hour, the estimate and its basis."""
    hours = estimate_hours(examples, epochs, hyperparameters, example_epochs_per_hour)
    row = rft_usd_per_hour(model, training_type, price_overrides)
    price = row.usd if row else None
    cost = None if price is None else round(min(hours * price, SERVICE_PAUSE_USD), 2)
    note = METHOD_NOTE + (f" {row.note}" if row and row.note else "")
    if price is not None and hours * price > SERVICE_PAUSE_USD:
        note += (f" The service pauses the job at ${SERVICE_PAUSE_USD:,.0f}; resuming it bills on without a "
                 "limit.")
    return {
        "price_unit": "training hour",
        "estimated_training_hours": hours,
        "price_usd_per_hour": price,
        "price_usd_per_million": None,
        "estimated_cost_usd": cost,
        "training_tier": canonical_tier(training_type),
        "price_source": row.source if row else None,
        "price_is_estimate": True,   # the hours are always an estimate, whoever set the price
        "price_note": note if row else f"The price table has no hourly RFT price for {model}; set "
                                       "FINETUNE_PRICES_JSON training_per_hour.",
    }
