// DOM building and the words the page uses for states, times and numbers.
// Text always goes in as text nodes (never innerHTML): data from runs cannot become markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function section(title, id, ...children) {
  return el("section", { class: "panel", "aria-labelledby": id },
    el("h2", { id }, title), ...children);
}

export function facts(pairs) {
  const list = el("dl", { class: "facts" });
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(el("dt", {}, term), el("dd", {}, value));
  }
  return list;
}

export function table(caption, columns, rows, { numeric = [] } = {}) {
  const head = el("tr", {}, columns.map((c) => el("th", { scope: "col", class: numeric.includes(c) ? "num" : null }, c)));
  const body = rows.map((cells) => el("tr", {}, cells.map((cell, i) =>
    el("td", { class: numeric.includes(columns[i]) ? "num" : null }, cell ?? "–"))));
  return el("div", { class: "table-wrap" },
    el("table", {}, el("caption", {}, caption), el("thead", {}, head), el("tbody", {}, body)));
}

// Each state has a symbol and a word: colour only repeats what they say.
const STATES = {
  running: ["▶", "state-run"], pending: ["…", "state-run"], waiting_for_approval: ["⏸", "state-wait"],
  succeeded: ["✔", "state-ok"], completed: ["✔", "state-ok"], failed: ["✖", "state-bad"],
  cancelled: ["■", "state-wait"], rejected: ["✖", "state-wait"], superseded: ["↷", "state-wait"],
  terminated: ["■", "state-bad"], paused: ["⏸", "state-wait"], skipped: ["↷", "state-wait"],
  validating_files: ["…", "state-run"], queued: ["…", "state-run"], waiting_for_queue: ["…", "state-wait"],
};

export function stateBadge(state) {
  const word = state || "unknown";
  const [symbol, cls] = STATES[word] || ["•", ""];
  return el("span", { class: `state ${cls}` }, el("span", { "aria-hidden": "true" }, `${symbol} `),
    word.replaceAll("_", " "));
}

export function parseTime(value) {
  if (value === null || value === undefined || value === "") return null;
  const time = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(time.getTime()) ? null : time;
}

export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days ${h % 24} h`;
}

export function age(value, now = Date.now()) {
  const time = parseTime(value);
  return time ? `${duration(now - time.getTime())} ago` : "";
}

export function clock(value) {
  const time = parseTime(value);
  return time ? time.toLocaleString() : "";
}

export function timeEl(value, text) {
  const time = parseTime(value);
  return time ? el("time", { datetime: time.toISOString(), title: time.toLocaleString() }, text ?? clock(value)) : "";
}

export const number = (value, digits = 0) => (value === null || value === undefined || value === ""
  ? "" : Number(value).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 }));

export const usd = (value) => (value === null || value === undefined ? ""
  : `$${Number(value).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`);

export function announce(message) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  window.setTimeout(() => { region.textContent = message; }, 50);
}

export function alertBox(message, code) {
  return el("div", { class: "panel alert", role: "alert" },
    el("strong", {}, "Refused: "), message, code ? el("span", { class: "muted" }, ` (${code})`) : "");
}
