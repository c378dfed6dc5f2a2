// Actions on a run (approve, reject, cancel, pause, resume) and on a lineage (roll back), each
// behind a confirmation dialog. A button shows only for an action the run accepts now (the
// summary's `actions`, computed by the API with the same rules as the POST routes); when the API
// refuses anyway (the run moved on meanwhile), its own sentence is shown.
import { api, runPath } from "./api.js";
import { alertBox, announce, el } from "./dom.js";

const RUN_ACTIONS = {
  approve: { label: "Approve", title: "Approve this run?", note: "Comment (optional, recorded with the approval)",
    text: (s) => `The fine-tuned model ${s.job?.fine_tuned_model || ""} will be deployed and smoke-tested.`,
    done: "Approved: the run deploys the model now." },
  reject: { label: "Reject", title: "Reject this run?", danger: true, required: true,
    note: "Reason (required, recorded in the run's status and summary.json)",
    text: () => "The run ends without deploying the model. The trained model stays in Azure OpenAI.",
    done: "Rejected: the reason is recorded." },
  cancel: { label: "Cancel run", title: "Cancel this run?", danger: true, note: "Note (optional)",
    text: (s) => (s.job?.id && !["succeeded", "failed", "cancelled"].includes(s.job?.status)
      ? `The fine-tuning job ${s.job.id} is cancelled too; training done so far is still billed.`
      : "The run stops where it is and writes its report."),
    done: "Cancel sent: the run stops and writes its report." },
  pause: { label: "Pause training", title: "Pause the training job?",
    text: (s) => `The job ${s.job?.id || ""} pauses at its next checkpoint; resume it from here.`,
    done: "Pause sent." },
  resume: { label: "Resume training", title: "Resume the training job?",
    text: (s) => `The job ${s.job?.id || ""} goes on training from where it paused.`, done: "Resume sent." },
};
export const ACTION_ORDER = ["approve", "reject", "pause", "resume", "cancel"];

/** Ask in the page's dialog; resolves to {note} when confirmed, null when not. */
export function confirmAction({ title, text, confirm, note = null, required = false, danger = false }) {
  const dialog = document.getElementById("confirm");
  const noteRow = document.getElementById("confirm-note-row");
  const noteInput = document.getElementById("confirm-note");
  const yes = document.getElementById("confirm-yes");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-note-label").textContent = note || "";
  noteRow.hidden = !note;
  noteInput.value = "";
  noteInput.required = Boolean(note && required);
  yes.textContent = confirm;
  yes.className = danger ? "danger" : "";
  return new Promise((resolve) => {
    const form = document.getElementById("confirm-form");
    const back = document.getElementById("confirm-no");
    const finish = (answer) => {
      form.removeEventListener("submit", onSubmit);
      back.removeEventListener("click", onBack);
      dialog.removeEventListener("cancel", onBack);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      if (noteInput.required && !noteInput.value.trim()) { noteInput.focus(); return; }
      finish({ note: noteInput.value.trim() || null });
    };
    const onBack = (event) => { event.preventDefault(); finish(null); };
    form.addEventListener("submit", onSubmit);
    back.addEventListener("click", onBack);
    dialog.addEventListener("cancel", onBack);   // Esc
    dialog.showModal();
    (note ? noteInput : yes).focus();
  });
}

/** Confirm, send, then report: ``after()`` refreshes the view; refusals land in ``messages``. */
async function perform(spec, subject, send, messages, after, opener) {
  const answer = await confirmAction({ title: spec.title, text: spec.text(subject), confirm: spec.label,
    note: spec.note, required: spec.required, danger: spec.danger });
  opener.focus();
  if (!answer) return;
  messages.replaceChildren();
  try {
    await send(answer.note);
    messages.append(el("p", { role: "status" }, spec.done));
    announce(spec.done);
  } catch (error) {
    messages.append(alertBox(error.message, error.code));
  }
  after();
}

/** The toolbar of a run: a button per valid action, and where refusals are shown. */
export function runActions(summary, after, messages) {
  const valid = summary.actions ?? [...(summary.active ? ["cancel"] : []),
    ...(summary.status === "waiting_for_approval" ? ["approve", "reject"] : [])];
  const bar = el("div", { class: "toolbar", role: "group", "aria-label": "Actions on this run" });
  for (const action of ACTION_ORDER.filter((a) => valid.includes(a))) {
    const spec = RUN_ACTIONS[action];
    const button = el("button", { type: "button", class: spec.danger ? "danger" : null, "data-action": action },
      spec.label);
    button.addEventListener("click", () => perform(spec, summary, (note) => api("POST",
      runPath(summary.id, `/${action}`), note ? { reason: note } : undefined), messages, after, button));
    bar.append(button);
  }
  if (!bar.childElementCount) bar.append(el("p", { class: "muted" }, summary.active
    ? "No action is possible in this state." : "The run has ended; no action is possible."));
  return bar;
}

/** A roll-back button for a lineage's stable deployment (issue "Promotion, rollback and retirement"). */
export function rollbackButton(lineage, after, messages) {
  const spec = { label: `Roll back ${lineage}`, title: `Roll back ${lineage}?`, danger: true,
    text: () => `The deployment ${lineage} serves the model it served before its last promotion again.`,
    done: `Rolled back: ${lineage} serves its previous model.` };
  const button = el("button", { type: "button", class: "danger", "data-action": "rollback" }, spec.label);
  button.addEventListener("click", () => perform(spec, null, () => api("POST",
    `deployments/${encodeURIComponent(lineage)}/rollback`), messages, after, button));
  return button;
}
