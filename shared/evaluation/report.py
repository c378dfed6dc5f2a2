"""The evaluation's report files: eval.json (figures and decision) and eval.csv (one row per example).

``eval_report`` computes everything from the per-example outcomes; ``eval_json``,
``eval_csv`` and shared/evaluation/chart.py's ``eval_svg`` render it. ``read_eval_csv``
reads the CSV back into outcomes: the numbers in eval.json are exactly what
``eval_report(read_eval_csv(csv), EvaluationSettings.from_dict(json["settings"]))`` gives
(scores are written with full float precision; an empty score cell is an errored grade).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from shared.evaluation.gate import Decision, decide
from shared.evaluation.outcomes import BASELINE, CANDIDATE, MODELS, ExampleOutcome, GraderFigures, summarize
from shared.evaluation.settings import EvaluationSettings
from shared.evaluation.stats import CONFIDENCE, RESAMPLES
from shared.graders.config import LABEL_MODEL
from shared.graders.scoring import GradeResult

REPORT_VERSION = 1
PROMPT_CHARS = 300
TEXT_CHARS = 10_000
FIXED_COLUMNS = ("index", "line", "prompt", "reference", "baseline_answer", "candidate_answer")
# A spreadsheet runs a cell starting with these as a formula; dataset text must stay text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class EvalReport:
    """Everything the three report files show."""

    settings: EvaluationSettings
    deployments: dict[str, str | None]          # baseline / candidate -> deployment name
    outcomes: list[ExampleOutcome]
    figures: list[GraderFigures]
    decision: Decision


def eval_report(outcomes: list[ExampleOutcome], settings: EvaluationSettings, *,
                baseline_deployment: str | None = None,
                candidate_deployment: str | None = None) -> EvalReport:
    """Figures per grader and the gate's decision for the outcomes of one evaluation."""
    figures = summarize(outcomes, settings)
    return EvalReport(settings, {BASELINE: baseline_deployment, CANDIDATE: candidate_deployment}, outcomes,
                      figures, decide(figures, settings))


def evaluation_summary(report: EvalReport, report_path: str | None = None) -> dict[str, Any]:
    """The ``evaluation`` object of summary.json and of the run's output (issue 11's shape)."""
    decision = report.decision
    return {"passed": decision.passed, "primary": decision.primary,
            BASELINE: {"deployment": report.deployments[BASELINE], "score": decision.baseline_score},
            CANDIDATE: {"deployment": report.deployments[CANDIDATE], "score": decision.candidate_score},
            "difference": decision.difference, "ci95": list(decision.ci95) if decision.ci95 else None,
            "wins": decision.wins, "ties": decision.ties, "losses": decision.losses,
            "reason": decision.reason, "report": report_path}


def eval_json(report: EvalReport) -> dict[str, Any]:
    """eval.json: the decision first, then every grader's figures, the counts and the settings used."""
    errored = {model: sum(1 for outcome in report.outcomes
                          if any(grade.errored for grade in outcome.grades.get(model, {}).values()))
               for model in MODELS}
    return {
        "version": REPORT_VERSION,
        **evaluation_summary(report),
        "code": report.decision.code,
        "decision": report.decision.to_dict(),
        "examples": {"count": len(report.outcomes), "with_errors": errored},
        "graders": [figure.to_dict() for figure in report.figures],
        "statistics": {"confidence": CONFIDENCE, "resamples": RESAMPLES, "interval": "percentile bootstrap",
                       "pairing": "examples scored for both models; errored pairs left out",
                       "seed": report.settings.seed},
        "settings": report.settings.to_dict(),
    }


def _text(value: str | None, limit: int) -> str:
    text = value or ""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _score(grade: GradeResult | None) -> str:
    return "" if grade is None or grade.score is None else repr(float(grade.score))


def _columns(report: EvalReport) -> list[str]:
    columns = list(FIXED_COLUMNS)
    for grader in report.settings.graders:
        columns += [f"{model}:{grader.name}" for model in MODELS]
        if grader.type == LABEL_MODEL:
            columns += [f"{model}:{grader.name}:label" for model in MODELS]
    return [*columns, "baseline_errors", "candidate_errors"]


def eval_csv(report: EvalReport) -> str:
    """eval.csv: per example its line, prompt (last user turn), reference, both answers, every score."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_columns(report))
    for outcome in report.outcomes:
        row = [str(outcome.index), str(outcome.line), _text(outcome.prompt, PROMPT_CHARS),
               _text(outcome.reference, TEXT_CHARS), _text(outcome.answers.get(BASELINE), TEXT_CHARS),
               _text(outcome.answers.get(CANDIDATE), TEXT_CHARS)]
        for grader in report.settings.graders:
            grades = [outcome.grades.get(model, {}).get(grader.name) for model in MODELS]
            row += [_score(grade) for grade in grades]
            if grader.type == LABEL_MODEL:
                row += [(grade.label or "") if grade else "" for grade in grades]
        for model in MODELS:
            errors = [grade.error for grade in outcome.grades.get(model, {}).values() if grade.errored]
            row.append(_text(" | ".join(errors), TEXT_CHARS))
        writer.writerow(row)
    return out.getvalue()


def read_eval_csv(text: str, settings: EvaluationSettings) -> list[ExampleOutcome]:
    """The outcomes an eval.csv holds (scores, pass/fail by each grader's threshold, errors)."""
    outcomes = []
    for row in csv.DictReader(io.StringIO(text)):
        grades: dict[str, dict[str, GradeResult]] = {model: {} for model in MODELS}
        for grader in settings.graders:
            for model in MODELS:
                cell = row.get(f"{model}:{grader.name}", "")
                label = row.get(f"{model}:{grader.name}:label") or None
                if cell.strip():
                    value = float(cell)
                    grade = GradeResult(value, value >= grader.pass_threshold, None, label)
                else:
                    grade = GradeResult(None, None, row.get(f"{model}_errors") or "errored")
                grades[model][grader.name] = grade
        outcomes.append(ExampleOutcome(int(row["index"]), int(row["line"]), row["prompt"], row["reference"],
                                       {BASELINE: row["baseline_answer"], CANDIDATE: row["candidate_answer"]},
                                       grades))
    return outcomes


def eval_json_text(report: EvalReport) -> str:
    return json.dumps(eval_json(report), indent=2, ensure_ascii=False) + "\n"
