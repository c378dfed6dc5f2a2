// The list of recent runs (GET /api/finetune), filtered by status, polled with backoff; and the
// deployments the app manages (GET /api/deployments), each stable lineage with a roll-back button.
import { api } from "./api.js";
import { rollbackButton } from "./actions.js";
import { age, el, stateBadge, table, timeEl } from "./dom.js";
import { deploymentFacts } from "./panels.js";
import { Poller } from "./poller.js";

export const STATUSES = ["running", "waiting_for_approval", "succeeded", "failed", "cancelled", "rejected",
  "superseded", "terminated"];

export class RunsView {
  constructor(root, filter = "") {
    this.root = root;
    this.filter = STATUSES.includes(filter) ? filter : "";
    this.lastJson = "";
    this.rows = [];
    const select = el("select", { id: "status-filter", onchange: (event) => this.setFilter(event.target.value) },
      el("option", { value: "" }, "All statuses"),
      STATUSES.map((s) => el("option", { value: s, selected: s === this.filter }, s.replaceAll("_", " "))));
    this.slot = el("div", { id: "runs", "aria-live": "off" });
    this.stamp = el("p", { class: "hint", id: "runs-updated" });
    root.replaceChildren(el("h1", { tabindex: "-1" }, "Runs"),
      el("div", { class: "toolbar" }, el("label", { for: "status-filter" }, "Status"), select,
        el("button", { type: "button", class: "quiet", onclick: () => this.poller.now() }, "Refresh now")),
      this.slot, this.stamp);
    this.poller = new Poller(() => this.refresh());
  }

  start() { this.poller.start(); return this; }

  stop() { this.poller.stop(); }

  setFilter(value) {
    this.filter = value;
    history.replaceState(history.state, "", value ? `#/?status=${value}` : "#/");
    this.lastJson = "";
    this.poller.now();
  }

  async refresh() {
    const query = this.filter ? `&status=${encodeURIComponent(this.filter)}` : "";
    let answer;
    try {
      answer = await api("GET", `finetune?top=50${query}`);
    } catch (error) {
      if (error.status !== 401) this.stamp.textContent = `Could not refresh: ${error.message}`;
      throw error;
    }
    this.stamp.textContent = `Updated ${new Date().toLocaleTimeString()}; refreshed while this tab is open.`;
    const text = JSON.stringify(answer.runs);
    if (text === this.lastJson) { this.render(); return false; }   // ages move on
    this.lastJson = text;
    this.rows = answer.runs;
    this.render();
    return true;
  }

  render() {
    if (!this.rows.length) {
      this.slot.replaceChildren(el("p", { class: "muted" }, this.filter
        ? `No run with status ${this.filter.replaceAll("_", " ")} in the last 30 days.`
        : "No run in the last 30 days. Drop a dataset into the datasets container, or POST /api/finetune."));
      return;
    }
    const rows = this.rows.map((r) => [
      el("a", { href: `#/runs/${encodeURIComponent(r.id)}`, class: "mono", "data-run-id": r.id }, r.id),
      r.run || "", el("span", { class: "mono" }, r.stage || ""), stateBadge(r.status),
      r.created ? timeEl(r.created, age(r.created)) : "", r.fine_tuned_model || r.model || "",
      r.newest_event || ""]);
    this.slot.replaceChildren(table(`${this.rows.length} run(s), newest first`,
      ["Id", "Run", "Stage", "Status", "Age", "Model", "Newest event"], rows));
  }
}

export class DeploymentsView {
  constructor(root) {
    this.root = root;
    this.messages = el("div");
    this.slot = el("div");
    root.replaceChildren(el("h1", { tabindex: "-1" }, "Deployments"), this.messages, this.slot);
    this.poller = new Poller(() => this.refresh());
    this.lastJson = "";
  }

  start() { this.poller.start(); return this; }

  stop() { this.poller.stop(); }

  async refresh() {
    let rows;
    try {
      rows = (await api("GET", "deployments")).deployments || [];
    } catch (error) {
      if (error.status === 401) throw error;
      this.slot.replaceChildren(el("p", { class: "muted" }, `The deployments list is not available: ${error.message}`));
      this.poller.stop();
      return false;
    }
    const text = JSON.stringify(rows);
    if (text === this.lastJson) return false;
    this.lastJson = text;
    this.slot.replaceChildren(...(rows.length ? rows.map((row) => el("section", { class: "panel" },
      el("h2", {}, row.name), deploymentFacts(row),
      row.kind === "stable" ? el("div", { class: "toolbar" },
        rollbackButton(row.lineage || row.name, () => this.poller.now(), this.messages)) : null))
      : [el("p", { class: "muted" }, "The app manages no deployment.")]));
    return true;
  }
}
