"""The job's results.csv as numbers, and its loss curve drawn as a small standalone SVG.

Hand-written SVG (no plotting library in the app): one polyline per series (train
loss, validation loss) over the training steps, axes with a few ticks, a legend.
Missing cells (the service leaves validation columns empty on most steps) are skipped.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import math
from collections.abc import Callable
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 60, 20, 30, 45
SERIES = (("train_loss", "train loss", "#1f77b4"), ("valid_loss", "validation loss", "#d62728"))
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


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def loss_curve_svg(rows: list[dict[str, float | None]], title: str = "Loss per step") -> str:
    """An SVG document plotting train and validation loss against step."""
    series = [(label, color, _points(rows, column)) for column, label, color in SERIES]
    all_points = [p for _, _, points in series for p in points]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="14">{escape(title)}</text>']
    if not all_points:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no loss values</text>')
        return "\n".join([*parts, "</svg>"]) + "\n"
    x_min, x_max = min(p[0] for p in all_points), max(p[0] for p in all_points)
    y_min, y_max = min(0.0, min(p[1] for p in all_points)), max(p[1] for p in all_points)
    x_span, y_span = (x_max - x_min) or 1.0, (y_max - y_min) or 1.0
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def sx(x: float) -> float:
        return MARGIN_LEFT + (x - x_min) / x_span * plot_w

    def sy(y: float) -> float:
        return MARGIN_TOP + plot_h - (y - y_min) / y_span * plot_h

    parts += _axes(x_min, x_span, y_min, y_span, sx, sy)
    for index, (label, color, points) in enumerate(series):
        if points:
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{coords}">'
                         f"<title>{escape(label)}</title></polyline>")
        legend_y = MARGIN_TOP + 8 + index * 16
        parts.append(f'<line x1="{WIDTH - 170}" y1="{legend_y}" x2="{WIDTH - 150}" y2="{legend_y}" '
                     f'stroke="{color}" stroke-width="2"/>')
        parts.append(f'<text x="{WIDTH - 145}" y="{legend_y + 4}">{escape(label)}</text>')
    return "\n".join([*parts, "</svg>"]) + "\n"


def _axes(x_min: float, x_span: float, y_min: float, y_span: float,
          sx: Callable[[float], float], sy: Callable[[float], float]) -> list[str]:
    bottom, left = HEIGHT - MARGIN_BOTTOM, MARGIN_LEFT
    parts = [f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - MARGIN_RIGHT}" y2="{bottom}" stroke="black"/>',
             f'<line x1="{left}" y1="{MARGIN_TOP}" x2="{left}" y2="{bottom}" stroke="black"/>']
    for i in range(TICKS + 1):
        x = x_min + x_span * i / TICKS
        y = y_min + y_span * i / TICKS
        parts.append(f'<text x="{sx(x):.1f}" y="{bottom + 16}" text-anchor="middle">{_fmt(x)}</text>')
        parts.append(f'<text x="{left - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{_fmt(y)}</text>')
        parts.append(f'<line x1="{left}" y1="{sy(y):.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{sy(y):.1f}" '
                     'stroke="#eee"/>')
    parts.append(f'<text x="{left + (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / 2}" y="{HEIGHT - 8}" '
                 'text-anchor="middle">step</text>')
    parts.append(f'<text x="14" y="{MARGIN_TOP + (HEIGHT - MARGIN_TOP - MARGIN_BOTTOM) / 2}" '
                 f'text-anchor="middle" transform="rotate(-90 14 '
                 f'{MARGIN_TOP + (HEIGHT - MARGIN_TOP - MARGIN_BOTTOM) / 2})">loss</text>')
    return parts
