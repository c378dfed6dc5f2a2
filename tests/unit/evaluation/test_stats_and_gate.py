"""Statistics (bootstrap intervals, paired differences) and the gate's decision with its reason."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import QUALITY_GATE_FAILED
from shared.evaluation.gate import decide
from shared.evaluation.outcomes import summarize
from shared.evaluation.stats import bootstrap_mean_ci, paired, rng_for, summarize_model
from tests.unit.evaluation.helpers import default_settings, outcomes_of

pytestmark = pytest.mark.unit

unit_scores = st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=40), st.integers(0, 99))
def test_the_paired_interval_contains_the_observed_difference(pairs, seed):
    baseline, candidate = np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
    result = paired(baseline, candidate, seed, "g")
    low, high = result.ci95
    assert low - 1e-9 <= result.difference <= high + 1e-9
    assert result.difference == pytest.approx(candidate.mean() - baseline.mean())
    assert result.wins + result.ties + result.losses == result.n_pairs == len(pairs)


@settings(max_examples=30, deadline=None)
@given(unit_scores, st.integers(0, 99))
def test_identical_models_differ_by_zero_and_swapping_them_negates(scores, seed):
    same = paired(np.array(scores), np.array(scores), seed, "g")
    assert same.difference == 0 and same.ci95 == (0.0, 0.0) and same.ties == len(scores)
    shifted = np.clip(np.array(scores)[::-1], 0, 1)
    forward = paired(np.array(scores), shifted, seed, "g")
    backward = paired(shifted, np.array(scores), seed, "g")
    assert forward.difference == pytest.approx(-backward.difference, abs=1e-12)
    assert (forward.wins, forward.losses) == (backward.losses, backward.wins)
    assert forward.ci95[0] == pytest.approx(-backward.ci95[1]) and forward.ci95[1] == pytest.approx(
        -backward.ci95[0]
    )


@settings(max_examples=30, deadline=None)
@given(unit_scores, st.floats(0, 1))
def test_model_figures_stay_in_range(scores, threshold):
    summary = summarize_model(np.array(scores), threshold, 1, "g/baseline")
    assert 0 <= summary.mean <= 1 and 0 <= summary.pass_rate <= 1
    assert 0 <= summary.ci95[0] <= summary.mean + 1e-12 and summary.mean - 1e-12 <= summary.ci95[1] <= 1


def test_errored_examples_are_counted_and_left_out_pairwise():
    baseline = np.array([0.2, np.nan, 0.4, 0.5])
    candidate = np.array([0.6, 0.9, np.nan, 0.5])
    result = paired(baseline, candidate, 0, "g")
    assert (result.n_pairs, result.excluded) == (2, 2)
    assert result.baseline_mean == pytest.approx(0.35) and result.candidate_mean == pytest.approx(0.55)
    assert (result.wins, result.ties, result.losses) == (1, 1, 0)
    alone = summarize_model(candidate, 0.5, 0, "g/candidate")
    assert (alone.n, alone.errored, alone.pass_rate) == (3, 1, 1.0)
    nothing = paired(np.array([np.nan]), np.array([1.0]), 0, "g")
    assert nothing.n_pairs == 0 and nothing.ci95 is None and nothing.difference is None


def test_bootstrap_is_seeded_and_bounded_in_memory():
    values = np.random.default_rng(0).random(20_000)
    first = bootstrap_mean_ci(values, rng_for(1, "k"), resamples=2_000)
    assert first == bootstrap_mean_ci(values, rng_for(1, "k"), resamples=2_000)
    assert first != bootstrap_mean_ci(values, rng_for(2, "k"), resamples=2_000)
    assert first[0] < values.mean() < first[1] and first[1] - first[0] < 0.02
    assert bootstrap_mean_ci(np.array([]), rng_for(1, "k")) is None


def decision(scores, **raw):
    settings = default_settings(**raw)
    return decide(summarize(outcomes_of(scores, settings), settings), settings)


GOOD = [0.8, 0.7, 0.9, 0.75, 0.85, 0.8, 0.9, 0.7, 0.95, 0.8]
POOR = [0.4, 0.45, 0.35, 0.5, 0.4, 0.42, 0.38, 0.41, 0.44, 0.39]
GAIN = float(np.mean(GOOD) - np.mean(POOR))  # 0.401: shown as +0.40 (the means round to 0.82 and 0.41)


def test_a_better_candidate_passes_with_a_sentence_a_user_reads():
    result = decision({"similarity": (POOR, GOOD), "rouge_l": (POOR, GOOD)})
    assert result.passed and result.code is None and result.rule == "passed"
    assert result.reason.startswith(
        f"The candidate scored {np.mean(GOOD):.2f} on similarity vs "
        f"{np.mean(POOR):.2f} for the baseline ({GAIN:+.2f}, 95 % CI +"
    )
    assert result.reason.endswith("above the required +0.00.") and result.significant
    assert (result.wins, result.ties, result.losses) == (10, 0, 0)
    assert [c["rule"] for c in result.checks] == ["min_improvement", "guardrail"]


def test_a_worse_candidate_fails_on_min_improvement_and_says_what_to_do():
    result = decision({"similarity": (GOOD, POOR), "rouge_l": (GOOD, POOR)})
    assert not result.passed and result.code == QUALITY_GATE_FAILED and result.rule == "min_improvement"
    assert f"({-GAIN:+.2f}, 95 % CI -" in result.reason and "not above the required +0.00" in result.reason
    assert "evaluation.min_improvement" in result.reason
    tie = decision({"similarity": (GOOD, GOOD), "rouge_l": (GOOD, GOOD)})
    assert tie.rule == "min_improvement"  # the default asks for a strictly better candidate
    small = decision(
        {"similarity": (POOR, [x + 0.01 for x in POOR]), "rouge_l": (POOR, POOR)}, min_improvement=0.02
    )
    assert small.rule == "min_improvement" and "required +0.02" in small.reason


def test_significance_when_required_and_a_caveat_when_not():
    noisy_base = [0.5, 0.2, 0.9, 0.4, 0.6]
    noisy_cand = [0.6, 0.1, 0.95, 0.3, 0.75]
    loose = decision({"similarity": (noisy_base, noisy_cand), "rouge_l": (noisy_base, noisy_cand)})
    assert loose.passed and not loose.significant and "not significant at 95 %" in loose.reason
    strict = decision(
        {"similarity": (noisy_base, noisy_cand), "rouge_l": (noisy_base, noisy_cand)},
        require_significant=True,
    )
    assert strict.rule == "significance" and "evaluation.require_significant" in strict.reason


def test_a_guardrail_may_not_regress_beyond_its_allowance():
    result = decision({"similarity": (POOR, GOOD), "rouge_l": (GOOD, POOR)})
    assert result.rule == "guardrail" and not result.passed
    assert (
        f"regressed on rouge_l by {GAIN:.2f} (0.41 vs 0.82)" in result.reason
        and "allowed 0.05" in result.reason
    )
    within = decision({"similarity": (POOR, GOOD), "rouge_l": (GOOD, [x - 0.04 for x in GOOD])})
    assert within.passed
    report_only = decision(
        {"similarity": (POOR, GOOD), "rouge_l": (GOOD, POOR)},
        graders=[
            {
                "type": "text_similarity",
                "name": "similarity",
                "input": "{{sample.output_text}}",
                "reference": "{{item.reference}}",
                "evaluation_metric": "fuzzy_match",
                "primary": True,
            },
            {
                "type": "text_similarity",
                "name": "rouge_l",
                "input": "{{sample.output_text}}",
                "reference": "{{item.reference}}",
                "evaluation_metric": "rouge_l",
                "max_regression": None,
            },
        ],
    )
    assert report_only.passed


def test_errors_are_excluded_and_no_pairs_at_all_fails_safe():
    with_errors = decision({"similarity": ([None, *POOR[1:]], [*GOOD[:-1], None]), "rouge_l": (POOR, GOOD)})
    assert with_errors.passed and (with_errors.n_pairs, with_errors.excluded) == (8, 2)
    none = decision({"similarity": ([None] * 3, [0.9] * 3), "rouge_l": ([0.1] * 3, [0.9] * 3)})
    assert none.rule == "no_pairs" and "3 left out for errors" in none.reason and "eval.csv" in none.reason
    unchecked = decision({"similarity": (POOR, GOOD), "rouge_l": ([None] * 10, GOOD)})
    assert unchecked.rule == "guardrail" and "rouge_l could not be checked" in unchecked.reason
