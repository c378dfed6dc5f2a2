"""Which of a job's kept checkpoints ``deployment.checkpoint: "best"`` deploys, and why (pure).

The service keeps the final model and the checkpoints of the two epochs before it, each with
the metrics of its step. "best" is the one with the lowest ``full_valid_loss`` (the loss on the
whole validation file; supervised and DPO jobs); a reinforcement job reports rewards instead,
so there it is the highest ``valid_reward_mean`` (this app's choice, the analogue for RFT). A tie
goes to the later checkpoint. Without the metric on every kept checkpoint the final model is
deployed, and the reason says so.
"""

from __future__ import annotations

import math
from typing import Any

LOSS, REWARD = "full_valid_loss", "valid_reward_mean"


def _value(checkpoint: dict[str, Any], key: str) -> float | None:
    value = (checkpoint.get("metrics") or {}).get(key)
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if number else None


def choose(checkpoints: list[dict[str, Any]], final_model: str, method: str) -> dict[str, Any]:
    """{choice, model, step, metric, values, reason} of the kept ``checkpoints`` ({id, model, step,
    metrics})."""
    key, lower = (REWARD, False) if method == "reinforcement" else (LOSS, True)
    kept = sorted(checkpoints, key=lambda c: c.get("step") or 0)
    values = [(c, _value(c, key)) for c in kept]
    listed = ", ".join(f"step {c.get('step')} {v:.4f}" if v is not None else f"step {c.get('step')} none"
                       for c, v in values)
    if not kept or any(v is None for _, v in values):
        reason = (f"deployment.checkpoint is best, but the service reported {key} for "
                  f"{'no kept checkpoint' if not kept else 'not every kept checkpoint'} "
                  f"({listed or 'none'}), so the final model is deployed.")
        return {"choice": "final", "model": final_model, "step": None, "metric": key, "values": listed,
                "reason": reason}
    best_checkpoint, best = values[0]
    for checkpoint, value in values[1:]:
        assert value is not None and best is not None
        if (value <= best) if lower else (value >= best):
            best_checkpoint, best = checkpoint, value
    word = "lowest" if lower else "highest"
    final = best_checkpoint.get("model") == final_model
    what = "the final model" if final else f"the checkpoint of step {best_checkpoint.get('step')}"
    reason = (f"Deployed {what}: it has the {word} {key} of the kept checkpoints ({listed}).")
    return {"choice": "best", "model": best_checkpoint.get("model"), "step": best_checkpoint.get("step"),
            "metric": key, "values": listed, "reason": reason}
