"""eval.svg: per grader, baseline vs candidate as grouped bars with 95 % whiskers, decision in the title.

Hand-written SVG like loss.svg (no plotting library in the app). Read at a glance, and
not by colour alone: the Okabe-Ito colour-blind-safe pair (orange baseline, blue
candidate), the candidate's bars hatched, every bar labelled with its model and value, the
primary grader starred, guardrails marked with their allowed regression, and the decision
written out in the title. Bars are drawn as a fraction of each grader's range (most graders
score 0 to 1; a score_model's [1, 5] is drawn on the same axis), values are the raw ones.
"""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape

from shared.evaluation.outcomes import BASELINE, CANDIDATE
from shared.evaluation.report import EvalReport
from shared.evaluation.stats import ModelSummary

BAR_W, GAP, GROUP_GAP = 46, 6, 44
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 100, 112
PLOT_H = 260
COLORS = {BASELINE: "#E69F00", CANDIDATE: "#0072B2"}   # Okabe-Ito orange / blue
PASS_COLOR, FAIL_COLOR = "#009E73", "#D55E00"           # Okabe-Ito green / vermillion


def _fraction(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low)))


def _bar(x: float, model: str, summary: ModelSummary, low: float, high: float) -> list[str]:
    base_y = TOP + PLOT_H
    label_y = base_y + 14
    parts = [f'<text x="{x + BAR_W / 2:.1f}" y="{label_y}" text-anchor="middle" font-size="10">'
             f'{model}</text>']
    if summary.mean is None:
        parts.append(f'<text x="{x + BAR_W / 2:.1f}" y="{base_y - 6}" text-anchor="middle" '
                     'font-size="10">n/a</text>')
        return parts
    top = base_y - _fraction(summary.mean, low, high) * PLOT_H
    fill = "url(#hatch)" if model == CANDIDATE else COLORS[model]
    parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{BAR_W}" height="{base_y - top:.1f}" fill="{fill}" '
                 f'stroke="{COLORS[model]}" stroke-width="1.5"><title>{model}: mean {summary.mean:.3f}, '
                 f'n={summary.n}, {summary.errored} errored</title></rect>')
    label_at = top - 5
    if summary.ci95:
        lo_y = base_y - _fraction(summary.ci95[0], low, high) * PLOT_H
        hi_y = base_y - _fraction(summary.ci95[1], low, high) * PLOT_H
        mid = x + BAR_W / 2
        for x1, y1, x2, y2 in ((mid, hi_y, mid, lo_y), (mid - 8, hi_y, mid + 8, hi_y),
                               (mid - 8, lo_y, mid + 8, lo_y)):
            parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="black" '
                         'stroke-width="1.5"/>')
        label_at = min(label_at, hi_y - 5)
    parts.append(f'<text x="{x + BAR_W / 2:.1f}" y="{max(TOP - 4, label_at):.1f}" text-anchor="middle" '
                 f'font-size="11" font-weight="bold">{summary.mean:.2f}</text>')
    return parts


def _title(report: EvalReport, width: float) -> list[str]:
    decision = report.decision
    verdict = "PASSED" if decision.passed else "FAILED"
    color = PASS_COLOR if decision.passed else FAIL_COLOR
    mark = "✓" if decision.passed else "✗"
    outcome = "the candidate ships" if decision.passed else f"quality_gate_failed ({decision.rule})"
    parts = [f'<text x="{LEFT}" y="24" font-size="16" font-weight="bold" fill="{color}">{mark} Quality gate '
             f'{verdict}: {escape(outcome)}</text>']
    for index, line in enumerate(textwrap.wrap(decision.reason, int((width - LEFT) / 6.2))[:4]):
        parts.append(f'<text x="{LEFT}" y="{44 + index * 14}" font-size="11">{escape(line)}</text>')
    return parts


def eval_svg(report: EvalReport) -> str:
    """The chart as a standalone SVG document."""
    group_w = 2 * BAR_W + GAP
    width = max(640, LEFT + RIGHT + len(report.figures) * (group_w + GROUP_GAP))
    height = TOP + PLOT_H + BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
             '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{COLORS[CANDIDATE]}"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="white" stroke-width="2"/></pattern></defs>',
             f'<rect width="{width}" height="{height}" fill="white"/>', *_title(report, width)]
    base_y = TOP + PLOT_H
    for tick in range(6):
        y = base_y - tick / 5 * PLOT_H
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
                     f'{tick / 5:.1f}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base_y}" stroke="black"/>')
    parts.append(f'<line x1="{LEFT}" y1="{base_y}" x2="{width - RIGHT}" y2="{base_y}" stroke="black"/>')
    parts.append(f'<text x="16" y="{TOP + PLOT_H / 2}" text-anchor="middle" font-size="11" '
                 f'transform="rotate(-90 16 {TOP + PLOT_H / 2})">mean score (share of the range), '
                 '95 % CI</text>')
    for index, figure in enumerate(report.figures):
        grader = figure.grader
        x0 = LEFT + GROUP_GAP / 2 + index * (group_w + GROUP_GAP)
        low, high = grader.score_range
        parts += _bar(x0, BASELINE, figure.baseline, low, high)
        parts += _bar(x0 + BAR_W + GAP, CANDIDATE, figure.candidate, low, high)
        role = "★ primary" if grader.primary else (
            f"guardrail: may lose {figure.allowed_regression:.2f}" if figure.allowed_regression is not None
            else "reported only")
        center = x0 + group_w / 2
        diff = figure.paired.difference
        rows = [(grader.name, "bold", 12), (grader.label, "normal", 10), (role, "normal", 10),
                ("Δ " + (f"{diff:+.2f}" if diff is not None else "n/a"), "normal", 10)]
        for row, (text, weight, size) in enumerate(rows):
            parts.append(f'<text x="{center:.1f}" y="{base_y + 30 + row * 13}" text-anchor="middle" '
                         f'font-size="{size}" font-weight="{weight}">{escape(text)}</text>')
    legend_x, legend_y = LEFT, height - 16
    for model in (BASELINE, CANDIDATE):
        fill = "url(#hatch)" if model == CANDIDATE else COLORS[model]
        text = f"{model}: {report.deployments.get(model) or 'deployment not named'}"
        parts.append(f'<rect x="{legend_x}" y="{legend_y - 9}" width="14" height="11" fill="{fill}" '
                     f'stroke="{COLORS[model]}"/>')
        parts.append(f'<text x="{legend_x + 19}" y="{legend_y}" font-size="11">{escape(text)}</text>')
        legend_x += 30 + 6.5 * len(text)
    return "\n".join([*parts, "</svg>"]) + "\n"
