"""Grader configurations: every type of the schema parses, and every bad field is named with a fix."""

from __future__ import annotations

import pytest

from shared.errors import INVALID_GRADER, RequestError
from shared.graders import EVALUATION, JUDGE, LOCAL, REINFORCEMENT, SERVICE, parse_grader, scoring_mode

pytestmark = pytest.mark.unit

SIMILARITY = {
    "type": "text_similarity",
    "name": "sim",
    "input": "{{sample.output_text}}",
    "reference": "{{item.reference}}",
    "evaluation_metric": "fuzzy_match",
}
CHECK = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.label}}",
    "operation": "eq",
}
SCORE = {
    "type": "score_model",
    "name": "judge",
    "model": "gpt-4o-judge",
    "input": [
        {"role": "system", "content": "Rate the answer from 1 to 5."},
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "{{item.question}}"},
                {"type": "input_text", "text": "{{sample.output_text}}"},
            ],
        },
    ],
    "range": [1, 5],
    "sampling_params": {"temperature": 0, "seed": 7, "max_completions_tokens": 300},
}
LABEL = {
    "type": "label_model",
    "name": "tone",
    "model": "judge-4o",
    "input": [{"role": "user", "content": "Classify: {{sample.output_text}}"}],
    "labels": ["polite", "rude"],
    "passing_labels": ["polite"],
}
PYTHON = {
    "type": "python",
    "name": "py",
    "source": "def grade(sample, item):\n    return 1.0\n",
    "image_tag": "2025-05-08",
}
MULTI = {
    "type": "multi",
    "name": "both",
    "graders": {"similarity": SIMILARITY, "exact": CHECK},
    "calculate_output": "(similarity + exact) / 2",
}


def rejected(raw, field, *words, purpose=EVALUATION):
    with pytest.raises(RequestError) as caught:
        parse_grader(raw, purpose=purpose, where="evaluation.graders[0]")
    error = caught.value
    assert error.code == INVALID_GRADER
    assert error.field == field, error.message
    for word in words:
        assert word in error.message, error.message
    return error.message


@pytest.mark.parametrize(
    "raw",
    [
        SIMILARITY,
        CHECK,
        SCORE,
        LABEL,
        MULTI,
        {"type": "json_valid", "name": "json", "required_keys": ["answer.text"]},
    ],
)
def test_every_evaluation_type_parses_and_round_trips(raw):
    grader = parse_grader(raw)
    assert grader.type == raw["type"] and grader.name == raw["name"]
    again = parse_grader(grader.to_dict())
    assert again.to_dict() == grader.to_dict()
    assert again.pass_threshold == grader.pass_threshold and again.score_range == grader.score_range


@pytest.mark.parametrize(
    "raw",
    [
        SIMILARITY,
        CHECK,
        SCORE,
        PYTHON,
        MULTI,
        {**MULTI, "graders": {"tone": LABEL, "py": PYTHON}, "calculate_output": "0.5 * tone + 0.5 * py"},
    ],
)
def test_every_reinforcement_type_parses_and_is_sent_as_given(raw):
    grader = parse_grader(raw, purpose=REINFORCEMENT)
    assert grader.to_dict() == raw  # nothing added: this is what the service receives


def test_defaults_threshold_is_the_middle_of_the_range_and_label_model_passes_on_its_labels():
    assert parse_grader(SIMILARITY).pass_threshold == 0.5
    assert parse_grader(SCORE).pass_threshold == 3.0 and parse_grader(SCORE).score_range == (1.0, 5.0)
    assert parse_grader(LABEL).pass_threshold == 1.0
    assert parse_grader({**SIMILARITY, "pass_threshold": 0.8}).pass_threshold == 0.8


def test_scoring_modes_say_who_can_score_each_grader():
    assert scoring_mode(parse_grader(SIMILARITY)) == LOCAL
    assert scoring_mode(parse_grader(MULTI)) == LOCAL
    assert scoring_mode(parse_grader(SCORE)) == JUDGE
    assert (
        scoring_mode(
            parse_grader({**MULTI, "graders": {"a": CHECK, "j": SCORE}, "calculate_output": "a * j"})
        )
        == JUDGE
    )
    assert scoring_mode(parse_grader(PYTHON, purpose=REINFORCEMENT)) == SERVICE
    meteor = {**SIMILARITY, "evaluation_metric": "meteor"}
    assert scoring_mode(parse_grader(meteor, purpose=REINFORCEMENT)) == SERVICE


def test_templates_with_spaces_nested_paths_and_indexes_are_accepted():
    grader = parse_grader(
        {
            **CHECK,
            "input": "{{ sample.output_tools[0].function.name }}",
            "reference": "{{item.ground_truth.date}}",
        }
    )
    paths = {ref.text for _, ref in grader.references()}
    assert paths == {"sample.output_tools[0].function.name", "item.ground_truth.date"}


def test_unknown_type_and_field_are_named():
    rejected({**CHECK, "type": "regex_check"}, "evaluation.graders[0].type", "'regex_check'", "string_check")
    rejected({**CHECK, "operaton": "eq"}, "evaluation.graders[0].operaton", "Unknown field", "operation")
    rejected("exact", "evaluation.graders[0]", "JSON object")
    rejected({**CHECK, "name": ""}, "evaluation.graders[0].name", "non-empty")


def test_string_check_operations():
    for operation in ("eq", "ne", "like", "ilike"):
        parse_grader({**CHECK, "operation": operation})
    rejected({**CHECK, "operation": "neq"}, "evaluation.graders[0].operation", '"ne"')
    rejected({**CHECK, "operation": "regex"}, "evaluation.graders[0].operation", "eq, ne, like")


def test_metrics_this_app_cannot_compute_are_refused_with_the_reason():
    field = "evaluation.graders[0].evaluation_metric"
    rejected({**SIMILARITY, "evaluation_metric": "cosine"}, field, "embeddings")
    rejected({**SIMILARITY, "evaluation_metric": "meteor"}, field, "WordNet")
    rejected({**SIMILARITY, "evaluation_metric": "jaccard"}, field, "fuzzy_match", "rouge_l", "f1")
    rejected(
        {**SIMILARITY, "evaluation_metric": "cosine"},
        field,
        "only available for evals",
        purpose=REINFORCEMENT,
    )
    rejected({**SIMILARITY, "evaluation_metric": "f1"}, field, "app's own", purpose=REINFORCEMENT)
    for metric in (
        "fuzzy_match",
        "bleu",
        "gleu",
        "rouge_1",
        "rouge_2",
        "rouge_3",
        "rouge_4",
        "rouge_5",
        "rouge_l",
        "f1",
    ):
        parse_grader({**SIMILARITY, "evaluation_metric": metric})


def test_bad_templates_are_refused_before_use():
    field = "evaluation.graders[0].reference"
    rejected({**CHECK, "reference": "{{items.label}}"}, field, "only item and sample")
    rejected({**CHECK, "reference": "{{sample.output}}"}, field, "output_text")
    rejected({**CHECK, "reference": "{{item}}"}, field, "names no variable")
    rejected({**CHECK, "reference": "{{item.a b}}"}, field, "unreadable path")
    rejected({**CHECK, "reference": 3}, field, "must be a string")


def test_threshold_primary_and_max_regression_rules():
    rejected({**SIMILARITY, "pass_threshold": 1.5}, "evaluation.graders[0].pass_threshold", "0 to 1")
    rejected({**SCORE, "pass_threshold": 0}, "evaluation.graders[0].pass_threshold", "1 to 5")
    rejected({**LABEL, "pass_threshold": 0.5}, "evaluation.graders[0].pass_threshold", "passing_labels")
    rejected({**SIMILARITY, "primary": "yes"}, "evaluation.graders[0].primary", "true or false")
    rejected(
        {**SIMILARITY, "primary": True, "max_regression": 0.1},
        "evaluation.graders[0].max_regression",
        "min_improvement",
    )
    rejected({**SIMILARITY, "max_regression": -0.1}, "evaluation.graders[0].max_regression", "or null")
    assert parse_grader({**SIMILARITY, "max_regression": None}).report_only
    assert parse_grader({**SCORE, "max_regression": 2}).max_regression == 2
    rejected(
        {**SIMILARITY, "primary": True},
        "evaluation.graders[0].primary",
        "Unknown field",
        purpose=REINFORCEMENT,
    )


def test_model_graders_fields():
    rejected({**SCORE, "range": [5, 1]}, "evaluation.graders[0].range", "low < high")
    rejected({**SCORE, "input": []}, "evaluation.graders[0].input", "1 to 50 messages")
    rejected({**SCORE, "input": [{"role": "tool", "content": "x"}]}, "evaluation.graders[0].input[0].role")
    rejected(
        {**SCORE, "input": [{"role": "user", "content": [{"type": "video"}]}]},
        "evaluation.graders[0].input[0].content[0]",
        "input_text",
    )
    rejected(
        {**SCORE, "sampling_params": {"temperature": 3}},
        "evaluation.graders[0].sampling_params.temperature",
        "0 to 2",
    )
    rejected({**SCORE, "sampling_params": {"top_k": 3}}, "evaluation.graders[0].sampling_params")
    rejected({**SCORE, "model": "bad name!"}, "evaluation.graders[0].model", "judge deployment")
    rejected({**SCORE, "model": None}, "evaluation.graders[0].model", "grader model", purpose=REINFORCEMENT)
    rejected({**LABEL, "passing_labels": ["kind"]}, "evaluation.graders[0].passing_labels", "polite, rude")
    rejected({**LABEL, "labels": ["a", "a"]}, "evaluation.graders[0].labels", "distinct")
    rejected(LABEL, "evaluation.graders[0].type", "only inside a multi", purpose=REINFORCEMENT)
    assert parse_grader({k: v for k, v in SCORE.items() if k != "model"}).config.get("model") is None


def test_python_graders_are_compiled_never_run_and_never_used_locally():
    rejected(PYTHON, "evaluation.graders[0].type", "never executes user code")
    field = "evaluation.graders[0].source"
    rejected(
        {**PYTHON, "source": "def grade(sample, item):\n    return (\n"},
        field,
        "line 2",
        purpose=REINFORCEMENT,
    )
    rejected(
        {**PYTHON, "source": "def score(sample, item):\n    return 1\n"},
        field,
        "def grade",
        purpose=REINFORCEMENT,
    )
    rejected(
        {**PYTHON, "source": "def grade(sample):\n    return 1\n"}, field, "(sample)", purpose=REINFORCEMENT
    )
    rejected(
        {**PYTHON, "source": "def grade(a, b, c):\n    return 1\n"},
        field,
        "two positional",
        purpose=REINFORCEMENT,
    )
    rejected({**PYTHON, "source": "x = 1\n" * 50_000}, field, "256 kB", purpose=REINFORCEMENT)
    rejected(
        {**PYTHON, "source": "def grade(a, b):\n    return 1\nreturn 2\n"},
        field,
        "outside function",
        purpose=REINFORCEMENT,
    )
    # A source that would have side effects when run is only compiled: nothing happens here.
    parse_grader(
        {**PYTHON, "source": "import os\nos.remove('/nonexistent')\ndef grade(s, i, *rest):\n    return 1\n"},
        purpose=REINFORCEMENT,
    )


def test_multi_grader_rules():
    field = "evaluation.graders[0].calculate_output"
    rejected({**MULTI, "calculate_output": "(similarity + exact / 2"}, field, "does not parse")
    rejected({**MULTI, "calculate_output": "similarity + other"}, field, "'other'", "exact, similarity")
    rejected({**MULTI, "calculate_output": "__import__('os')"}, field, "calls something other than")
    rejected({**MULTI, "calculate_output": "similarity % 2"}, field, "'%'")
    rejected({**MULTI, "calculate_output": "similarity if exact else 0"}, field, "ifexp")
    rejected({**MULTI, "calculate_output": "exact.real"}, field, "attribute")
    rejected({**MULTI, "calculate_output": "min(similarity=1)"}, field, "plain arguments")
    rejected({**MULTI, "calculate_output": "sqrt(similarity, exact)"}, field, "takes 1")
    rejected(
        {**MULTI, "graders": {"inner": MULTI}},
        "evaluation.graders[0].graders.inner.type",
        "cannot contain another multi",
    )
    rejected({**MULTI, "graders": {"1st": CHECK}}, "evaluation.graders[0].graders.1st", "letters, digits")
    rejected(
        {**MULTI, "graders": {"similarity": {**SIMILARITY, "evaluation_metric": "cosine"}}},
        "evaluation.graders[0].graders.similarity.evaluation_metric",
        "embeddings",
    )
    rejected({**MULTI, "graders": []}, "evaluation.graders[0].graders", "mapping names")
