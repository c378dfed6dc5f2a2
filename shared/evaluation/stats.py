"""Evaluation statistics with numpy: means, pass rates, bootstrap intervals, paired differences.

Scores arrive as float arrays with NaN for an errored example. Per model: the mean and pass
rate over its scored examples and a 95 % percentile-bootstrap interval of the mean. Paired
(candidate - baseline, same examples): only examples both models' grades scored enter
(errored pairs are counted and left out), with the mean difference, its paired bootstrap
95 % interval (the same resampled examples for both models) and win/tie/loss counts.

Resampling is seeded (``rng_for(seed, key)``: the same seed and grader give the same draws)
and vectorised in chunks of at most ``MAX_CELLS`` index draws, so memory stays bounded.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass

import numpy as np

RESAMPLES = 10_000
CONFIDENCE = 0.95
MAX_CELLS = 4_000_000
TIE_TOLERANCE = 1e-9


def rng_for(seed: int, key: str) -> np.random.Generator:
    """A Generator for one statistic: seeded by the evaluation's seed and a stable key (crc32)."""
    return np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])


def bootstrap_mean_ci(values: np.ndarray, rng: np.random.Generator, resamples: int = RESAMPLES,
                      confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Percentile-bootstrap interval of the mean of ``values`` (None when there are none)."""
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    if n == 0:
        return None
    if n == 1 or np.all(values == values[0]):
        return float(values[0]), float(values[0])
    means = np.empty(resamples, dtype=np.float64)
    chunk = max(1, MAX_CELLS // n)
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        picks = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = values[picks].mean(axis=1)
    tail = (1.0 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class ModelSummary:
    """One grader's figures for one model."""

    n: int                       # examples scored
    errored: int                 # examples whose grade errored (left out)
    mean: float | None
    pass_rate: float | None
    ci95: tuple[float, float] | None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["ci95"] = list(self.ci95) if self.ci95 else None
        return data


def summarize_model(scores: np.ndarray, threshold: float, seed: int, key: str) -> ModelSummary:
    """Mean, pass rate (score >= threshold) and bootstrap CI over the scored (non-NaN) examples."""
    scores = np.asarray(scores, dtype=np.float64)
    valid = scores[~np.isnan(scores)]
    if valid.size == 0:
        return ModelSummary(0, int(scores.size), None, None, None)
    return ModelSummary(int(valid.size), int(scores.size - valid.size), float(valid.mean()),
                        float(np.mean(valid >= threshold)), bootstrap_mean_ci(valid, rng_for(seed, key)))


@dataclass(frozen=True)
class PairedSummary:
    """Candidate vs baseline on the examples both were scored on."""

    n_pairs: int
    excluded: int                # examples left out: an errored grade for either model
    baseline_mean: float | None
    candidate_mean: float | None
    difference: float | None     # mean of (candidate - baseline) = candidate_mean - baseline_mean
    ci95: tuple[float, float] | None
    wins: int
    ties: int
    losses: int

    def to_dict(self) -> dict:
        data = asdict(self)
        data["ci95"] = list(self.ci95) if self.ci95 else None
        return data


def paired(baseline: np.ndarray, candidate: np.ndarray, seed: int, key: str) -> PairedSummary:
    """The paired comparison of two score arrays over the same examples (NaN: errored)."""
    baseline = np.asarray(baseline, dtype=np.float64)
    candidate = np.asarray(candidate, dtype=np.float64)
    if baseline.shape != candidate.shape:
        raise ValueError("baseline and candidate need one score per example each")
    both = ~np.isnan(baseline) & ~np.isnan(candidate)
    excluded = int(baseline.size - both.sum())
    if not both.any():
        return PairedSummary(0, excluded, None, None, None, None, 0, 0, 0)
    base, cand = baseline[both], candidate[both]
    deltas = cand - base
    wins = int(np.sum(deltas > TIE_TOLERANCE))
    losses = int(np.sum(deltas < -TIE_TOLERANCE))
    return PairedSummary(int(both.sum()), excluded, float(base.mean()), float(cand.mean()),
                         float(deltas.mean()), bootstrap_mean_ci(deltas, rng_for(seed, key)),
                         wins, int(deltas.size) - wins - losses, losses)
