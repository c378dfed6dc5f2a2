"""A readable text summary of a validation report (what the `validate` command prints)."""

from __future__ import annotations

from typing import Any


def summary_text(report: dict[str, Any], max_listed: int = 10) -> str:
    """Verdict, counts, the first errors and warnings with line numbers, token statistics and cost."""
    verdict = "VALID" if report["ok"] else "INVALID"
    out = [
        f"{verdict}: {report['role']} file, format {report['format'] or 'unknown'}, model {report['model']} "
        f"({report['encoding']})",
        f"  {report['examples']} valid example(s), {report['lines']} line(s), {report['bytes']} bytes, "
        f"{report['invalid_lines']} invalid line(s), {report['blank_lines']} blank line(s)",
    ]
    out += _issues("Errors", report["errors"], report["error_counts"], max_listed)
    out += _issues("Warnings", report["warnings"], report["warning_counts"], max_listed)
    if report["counted_examples"]:
        out.append("Tokens per example (min / p5 / median / mean / p95 / max, sum):")
        out.append("  total      " + _dist(report["tokens"]["total"]))
        out.append("  assistant  " + _dist(report["tokens"]["assistant"]))
        out.append("  messages   " + _dist(report["messages_per_example"]))
    billing = report["billing"]
    cost = billing["estimated_cost_usd"]
    tier = billing.get("training_tier") or "Standard"
    hours = billing.get("estimated_training_hours")
    if cost is None:
        cost_text = (f"cost unknown: no price for {report['model']} at {tier} training "
                     "(set it in FINETUNE_PRICES_JSON)")
    elif hours is not None:  # reinforcement fine-tuning: billed per training hour
        cost_text = (f"estimated ${cost:,.2f} for about {hours:g} training hour(s) at "
                     f"${billing['price_usd_per_hour']} per hour, {tier} training; "
                     f"ESTIMATE, not a quote: {billing.get('price_note')}")
    else:
        amount = f"{cost:,.2f}" if cost >= 0.01 or cost == 0 else f"{cost:.6f}"
        cost_text = (f"estimated ${amount} at ${billing['price_usd_per_million']} per 1M tokens, {tier} "
                     f"training (price from {billing.get('price_source')})")
        if billing.get("price_is_estimate"):
            cost_text += f"; the price is an ESTIMATE, not a quote: {billing.get('price_note')}"
    out.append(
        f"Billing: {billing['billable_tokens']:,} billable tokens x {billing['n_epochs']} epoch(s) "
        f"({billing['epochs_source']}) = {billing['estimated_trained_tokens']:,} trained tokens; {cost_text}"
    )
    return "\n".join(out)


def _issues(title: str, entries: list[dict[str, Any]], counts: dict[str, int], max_listed: int) -> list[str]:
    if not counts:
        return []
    lines = [f"{title}: " + ", ".join(f"{code} x{count}" for code, count in counts.items())]
    for entry in entries[:max_listed]:
        where = "file" if entry["line"] is None else f"line {entry['line']}"
        lines.append(f"  {where}: [{entry['code']}] {entry['message']}")
    hidden = sum(counts.values()) - min(len(entries), max_listed)
    if hidden > 0:
        lines.append(f"  ... and {hidden} more (the JSON report lists the first 20 of each code)")
    return lines


def _dist(stats: dict[str, Any]) -> str:
    return (f"{stats['min']} / {stats['p5']} / {stats['median']} / {stats['mean']} / {stats['p95']} / "
            f"{stats['max']}, sum {stats['sum']:,}")
