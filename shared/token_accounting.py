"""Estimated vs trained tokens: the validation's estimate next to what the job reports, explained.

The estimate is billable tokens x epochs (``shared/validation/billing.py``); the job reports
``trained_tokens`` (what the service bills) and the epochs it chose. ``token_comparison`` puts
them side by side with one sentence saying why they differ, whatever figure the service gives:
the service's choice of epochs when ``n_epochs`` was left to it, or a different count per
epoch. Pure: the run summary API, summary.json and ``python -m local status`` all use it.
"""

from __future__ import annotations

from typing import Any

ROUNDING_TOLERANCE = 0.005   # a difference under 0.5 % is reported as agreement


def token_comparison(estimate: dict[str, Any] | None, trained_tokens: int | None,
                     job_epochs: int | None) -> dict[str, Any] | None:
    """``{estimated, trained, difference, difference_pct, epochs_estimated, epochs_trained, explanation}``.

    ``estimate`` is the training file's ValidationSummary (dict) or None; None when neither side
    is known.
    """
    estimate = estimate or {}
    if not (isinstance(job_epochs, int) and job_epochs > 0):  # -1 or "auto": the service has not said
        job_epochs = None
    estimated = estimate.get("estimated_trained_tokens")
    if estimated is None and trained_tokens is None:
        return None
    epochs = estimate.get("n_epochs")
    result: dict[str, Any] = {
        "estimated": estimated, "trained": trained_tokens, "difference": None, "difference_pct": None,
        "epochs_estimated": epochs, "epochs_source": estimate.get("epochs_source"),
        "epochs_trained": job_epochs,
    }
    if estimated is None:
        result["explanation"] = "The job trained on tokens the validation did not estimate."
        return result
    if trained_tokens is None:
        result["explanation"] = "The job has not reported its trained tokens yet."
        return result
    result["difference"] = trained_tokens - estimated
    if estimated:
        result["difference_pct"] = round(100.0 * (trained_tokens - estimated) / estimated, 1)
    result["explanation"] = _explain(estimate, estimated, trained_tokens, epochs, job_epochs)
    return result


def _explain(estimate: dict[str, Any], estimated: int, trained: int, epochs: int | None,
             job_epochs: int | None) -> str:
    billable = estimate.get("billable_tokens")
    if estimated and abs(trained - estimated) <= ROUNDING_TOLERANCE * estimated:
        return (f"The job trained the estimated {trained:,} tokens"
                + (f" ({billable:,} billable tokens x {epochs} epochs)." if billable and epochs else "."))
    if job_epochs and epochs and job_epochs != epochs:
        chose = ("the service chose" if estimate.get("epochs_source") == "default_rule"
                 else "the job ran")
        expected = billable * job_epochs if billable else None
        same_per_epoch = expected is not None and abs(trained - expected) <= ROUNDING_TOLERANCE * expected
        if same_per_epoch:
            rest = "; at that many epochs the estimate matches."
        elif billable:
            rest = (f"; per epoch the service also counted {trained // job_epochs:,} tokens where the "
                    f"validation counted {billable:,}.")
        else:
            rest = "."
        return f"The estimate assumed {epochs} epochs ({_source(estimate)}) but {chose} {job_epochs}{rest}"
    if billable and epochs:
        per_epoch = trained / epochs
        return (f"Per epoch the service counted {per_epoch:,.0f} tokens where the validation counted "
                f"{billable:,} ({epochs} epochs): the service's own token accounting (its tokenizer, "
                "formatting tokens, or examples it dropped) differs from the estimate.")
    return "The service counted a different number of tokens than the estimate."


def _source(estimate: dict[str, Any]) -> str:
    if estimate.get("epochs_source") == "default_rule":
        return "n_epochs was auto; the estimate used the cookbook's default rule"
    return "from the run settings"
