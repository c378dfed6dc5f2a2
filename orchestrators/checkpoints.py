"""Which model the run deploys: the job's fine-tuned model, or its best kept checkpoint.

Between ``monitor`` and the deployment. ``deployment.checkpoint: "final"`` (the default) deploys
the fine-tuned model; ``"best"`` lists the job's kept checkpoints (one activity) and deploys the
one shared/checkpoint_choice.py picks, recording the choice and the sentence saying why (the
losses of the three) in the custom status, the output and summary.json.
"""

from __future__ import annotations

from typing import Any

from orchestrators.tracker import POLL_RETRY, RunTracker, Steps
from shared import checkpoint_choice, errors, names
from shared.method_payloads import CheckpointList
from shared.payloads import JobRef, JobSnapshot
from shared.run_settings import RunSettings


def choose_model(run: RunTracker, settings: RunSettings, job: JobSnapshot) -> Steps:
    """The model name to deploy; ``run.details["checkpoint"]`` says which and why."""
    final = str(job.fine_tuned_model)
    if settings.deployment.checkpoint != "best":
        run.details["checkpoint"] = {"choice": "final", "model": final, "step": None,
                                     "reason": "deployment.checkpoint is final: the fine-tuned model."}
        return final
    raw = yield from run.call(names.LIST_CHECKPOINTS, JobRef(str(job.job_id)).to_dict(), POLL_RETRY,
                              failure_code=errors.DEPLOYMENT_FAILED)
    kept = CheckpointList.from_dict(raw).checkpoints
    chosen: dict[str, Any] = checkpoint_choice.choose(kept, final, settings.method.get("type", "supervised"))
    run.details["checkpoint"] = chosen
    return str(chosen["model"])
