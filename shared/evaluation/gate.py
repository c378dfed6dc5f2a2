"""The quality gate: does the candidate beat the baseline by the run's rules? One sentence says why.

Rules, checked in this order (the first one broken is the reason):
1. ``no_pairs``: at least one example was scored on the primary grader for both models.
2. ``min_improvement``: the primary grader's mean difference (candidate - baseline) is above
   ``evaluation.min_improvement`` (default 0: the candidate must be strictly better).
3. ``significance``: with ``evaluation.require_significant``, the paired bootstrap 95 %
   interval of that difference lies above 0.
4. ``guardrail``: every guardrail grader (each other grader unless its max_regression is null)
   loses at most its allowed regression, and could be checked on at least one pair.
A failed gate carries the code ``quality_gate_failed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.errors import QUALITY_GATE_FAILED
from shared.evaluation.outcomes import GraderFigures
from shared.evaluation.settings import EvaluationSettings
from shared.graders.config import JUDGE, scoring_mode

TOLERANCE = 1e-12  # float noise in a difference is not an improvement


@dataclass(frozen=True)
class Decision:
    """The gate's verdict, the primary grader's figures, and every rule's outcome."""

    passed: bool
    reason: str
    rule: str                                    # "passed" or the first rule broken
    primary: str
    baseline_score: float | None
    candidate_score: float | None
    difference: float | None
    ci95: tuple[float, float] | None
    wins: int
    ties: int
    losses: int
    n_pairs: int
    excluded: int
    significant: bool
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def code(self) -> str | None:
        return None if self.passed else QUALITY_GATE_FAILED

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "code": self.code, "reason": self.reason, "rule": self.rule,
                "primary": self.primary, "baseline_score": self.baseline_score,
                "candidate_score": self.candidate_score, "difference": self.difference,
                "ci95": list(self.ci95) if self.ci95 else None, "wins": self.wins, "ties": self.ties,
                "losses": self.losses, "n_pairs": self.n_pairs, "excluded": self.excluded,
                "significant": self.significant, "checks": list(self.checks)}


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def _interval(ci: tuple[float, float] | None) -> str:
    return f"95 % CI {_signed(ci[0])}..{_signed(ci[1])}" if ci else "no interval"


def decide(figures: list[GraderFigures], settings: EvaluationSettings) -> Decision:
    """The gate's decision over every grader's figures (``outcomes.summarize``)."""
    primary = next(f for f in figures if f.grader.primary)
    pair = primary.paired
    name = primary.grader.name
    significant = bool(pair.ci95 and pair.ci95[0] > 0)
    checks: list[dict[str, Any]] = []

    def verdict(rule: str, reason: str) -> Decision:
        return Decision(rule == "passed", reason, rule, name, pair.baseline_mean, pair.candidate_mean,
                        pair.difference, pair.ci95, pair.wins, pair.ties, pair.losses, pair.n_pairs,
                        pair.excluded, significant, checks)

    if pair.n_pairs == 0:
        hint = " and check the judge deployment" if scoring_mode(primary.grader) == JUDGE else ""
        checks.append({"rule": "no_pairs", "grader": name, "passed": False})
        return verdict("no_pairs", f"No example could be scored on {name} for both models "
                       f"({pair.excluded} left out for errors): read the errors in eval.csv{hint}, then run "
                       "the evaluation again.")
    scored = (f"The candidate scored {pair.candidate_mean:.2f} on {name} vs {pair.baseline_mean:.2f} for the "
              f"baseline ({_signed(pair.difference)}, {_interval(pair.ci95)})")
    improved = pair.difference > settings.min_improvement + TOLERANCE
    checks.append({"rule": "min_improvement", "grader": name, "passed": improved,
                   "difference": pair.difference, "required": settings.min_improvement})
    if not improved:
        return verdict("min_improvement", f"{scored}, not above the required "
                       f"{_signed(settings.min_improvement)}: improve the training data (eval.csv shows the "
                       "examples it lost) or lower evaluation.min_improvement.")
    if settings.require_significant:
        checks.append({"rule": "significance", "grader": name, "passed": significant, "ci95": pair.ci95})
        if not significant:
            return verdict("significance", f"{scored}, but the gain is not significant (the interval reaches "
                           "0): evaluate more examples (evaluation.max_examples) or set "
                           "evaluation.require_significant to false.")
    broken = _guardrails(figures, checks)
    if broken:
        return verdict("guardrail", f"The candidate improved {name} ({_signed(pair.difference)}) but "
                       f"{broken}: check the answers it lost in eval.csv or raise that grader's "
                       "max_regression.")
    caveat = "" if significant else ", though not significant at 95 % (the interval reaches 0)"
    return verdict("passed", f"{scored}, above the required {_signed(settings.min_improvement)}{caveat}.")


def _guardrails(figures: list[GraderFigures], checks: list[dict[str, Any]]) -> str | None:
    """Record every guardrail's check; the first broken one as a phrase (None when all hold)."""
    broken = None
    for figure in figures:
        allowed = figure.allowed_regression
        if allowed is None:
            continue
        pair, name = figure.paired, figure.grader.name
        if pair.n_pairs == 0:
            checks.append({"rule": "guardrail", "grader": name, "passed": False, "allowed": allowed,
                           "difference": None})
            broken = broken or f"{name} could not be checked (no example scored for both models)"
            continue
        holds = pair.difference >= -allowed - TOLERANCE
        checks.append({"rule": "guardrail", "grader": name, "passed": holds, "allowed": allowed,
                       "difference": pair.difference})
        if not holds and broken is None:
            broken = (f"regressed on {name} by {-pair.difference:.2f} ({pair.candidate_mean:.2f} vs "
                      f"{pair.baseline_mean:.2f}), more than the allowed {allowed:.2f}")
    return broken
