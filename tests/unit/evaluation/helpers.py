"""Outcomes built from score lists, for the statistics, gate and report tests."""

from __future__ import annotations

import math

from shared.evaluation.outcomes import BASELINE, CANDIDATE, ExampleOutcome
from shared.evaluation.settings import EvaluationSettings, parse_evaluation_settings
from shared.graders.scoring import GradeResult


def grade_of(value: float | None, threshold: float = 0.5) -> GradeResult:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return GradeResult(None, None, "judge: the judge's reply is not JSON: 'oops'.")
    return GradeResult(float(value), value >= threshold)


def outcomes_of(scores: dict[str, tuple[list, list]], settings: EvaluationSettings) -> list[ExampleOutcome]:
    """``scores``: grader name -> (baseline scores, candidate scores); None is an errored grade."""
    count = len(next(iter(scores.values()))[0])
    thresholds = {g.name: g.pass_threshold for g in settings.graders}
    outcomes = []
    for index in range(count):
        grades = {
            model: {name: grade_of(pair[side][index], thresholds[name]) for name, pair in scores.items()}
            for side, model in enumerate((BASELINE, CANDIDATE))
        }
        outcomes.append(
            ExampleOutcome(
                index,
                index + 2,
                f"=question {index}?",
                f"reference {index}",
                {BASELINE: f"base answer {index}", CANDIDATE: f"-cand answer {index}"},
                grades,
            )
        )
    return outcomes


def default_settings(**raw) -> EvaluationSettings:
    return parse_evaluation_settings(raw or None)
