"""A grader's item references checked against dataset examples, naming the line."""

from __future__ import annotations

import pytest

from shared.errors import INVALID_GRADER, RequestError
from shared.graders import REINFORCEMENT, check_references, missing_references, parse_grader
from tests.unit.graders.test_config import CHECK, MULTI, SCORE, SIMILARITY

pytestmark = pytest.mark.unit


def test_an_example_with_every_field_passes():
    graders = [parse_grader(SIMILARITY), parse_grader(CHECK)]
    check_references(graders, {"reference": "a", "label": "b"}, 3, where="evaluation.graders")
    assert missing_references(parse_grader(SCORE), {"question": "q"}) == []


def test_a_missing_field_names_the_line_the_grader_field_and_the_fields_there_are():
    graders = [parse_grader(SIMILARITY), parse_grader(CHECK)]
    with pytest.raises(RequestError) as caught:
        check_references(
            graders, {"reference": "a", "answer": "b"}, 7, where="evaluation.graders", file="eval.jsonl"
        )
    error = caught.value
    assert error.code == INVALID_GRADER and error.field == "evaluation.graders[1].reference"
    assert "line 7 of eval.jsonl" in error.message and "{{item.label}}" in error.message
    assert "answer, reference" in error.message


def test_nested_paths_and_multi_members_are_checked():
    grader = parse_grader(
        {
            **MULTI,
            "graders": {"exact": {**CHECK, "reference": "{{item.truth.city}}"}, "similarity": SIMILARITY},
        },
        purpose=REINFORCEMENT,
    )
    assert missing_references(grader, {"truth": {"country": "FR"}, "reference": "x"}) == [
        ("graders.exact.reference", "item.truth.city")
    ]
    with pytest.raises(RequestError) as caught:
        check_references(
            grader, {"truth": {"country": "FR"}, "reference": "x"}, 12, where="method.reinforcement.grader"
        )
    assert caught.value.field == "method.reinforcement.grader.graders.exact.reference"
    assert "line 12" in caught.value.message
    check_references(grader, {"truth": {"city": "Paris"}, "reference": "x"}, 12)
