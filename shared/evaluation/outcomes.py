"""Per-example evaluation outcomes and the statistics of every grader over them.

``ExampleOutcome`` is one example's row: its line, prompt, reference, both models' answers
and every grade. ``summarize(outcomes, settings)`` turns the rows into one ``GraderFigures``
per grader (each model's figures and the paired comparison); shared/evaluation/gate.py
decides from those.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shared.evaluation.settings import EvaluationSettings
from shared.evaluation.stats import ModelSummary, PairedSummary, paired, summarize_model
from shared.graders.config import Grader
from shared.graders.scoring import GradeResult

BASELINE = "baseline"
CANDIDATE = "candidate"
MODELS = (BASELINE, CANDIDATE)


@dataclass
class ExampleOutcome:
    """One eval example: what was asked, both answers, and each model's grade per grader name."""

    index: int                                   # position in the sampled eval set (0-based)
    line: int                                    # 1-based line of the eval file
    prompt: str                                  # the last user turn
    reference: str
    answers: dict[str, str | None] = field(default_factory=dict)           # model -> answer text
    grades: dict[str, dict[str, GradeResult]] = field(default_factory=dict)  # model -> grader -> grade

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "line": self.line, "prompt": self.prompt, "reference": self.reference,
                "answers": dict(self.answers),
                "grades": {model: {name: grade.to_dict() for name, grade in grades.items()}
                           for model, grades in self.grades.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExampleOutcome:
        grades = {model: {name: GradeResult.from_dict(grade) for name, grade in by_name.items()}
                  for model, by_name in (data.get("grades") or {}).items()}
        return cls(data["index"], data["line"], data.get("prompt", ""), data.get("reference", ""),
                   dict(data.get("answers") or {}), grades)


@dataclass(frozen=True)
class GraderFigures:
    """One grader's statistics: per model, and candidate vs baseline."""

    grader: Grader
    baseline: ModelSummary
    candidate: ModelSummary
    paired: PairedSummary

    @property
    def allowed_regression(self) -> float | None:
        """What a guardrail may lose (None: the primary grader or a report-only one)."""
        grader = self.grader
        return None if grader.primary or grader.report_only else grader.max_regression

    def to_dict(self) -> dict[str, Any]:
        grader = self.grader
        return {"name": grader.name, "type": grader.type, "metric": grader.metric, "label": grader.label,
                "primary": grader.primary, "guardrail": self.allowed_regression is not None,
                "max_regression": self.allowed_regression, "pass_threshold": grader.pass_threshold,
                "range": list(grader.score_range), BASELINE: self.baseline.to_dict(),
                CANDIDATE: self.candidate.to_dict(), "paired": self.paired.to_dict()}


def scores(outcomes: list[ExampleOutcome], model: str, grader_name: str) -> np.ndarray:
    """One model's scores for one grader, in example order; NaN where the grade errored or is absent."""
    values = np.full(len(outcomes), np.nan, dtype=np.float64)
    for position, outcome in enumerate(outcomes):
        grade = outcome.grades.get(model, {}).get(grader_name)
        if grade is not None and grade.score is not None and math.isfinite(grade.score):
            values[position] = grade.score
    return values


def summarize(outcomes: list[ExampleOutcome], settings: EvaluationSettings) -> list[GraderFigures]:
    """The figures of every grader of ``settings`` over ``outcomes`` (seeded by ``settings.seed``)."""
    figures = []
    for grader in settings.graders:
        baseline = scores(outcomes, BASELINE, grader.name)
        candidate = scores(outcomes, CANDIDATE, grader.name)
        figures.append(GraderFigures(
            grader,
            summarize_model(baseline, grader.pass_threshold, settings.seed, f"{grader.name}/{BASELINE}"),
            summarize_model(candidate, grader.pass_threshold, settings.seed, f"{grader.name}/{CANDIDATE}"),
            paired(baseline, candidate, settings.seed, f"{grader.name}/difference")))
    return figures
