"""eval.json, eval.csv and eval.svg: what they hold, that the CSV reproduces the JSON, the chart renders."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import cairosvg
import pytest
from PIL import Image

from shared.evaluation import (
    BASELINE,
    CANDIDATE,
    EvaluationSettings,
    ExampleOutcome,
    eval_csv,
    eval_example,
    eval_json,
    eval_report,
    eval_svg,
    evaluation_summary,
    numbered_lines,
    parse_evaluation_settings,
    read_eval_csv,
    sample_lines,
)
from shared.evaluation.chart import COLORS
from shared.graders import GradeResult, grade_many, make_sample
from tests.unit.evaluation.helpers import default_settings, outcomes_of

pytestmark = pytest.mark.unit

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "azure-faq" / "validation.jsonl"
GOOD = [0.8, 0.7, 0.9, 0.75, 0.85, 0.8, 0.9, 0.7, 0.95, 0.8]
POOR = [0.4, 0.45, 0.35, 0.5, 0.4, 0.42, 0.38, 0.41, 0.44, 0.39]


def faq_report(candidate_answer, seed=0):
    """The sample's validation file as the eval set, graded by the default graders."""
    settings = parse_evaluation_settings({"seed": seed})
    lines = sample_lines(
        numbered_lines(SAMPLE.read_text().splitlines()), settings.max_examples, settings.seed
    )
    examples = [eval_example(json.loads(text), number, "chat") for number, text in lines]
    answers = {
        BASELINE: [f"Azure has many services; {e.prompt_text.lower()} It depends." for e in examples],
        CANDIDATE: [candidate_answer(e) for e in examples],
    }
    outcomes = [
        ExampleOutcome(
            i,
            e.line,
            e.prompt_text,
            e.reference,
            {m: answers[m][i] for m in answers},
            {m: {} for m in answers},
        )
        for i, e in enumerate(examples)
    ]
    for grader in settings.graders:
        for model, texts in answers.items():
            results = grade_many(grader, [e.item for e in examples], [make_sample(t) for t in texts])
            for outcome, result in zip(outcomes, results, strict=True):
                outcome.grades[model][grader.name] = result
    return eval_report(
        outcomes, settings, baseline_deployment="gpt-4o-mini-base", candidate_deployment="ft-sample-1a2b"
    )


def test_default_graders_pass_a_candidate_that_learned_the_answers_and_fail_no_comment():
    learned = faq_report(lambda e: e.reference.rstrip(".") + ", as the docs say.")
    assert learned.decision.passed, learned.decision.reason
    assert learned.decision.losses == 0 and learned.decision.significant
    silent = faq_report(lambda e: "No comment.")
    assert not silent.decision.passed and silent.decision.rule == "min_improvement"
    assert eval_json(silent)["code"] == "quality_gate_failed"


def test_eval_json_has_the_decision_the_figures_and_the_settings_used():
    report = faq_report(lambda e: e.reference)
    data = json.loads(json.dumps(eval_json(report)))
    assert data["passed"] is True and data["primary"] == "similarity" and data["code"] is None
    assert data["baseline"] == {"deployment": "gpt-4o-mini-base", "score": report.decision.baseline_score}
    assert data["candidate"]["deployment"] == "ft-sample-1a2b" and data["candidate"]["score"] == 1.0
    assert data["difference"] == pytest.approx(1.0 - data["baseline"]["score"])
    assert len(data["ci95"]) == 2 and data["wins"] + data["ties"] + data["losses"] == 10
    assert data["examples"] == {"count": 10, "with_errors": {"baseline": 0, "candidate": 0}}
    similarity, rouge = data["graders"]
    assert similarity["primary"] and not similarity["guardrail"] and rouge["guardrail"]
    assert rouge["max_regression"] == 0.05 and similarity["label"] == "text_similarity/fuzzy_match"
    for figure in data["graders"]:
        for model in (BASELINE, CANDIDATE):
            assert set(figure[model]) == {"n", "errored", "mean", "pass_rate", "ci95"}
            assert figure[model]["n"] == 10
    assert data["settings"]["max_examples"] == 200 and data["statistics"]["resamples"] == 10_000
    summary = evaluation_summary(report, "reports/sample/abc/eval.json")
    assert {k: summary[k] for k in ("passed", "primary", "wins", "report")} == {
        "passed": True,
        "primary": "similarity",
        "wins": data["wins"],
        "report": "reports/sample/abc/eval.json",
    }


def test_eval_csv_has_one_row_per_example_with_every_score_and_stays_text():
    settings = default_settings()
    outcomes = outcomes_of({"similarity": ([None, *POOR[1:]], GOOD), "rouge_l": (POOR, GOOD)}, settings)
    outcomes[1].prompt = "x" * 1000
    report = eval_report(outcomes, settings)
    rows = list(csv.DictReader(io.StringIO(eval_csv(report))))
    assert list(rows[0]) == [
        "index",
        "line",
        "prompt",
        "reference",
        "baseline_answer",
        "candidate_answer",
        "baseline:similarity",
        "candidate:similarity",
        "baseline:rouge_l",
        "candidate:rouge_l",
        "baseline_errors",
        "candidate_errors",
    ]
    assert len(rows) == 10 and rows[0]["line"] == "2"
    assert rows[0]["baseline:similarity"] == "" and "not JSON" in rows[0]["baseline_errors"]
    assert float(rows[0]["candidate:similarity"]) == GOOD[0] and rows[0]["candidate_errors"] == ""
    assert len(rows[1]["prompt"]) == 300 and rows[1]["prompt"].endswith("…")
    # Cells a spreadsheet would run as formulas are kept as text.
    assert rows[0]["prompt"] == "'=question 0?" and rows[0]["candidate_answer"] == "'-cand answer 0"


def test_a_label_model_grader_gets_label_columns():
    settings = parse_evaluation_settings(
        {
            "judge_deployment": "judge",
            "graders": [
                {
                    "type": "label_model",
                    "name": "tone",
                    "input": [{"role": "user", "content": "{{sample.output_text}}"}],
                    "labels": ["polite", "rude"],
                    "passing_labels": ["polite"],
                }
            ],
        }
    )
    outcome = ExampleOutcome(
        0,
        1,
        "q",
        "r",
        {BASELINE: "a", CANDIDATE: "b"},
        {
            BASELINE: {"tone": GradeResult(0.0, False, None, "rude")},
            CANDIDATE: {"tone": GradeResult(1.0, True, None, "polite")},
        },
    )
    rows = list(csv.DictReader(io.StringIO(eval_csv(eval_report([outcome], settings)))))
    assert (rows[0]["baseline:tone:label"], rows[0]["candidate:tone:label"]) == ("rude", "polite")
    assert read_eval_csv(eval_csv(eval_report([outcome], settings)), settings)[0].grades == outcome.grades


@pytest.mark.parametrize(
    "scores, raw",
    [
        ({"similarity": ([None, *POOR[1:]], [*GOOD[:-1], None]), "rouge_l": (POOR, GOOD)}, {}),
        ({"similarity": (GOOD, POOR), "rouge_l": (GOOD, POOR)}, {"seed": 11}),
        (
            {"similarity": (POOR, GOOD), "rouge_l": (GOOD, POOR)},
            {"min_improvement": 0.1, "require_significant": True},
        ),
    ],
)
def test_eval_json_decision_and_numbers_are_recomputed_from_eval_csv(scores, raw):
    report = eval_report(
        outcomes_of(scores, default_settings(**raw)),
        default_settings(**raw),
        baseline_deployment="base",
        candidate_deployment="cand",
    )
    written_json = json.loads(json.dumps(eval_json(report)))
    written_csv = eval_csv(report)
    # Only the two files: the settings from eval.json, the scores from eval.csv.
    settings = EvaluationSettings.from_dict(written_json["settings"])
    again = eval_report(
        read_eval_csv(written_csv, settings),
        settings,
        baseline_deployment=written_json["baseline"]["deployment"],
        candidate_deployment=written_json["candidate"]["deployment"],
    )
    assert json.loads(json.dumps(eval_json(again))) == written_json


def test_eval_svg_renders_and_reads_at_a_glance(tmp_path):
    report = faq_report(lambda e: "No comment.")
    svg = eval_svg(report)
    for text in (
        "Quality gate FAILED",
        "quality_gate_failed (min_improvement)",
        "★ primary",
        "guardrail: may lose 0.05",
        "baseline: gpt-4o-mini-base",
        "candidate: ft-sample-1a2b",
        "similarity",
        "rouge_l",
        f"{report.figures[0].baseline.mean:.2f}",
        "url(#hatch)",
    ):
        assert text in svg, text
    png = tmp_path / "eval.png"
    cairosvg.svg2png(bytestring=svg.encode(), write_to=str(png), output_width=800)
    image = Image.open(png).convert("RGB")
    assert image.width == 800 and image.height > 400
    colours = {colour for _, colour in image.getcolors(maxcolors=1_000_000)}
    for hex_colour in COLORS.values():  # both bars are drawn in their palette colours
        assert tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)) in colours
    passed = eval_svg(faq_report(lambda e: e.reference))
    assert "Quality gate PASSED" in passed and "the candidate ships" in passed
