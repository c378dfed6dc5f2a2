// The loss curve, drawn as SVG from the job's metrics as they arrive: train loss (solid line,
// round markers) and validation loss (dashed line, square markers; full_valid_loss when the service
// reports it, else the batch valid_loss). Shapes and dash tell the series apart, not colour alone;
// a table of the same numbers follows the chart for screen readers.
import { el, number, table } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 720, H = 340, LEFT = 60, RIGHT = 16, TOP = 16, BOTTOM = 44;
const SERIES = [
  { key: "train", label: "Training loss", color: "#1f5fa8", dash: null, marker: "circle" },
  { key: "valid", label: "Validation loss", color: "#b3261e", dash: "6 4", marker: "square" },
];

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== null) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child));
  return node;
}

export function validLoss(point) {
  return point.full_valid_loss ?? point.valid_loss ?? null;
}

function series(points) {
  return {
    train: points.filter((p) => p.train_loss !== null).map((p) => [p.step, p.train_loss]),
    valid: points.filter((p) => validLoss(p) !== null).map((p) => [p.step, validLoss(p)]),
  };
}

function niceStep(span, target = 5) {
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].find((m) => m * power >= raw) || 10;
  return unit * power;
}

function ticks(low, high, integer) {
  if (high <= low) high = low + (integer ? 1 : 0.1);
  let step = niceStep(high - low);
  if (integer) step = Math.max(1, Math.round(step));
  const out = [Math.floor(low / step + 1e-9) * step];
  while (out[out.length - 1] < high - step * 1e-9) out.push(Number((out[out.length - 1] + step).toFixed(10)));
  return out;   // from at most ``low`` to at least ``high``: every point is inside the axes
}

function marker(kind, x, y, color) {
  return kind === "circle"
    ? svg("circle", { cx: x, cy: y, r: 3, fill: color })
    : svg("rect", { x: x - 3, y: y - 3, width: 6, height: 6, fill: color });
}

function describe(points, lines) {
  if (!points.length) return "No training steps reported yet.";
  const last = points[points.length - 1];
  const parts = [`${points.length} steps, up to step ${last.step}.`];
  if (lines.train.length) parts.push(`Latest training loss ${number(lines.train.at(-1)[1], 4)}.`);
  if (lines.valid.length) parts.push(`Latest validation loss ${number(lines.valid.at(-1)[1], 4)}.`);
  return parts.join(" ");
}

/** The chart (an svg element with data-points = the number of steps drawn) and its legend. */
export function lossChart(points, title) {
  const lines = series(points);
  const all = [...lines.train, ...lines.valid];
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "loss-title loss-desc",
    "data-points": points.length, id: "loss-chart" },
  svg("title", { id: "loss-title" }, title), svg("desc", { id: "loss-desc" }, describe(points, lines)));
  const steps = all.map(([s]) => s), values = all.map(([, v]) => v);
  const xTicks = ticks(steps.length ? Math.min(...steps) : 0, steps.length ? Math.max(...steps) : 1, true);
  const yTicks = ticks(values.length ? Math.min(0, ...values) : 0, values.length ? Math.max(...values) : 1, false);
  const [x0, x1, y0, y1] = [xTicks[0], xTicks.at(-1), yTicks[0], yTicks.at(-1)];
  const sx = (x) => LEFT + ((x - x0) / (x1 - x0 || 1)) * (W - LEFT - RIGHT);
  const sy = (y) => H - BOTTOM - ((y - y0) / (y1 - y0 || 1)) * (H - TOP - BOTTOM);
  for (const y of yTicks) {
    root.append(svg("line", { class: "gridline", x1: LEFT, x2: W - RIGHT, y1: sy(y), y2: sy(y) }),
      svg("text", { x: LEFT - 6, y: sy(y) + 4, "text-anchor": "end" }, number(y, 3)));
  }
  for (const x of xTicks) root.append(svg("text", { x: sx(x), y: H - BOTTOM + 18, "text-anchor": "middle" }, number(x)));
  root.append(svg("line", { class: "axis", x1: LEFT, x2: W - RIGHT, y1: H - BOTTOM, y2: H - BOTTOM }),
    svg("line", { class: "axis", x1: LEFT, x2: LEFT, y1: TOP, y2: H - BOTTOM }),
    svg("text", { x: (LEFT + W - RIGHT) / 2, y: H - 6, "text-anchor": "middle" }, "step"),
    svg("text", { x: 14, y: (TOP + H - BOTTOM) / 2, "text-anchor": "middle",
      transform: `rotate(-90 14 ${(TOP + H - BOTTOM) / 2})` }, "loss"));
  for (const spec of SERIES) {
    const data = lines[spec.key];
    if (!data.length) continue;
    const group = svg("g", { "data-series": spec.key, "aria-hidden": "true" });
    group.append(svg("polyline", { fill: "none", stroke: spec.color, "stroke-width": 2, "stroke-dasharray": spec.dash,
      points: data.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ") }));
    if (data.length <= 200) data.forEach(([x, y]) => group.append(marker(spec.marker, sx(x), sy(y), spec.color)));
    root.append(group);
  }
  const legend = el("ul", { class: "legend" },
    SERIES.filter((s) => lines[s.key].length).map((s) => el("li", { class: `swatch-${s.key}` }, s.label)));
  return [el("div", { class: "chart" }, root), legend];
}

/** The same numbers as a table, inside a closed <details> (the newest 50 steps). */
export function lossTable(points) {
  const rows = points.slice(-50).map((p) => [number(p.step), number(p.train_loss, 4), number(validLoss(p), 4),
    number(p.train_mean_token_accuracy, 3), number(p.full_valid_mean_token_accuracy ?? p.valid_mean_token_accuracy, 3)]);
  return el("details", {}, el("summary", {}, "The numbers (newest 50 steps)"),
    table("Metrics per step", ["Step", "Training loss", "Validation loss", "Training token accuracy",
      "Validation token accuracy"], rows, { numeric: ["Step", "Training loss", "Validation loss",
      "Training token accuracy", "Validation token accuracy"] }));
}
