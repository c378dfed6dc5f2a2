"""The training method of a job creation request, checked as the service checks it.

Shapes: ``method: {type, supervised|dpo|reinforcement: {hyperparameters, grader, response_format}}``
(openai-openapi ``FineTuneMethod``, Azure's v1 ``OpenAI.FineTuneMethod`` and
``AzureFineTuneReinforcementMethod``). Azure's DPO how-to also writes ``dpo: {beta, l2_multiplier}``
without the ``hyperparameters`` level; both are accepted. The 2025-04-01-preview authoring spec
lists only ``dpo`` and ``supervised`` as method types, so ``reinforcement`` is taken on the v1
surface only *(inferred from the spec's enum)*. Ranges are the spec's (beta in (0, 2], n_epochs
1-50, batch_size 1-256, compute_multiplier in (0.00001, 10], eval_* >= 1).
"""

from __future__ import annotations

from typing import Any

from local.aoai.errors import aoai_error
from local.aoai.models import graders
from local.aoai.models.catalog import FINE_TUNED, base_model

AUTHORING_METHODS = ("supervised", "dpo")
V1_METHODS = ("supervised", "dpo", "reinforcement")
# name -> (low, high, low included); None: an enum (reasoning_effort)
Bounds = tuple[float, float | None, bool]
COMMON: dict[str, Bounds | None] = {"n_epochs": (1, 50, True), "batch_size": (1, 256, True),
                                    "learning_rate_multiplier": (0, None, False)}
EXTRA: dict[str, dict[str, Bounds | None]] = {
    "supervised": {},
    "dpo": {"beta": (0, 2, False), "l2_multiplier": (0, None, True)},
    "reinforcement": {"compute_multiplier": (0.00001, 10, False), "eval_interval": (1, None, True),
                      "eval_samples": (1, None, True), "reasoning_effort": None},
}
REASONING_EFFORTS = ("default", "low", "medium", "high")
SECTION_KEYS = {"supervised": {"hyperparameters"}, "dpo": {"hyperparameters", "beta", "l2_multiplier"},
                "reinforcement": {"grader", "hyperparameters", "response_format"}}


def _bad(message: str, param: str) -> Exception:
    return aoai_error(400, "invalidPayload", message, param)


def _check_value(name: str, value: Any, bounds: Bounds | None, param: str) -> None:
    if value == "auto":
        return
    if bounds is None:  # reasoning_effort
        if value not in REASONING_EFFORTS:
            raise _bad(f"{name} must be one of {', '.join(REASONING_EFFORTS)}.", param)
        return
    low, high, inclusive = bounds
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or value < low or (value == low and not inclusive) or (high is not None and value > high):
        lower = f"{low:g} or more" if inclusive else f"above {low:g}"
        upper = f" and at most {high:g}" if high is not None else ""
        raise _bad(f"{name} must be 'auto' or a number {lower}{upper}.", param)


def method_hyperparameters(kind: str, section: dict[str, Any]) -> dict[str, Any]:
    """The method's hyperparameters (nested, or DPO's flat form), each checked against its range."""
    raw = dict(section.get("hyperparameters") or {})
    if kind == "dpo":
        raw.update({key: section[key] for key in ("beta", "l2_multiplier") if key in section})
    allowed = {**COMMON, **EXTRA[kind]}
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise _bad(f"Unknown {kind} hyperparameter(s): {', '.join(unknown)}.",
                   f"method.{kind}.hyperparameters")
    for name, value in raw.items():
        _check_value(name, value, allowed[name], f"method.{kind}.hyperparameters.{name}")
    return raw


def check_method(body: dict[str, Any], v1: bool) -> tuple[str, dict[str, Any]]:
    """(method type, its hyperparameters) of a create request; 400 invalidPayload when refused."""
    method = body.get("method")
    if method is None:
        return "supervised", dict(body.get("hyperparameters") or {})
    types = V1_METHODS if v1 else AUTHORING_METHODS
    if not isinstance(method, dict) or method.get("type") not in types:
        raise _bad(f"method.type must be one of {', '.join(types)}.", "method.type")
    kind = method["type"]
    section = method.get(kind) or {}
    if not isinstance(section, dict) or set(section) - SECTION_KEYS[kind]:
        raise _bad(f"method.{kind} may hold only {', '.join(sorted(SECTION_KEYS[kind]))}.", f"method.{kind}")
    hyper = method_hyperparameters(kind, section)
    if body.get("hyperparameters") and hyper:
        raise _bad("Give hyperparameters either in method or at the top level, not both.", "hyperparameters")
    if kind == "reinforcement":
        graders.validate(section.get("grader"), "method.reinforcement.grader")
        if not body.get("validation_file"):
            raise _bad("A validation file is required for reinforcement fine-tuning.", "validation_file")
    return kind, hyper or dict(body.get("hyperparameters") or {})


def check_model_for(model: str, kind: str, training_type: str | None) -> None:
    """400 when the base model does not train with ``kind``, at this tier, or again (continuous)."""
    base = base_model(model)
    if base is None:
        return
    if kind not in base.methods:
        raise _bad(f"The model '{model}' does not support the {kind} fine-tuning method.", "method.type")
    if FINE_TUNED.match(model) and not base.continuous:
        raise _bad(f"The fine-tuned model '{model}' cannot be fine-tuned further.", "model")
    tier = {"1": "standard", "2": "globalstandard", "3": "developer", "developertier": "developer"}.get(
        str(training_type).lower(), str(training_type).lower())
    if training_type is not None and tier not in base.tiers:
        raise _bad(f"The model '{model}' does not support the {training_type} training type.", "trainingType")
