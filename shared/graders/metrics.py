"""Text similarity metrics of the ``text_similarity`` grader, computed with maintained libraries.

Every metric is a number from 0 to 1 (1: identical), for one pair or for a batch
(``similarities``, the fast path of ``grade_many``). Which library computes what, and how
text is normalised first (docs/evaluation.md, "Metrics"):

- ``fuzzy_match``: rapidfuzz ``fuzz.ratio`` (normalised Indel similarity) after rapidfuzz's
  ``default_process`` (lower case, non-alphanumerics to spaces, trimmed). Pair by pair even in
  batches: rapidfuzz's C loop does 10,000 pairs in ~10 ms, and ``process.cpdist`` rounds
  differently (20.0 where ``ratio`` gives 19.999999999999996).
- ``bleu``: sacrebleu sentence BLEU (13a tokenizer, case kept, exponential smoothing,
  effective n-gram order), divided by 100.
- ``gleu``: NLTK ``sentence_gleu`` (1- to 4-grams) on word tokens.
- ``rouge_1`` .. ``rouge_5``: the F-measure of Google's ``rouge-score`` library on word tokens.
- ``rouge_l``: the LCS F-measure on word tokens, the LCS computed by rapidfuzz ``LCSseq``
  (the same value as rouge-score's rougeL; a test checks it, this is ~50x faster).
- ``f1``: token F1 as the SQuAD evaluation script defines it (lower case, punctuation and
  articles removed, whitespace tokens; bag-of-tokens precision and recall).

Word tokens: lower-cased runs of Unicode letters and digits; on ASCII text these are exactly
rouge-score's default tokens, and accented or non-Latin text is kept instead of dropped.
``meteor`` (needs the WordNet corpus, a download) and ``cosine`` (needs an embeddings model)
are refused for local evaluation.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache

from rapidfuzz import fuzz, utils
from rapidfuzz.distance import LCSseq

# The schema's list (GraderTextSimilarity.evaluation_metric), then this app's own.
SPEC_METRICS = ("cosine", "fuzzy_match", "bleu", "gleu", "meteor", "rouge_1", "rouge_2", "rouge_3", "rouge_4",
                "rouge_5", "rouge_l")
ROUGE_N = {f"rouge_{n}": n for n in range(1, 6)}
LOCAL_METRICS = ("fuzzy_match", "bleu", "gleu", *ROUGE_N, "rouge_l", "f1")
REFUSED_METRICS = {
    "meteor": "meteor needs the WordNet corpus, which this app does not ship (no downloads at run time); "
              "use rouge_l, bleu, gleu, fuzzy_match or f1.",
    "cosine": "cosine needs an embeddings model, which local evaluation does not call; use fuzzy_match, "
              "rouge_l or f1, or a score_model grader with a judge deployment for meaning.",
}

_WORD = re.compile(r"[^\W_]+")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def words(text: str) -> list[str]:
    """Lower-cased runs of letters and digits (rouge-score's default tokens on ASCII text)."""
    return _WORD.findall(text.lower())


class _WordTokenizer:
    """The tokenizer object rouge-score's RougeScorer expects."""

    def tokenize(self, text: str) -> list[str]:
        return words(text)


def fuzzy_match(candidate: str, reference: str) -> float:
    return fuzz.ratio(candidate, reference, processor=utils.default_process) / 100.0


@cache
def _bleu():  # sacrebleu imports in ~70 ms; only evaluations that use BLEU pay for it
    from sacrebleu.metrics import BLEU
    return BLEU(effective_order=True)


def bleu(candidate: str, reference: str) -> float:
    return _bleu().sentence_score(candidate, [reference]).score / 100.0


def gleu(candidate: str, reference: str) -> float:
    from nltk.translate.gleu_score import sentence_gleu
    hypothesis, target = words(candidate), words(reference)
    return float(sentence_gleu([target], hypothesis)) if hypothesis and target else float(
        hypothesis == target)


@cache
def _rouge_scorer(n: int):  # rouge-score imports NLTK (~0.2 s): loaded on first use
    from rouge_score import rouge_scorer
    return rouge_scorer.RougeScorer([f"rouge{n}"], tokenizer=_WordTokenizer())


def rouge_n(n: int, candidate: str, reference: str) -> float:
    return float(_rouge_scorer(n).score(reference, candidate)[f"rouge{n}"].fmeasure)


def _lcs_f1(candidate: list[str], reference: list[str]) -> float:
    if not candidate or not reference:
        return 0.0
    common = LCSseq.similarity(candidate, reference)
    if not common:
        return 0.0
    precision, recall = common / len(candidate), common / len(reference)
    return 2 * precision * recall / (precision + recall)


def rouge_l(candidate: str, reference: str) -> float:
    return _lcs_f1(words(candidate), words(reference))


def squad_tokens(text: str) -> list[str]:
    """SQuAD's normalize_answer, then whitespace split."""
    return _ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split()


def token_f1(candidate: str, reference: str) -> float:
    predicted, gold = squad_tokens(candidate), squad_tokens(reference)
    if not predicted or not gold:
        return float(predicted == gold)
    same = sum((Counter(predicted) & Counter(gold)).values())
    if not same:
        return 0.0
    precision, recall = same / len(predicted), same / len(gold)
    return 2 * precision * recall / (precision + recall)


METRICS: dict[str, Callable[[str, str], float]] = {
    "fuzzy_match": fuzzy_match, "bleu": bleu, "gleu": gleu, "rouge_l": rouge_l, "f1": token_f1,
    **{name: (lambda a, b, n=n: rouge_n(n, a, b)) for name, n in ROUGE_N.items()},
}


def similarity(metric: str, candidate: str, reference: str) -> float:
    """One pair's score from 0 to 1; KeyError for a metric this app does not compute."""
    return min(1.0, max(0.0, METRICS[metric](candidate, reference)))


def similarities(metric: str, candidates: Sequence[str], references: Sequence[str]) -> list[float]:
    """The scores of many pairs (same as ``similarity`` pair by pair, faster)."""
    if metric == "rouge_l":
        return [_lcs_f1(words(a), words(b)) for a, b in zip(candidates, references, strict=True)]
    score = METRICS[metric]
    return [min(1.0, max(0.0, score(a, b))) for a, b in zip(candidates, references, strict=True)]
