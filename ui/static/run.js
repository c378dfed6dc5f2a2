// One run: its summary polled with backoff, the loss curve from its metrics as they arrive, its
// reports, evaluation and deployment. Each part lives in its own slot, refreshed on its own, so a
// refresh never takes the focus away from a button the user is on.
import { ApiError, api, apiBlob, runPath } from "./api.js";
import { rollbackButton, runActions } from "./actions.js";
import { lossChart, lossTable } from "./chart.js";
import { age, el, facts, section, stateBadge, timeEl } from "./dom.js";
import { deploymentFacts, errorPanel, evaluationPanel, jobPanel, reportsPanel, timelinePanel,
  validationPanel } from "./panels.js";
import { Poller } from "./poller.js";

const TERMINAL_JOB = ["succeeded", "failed", "cancelled"];
const SLOTS = ["head", "actions", "messages", "error", "timeline", "job", "loss", "validation", "evaluation",
  "deployment", "reports"];

/** Parse CSV text (RFC 4180: quoted cells, doubled quotes, newlines in quotes) into row objects. */
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  const [header, ...body] = rows.filter((r) => r.length > 1 || r[0]);
  return (body || []).map((r) => Object.fromEntries((header || []).map((h, i) => [h, r[i] ?? ""])));
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60000);
}

export class RunView {
  constructor(root, id) {
    this.root = root;
    this.id = id;
    this.summary = null;
    this.lastJson = "";
    this.points = [];
    this.metricsDone = false;
    this.reports = null;
    this.loaded = {};          // report name -> {stamp, value}
    this.deployments = undefined;
    this.slots = Object.fromEntries(SLOTS.map((name) => [name, el("div", { "data-slot": name })]));
    root.replaceChildren(el("p", {}, el("a", { href: "#/" }, "← All runs")), this.slots.head, this.slots.actions,
      this.slots.messages, this.slots.error, el("div", { class: "grid" }, this.slots.timeline, this.slots.job),
      this.slots.loss, el("div", { class: "grid" }, this.slots.validation, this.slots.deployment),
      this.slots.evaluation, this.slots.reports);
    this.title = el("h1", { tabindex: "-1" }, "Run ", el("code", {}, id));   // kept: it may hold the focus
    this.facts = el("div");
    this.slots.head.append(this.title, this.facts);
    this.poller = new Poller(() => this.refresh());
    this.metricsPoller = new Poller(() => this.refreshMetrics());
  }

  start() { this.poller.start(); this.metricsPoller.start(); return this; }

  stop() { this.poller.stop(); this.metricsPoller.stop(); }

  async refresh() {
    let summary;
    try {
      summary = await api("GET", runPath(this.id));
    } catch (error) {
      if (error.status === 404 || error.status === 400) {
        this.stop();
        this.slots.error.replaceChildren(errorPanel({ code: error.code, message: error.message }));
      } else if (error.status !== 401) {
        this.slots.messages.replaceChildren(el("p", { role: "status" }, `Could not refresh: ${error.message}`));
      }
      throw error;
    }
    const text = JSON.stringify(summary);
    if (text === this.lastJson) {
      this.slots.timeline.replaceChildren(timelinePanel(summary));   // running durations tick on
      return false;
    }
    this.lastJson = text;
    const actionsBefore = (this.summary?.actions || []).join() + this.summary?.status;
    const jobBefore = this.summary?.job?.id;
    this.summary = summary;
    if (summary.job?.id && summary.job.id !== jobBefore) this.metricsPoller.now();   // training began
    this.render(actionsBefore !== (summary.actions || []).join() + summary.status);
    await this.refreshReports();
    await this.refreshDeployment();
    if (!summary.active) this.poller.stop();   // an ended run changes no more; its reports are read
    return true;
  }

  render(actionsChanged) {
    const s = this.summary;
    this.title.replaceChildren("Run ", el("code", {}, s.run || s.id));
    this.facts.replaceChildren(facts([["Status", el("span", { id: "run-status" }, stateBadge(s.status))],
        ["Stage", el("span", { id: "run-stage", class: "mono" }, s.stage || "")],
        ["Instance", el("code", {}, s.id)], ["Model", s.model || ""],
        ["Started", s.created ? [timeEl(s.created), ` (${age(s.created)})`] : ""],
        ["Approval", s.approval ? `${s.approval.decision}${s.approval.note ? `: “${s.approval.note}”` : ""}` : ""],
        ["Waiting for approval until", s.approval_deadline ? timeEl(s.approval_deadline) : ""]]));
    if (actionsChanged) {
      const hadFocus = this.slots.actions.contains(document.activeElement);
      this.slots.actions.replaceChildren(runActions(s, () => this.poller.now(), this.slots.messages));
      if (hadFocus) (this.slots.actions.querySelector("button") || this.title).focus();
    }
    this.slots.error.replaceChildren(errorPanel(s.error) || "");
    this.slots.timeline.replaceChildren(timelinePanel(s));
    this.slots.job.replaceChildren(jobPanel(s));
    this.renderValidation();
    if (!this.slots.loss.childElementCount) this.renderLoss();
  }

  renderValidation() {
    const reports = {};
    for (const [name, role] of [["validation.training.json", "training"], ["validation.validation.json", "validation"]]) {
      reports[role] = this.loaded[name]?.value;
    }
    this.slots.validation.replaceChildren(validationPanel(this.summary, reports));
  }

  async refreshMetrics() {
    const job = this.summary?.job;
    if (this.metricsDone || !job?.id) return false;
    const last = this.points.length ? this.points[this.points.length - 1].step : 0;
    const answer = await api("GET", runPath(this.id, `/metrics?after_step=${last}`));
    const fresh = (answer.points || []).filter((p) => p.step > last);
    this.points.push(...fresh);
    // A job that ended has all its points once results.csv is read (a failed or cancelled job may
    // have no result file: its events are all there is).
    const ended = TERMINAL_JOB.includes(answer.status);
    if (ended && (answer.source === "results_file" || answer.status !== "succeeded")) this.metricsDone = true;
    if (this.metricsDone) this.metricsPoller.stop();
    if (fresh.length || !this.slots.loss.childElementCount) this.renderLoss();
    return fresh.length > 0;
  }

  renderLoss() {
    const open = this.slots.loss.querySelector("details")?.open;
    const body = this.points.length ? [...lossChart(this.points, `Loss per step: ${this.summary?.run || this.id}`), lossTable(this.points)]
      : [el("p", { class: "muted" }, this.summary?.job?.id ? "Waiting for the first training step…"
        : "The loss curve appears once the job trains.")];
    this.slots.loss.replaceChildren(section("Loss curve", "loss-title", ...body));
    if (open) this.slots.loss.querySelector("details").open = true;
  }

  async refreshReports() {
    try {
      this.reports = (await api("GET", runPath(this.id, "/reports"))).reports;
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) this.reports = [];
      else throw error;
    }
    this.slots.reports.replaceChildren(reportsPanel(this.reports, (r) => this.openReport(r)));
    for (const report of this.reports) {
      const stamp = `${report.last_modified}/${report.size}`;
      if (this.loaded[report.name]?.stamp === stamp) continue;
      if (!/^(validation\..*\.json|eval\.(json|csv|svg))$/.test(report.name)) continue;
      const blob = await apiBlob(runPath(this.id, `/reports/${report.name}`));
      let value;
      if (report.name.endsWith(".json")) value = JSON.parse(await blob.text());
      else if (report.name.endsWith(".csv")) value = parseCsv(await blob.text());
      else value = URL.createObjectURL(blob);
      if (this.loaded[report.name]?.value && report.name.endsWith(".svg")) URL.revokeObjectURL(this.loaded[report.name].value);
      this.loaded[report.name] = { stamp, value };
    }
    this.renderValidation();
    this.slots.evaluation.replaceChildren(evaluationPanel(this.summary.evaluation, this.loaded["eval.json"]?.value,
      this.loaded["eval.csv"]?.value, this.loaded["eval.svg"]?.value));
  }

  async openReport(report) {
    try {
      download(await apiBlob(runPath(this.id, `/reports/${report.name}`)), report.name);
    } catch (error) {
      this.slots.messages.replaceChildren(el("p", { role: "alert" }, `Could not read ${report.name}: ${error.message}`));
    }
  }

  async refreshDeployment() {
    const name = this.summary.deployment;
    const parts = [];
    if (!name) {
      parts.push(el("p", { class: "muted" }, this.summary.active ? "Not deployed yet." : "This run made no deployment."));
    } else {
      parts.push(facts([["Deployment", el("code", { id: "deployment-name" }, name)]]));
      let rows = null;
      try {
        rows = (await api("GET", "deployments")).deployments || [];
      } catch (error) {
        if (error.status === 401) throw error;
        parts.push(el("p", { class: "muted" }, `Lineage and cost are not available: ${error.message}`));
      }
      const row = rows && rows.find((d) => d.name === name || d.lineage === name);
      if (row) {
        parts.splice(0, 1, deploymentFacts(row));
        if (row.kind === "stable" || !row.kind) parts.push(el("div", { class: "toolbar" },
          rollbackButton(row.lineage || row.name, () => this.refreshDeployment(), this.slots.messages)));
      } else if (rows) parts.push(el("p", { class: "muted" }, "The app manages no deployment of that name now."));
    }
    this.slots.deployment.replaceChildren(section("Deployment", "deployment-title", ...parts));
  }
}
