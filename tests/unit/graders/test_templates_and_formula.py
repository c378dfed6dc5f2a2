"""Templates ({{item.*}}, {{sample.*}}) and multi-grader formulas (calculate_output)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.graders.formula import FormulaError, FormulaValueError, compile_formula
from shared.graders.templates import MissingField, compile_template, make_sample

pytestmark = pytest.mark.unit

ITEM = {
    "answer": "Paris",
    "ground_truth": {"date": "2024-05-01", "tags": ["a", "b"]},
    "n": 3,
    "ok": True,
    "nested": {"list": [{"x": 1}]},
}


def test_rendering_substitutes_item_and_sample_values():
    sample = make_sample(
        '{"city": "Paris", "scores": [1, 2]}',
        tool_calls=[{"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}],
    )
    cases = {
        "{{item.answer}}": "Paris",
        "{{ item.ground_truth.date }}!": "2024-05-01!",
        "{{item.ground_truth.tags[1]}}": "b",
        "{{item.nested.list[0].x}}": "1",
        "{{item.n}} {{item.ok}}": "3 true",
        "{{item.ground_truth.tags}}": '["a", "b"]',
        "{{sample.output_json.city}}": "Paris",
        "{{sample.output_json.scores.1}}": "2",
        "{{sample.output_tools[0].function.name}}": "lookup",
        "no templates here": "no templates here",
        "": "",
    }
    for source, expected in cases.items():
        assert compile_template(source).render(ITEM, sample) == expected, source


def test_a_missing_item_field_is_an_error_but_a_missing_sample_path_is_empty():
    sample = make_sample("not json")
    with pytest.raises(MissingField) as caught:
        compile_template("{{item.answer.text}}").render(ITEM, sample)
    assert caught.value.reference.text == "item.answer.text"
    with pytest.raises(MissingField):
        compile_template("{{item.ground_truth.tags[5]}}").render(ITEM, sample)
    assert compile_template("[{{sample.output_json.city}}]").render(ITEM, sample) == "[]"
    assert compile_template("[{{sample.output_tools[0].function.name}}]").render(ITEM, sample) == "[]"


def test_make_sample_parses_json_answers_only():
    assert make_sample('{"a": 1}')["output_json"] == {"a": 1}
    assert make_sample("plain words")["output_json"] is None
    assert make_sample(None) == {
        "output_text": "",
        "output_json": None,
        "output_tools": [],
        "choices": [],
        "output_audio": None,
    }


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=200))
def test_text_without_braces_renders_unchanged(text):
    assert compile_template(text).render({}, make_sample("")) == text


def test_formula_operators_functions_and_precedence():
    names = ("a", "b")
    cases = {
        "(a + b) / 2": 0.75,
        "a ^ 2 * 2": 0.5,
        "2 * a ^ 2": 0.5,
        "-a ^ 2": -0.25,
        "a ** 3": 0.125,
        "min(a, b, 0.2)": 0.2,
        "max(a, b)": 1.0,
        "abs(a - b)": 0.5,
        "floor(a + b)": 1.0,
        "ceil(a)": 1.0,
        "sqrt(b * 4)": 2.0,
        "exp(0)": 1.0,
        "log(exp(a))": 0.5,
        "1.5e0 * b": 1.5,
    }
    for source, expected in cases.items():
        assert compile_formula(source, names).evaluate({"a": 0.5, "b": 1.0}) == pytest.approx(expected), (
            source
        )


def test_formula_names_are_recorded_and_values_without_a_number_are_value_errors():
    formula = compile_formula("(a + b) / c", ["a", "b", "c", "d"])
    assert formula.names == {"a", "b", "c"}
    with pytest.raises(FormulaValueError):
        formula.evaluate({"a": 1, "b": 1, "c": 0})
    with pytest.raises(FormulaValueError):
        compile_formula("log(a)", ["a"]).evaluate({"a": 0})
    with pytest.raises(FormulaValueError):
        compile_formula("a ^ 0.5", ["a"]).evaluate({"a": -1})
    with pytest.raises(FormulaValueError):
        compile_formula("exp(a)", ["a"]).evaluate({"a": 1e6})


@pytest.mark.parametrize(
    "source",
    [
        "",
        "a +",
        "a and b",
        "a < b",
        "[a]",
        "'a'",
        "True",
        "a.b",
        "lambda: 1",
        "a(1)",
        "min",
        "a; b",
        "a = 1",
        "f'{a}'",
        "a[0]",
        "a // 2",
        "a % 2",
        "x" * 2001,
    ],
)
def test_formula_outside_the_grammar_is_refused(source):
    with pytest.raises(FormulaError):
        compile_formula(source, ["a", "b"])


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 1))
def test_weighted_average_formulas_stay_in_range(a, b, weight):
    value = compile_formula(f"{weight} * a + (1 - {weight}) * b", ["a", "b"]).evaluate({"a": a, "b": b})
    assert -1e-9 <= value <= 1 + 1e-9 and math.isfinite(value)
