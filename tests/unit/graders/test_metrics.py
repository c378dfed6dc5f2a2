"""Text similarity metrics: known values, ranges, the batch path, and ROUGE-L against rouge-score."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer

from shared.graders.metrics import LOCAL_METRICS, similarities, similarity, token_f1, words

pytestmark = pytest.mark.unit

REFERENCE = "Object storage for unstructured data such as files, images and datasets."
texts = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=80)


@pytest.mark.parametrize("metric", LOCAL_METRICS)
def test_identical_text_scores_one_and_unrelated_text_scores_low(metric):
    assert similarity(metric, REFERENCE, REFERENCE) == pytest.approx(1.0)
    assert similarity(metric, "No comment.", REFERENCE) < 0.35
    better = "Object storage for unstructured data such as files."
    assert similarity(metric, better, REFERENCE) > similarity(metric, "Storage.", REFERENCE)


def test_known_values():
    assert similarity("fuzzy_match", "Hello World!", "hello world") == 1.0  # rapidfuzz default_process
    assert similarity("fuzzy_match", "abcd", "abce") == pytest.approx(0.75)
    # SQuAD's own example semantics: articles and punctuation do not count.
    assert token_f1("The Eiffel Tower!", "eiffel tower") == 1.0
    assert token_f1("in Paris France", "Paris") == pytest.approx(0.5)
    assert token_f1("", "") == 1.0 and token_f1("a", "") == 1.0 and token_f1("x", "") == 0.0
    assert similarity("rouge_1", "the cat sat", "the cat sat on the mat") == pytest.approx(2 * 1 * 0.5 / 1.5)
    assert similarity("rouge_2", "the cat sat", "the cat sat on the mat") == pytest.approx(2 * 1 * 0.4 / 1.4)
    assert similarity("bleu", "", REFERENCE) == 0.0


def test_words_keep_accented_and_non_latin_text():
    assert words("Ça coûte 3 €, naïve_user!") == ["ça", "coûte", "3", "naïve", "user"]
    assert similarity("rouge_l", "Привет мир", "привет, мир") == 1.0


@settings(max_examples=60, deadline=None)
@given(texts, texts)
def test_rouge_l_is_rouge_scores_lcs_f_measure(candidate, reference):
    class Words:
        def tokenize(self, text):
            return words(text)

    expected = rouge_scorer.RougeScorer(["rougeL"], tokenizer=Words()).score(reference, candidate)["rougeL"]
    assert similarity("rouge_l", candidate, reference) == pytest.approx(expected.fmeasure)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=8), st.sampled_from(LOCAL_METRICS))
def test_scores_are_in_range_and_the_batch_equals_pair_by_pair(pairs, metric):
    candidates, references = [a for a, _ in pairs], [b for _, b in pairs]
    batch = similarities(metric, candidates, references)
    for (candidate, reference), value in zip(pairs, batch, strict=True):
        assert 0.0 <= value <= 1.0
        assert value == pytest.approx(similarity(metric, candidate, reference))
