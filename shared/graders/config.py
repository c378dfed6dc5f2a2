"""Grader configurations: parse and check the grader objects users write, before anything is paid for.

The shapes are the Azure OpenAI / OpenAI grader schema's (``GraderStringCheck``,
``GraderTextSimilarity``, ``GraderScoreModel``, ``GraderLabelModel``, ``GraderPython``,
``GraderMulti``; openai/openai-openapi and Azure's reinforcement fine-tuning docs), plus this
app's own ``json_valid``. ``parse_grader`` checks every field, compiles templates and formulas,
and raises ``RequestError`` (code ``invalid_grader``) naming the dotted field and what to do.

Two purposes: ``evaluation`` (a grader in ``evaluation.graders``, scored by this app or by a
judge deployment; may carry ``pass_threshold``, ``primary`` and ``max_regression``) and
``reinforcement`` (the RFT job's grader, sent to the service, which scores it during training).
The per-type field rules live in ``shared/graders/fields.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from shared.errors import INVALID_GRADER, RequestError
from shared.graders.formula import Formula
from shared.graders.metrics import LOCAL_METRICS
from shared.graders.templates import Reference, Template

EVALUATION = "evaluation"
REINFORCEMENT = "reinforcement"
PURPOSES = (EVALUATION, REINFORCEMENT)

STRING_CHECK = "string_check"
TEXT_SIMILARITY = "text_similarity"
SCORE_MODEL = "score_model"
LABEL_MODEL = "label_model"
PYTHON = "python"
MULTI = "multi"
JSON_VALID = "json_valid"  # this app's own: the answer parses as JSON (evaluation only)
SERVICE_TYPES = (STRING_CHECK, TEXT_SIMILARITY, SCORE_MODEL, LABEL_MODEL, PYTHON, MULTI)
TYPES = (*SERVICE_TYPES, JSON_VALID)
# FineTuneReinforcementMethod.grader lists these; label_model only inside a multi grader.
REINFORCEMENT_TYPES = (STRING_CHECK, TEXT_SIMILARITY, SCORE_MODEL, PYTHON, MULTI)
MULTI_MEMBER_TYPES = (STRING_CHECK, TEXT_SIMILARITY, SCORE_MODEL, LABEL_MODEL, PYTHON)

# How a grader is scored: here, by a judge deployment, or only by the service (never by this app).
LOCAL = "local"
JUDGE = "judge"
SERVICE = "service"

EVAL_EXTRAS = ("pass_threshold", "primary", "max_regression")
MAX_NAME_CHARS = 128
UNIT_RANGE = (0.0, 1.0)


def fail(where: str, message: str) -> RequestError:
    """The error for a bad grader field (``where`` is the dotted field name)."""
    return RequestError(INVALID_GRADER, message, where)


@dataclass(frozen=True, eq=False)
class Grader:
    """One checked grader: its configuration as given plus what was compiled from it."""

    type: str
    name: str
    config: dict[str, Any]                      # the schema's fields, as the service receives them
    score_range: tuple[float, float] = UNIT_RANGE
    pass_threshold: float = 0.5
    primary: bool = False
    max_regression: float | None = None         # a guardrail's allowed regression (resolved by settings)
    report_only: bool = False                   # "max_regression": null: reported, never gates
    templates: dict[str, Template] = field(default_factory=dict)   # config path -> compiled template
    formula: Formula | None = None
    sub_graders: dict[str, Grader] = field(default_factory=dict)
    purpose: str = EVALUATION

    @property
    def metric(self) -> str | None:
        return self.config.get("evaluation_metric")

    @property
    def label(self) -> str:
        """How reports name what the grader measures, e.g. ``text_similarity/fuzzy_match``."""
        return f"{self.type}/{self.metric}" if self.metric else self.type

    def references(self) -> list[tuple[str, Reference]]:
        """Every template reference with the config path it is written in (sub-graders included)."""
        found = [(path, ref) for path, template in self.templates.items() for ref in template.references]
        for key, sub in self.sub_graders.items():
            found += [(f"graders.{key}.{path}", ref) for path, ref in sub.references()]
        return found

    def to_dict(self) -> dict[str, Any]:
        """The grader as a JSON object that ``parse_grader`` reads back to the same grader."""
        data = dict(self.config)
        if self.purpose == EVALUATION and self.type != LABEL_MODEL and "pass_threshold" not in data:
            data["pass_threshold"] = self.pass_threshold
        if self.primary:
            data["primary"] = True
        if self.report_only:
            data["max_regression"] = None
        elif self.max_regression is not None:
            data["max_regression"] = self.max_regression
        return data


def scoring_mode(grader: Grader) -> str:
    """``local`` (this app scores it), ``judge`` (a judge deployment rates answers) or ``service``.

    ``service``: a python grader, or a metric this app does not compute; only the service's
    graders run endpoint can score it (this app never executes user code).
    """
    if grader.type == MULTI:
        modes = {scoring_mode(sub) for sub in grader.sub_graders.values()}
        return SERVICE if SERVICE in modes else JUDGE if JUDGE in modes else LOCAL
    if grader.type in (SCORE_MODEL, LABEL_MODEL):
        return JUDGE
    if grader.type == PYTHON:
        return SERVICE
    if grader.type == TEXT_SIMILARITY:
        return LOCAL if grader.metric in LOCAL_METRICS else SERVICE
    return LOCAL


def parse_grader(raw: Any, *, purpose: str = EVALUATION, where: str = "grader",
                 nested: bool = False) -> Grader:
    """Check one grader object; RequestError(invalid_grader) naming ``where``'s field otherwise."""
    from shared.graders import fields  # the per-type rules import this module's names

    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    if not isinstance(raw, dict):
        raise fail(where, f"{where} must be a JSON object with a \"type\" such as \"string_check\".")
    kind = raw.get("type")
    allowed = _allowed_types(purpose, nested)
    if kind not in allowed:
        hint = _type_hint(kind, purpose, nested)
        raise fail(f"{where}.type", f"{where}.type is {kind!r}; use one of {', '.join(allowed)}.{hint}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
        raise fail(f"{where}.name", f"{where}.name must be a non-empty string of at most {MAX_NAME_CHARS} "
                   f"characters (reports and formulas refer to the grader by it); got {name!r}.")
    extras = EVAL_EXTRAS if purpose == EVALUATION and not nested else ("pass_threshold",)
    spec_keys = fields.KEYS[kind]
    unknown = sorted(set(raw) - {"type", "name"} - set(spec_keys) - set(extras))
    if unknown:
        raise fail(f"{where}.{unknown[0]}", f"Unknown field {where}.{unknown[0]} for a {kind} grader. "
                   f"Allowed: {', '.join(['type', 'name', *spec_keys, *extras])}.")
    config = {key: raw[key] for key in ("type", "name", *spec_keys) if key in raw}
    if "pass_threshold" in raw and extras == ("pass_threshold",):
        config["pass_threshold"] = raw["pass_threshold"]  # the service's own field there: sent as given
    grader = fields.check(kind, config, purpose=purpose, where=where)
    return _with_extras(grader, raw, where, purpose, nested)


def _allowed_types(purpose: str, nested: bool) -> tuple[str, ...]:
    if nested:
        return (*MULTI_MEMBER_TYPES, JSON_VALID) if purpose == EVALUATION else MULTI_MEMBER_TYPES
    return TYPES if purpose == EVALUATION else REINFORCEMENT_TYPES


def _type_hint(kind: Any, purpose: str, nested: bool) -> str:
    if nested and kind == MULTI:
        return " A multi grader cannot contain another multi grader."
    if kind == JSON_VALID:
        return " json_valid is this app's own grader; the service does not know it."
    if kind == LABEL_MODEL and purpose == REINFORCEMENT:
        return " The service takes label_model for RFT only inside a multi grader."
    return ""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _with_extras(grader: Grader, raw: dict[str, Any], where: str, purpose: str, nested: bool) -> Grader:
    low, high = grader.score_range
    threshold = (low + high) / 2
    if "pass_threshold" in raw:
        value = raw["pass_threshold"]
        if grader.type == LABEL_MODEL:
            raise fail(f"{where}.pass_threshold", f"{where}: a label_model grader passes when its label is "
                       "in passing_labels; remove pass_threshold.")
        if not _number(value) or not low <= value <= high:
            raise fail(f"{where}.pass_threshold", f"{where}.pass_threshold must be a number from {low:g} to "
                       f"{high:g} (the grader's range); got {value!r}.")
        threshold = float(value)
    elif grader.type == LABEL_MODEL:
        threshold = 1.0  # its score is 1 for a passing label, 0 otherwise
    primary, max_regression, report_only = False, None, False
    if purpose == EVALUATION and not nested:
        primary = raw.get("primary", False)
        if not isinstance(primary, bool):
            raise fail(f"{where}.primary", f"{where}.primary must be true or false; got {primary!r}.")
        if "max_regression" in raw:
            value = raw["max_regression"]
            if primary:
                raise fail(f"{where}.max_regression", f"{where} is the primary grader; max_regression "
                           "applies to the other (guardrail) graders. Use evaluation.min_improvement for "
                           "the primary one.")
            if value is None:
                report_only = True
            elif not _number(value) or not 0 <= value <= high - low:
                raise fail(f"{where}.max_regression", f"{where}.max_regression must be a number from 0 to "
                           f"{high - low:g}, or null to only report this grader; got {value!r}.")
            else:
                max_regression = float(value)
    return Grader(grader.type, grader.name, grader.config, grader.score_range, threshold, primary,
                  max_regression, report_only, grader.templates, grader.formula, grader.sub_graders, purpose)
