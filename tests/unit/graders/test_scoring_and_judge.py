"""Scoring without I/O: local graders, batches, multi graders, and the judge's request and reply."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.graders import (
    REINFORCEMENT,
    GradeResult,
    combine_multi,
    grade,
    grade_many,
    judge_request,
    judge_request_or_error,
    make_sample,
    parse_grader,
    parse_judge_reply,
)
from tests.unit.graders.test_config import CHECK, LABEL, MULTI, PYTHON, SCORE, SIMILARITY

pytestmark = pytest.mark.unit


def check(operation, answer, reference):
    grader = parse_grader({**CHECK, "operation": operation})
    return grade(grader, {"label": reference}, make_sample(answer)).score


def test_string_check_operations_follow_the_docs():
    assert check("eq", "Paris", "Paris") == 1.0 and check("eq", "paris", "Paris") == 0.0
    assert check("ne", "paris", "Paris") == 1.0 and check("ne", "Paris", "Paris") == 0.0
    assert check("like", "It is Paris.", "Paris") == 1.0 and check("like", "It is paris.", "Paris") == 0.0
    assert check("ilike", "IT IS PARIS.", "Paris") == 1.0 and check("ilike", "Lyon", "Paris") == 0.0


def test_results_pass_by_the_threshold():
    grader = parse_grader({**SIMILARITY, "pass_threshold": 0.9})
    close = grade(grader, {"reference": "Object storage for files."}, make_sample("Object storage for file."))
    far = grade(grader, {"reference": "Object storage for files."}, make_sample("A database."))
    assert close.passed and close.score >= 0.9
    assert far.passed is False and far.score < 0.9 and far.error is None


def test_json_valid_scores_the_answer_not_the_grader():
    grader = parse_grader({"type": "json_valid", "name": "json", "required_keys": ["answer", "meta.source"]})
    good = '{"answer": "yes", "meta": {"source": "docs"}}'
    assert grade(grader, {}, make_sample(good)).score == 1.0
    assert grade(grader, {}, make_sample('{"answer": "yes"}')).score == 0.0
    assert grade(grader, {}, make_sample("yes")).score == 0.0  # not JSON: a 0, never an excused error
    assert grade(grader, {}, make_sample('["answer"]')).score == 0.0
    assert grade(parse_grader({"type": "json_valid", "name": "j"}), {}, make_sample("[1, 2]")).score == 1.0


def test_a_missing_item_field_is_an_errored_grade_and_a_bad_answer_is_a_low_score():
    grader = parse_grader(SIMILARITY)
    result = grade(grader, {"answer": "x"}, make_sample("x"))
    assert result.errored and result.score is None and result.passed is None
    assert "{{item.reference}}" in result.error
    missing_sample = parse_grader({**CHECK, "input": "{{sample.output_json.city}}", "reference": "Paris"})
    assert grade(missing_sample, {}, make_sample("not json")) == GradeResult(0.0, False)


def test_graders_that_need_a_judge_or_the_service_error_instead_of_guessing():
    judged = grade(parse_grader(SCORE), {"question": "q"}, make_sample("a"))
    assert judged.errored and "judge" in judged.error
    python = grade(parse_grader(PYTHON, purpose=REINFORCEMENT), {}, make_sample("a"))
    assert python.errored and "service" in python.error


def test_grade_many_equals_grade_one_by_one_with_errors_in_place():
    grader = parse_grader(SIMILARITY)
    items = [{"reference": "alpha beta"}, {}, {"reference": "gamma"}, {"reference": ""}]
    samples = [make_sample("alpha beta"), make_sample("x"), make_sample("delta"), make_sample("")]
    assert grade_many(grader, items, samples) == [
        grade(grader, i, s) for i, s in zip(items, samples, strict=True)
    ]
    checker = parse_grader(CHECK)
    assert grade_many(checker, [{"label": "a"}], [make_sample("a")]) == [GradeResult(1.0, True)]
    with pytest.raises(ValueError):
        grade_many(grader, items, samples[:1])


def test_multi_graders_combine_their_members_by_the_formula():
    grader = parse_grader(MULTI)
    item = {"reference": "Paris", "label": "Paris"}
    assert grade(grader, item, make_sample("Paris")).score == 1.0
    assert grade(grader, {"reference": "Paris", "label": "Lyon"}, make_sample("Paris")).score == 0.5
    broken = grade(grader, {"label": "Paris"}, make_sample("Paris"))
    assert broken.errored and "similarity" in broken.error
    divide = parse_grader({**MULTI, "calculate_output": "similarity / exact"})
    zero = grade(divide, {"reference": "Paris", "label": "Lyon"}, make_sample("Paris"))
    assert zero.errored and "no value" in zero.error
    with_judge = parse_grader(
        {**MULTI, "graders": {"exact": CHECK, "judge": SCORE}, "calculate_output": "exact * judge / 5"}
    )
    members = {
        "exact": GradeResult(1.0, True),
        "judge": parse_judge_reply('{"result": 4, "steps": []}', with_judge.sub_graders["judge"]),
    }
    assert combine_multi(with_judge, members).score == pytest.approx(0.8)
    assert combine_multi(with_judge, {"exact": GradeResult(1.0, True)}).errored


def test_judge_request_renders_messages_and_asks_for_the_service_format():
    grader = parse_grader(
        {
            **SCORE,
            "input": [
                {"role": "developer", "content": "Rate 1-5."},
                {
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "Q: {{item.question}}"},
                        {"type": "input_image", "image_url": "https://x/{{item.image}}.png"},
                    ],
                },
                {"role": "user", "content": {"type": "input_text", "text": "A: {{sample.output_text}}"}},
            ],
        }
    )
    request = judge_request(grader, {"question": "Why?", "image": "cat"}, make_sample("Because."))
    messages = request["messages"]
    assert messages[0] == {"role": "system", "content": "Rate 1-5."}
    assert messages[1]["content"] == [
        {"type": "text", "text": "Q: Why?"},
        {"type": "image_url", "image_url": {"url": "https://x/cat.png"}},
    ]
    assert messages[2] == {"role": "user", "content": "A: Because."}
    assert '"result": <a number from 1 to 5>' in messages[-1]["content"]
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["steps", "result"] and request["response_format"]["json_schema"]["strict"]
    assert (request["temperature"], request["seed"], request["max_completion_tokens"]) == (0, 7, 300)
    assert "model" not in request and "top_p" not in request
    label = judge_request(parse_grader(LABEL), {}, make_sample("Thanks!"))
    assert label["response_format"]["json_schema"]["schema"]["properties"]["label"]["enum"] == [
        "polite",
        "rude",
    ]
    errored = judge_request_or_error(grader, {"question": "Why?"}, make_sample("x"))
    assert isinstance(errored, GradeResult) and "{{item.image}}" in errored.error


def test_judge_replies_are_parsed_range_checked_and_errored_never_raised():
    score, label = parse_grader(SCORE), parse_grader(LABEL)
    assert parse_judge_reply('{"steps": [], "result": 4}', score) == GradeResult(4.0, True)
    assert parse_judge_reply('```json\n{"result": 2}\n```', score) == GradeResult(2.0, False)
    assert parse_judge_reply('{"result": 1}', score).score == 1.0  # the bounds are in range
    for reply, words in [
        ("Four.", "not JSON"),
        ("[4]", "not an object"),
        ('{"score": 4}', "numeric"),
        ('{"result": "4"}', "numeric"),
        ('{"result": true}', "numeric"),
        ('{"result": 7}', "outside the grader's range [1, 5]"),
        ("", "empty"),
        (None, "empty"),
        ('{"result": NaN}', "numeric"),
    ]:
        result = parse_judge_reply(reply, score)
        assert result.errored and result.score is None and words in result.error, (reply, result)
    assert parse_judge_reply('{"label": "polite"}', label) == GradeResult(1.0, True, None, "polite")
    assert parse_judge_reply('{"label": "rude"}', label) == GradeResult(0.0, False, None, "rude")
    assert "not one of polite, rude" in parse_judge_reply('{"label": "kind"}', label).error
    with pytest.raises(ValueError):
        parse_judge_reply("{}", parse_grader(CHECK))


@given(st.text(max_size=200))
def test_any_judge_text_gives_a_result(text):
    for grader in (parse_grader(SCORE), parse_grader(LABEL)):
        result = parse_judge_reply(text, grader)
        assert result.errored or grader.score_range[0] <= result.score <= grader.score_range[1]


def test_results_travel_as_json():
    result = GradeResult(0.5, True, None, "x")
    assert GradeResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_an_evaluation_multi_grader_may_hold_json_valid():
    grader = parse_grader(
        {
            **MULTI,
            "graders": {
                "json": {"type": "json_valid", "name": "json", "required_keys": ["city"]},
                "exact": CHECK,
            },
            "calculate_output": "json * exact",
        }
    )
    assert grade(grader, {"label": '{"city": "Paris"}'}, make_sample('{"city": "Paris"}')).score == 1.0
    assert grade(grader, {"label": "Paris"}, make_sample("Paris")).score == 0.0
