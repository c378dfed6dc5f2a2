"""The ``method`` of a run's settings: supervised, dpo or reinforcement, with the service's own shapes.

``finetune.json`` takes ``method`` as the service does (openai/openai-openapi ``FineTuneMethod``,
Azure's v1 spec ``OpenAI.FineTuneMethod``): ``{"type": T, T: {"hyperparameters": {...}}}``, and for
reinforcement also ``grader`` (checked by shared/graders for the service's grader types) and
``response_format``. Ranges are the spec's: n_epochs 1-50, batch_size 1-256, learning rate > 0
(and, as for the top-level form, at most 10), DPO ``beta`` in (0, 2], RFT ``compute_multiplier``
in (0.00001, 10], ``eval_interval`` and ``eval_samples`` 1 or more, ``reasoning_effort`` one of
default, low, medium, high; each may be ``"auto"``. ``l2_multiplier`` is in Azure's DPO how-to
only (its REST example, no range given): a number of 0 or more. Top-level ``hyperparameters``
(the older form) is still accepted and becomes the method's hyperparameters.

``apply_method`` fills ``RunSettings.method`` (a dict) and ``RunSettings.hyperparameters`` and
checks the model, method and training tier against shared/model_catalog.py: a combination the
docs do not list is refused with ``method_not_supported`` before anything is uploaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.errors import METHOD_NOT_SUPPORTED, RequestError
from shared.model_catalog import DPO, METHODS, REINFORCEMENT, SUPERVISED, method_problem
from shared.prices import canonical_tier

if TYPE_CHECKING:
    from shared.run_settings import RunSettings

COMMON_HYPER = ("n_epochs", "batch_size", "learning_rate_multiplier")
HYPER_KEYS = {SUPERVISED: COMMON_HYPER, DPO: (*COMMON_HYPER, "beta", "l2_multiplier"),
              REINFORCEMENT: (*COMMON_HYPER, "compute_multiplier", "eval_interval", "eval_samples",
                              "reasoning_effort")}
SECTION_KEYS = {SUPERVISED: {"hyperparameters"}, DPO: {"hyperparameters"},
                REINFORCEMENT: {"grader", "hyperparameters", "response_format"}}
REASONING_EFFORTS = ("default", "low", "medium", "high")
RESPONSE_FORMATS = ("text", "json_schema")
MAX_EVAL = 1_000_000


def _rs() -> Any:
    import shared.run_settings as run_settings  # the shared field checks; imported late (no cycle)

    return run_settings


def _number(value: Any, name: str, low: float, high: float | None, *, low_open: bool) -> float | str:
    """A number in (low, high] (or [low, high]) or "auto"."""
    rs = _rs()
    if value == "auto":
        return "auto"
    above = value > low if low_open else value >= low
    if not rs._is_number(value) or not above or (high is not None and value > high):
        bound = f"above {low:g}" if low_open else f"{low:g} or more"
        upper = f" and at most {high:g}" if high is not None else ""
        raise rs._fail(name, f"{name} must be a number {bound}{upper}, or \"auto\"; got {value!r}.")
    return value


def _hyperparameters(raw: Any, method: str, where: str) -> dict[str, Any]:
    """The hyperparameters of ``method``, each checked against the spec's range."""
    rs = _rs()
    data = rs._check_keys(raw, set(HYPER_KEYS[method]), where)
    result: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{where}.{key}"
        if key == "n_epochs":
            result[key] = rs._int_in(value, name, 1, 50, auto=True)
        elif key == "batch_size":
            result[key] = rs._int_in(value, name, 1, 256, auto=True)
        elif key == "learning_rate_multiplier":
            result[key] = _number(value, name, 0, 10, low_open=True)
        elif key == "beta":
            result[key] = _number(value, name, 0, 2, low_open=True)
        elif key == "l2_multiplier":
            result[key] = _number(value, name, 0, None, low_open=False)
        elif key == "compute_multiplier":
            result[key] = _number(value, name, 0.00001, 10, low_open=True)
        elif key in ("eval_interval", "eval_samples"):
            result[key] = rs._int_in(value, name, 1, MAX_EVAL, auto=True)
        elif value not in REASONING_EFFORTS:  # reasoning_effort
            raise rs._fail(name, f"{name} must be one of {', '.join(REASONING_EFFORTS)}; got {value!r}.")
        else:
            result[key] = value
    return result


def _grader(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """The RFT grader as the service receives it, and the ``item.*`` references it reads."""
    from shared.graders import REINFORCEMENT as PURPOSE
    from shared.graders import parse_grader
    from shared.graders.templates import ITEM

    if raw is None:
        raise RequestError("invalid_grader", "method.reinforcement.grader is required: reinforcement "
                           "fine-tuning scores the model's answers with it (string_check, text_similarity, "
                           "score_model, python or multi).", "method.reinforcement.grader")
    grader = parse_grader(raw, purpose=PURPOSE, where="method.reinforcement.grader")
    fields = sorted({ref.text for _, ref in grader.references() if ref.namespace == ITEM})
    return grader.to_dict(), fields


def _response_format(raw: Any) -> dict[str, Any]:
    rs = _rs()
    where = "method.reinforcement.response_format"
    if not isinstance(raw, dict) or raw.get("type") not in RESPONSE_FORMATS:
        raise rs._fail(where, f'{where} must be an object with "type": "text" or "json_schema" (and the '
                       "JSON schema the answers follow).")
    return dict(raw)


def parse_method(raw: Any, top_hyper: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(method dict, its hyperparameters) of ``finetune.json``'s ``method`` (None: supervised)."""
    rs = _rs()
    if raw is None:
        return {"type": SUPERVISED, "explicit": False}, dict(top_hyper or {})
    data = rs._check_keys(raw, {"type", *METHODS}, "method")
    kind = data.get("type")
    if kind not in METHODS:
        raise rs._fail("method.type", f"method.type must be one of {', '.join(METHODS)}; got {kind!r}.")
    others = sorted(set(data) - {"type", kind})
    if others:
        raise rs._fail(f"method.{others[0]}", f"method.{others[0]} does not apply to method.type {kind!r}; "
                       f"put the settings in method.{kind}.")
    section = rs._check_keys(data.get(kind) or {}, SECTION_KEYS[kind], f"method.{kind}")
    hyper = _hyperparameters(section.get("hyperparameters") or {}, kind, f"method.{kind}.hyperparameters")
    if top_hyper and section.get("hyperparameters"):
        raise rs._fail("hyperparameters", f"Give the hyperparameters once: in method.{kind}.hyperparameters "
                       "(the service's form) or at the top level, not both.")
    method: dict[str, Any] = {"type": kind, "explicit": True}
    if kind == REINFORCEMENT:
        method["grader"], method["item_fields"] = _grader(section.get("grader"))
        if section.get("response_format") is not None:
            method["response_format"] = _response_format(section["response_format"])
    return method, {**(top_hyper or {}), **hyper}


def apply_method(data: dict[str, Any], result: RunSettings) -> None:
    """Set ``result.method`` and ``result.hyperparameters``; refuse what the model cannot train with."""
    result.method, result.hyperparameters = parse_method(data.get("method"), result.hyperparameters)
    tier = canonical_tier(result.training_type)
    problem = method_problem(result.model, result.method["type"], tier)
    if problem is not None:
        raise RequestError(METHOD_NOT_SUPPORTED, problem[1], problem[0])


def job_method(method: dict[str, Any], hyperparameters: dict[str, Any]) -> dict[str, Any]:
    """The ``method`` object of the job request: ``{type, <type>: {hyperparameters, grader...}}``."""
    kind = method.get("type") or SUPERVISED
    section: dict[str, Any] = {}
    if hyperparameters:
        section["hyperparameters"] = dict(hyperparameters)
    if kind == REINFORCEMENT:
        section["grader"] = method["grader"]
        if method.get("response_format"):
            section["response_format"] = method["response_format"]
    return {"type": kind, kind: section} if section else {"type": kind}


def validation_fields(method: dict[str, Any], hyperparameters: dict[str, Any]) -> dict[str, Any]:
    """What validation needs of a run's method (the Validate* payload fields of that name)."""
    return {"method": method.get("type") or SUPERVISED, "item_fields": list(method.get("item_fields") or []),
            "method_hyperparameters": dict(hyperparameters)}
