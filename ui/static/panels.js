// The run page's panels, each built from what the API returned and each saying plainly when a
// part is not there (yet, or not from this version of the app) instead of breaking the page.
import { duration, el, facts, number, parseTime, section, stateBadge, table, timeEl, usd } from "./dom.js";

export function errorPanel(error) {
  if (!error) return null;
  return el("section", { class: "panel alert", role: "alert", "aria-labelledby": "error-title" },
    el("h2", { id: "error-title" }, "What went wrong"),
    facts([["Code", el("code", {}, error.code || "unknown")], ["Stage", error.stage || ""]]),
    el("p", {}, error.message || "No message."));
}

export function timelinePanel(summary, now = Date.now()) {
  const stages = summary.stages || [];
  const items = stages.map((stage) => {
    const started = parseTime(stage.started), ended = parseTime(stage.ended);
    const open = !ended && summary.active;
    const took = started ? duration((ended ? ended.getTime() : now) - started.getTime()) : "";
    return el("li", { "data-stage": stage.stage },
      el("span", { class: "mono" }, stage.stage),
      stateBadge(stage.outcome || (open ? "running" : "unknown")),
      el("span", {}, took ? `${open ? "for " : ""}${took}` : "", " ", started ? el("span", { class: "muted" },
        "(from ", timeEl(stage.started, started.toLocaleTimeString()), ")") : ""),
      stage.detail ? el("span", { class: "detail" }, stage.detail) : null);
  });
  const body = items.length ? el("ol", { class: "timeline" }, items)
    : el("p", { class: "muted" }, `Stage ${summary.stage || "unknown"}; the timeline appears once the run reports it.`);
  return section("Stages", "stages-title", body);
}

function validationRow(v) {
  return [v.role, number(v.examples), number(v.total_tokens), number(v.estimated_trained_tokens),
    v.estimated_cost_usd === null || v.estimated_cost_usd === undefined ? "unknown"
      : `${usd(v.estimated_cost_usd)}${v.price_is_estimate ? " (estimate)" : ""}`];
}

/** Figures from the summary; first errors with line numbers from the validation reports, when read. */
export function validationPanel(summary, reports) {
  const rows = (summary.validation || []).map(validationRow);
  const parts = [];
  if (rows.length) {
    parts.push(table("Files", ["File", "Examples", "Tokens", "Trained tokens (estimate)", "Cost"], rows,
      { numeric: ["Examples", "Tokens", "Trained tokens (estimate)", "Cost"] }));
  }
  for (const [role, report] of Object.entries(reports)) {
    if (!report || !(report.errors || []).length) continue;
    const counts = Object.entries(report.error_counts || {}).map(([c, n]) => `${c} ×${n}`).join(", ");
    parts.push(el("h3", {}, `The ${role} file: ${counts || "errors"}`),
      el("ul", { class: "errors" }, report.errors.slice(0, 10).map((e) => el("li", {},
        e.line ? el("strong", {}, `Line ${e.line}: `) : "", el("code", {}, e.code), ` ${e.message}`))));
  }
  if (!parts.length) {
    parts.push(el("p", { class: "muted" }, summary.stage === "settle" || summary.stage === "validate"
      ? "Validation is under way." : "No validation figures for this run."));
  }
  return section("Validation", "validation-title", ...parts);
}

export function jobPanel(summary) {
  const job = summary.job;
  if (!job) return section("Training job", "job-title", el("p", { class: "muted" }, "No job yet: it is created after the upload."));
  const finish = parseTime(job.estimated_finish);
  const eta = finish && job.status === "running"
    ? [timeEl(job.estimated_finish), ` (in ${duration(finish.getTime() - Date.now())})`] : null;
  const tokens = summary.tokens || {};
  return section("Training job", "job-title", facts([
    ["Status", stateBadge(job.status)],
    ["Job", job.id ? el("code", {}, job.id) : "not created yet"],
    ["Trained tokens", job.trained_tokens !== null && job.trained_tokens !== undefined
      ? el("span", { id: "trained-tokens" }, number(job.trained_tokens)) : ""],
    ["Estimate", tokens.estimated ? `${number(tokens.estimated)} tokens` : ""],
    ["Epochs", job.n_epochs ?? ""],
    ["Estimated finish", eta],
    ["Newest event", job.newest_event || ""],
    ["Fine-tuned model", job.fine_tuned_model ? el("code", {}, job.fine_tuned_model) : ""],
    ["Queue", job.service_message || ""],
  ]), tokens.explanation ? el("p", { class: "hint" }, tokens.explanation) : null);
}

const fmt = (v, d = 3) => (v === null || v === undefined ? "–" : number(v, d));
const ci = (pair) => (Array.isArray(pair) ? `[${fmt(pair[0])}, ${fmt(pair[1])}]` : "–");

/** Issue "Evaluation gate": the summary's `evaluation`, per-grader figures of eval.json, rows of eval.csv. */
export function evaluationPanel(evaluation, evalJson, evalRows, chartUrl) {
  const data = evaluation || evalJson;
  if (!data) return section("Evaluation", "evaluation-title", el("p", { class: "muted" }, "No evaluation for this run."));
  const parts = [el("p", { id: "gate-decision" }, stateBadge(data.passed ? "succeeded" : "failed"), " ",
    data.passed ? "The candidate passed the quality gate." : "The candidate did not pass the quality gate.",
    data.reason ? ` ${data.reason}` : "")];
  parts.push(facts([["Primary grader", data.primary], ["Baseline", `${data.baseline?.deployment || "?"}: ${fmt(data.baseline?.score)}`],
    ["Candidate", `${data.candidate?.deployment || "?"}: ${fmt(data.candidate?.score)}`],
    ["Difference", `${fmt(data.difference)} (95 % CI ${ci(data.ci95)})`],
    ["Wins / ties / losses", `${data.wins ?? "–"} / ${data.ties ?? "–"} / ${data.losses ?? "–"}`]]));
  const graders = evalJson?.graders || [];
  if (graders.length) {
    parts.push(table("Per grader: mean score (95 % CI)", ["Grader", "Baseline", "Candidate", "Difference", "W / T / L"],
      graders.map((g) => [`${g.name}${g.primary ? " (primary)" : g.guardrail ? " (guardrail)" : ""}`,
        `${fmt(g.baseline?.mean)} ${ci(g.baseline?.ci95)}`, `${fmt(g.candidate?.mean)} ${ci(g.candidate?.ci95)}`,
        `${fmt(g.paired?.difference)} ${ci(g.paired?.ci95)}`, `${g.paired?.wins} / ${g.paired?.ties} / ${g.paired?.losses}`])));
  }
  if (chartUrl) parts.push(el("img", { class: "report", src: chartUrl, alt: "Per-grader bars, baseline against candidate, with confidence whiskers (eval.svg)." }));
  if (evalRows && evalRows.length) {
    const scoreColumns = Object.keys(evalRows[0]).filter((c) => c.startsWith("baseline:") || c.startsWith("candidate:"));
    const shown = scoreColumns.filter((c) => !c.endsWith(":label")).slice(0, 4);
    parts.push(table(`Examples (first ${Math.min(5, evalRows.length)} of ${evalRows.length}, from eval.csv)`,
      ["Line", "Prompt", "Reference", "Baseline answer", "Candidate answer", ...shown],
      evalRows.slice(0, 5).map((r) => [r.line, r.prompt, r.reference, r.baseline_answer, r.candidate_answer,
        ...shown.map((c) => fmt(r[c] === "" ? null : Number(r[c])))])));
  }
  return section("Evaluation", "evaluation-title", ...parts);
}

const DEPLOYMENT_LABELS = [["name", "Deployment"], ["lineage", "Lineage"], ["model", "Model"], ["kind", "Kind"],
  ["created", "Created"], ["last_promotion", "Last promotion"], ["hourly_cost_usd", "Hourly cost"],
  ["hourly_cost", "Hourly cost"], ["cost_so_far_usd", "Cost so far"], ["cost_so_far", "Cost so far"]];

export function deploymentFacts(row) {
  const pairs = [];
  for (const [key, label] of DEPLOYMENT_LABELS) {
    let value = row[key];
    if (value === null || value === undefined || value === "") continue;
    if (key.includes("cost")) value = typeof value === "number" ? `${usd(value)}${key.startsWith("hourly") ? " per hour" : ""}` : value;
    else if (typeof value === "object") value = JSON.stringify(value);
    pairs.push([label, value]);
  }
  return facts(pairs);
}

export function reportsPanel(reports, open) {
  if (reports === null) return section("Reports", "reports-title", el("p", { class: "muted" }, "Reading the list of reports…"));
  const items = reports.map((r) => el("li", {}, el("a", { href: `#report:${r.name}`, "data-report": r.name,
    onclick: (event) => { event.preventDefault(); open(r); } }, r.name),
  el("span", { class: "muted" }, ` ${r.content_type.split(";")[0]}, ${number(r.size)} bytes`)));
  return section("Reports", "reports-title", items.length ? el("ul", {}, items)
    : el("p", { class: "muted" }, "No report yet: validation reports appear after the validate stage, the summary when the run ends."),
  el("p", { class: "hint" }, "Each link downloads the file with your key (a plain link could not send it)."));
}
