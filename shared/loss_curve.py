"""The job's results.csv as numbers, and its loss curve drawn as a standalone SVG worth sharing.

Hand-written SVG (no plotting library in the app): one polyline per series over the
training steps: train loss, and validation loss from ``full_valid_loss`` (the whole
validation file, when the service reports it) else ``valid_loss`` (a batch). Axes have
"nice" ticks (1-2-5 steps, whole steps on x), the title names the run, model and job,
and the final losses and token accuracies are written on the chart. Missing cells (the
service leaves validation columns empty on most steps) are skipped.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import math
from collections.abc import Callable
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 720, 450
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 24, 62, 92
TRAIN_COLOR, VALID_COLOR = "#1f77b4", "#d62728"
TICKS = 5


def _number(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def decode_results_file(raw: bytes) -> str:
    """The CSV text of a results file; the service may hand it out base64-encoded (OpenAI's does)."""
    text = raw.decode("utf-8-sig", errors="replace").strip()
    if "," in text.split("\n", 1)[0]:
        return text + "\n"
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8-sig")
    except (binascii.Error, UnicodeDecodeError):
        return text
    return decoded if "," in decoded.split("\n", 1)[0] else text


def parse_results_csv(text: str) -> list[dict[str, float | None]]:
    """Rows of a results.csv (header row, one row per step) with numeric cells; blanks become None."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    rows = []
    for row in reader:
        parsed = {key.strip(): _number(value) for key, value in row.items() if key}
        if parsed.get("step") is not None:
            rows.append(parsed)
    return rows


def final_metrics(rows: list[dict[str, float | None]]) -> dict[str, float]:
    """The last known value of every column (the job's final metrics)."""
    metrics: dict[str, float] = {}
    for row in rows:
        for key, value in row.items():
            if value is not None:
                metrics[key] = value
    return metrics


def _points(rows: list[dict[str, float | None]], column: str) -> list[tuple[float, float]]:
    points = []
    for row in rows:
        step, value = row.get("step"), row.get(column)
        if step is not None and value is not None:
            points.append((step, value))
    return points


def _has(rows: list[dict[str, float | None]], column: str) -> bool:
    return any(row.get(column) is not None for row in rows)


def series(rows: list[dict[str, float | None]]) -> list[tuple[str, str, str, list[tuple[float, float]]]]:
    """(column, label, color, points): train loss and the best validation loss the job reports."""
    valid = "full_valid_loss" if _has(rows, "full_valid_loss") else "valid_loss"
    label = "validation loss (full file)" if valid == "full_valid_loss" else "validation loss (batch)"
    return [("train_loss", "train loss", TRAIN_COLOR, _points(rows, "train_loss")),
            (valid, label, VALID_COLOR, _points(rows, valid))]


# ---- Ticks ----
def nice_step(span: float, target: int = TICKS) -> float:
    """The step of 1, 2 or 5 times a power of ten nearest (in ratio) to ``span / target``."""
    raw = (span or 1.0) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    return min((factor * magnitude for factor in (1, 2, 5, 10)), key=lambda step: abs(math.log(step / raw)))


def nice_ticks(low: float, high: float, target: int = TICKS, integer: bool = False) -> list[float]:
    """Round tick values covering [low, high]; whole numbers only when ``integer``."""
    if high <= low:
        high = low + 1
    step = nice_step(high - low, target)
    if integer:
        step = max(1.0, float(round(step)))
    start, end = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
    count = int(round((end - start) / step))
    return [round(start + i * step, 12) for i in range(count + 1)]


def tick_label(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    return f"{value:.{decimals}f}"


def _fmt(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"


# ---- The chart ----
def loss_curve_svg(rows: list[dict[str, float | None]], title: str = "Loss per step", *,
                   model: str | None = None, job: str | None = None) -> str:
    """An SVG document plotting train and validation loss against step, with the final values."""
    lines = series(rows)
    all_points = [p for *_, points in lines for p in points]
    subtitle = " · ".join(part for part in (f"model {model}" if model else "", f"job {job}" if job else "")
                          if part)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">'
             f"{escape(title)}</text>"]
    if subtitle:
        parts.append(f'<text x="{WIDTH / 2}" y="42" text-anchor="middle" fill="#444">'
                     f"{escape(subtitle)}</text>")
    if not all_points:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no loss values</text>')
        return "\n".join([*parts, "</svg>"]) + "\n"
    x_ticks = nice_ticks(min(p[0] for p in all_points), max(p[0] for p in all_points), integer=True)
    y_ticks = nice_ticks(min(0.0, min(p[1] for p in all_points)), max(p[1] for p in all_points))
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def sx(x: float) -> float:
        return MARGIN_LEFT + (x - x_ticks[0]) / (x_ticks[-1] - x_ticks[0]) * plot_w

    def sy(y: float) -> float:
        return MARGIN_TOP + plot_h - (y - y_ticks[0]) / (y_ticks[-1] - y_ticks[0]) * plot_h

    parts += _axes(x_ticks, y_ticks, sx, sy)
    for index, (_, label, color, points) in enumerate(lines):
        if points:
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{coords}">'
                         f"<title>{escape(label)}</title></polyline>")
            last_x, last_y = points[-1]
            parts.append(f'<circle cx="{sx(last_x):.1f}" cy="{sy(last_y):.1f}" r="3.5" fill="{color}"/>')
        legend_y = MARGIN_TOP + 14 + index * 18
        parts.append(f'<line x1="{WIDTH - MARGIN_RIGHT - 210}" y1="{legend_y}" '
                     f'x2="{WIDTH - MARGIN_RIGHT - 186}" y2="{legend_y}" stroke="{color}" '
                     'stroke-width="2.5"/>')
        parts.append(f'<text x="{WIDTH - MARGIN_RIGHT - 180}" y="{legend_y + 4}">{escape(label)}</text>')
    parts.append(_finals(rows, lines))
    return "\n".join([*parts, "</svg>"]) + "\n"


def final_values(rows: list[dict[str, float | None]], valid_column: str) -> list[tuple[str, float]]:
    """(label, value) of the final losses and token accuracies the job reported."""
    metrics = final_metrics(rows)
    accuracy = "full_valid_mean_token_accuracy" if valid_column == "full_valid_loss" else \
        "valid_mean_token_accuracy"
    wanted = (("train_loss", "train loss"), (valid_column, "validation loss"),
              ("train_mean_token_accuracy", "train token accuracy"), (accuracy, "validation token accuracy"))
    return [(label, metrics[column]) for column, label in wanted if column in metrics]


def _finals(rows: list[dict[str, float | None]], lines: list[tuple[str, str, str, list]]) -> str:
    """Two lines under the chart: the final losses, then the final token accuracies."""
    values = dict(final_values(rows, lines[1][0]))
    last_step = final_metrics(rows).get("step")
    def joined(kind: str) -> str:
        return " · ".join(f"{who} {_fmt(values[f'{who} {kind}'])}" for who in ("train", "validation")
                          if f"{who} {kind}" in values)

    losses, accuracies = joined("loss"), joined("token accuracy")
    step = f" (step {last_step:.0f})" if last_step is not None else ""
    texts = [f"final loss{step}: {losses}" if losses else "", f"final token accuracy: {accuracies}"
             if accuracies else ""]
    return "\n".join(f'<text x="{MARGIN_LEFT}" y="{HEIGHT - 28 + 18 * i}" fill="#222">{escape(text)}</text>'
                     for i, text in enumerate(t for t in texts if t))


def _axes(x_ticks: list[float], y_ticks: list[float],
          sx: Callable[[float], float], sy: Callable[[float], float]) -> list[str]:
    bottom, left, right = HEIGHT - MARGIN_BOTTOM, MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    parts = []
    y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 1.0
    for y in y_ticks:
        parts.append(f'<line x1="{left}" y1="{sy(y):.1f}" x2="{right}" y2="{sy(y):.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{left - 8}" y="{sy(y) + 4:.1f}" text-anchor="end">'
                     f"{tick_label(y, y_step)}</text>")
    for x in x_ticks:
        parts.append(f'<line x1="{sx(x):.1f}" y1="{bottom}" x2="{sx(x):.1f}" y2="{bottom + 5}" '
                     'stroke="black"/>')
        parts.append(f'<text x="{sx(x):.1f}" y="{bottom + 19}" text-anchor="middle">{x:.0f}</text>')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>')
    parts.append(f'<line x1="{left}" y1="{MARGIN_TOP}" x2="{left}" y2="{bottom}" stroke="black"/>')
    middle_y = MARGIN_TOP + (bottom - MARGIN_TOP) / 2
    parts.append(f'<text x="{left + (right - left) / 2}" y="{bottom + 36}" text-anchor="middle">step</text>')
    parts.append(f'<text x="16" y="{middle_y}" text-anchor="middle" transform="rotate(-90 16 {middle_y})">'
                 "loss</text>")
    return parts
