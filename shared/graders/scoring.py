"""Scoring answers with the graders this app computes itself (no I/O).

``grade(grader, item, sample)`` and its batch form ``grade_many`` score string_check,
text_similarity, json_valid and multi graders made of those; ``combine_multi`` scores a
multi grader from its members' results (when some of them needed a judge). A grader that
needs a judge or the service gives an errored result here, never an exception.

What is an error and what is a score: a problem of the grader or the data (an ``item``
field the example lacks, a formula with no value) is an *error*: the example is counted
and left out of the statistics. A problem of the answer (not JSON, a missing key, a
missing ``sample`` path) is a *score* (usually 0): a worse answer must never be excused.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.graders import config as c
from shared.graders.formula import FormulaValueError
from shared.graders.metrics import similarities, similarity
from shared.graders.templates import MissingField, has_path


@dataclass(frozen=True)
class GradeResult:
    """One answer's grade: a score and whether it passes, or an error (then both are None)."""

    score: float | None
    passed: bool | None
    error: str | None = None
    label: str | None = None  # label_model: the judge's label

    @property
    def errored(self) -> bool:
        return self.error is not None

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "passed": self.passed, "error": self.error, "label": self.label}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeResult:
        return cls(data.get("score"), data.get("passed"), data.get("error"), data.get("label"))


def scored(grader: c.Grader, value: float, label: str | None = None) -> GradeResult:
    """A valid score of ``grader`` with its pass/fail by the grader's threshold."""
    return GradeResult(float(value), bool(value >= grader.pass_threshold), None, label)


def errored(message: str) -> GradeResult:
    return GradeResult(None, None, message)


def missing_field(grader: c.Grader, exc: MissingField) -> GradeResult:
    """The errored result of an ``item`` reference the example lacks."""
    return errored(f"{grader.name}: {{{{{exc.reference.text}}}}} names a field this example does not have.")


def _string_check(grader: c.Grader, answer: str, reference: str) -> float:
    operation = grader.config["operation"]
    if operation == "eq":
        return float(answer == reference)
    if operation == "ne":
        return float(answer != reference)
    if operation == "like":
        return float(reference in answer)
    return float(reference.casefold() in answer.casefold())  # ilike


def _json_valid(grader: c.Grader, text: str) -> float:
    try:
        value = json.loads(text)
    except ValueError:
        return 0.0
    for key in grader.config.get("required_keys", []):
        if not isinstance(value, dict) or not has_path(value, tuple(key.split("."))):
            return 0.0
    return 1.0


def grade(grader: c.Grader, item: dict[str, Any], sample: dict[str, Any]) -> GradeResult:
    """Score one answer (``sample``, see ``make_sample``) of one example (``item``)."""
    try:
        if grader.type == c.MULTI:
            return combine_multi(grader, {key: grade(sub, item, sample)
                                          for key, sub in grader.sub_graders.items()})
        mode = c.scoring_mode(grader)
        if mode != c.LOCAL:
            how = "a judge deployment (judge_request / parse_judge_reply)" if mode == c.JUDGE else \
                "the service's graders run endpoint"
            return errored(f"{grader.name}: a {grader.label} grader is scored by {how}, not locally.")
        text = grader.templates["input"].render(item, sample)
        if grader.type == c.JSON_VALID:
            return scored(grader, _json_valid(grader, text))
        reference = grader.templates["reference"].render(item, sample)
        if grader.type == c.STRING_CHECK:
            return scored(grader, _string_check(grader, text, reference))
        return scored(grader, similarity(grader.metric, text, reference))
    except MissingField as exc:
        return missing_field(grader, exc)
    except Exception as exc:  # a grade is a value, never a crash of the stage
        return errored(f"{grader.name}: {type(exc).__name__}: {exc}")


def grade_many(grader: c.Grader, items: Sequence[dict[str, Any]],
               samples: Sequence[dict[str, Any]]) -> list[GradeResult]:
    """``grade`` over pairs (item, sample); text_similarity is computed in one batch."""
    if len(items) != len(samples):
        raise ValueError("grade_many needs as many samples as items")
    if grader.type != c.TEXT_SIMILARITY or c.scoring_mode(grader) != c.LOCAL:
        return [grade(grader, item, sample) for item, sample in zip(items, samples, strict=True)]
    results: list[GradeResult | None] = [None] * len(items)
    texts, references, positions = [], [], []
    for index, (item, sample) in enumerate(zip(items, samples, strict=True)):
        try:
            text = grader.templates["input"].render(item, sample)
            reference = grader.templates["reference"].render(item, sample)
        except MissingField as exc:
            results[index] = missing_field(grader, exc)
            continue
        texts.append(text)
        references.append(reference)
        positions.append(index)
    try:
        scores = similarities(grader.metric, texts, references)
    except Exception:  # one odd pair must not cost the batch: score pair by pair, errors per pair
        return [result or grade(grader, items[i], samples[i]) for i, result in enumerate(results)]
    for index, value in zip(positions, scores, strict=True):
        results[index] = scored(grader, value)
    return [result for result in results if result is not None]


def combine_multi(grader: c.Grader, members: dict[str, GradeResult]) -> GradeResult:
    """A multi grader's result from its members' (keyed as in ``graders``): errored if one is."""
    failed = [f"{key}: {result.error}" for key, result in members.items() if result.errored]
    if failed:
        return errored(f"{grader.name}: " + "; ".join(failed))
    missing = sorted(set(grader.sub_graders) - set(members))
    if missing:
        return errored(f"{grader.name}: no result for {', '.join(missing)}.")
    try:
        value = grader.formula.evaluate({key: float(members[key].score) for key in grader.sub_graders})
    except FormulaValueError as exc:
        return errored(f"{grader.name}: {exc}")
    if not math.isfinite(value):
        return errored(f"{grader.name}: calculate_output gave {value}.")
    return scored(grader, value)
