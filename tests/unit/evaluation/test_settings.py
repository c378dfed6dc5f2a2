"""finetune.json's evaluation object: defaults, every key, and every rejection with its dotted field."""

from __future__ import annotations

import json

import pytest

from shared.errors import INVALID_EVALUATION_SETTINGS, INVALID_GRADER, RequestError
from shared.evaluation.settings import (
    DEFAULT_GRADERS,
    EvaluationDefaults,
    EvaluationSettings,
    parse_evaluation_settings,
)
from shared.graders import LOCAL, REINFORCEMENT, scoring_mode
from tests.unit.graders.test_config import CHECK, LABEL, MULTI, PYTHON, SCORE, SIMILARITY

pytestmark = pytest.mark.unit

APP = EvaluationDefaults(baseline_deployment="gpt-4o-mini-base", max_examples=150, seed=5, max_regression=0.1)


def rejected(raw, field, *words, code=INVALID_EVALUATION_SETTINGS, job_grader=None):
    with pytest.raises(RequestError) as caught:
        parse_evaluation_settings(raw, APP, job_grader=job_grader)
    assert caught.value.code == code and caught.value.field == field, caught.value.message
    for word in words:
        assert word in caught.value.message, caught.value.message


def test_no_evaluation_object_means_the_offline_defaults():
    settings = parse_evaluation_settings(None, APP)
    assert settings.enabled and settings.dataset is None and settings.judge_deployment is None
    assert settings.baseline_deployment == "gpt-4o-mini-base"
    assert (settings.max_examples, settings.seed, settings.min_improvement) == (150, 5, 0.0)
    assert not settings.require_significant and not settings.keep_candidate
    assert [g.to_dict()["name"] for g in settings.graders] == ["similarity", "rouge_l"]
    assert settings.primary.name == "similarity" and settings.primary.metric == "fuzzy_match"
    assert [g.name for g in settings.guardrails] == ["rouge_l"] and settings.guardrails[
        0
    ].max_regression == 0.1
    assert all(scoring_mode(g) == LOCAL for g in settings.graders)
    assert settings.deployments() == {"gpt-4o-mini-base"}
    assert parse_evaluation_settings({}, None).max_examples == 200  # the documented default
    assert DEFAULT_GRADERS[0]["primary"] is True


def test_every_key_can_be_given():
    raw = {
        "enabled": False,
        "dataset": "evals/faq-eval.jsonl",
        "baseline_deployment": "prod-faq",
        "judge_deployment": "judge-4o",
        "max_examples": 10_000,
        "seed": 2**31 - 1,
        "min_improvement": 0.02,
        "require_significant": True,
        "keep_candidate": True,
        "max_regression": 0.2,
        "graders": [
            {**SIMILARITY, "primary": True},
            {**SCORE, "model": None, "max_regression": 0.5},
            {**CHECK, "max_regression": None},
            LABEL,
        ],
    }
    raw["graders"][1] = {k: v for k, v in raw["graders"][1].items() if k != "model"}
    settings = parse_evaluation_settings(raw, APP)
    assert (settings.enabled, settings.dataset, settings.baseline_deployment) == (
        False,
        raw["dataset"],
        "prod-faq",
    )
    assert (settings.max_examples, settings.seed, settings.min_improvement) == (10_000, 2**31 - 1, 0.02)
    assert settings.require_significant and settings.keep_candidate and settings.max_regression == 0.2
    judge, check, label = settings.graders[1:]
    assert judge.max_regression == 0.5 and check.report_only and label.max_regression == 0.2
    assert [g.name for g in settings.guardrails] == ["judge", "tone"]
    assert settings.judge_for(judge) == "judge-4o" and settings.judge_for(label) == "judge-4o"
    assert settings.deployments() == {"prod-faq", "judge-4o"}
    again = EvaluationSettings.from_dict(json.loads(json.dumps(settings.to_dict())))
    assert again.to_dict() == settings.to_dict()


def test_guardrail_default_is_a_share_of_each_graders_range():
    settings = parse_evaluation_settings(
        {"judge_deployment": "judge", "graders": [{**SIMILARITY, "primary": True}, SCORE]}, APP
    )
    assert settings.graders[1].max_regression == pytest.approx(0.4)  # 0.1 of the range [1, 5]
    assert settings.judge_for(settings.graders[1]) == "gpt-4o-judge"  # its own model deployment


@pytest.mark.parametrize(
    "raw, field, words",
    [
        ({"enable": True}, "evaluation.enable", ("Unknown setting", "enabled")),
        ([], "evaluation", ("JSON object",)),
        ({"enabled": "yes"}, "evaluation.enabled", ("true or false",)),
        ({"max_examples": 0}, "evaluation.max_examples", ("1 to 10,000",)),
        ({"max_examples": 10_001}, "evaluation.max_examples", ("1 to 10,000",)),
        ({"max_examples": 5.0}, "evaluation.max_examples", ("whole number",)),
        ({"seed": -1}, "evaluation.seed", ("whole number",)),
        ({"min_improvement": 1}, "evaluation.min_improvement", ("between -1 and 1",)),
        ({"min_improvement": "0.1"}, "evaluation.min_improvement", ("in its units",)),
        ({"max_regression": 1.5}, "evaluation.max_regression", ("fraction of its range",)),
        ({"require_significant": 1}, "evaluation.require_significant", ("true or false",)),
        ({"keep_candidate": None}, "evaluation.keep_candidate", ("true or false",)),
        (
            {"baseline_deployment": "no spaces allowed"},
            "evaluation.baseline_deployment",
            ("deployment name",),
        ),
        ({"dataset": "/evals/x.jsonl"}, "evaluation.dataset", (".jsonl blob",)),
        ({"dataset": "evals/../x.jsonl"}, "evaluation.dataset", (".jsonl blob",)),
        ({"dataset": "evals/x.json"}, "evaluation.dataset", (".jsonl blob",)),
        (
            {"graders": [SCORE | {"model": None}, SIMILARITY | {"primary": True}]},
            "evaluation.judge_deployment",
            ("evaluation.graders[0] (judge)", "judge_deployment"),
        ),
        (
            {
                "graders": [
                    SIMILARITY,
                    {
                        **MULTI,
                        "graders": {"j": {k: v for k, v in SCORE.items() if k != "model"}},
                        "calculate_output": "j",
                        "primary": True,
                    },
                ]
            },
            "evaluation.judge_deployment",
            ("graders[1] (judge)",),
        ),
    ],
)
def test_bad_settings_name_the_field(raw, field, words):
    rejected(raw, field, *words)


@pytest.mark.parametrize(
    "raw, field, words",
    [
        ({"graders": []}, "evaluation.graders", ("1 to 20",)),
        ({"graders": {"a": SIMILARITY}}, "evaluation.graders", ("list",)),
        ({"graders": [SIMILARITY, CHECK]}, "evaluation.graders", ("Exactly one", "0 do")),
        (
            {"graders": [SIMILARITY | {"primary": True}, CHECK | {"primary": True}]},
            "evaluation.graders",
            ("2 do",),
        ),
        ({"graders": [SIMILARITY | {"primary": True}, SIMILARITY]}, "evaluation.graders[1].name", ("'sim'",)),
        ({"graders": [SIMILARITY | {"max_regression": 0.1}]}, "evaluation.graders", ("Exactly one",)),
        ({"graders": [PYTHON]}, "evaluation.graders[0].type", ("never executes user code",)),
        (
            {"graders": [SIMILARITY | {"evaluation_metric": "cosine"}]},
            "evaluation.graders[0].evaluation_metric",
            ("embeddings",),
        ),
    ],
)
def test_bad_graders_name_the_grader_field(raw, field, words):
    rejected(raw, field, *words, code=INVALID_GRADER)


def test_a_single_grader_is_the_primary_one():
    settings = parse_evaluation_settings({"graders": [CHECK]}, APP)
    assert settings.primary.name == "exact" and settings.guardrails == []


def test_a_reinforcement_runs_job_grader_is_the_primary_grader():
    job = {**MULTI, "graders": {"exact": CHECK, "py": PYTHON}, "calculate_output": "exact * py"}
    settings = parse_evaluation_settings(None, APP, job_grader=job)
    assert [g.name for g in settings.graders] == ["both"] and settings.primary.purpose == REINFORCEMENT
    assert settings.from_job_grader
    with_guardrail = parse_evaluation_settings(
        {"graders": [SIMILARITY], "judge_deployment": "judge-4o"}, APP, job_grader=SCORE
    )
    assert [g.name for g in with_guardrail.graders] == ["judge", "sim"]
    assert with_guardrail.guardrails[0].max_regression == 0.1
    # An RFT grader's model is a model of the service, not a deployment: the evaluation's judge rates.
    assert with_guardrail.judge_for(with_guardrail.primary) == "judge-4o"
    rejected({"graders": [SIMILARITY]}, "evaluation.judge_deployment", "judge_deployment", job_grader=SCORE)
    rejected(
        {"graders": [SIMILARITY | {"primary": True}]},
        "evaluation.graders[0].primary",
        "job's grader is the primary",
        code=INVALID_GRADER,
        job_grader=CHECK,
    )
    rejected(
        None,
        "method.reinforcement.grader.operation",
        code=INVALID_GRADER,
        job_grader={**CHECK, "operation": "is"},
    )
    again = EvaluationSettings.from_dict(json.loads(json.dumps(settings.to_dict())))
    assert again.to_dict() == settings.to_dict() and again.primary.purpose == REINFORCEMENT
