"""The ``evaluation`` object of finetune.json: ``parse_evaluation_settings(raw, defaults)``.

Every key is checked before anything is uploaded; an unknown key or a bad value raises
``RequestError`` with code ``invalid_evaluation_settings`` (``invalid_grader`` for a grader)
and the dotted field name. Defaults come from ``EvaluationDefaults``, which the caller fills
from the app's settings (``EVAL_BASELINE_DEPLOYMENT`` -> ``baseline_deployment``). Without
``graders`` the evaluation uses ``DEFAULT_GRADERS``: offline, no judge, and they move when a
fine-tune learns its answers (fuzzy_match primary, rouge_l guardrail). docs/evaluation.md
has the table.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from shared.errors import INVALID_EVALUATION_SETTINGS, RequestError
from shared.graders import config as c
from shared.graders.fields import DEPLOYMENT_PATTERN

FIELD = "evaluation"
KEYS = ("enabled", "dataset", "baseline_deployment", "judge_deployment", "graders", "max_examples", "seed",
        "min_improvement", "require_significant", "keep_candidate", "max_regression")
MAX_EXAMPLES_LIMIT = 10_000
MAX_GRADERS = 20
MAX_SEED = 2**31 - 1
_BLOB_PATH = re.compile(r"^[^/\\\x00-\x1f][^\\\x00-\x1f]{0,1017}\.jsonl$")

DEFAULT_GRADERS: tuple[dict[str, Any], ...] = (
    {"type": "text_similarity", "name": "similarity", "input": "{{sample.output_text}}",
     "reference": "{{item.reference}}", "evaluation_metric": "fuzzy_match", "primary": True},
    {"type": "text_similarity", "name": "rouge_l", "input": "{{sample.output_text}}",
     "reference": "{{item.reference}}", "evaluation_metric": "rouge_l"},
)


@dataclass(frozen=True)
class EvaluationDefaults:
    """What the app settings supply when finetune.json does not say."""

    baseline_deployment: str | None = None     # EVAL_BASELINE_DEPLOYMENT
    judge_deployment: str | None = None
    max_examples: int = 200
    seed: int = 0
    max_regression: float = 0.05               # a fraction of each guardrail's range


@dataclass
class EvaluationSettings:
    """A run's validated evaluation settings; ``graders[0]`` is the job's grader when from_job_grader."""

    enabled: bool = True
    dataset: str | None = None
    baseline_deployment: str | None = None
    judge_deployment: str | None = None
    graders: list[c.Grader] = field(default_factory=list)
    max_examples: int = 200
    seed: int = 0
    min_improvement: float = 0.0
    require_significant: bool = False
    keep_candidate: bool = False
    max_regression: float = 0.05
    from_job_grader: bool = False

    @property
    def primary(self) -> c.Grader:
        return next(grader for grader in self.graders if grader.primary)

    @property
    def guardrails(self) -> list[c.Grader]:
        return [grader for grader in self.graders if not grader.primary and not grader.report_only]

    def judge_for(self, grader: c.Grader) -> str | None:
        """The deployment judging ``grader``: its own ``model`` in evaluation.graders, else the setting."""
        own = grader.config.get("model") if grader.purpose == c.EVALUATION else None
        return own or self.judge_deployment

    def deployments(self) -> set[str]:
        """Every deployment the evaluation calls besides the candidate (for the pre-flight checks)."""
        needed = {self.baseline_deployment} if self.baseline_deployment else set()
        for grader in self.graders:
            for member in [grader, *grader.sub_graders.values()]:
                if member.type in (c.SCORE_MODEL, c.LABEL_MODEL) and self.judge_for(member):
                    needed.add(self.judge_for(member))
        return needed

    def to_dict(self) -> dict[str, Any]:
        data = {key: getattr(self, key) for key in self.__dataclass_fields__ if key != "graders"}
        data["graders"] = [grader.to_dict() for grader in self.graders]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationSettings:
        """Rebuild already validated settings (from an orchestration's history)."""
        values = {key: data[key] for key in cls.__dataclass_fields__ if key in data and key != "graders"}
        graders = []
        for index, raw in enumerate(data.get("graders", [])):
            from_job = index == 0 and data.get("from_job_grader")
            body = {k: v for k, v in raw.items() if not from_job or k not in ("primary", "max_regression")}
            grader = c.parse_grader(body, purpose=c.REINFORCEMENT if from_job else c.EVALUATION,
                                    where=f"{FIELD}.graders[{index}]")
            graders.append(replace(grader, primary=True) if from_job else grader)
        return cls(graders=graders, **values)


def _fail(name: str, message: str) -> RequestError:
    return RequestError(INVALID_EVALUATION_SETTINGS, message, name)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise _fail(f"{FIELD}.{key}", f"{FIELD}.{key} must be true or false; got {value!r}.")
    return value


def _int(data: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _fail(f"{FIELD}.{key}", f"{FIELD}.{key} must be a whole number from {low:,} to {high:,}; "
                    f"got {value!r}.")
    return value


def _deployment(data: dict[str, Any], key: str, default: str | None) -> str | None:
    value = data.get(key, default)
    if value is not None and (not isinstance(value, str) or not DEPLOYMENT_PATTERN.match(value)):
        raise _fail(f"{FIELD}.{key}", f"{FIELD}.{key} must be a deployment name (2 to 64 letters, digits, "
                    f"'-', '_' or '.'); got {value!r}.")
    return value


def _dataset(data: dict[str, Any]) -> str | None:
    value = data.get("dataset")
    if value is None:
        return None
    if (not isinstance(value, str) or not _BLOB_PATH.match(value)
            or any(part in ("", ".", "..") for part in value.split("/"))):
        raise _fail(f"{FIELD}.dataset", f"{FIELD}.dataset must be the path of a .jsonl blob in the datasets "
                    f"container, such as \"evals/faq-eval.jsonl\"; got {value!r}.")
    return value


def _graders(data: dict[str, Any], job_grader: dict[str, Any] | None) -> list[c.Grader]:
    raw = data.get("graders")
    where = f"{FIELD}.graders"
    if raw is None:
        raw = [] if job_grader is not None else [copy.deepcopy(g) for g in DEFAULT_GRADERS]
    if not isinstance(raw, list) or (not raw and job_grader is None) or len(raw) > MAX_GRADERS:
        raise c.fail(where, f"{where} must be a list of 1 to {MAX_GRADERS} graders (leave it out for the "
                     "default ones).")
    graders = [c.parse_grader(g, purpose=c.EVALUATION, where=f"{where}[{i}]") for i, g in enumerate(raw)]
    if job_grader is not None:
        marked = next((i for i, g in enumerate(graders) if g.primary), None)
        if marked is not None:
            raise c.fail(f"{where}[{marked}].primary", "In a reinforcement run the job's grader is the "
                         f"primary grader; remove primary from {where}[{marked}].")
        job = c.parse_grader(job_grader, purpose=c.REINFORCEMENT, where="method.reinforcement.grader")
        graders.insert(0, replace(job, primary=True))
    elif len(graders) == 1 and graders[0].max_regression is None and not graders[0].report_only:
        graders[0] = replace(graders[0], primary=True)  # a single grader is the primary one
    primaries = [i for i, g in enumerate(graders) if g.primary]
    if len(primaries) != 1:
        raise c.fail(where, f"Exactly one grader of {where} must have \"primary\": true (the one the gate "
                     f"compares); {len(primaries)} do.")
    seen: dict[str, int] = {}
    for index, grader in enumerate(graders):
        if grader.name in seen:
            raise c.fail(f"{where}[{index}].name", f"Two graders are named {grader.name!r}; reports and the "
                         "gate refer to graders by name, so give each a different one.")
        seen[grader.name] = index
    return graders


def _check_judges(result: EvaluationSettings) -> None:
    for index, grader in enumerate(result.graders):
        for member in [grader, *grader.sub_graders.values()]:
            if member.type in (c.SCORE_MODEL, c.LABEL_MODEL) and not result.judge_for(member):
                raise _fail(f"{FIELD}.judge_deployment", f"{FIELD}.graders[{index}] ({member.name}) is a "
                            f"{member.type} grader: set {FIELD}.judge_deployment to the chat deployment "
                            "that judges the answers (or give the grader a \"model\" deployment).")


def parse_evaluation_settings(raw: Any, defaults: EvaluationDefaults | None = None, *,
                              job_grader: dict[str, Any] | None = None) -> EvaluationSettings:
    """Validate ``raw`` (finetune.json's ``evaluation``; None means all defaults).

    ``job_grader``: a reinforcement run's ``method.reinforcement.grader``; it becomes the primary grader.
    """
    defaults = defaults or EvaluationDefaults()
    data = raw if raw is not None else {}
    if not isinstance(data, dict):
        raise _fail(FIELD, f"{FIELD} must be a JSON object such as {{\"min_improvement\": 0.02}}.")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise _fail(f"{FIELD}.{unknown[0]}", f"Unknown setting '{FIELD}.{unknown[0]}'. Allowed here: "
                    f"{', '.join(sorted(KEYS))}.")
    result = EvaluationSettings(
        enabled=_bool(data, "enabled", True), dataset=_dataset(data),
        baseline_deployment=_deployment(data, "baseline_deployment", defaults.baseline_deployment),
        judge_deployment=_deployment(data, "judge_deployment", defaults.judge_deployment),
        max_examples=_int(data, "max_examples", defaults.max_examples, 1, MAX_EXAMPLES_LIMIT),
        seed=_int(data, "seed", defaults.seed, 0, MAX_SEED),
        require_significant=_bool(data, "require_significant", False),
        keep_candidate=_bool(data, "keep_candidate", False), from_job_grader=job_grader is not None)
    result.graders = _graders(data, job_grader)
    low, high = result.primary.score_range
    value = data.get("min_improvement", 0.0)
    if not _number(value) or not -(high - low) < value < high - low:
        raise _fail(f"{FIELD}.min_improvement", f"{FIELD}.min_improvement is the least gain of the primary "
                    f"grader's mean (candidate - baseline), in its units: a number between {-(high - low):g} "
                    f"and {high - low:g} (exclusive); got {value!r}.")
    result.min_improvement = float(value)
    value = data.get("max_regression", defaults.max_regression)
    if not _number(value) or not 0 <= value <= 1:
        raise _fail(f"{FIELD}.max_regression", f"{FIELD}.max_regression is the regression a guardrail grader "
                    f"may show, as a fraction of its range: a number from 0 to 1; got {value!r}.")
    result.max_regression = float(value)
    result.graders = [_resolve_guardrail(g, result.max_regression) for g in result.graders]
    _check_judges(result)
    return result


def _resolve_guardrail(grader: c.Grader, fraction: float) -> c.Grader:
    if grader.primary or grader.report_only or grader.max_regression is not None:
        return grader
    low, high = grader.score_range
    return replace(grader, max_regression=fraction * (high - low))
