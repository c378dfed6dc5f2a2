"""A validation report's digest (ValidationSummary dict) and the sentence an invalid file gets.

Pure, without storage clients: the pipeline's activities (shared/dataset_ops.py), its
orchestrator and ``python -m local validate``/``drop`` all describe an invalid file with
``invalid_dataset_message``, so a user reads the same words before an upload as after one.
"""

from __future__ import annotations

from typing import Any

from shared import errors
from shared.validation import ValidationReport

FIRST_ERRORS = 5
BILLING_KEYS = ("billable_tokens", "n_epochs", "epochs_source", "training_tier", "price_usd_per_million",
                "price_source", "price_note", "price_is_estimate", "price_unit", "estimated_training_hours",
                "price_usd_per_hour")


def invalid_dataset_message(role: str, error_count: int, error_counts: dict[str, int],
                            first_errors: list[str], details: str, *,
                            uploaded: str = "nothing was uploaded to Azure OpenAI") -> str:
    """What a run says about an invalid file; ``details`` says where the full report is."""
    counts = ", ".join(f"{code} x{count}" for code, count in sorted(error_counts.items()))
    first = f" First: {first_errors[0]}" if first_errors else ""
    return (f"The {role} file has {error_count} problem(s) ({counts or 'see the report'}).{first} "
            f"Details in {details}. Fix the file and upload it again; {uploaded}.")


def summarize(report: ValidationReport, role: str, report_path: str | None,
              reports_container: str | None = None) -> dict[str, Any]:
    """A ValidationSummary dict: verdict, counts, the first errors, tokens and the cost estimate.

    ``report_path`` is relative to the reports container; messages name it with its container.
    """
    data = report.to_dict()
    billing = data.get("billing") or {}
    first = [(f"line {e['line']}: " if e.get("line") else "") + f"{e['code']}: {e['message']}"
             for e in data.get("errors", [])[:FIRST_ERRORS]]
    summary: dict[str, Any] = {
        "role": role, "ok": report.ok, "examples": data.get("examples", 0),
        "error_count": sum(data.get("error_counts", {}).values()),
        "error_counts": data.get("error_counts", {}), "first_errors": first,
        "total_tokens": ((data.get("tokens") or {}).get("total") or {}).get("sum", 0),
        "estimated_trained_tokens": billing.get("estimated_trained_tokens"),
        "estimated_cost_usd": billing.get("estimated_cost_usd"),
        "report_path": report_path, "error": None,
        **{key: billing.get(key) for key in BILLING_KEYS},
    }
    if not report.ok:
        where = "/".join(part for part in (reports_container, report_path) if part) or "the report"
        summary["error"] = {"code": errors.INVALID_DATASET,
                            "message": invalid_dataset_message(role, summary["error_count"],
                                                               summary["error_counts"], first, where)}
    return summary
